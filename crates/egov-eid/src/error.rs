//! The crate's error type.

use std::fmt;

use crate::loa::Loa;

/// Which check of an ID token failed (see [`Error::IdToken`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdTokenCheck {
    /// Not a compact JWS with a JSON header and payload.
    Malformed,
    /// The `alg` header is not on the allow-list (`none`, HMAC, or not configured).
    Algorithm,
    /// No key in the provider's JWKS has the token's `kid`, even after a refetch.
    UnknownKey,
    /// The signature does not verify with the provider's key.
    Signature,
    /// `iss` is not the expected issuer.
    Issuer,
    /// `aud` does not name this client, or names untrusted audiences too.
    Audience,
    /// `azp` is present and not this client, or missing while `aud` has several values.
    AuthorizedParty,
    /// `exp` has passed (beyond the allowed clock skew).
    Expired,
    /// `iat` lies in the future or too far in the past (beyond the allowed clock skew).
    IssuedAt,
    /// `nonce` is missing or not the one sent with the authorization request.
    Nonce,
    /// `at_hash` does not match the access token.
    AccessTokenHash,
}

impl fmt::Display for IdTokenCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "format",
            Self::Algorithm => "algorithm",
            Self::UnknownKey => "key id",
            Self::Signature => "signature",
            Self::Issuer => "iss",
            Self::Audience => "aud",
            Self::AuthorizedParty => "azp",
            Self::Expired => "exp",
            Self::IssuedAt => "iat",
            Self::Nonce => "nonce",
            Self::AccessTokenHash => "at_hash",
        })
    }
}

/// Which check of a back-channel logout token failed (see [`Error::LogoutToken`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogoutCheck {
    /// Not a compact JWS with a JSON payload.
    Malformed,
    /// `alg` not on the allow-list.
    Algorithm,
    /// No key with the token's `kid`.
    UnknownKey,
    /// The signature does not verify.
    Signature,
    /// `typ` is present and not `logout+jwt`.
    Type,
    /// `iss` is not the provider.
    Issuer,
    /// `aud` does not name this client.
    Audience,
    /// `iat` missing, in the future or too old; or `exp` passed.
    Time,
    /// The `events` claim lacks the back-channel logout event.
    Events,
    /// A `nonce` is present (it would make an ID token pass as a logout token).
    Nonce,
    /// Neither `sid` nor `sub` is present.
    Subject,
    /// `jti` missing, or seen before (a replay).
    Replay,
}

impl fmt::Display for LogoutCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An acr value that the scheme does not know.
    #[error("unknown {scheme} acr value `{value}`")]
    UnknownAcr {
        /// The scheme (`AGOV`, `eIAM`, `eIDAS`, `custom`).
        scheme: &'static str,
        /// The value found.
        value: String,
    },
    /// A level name that is not one of the [`Loa`] names.
    #[error("unknown level of assurance `{0}`")]
    UnknownLoa(String),
    /// The scheme has no acr value that guarantees the level.
    #[error("{scheme} has no acr value for level {loa}")]
    LoaNotExpressible {
        /// The scheme.
        scheme: &'static str,
        /// The level asked for.
        loa: Loa,
    },
    /// A configuration value is wrong.
    #[error("configuration: {field}: {reason}")]
    Config {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No provider is registered under this name.
    #[error("no provider named `{0}`")]
    UnknownProvider(String),
    /// The HTTP request failed (network, TLS, status).
    #[error("HTTP: {0}")]
    Http(String),
    /// Discovery or the JWKS could not be fetched or parsed.
    #[error("discovery of {issuer}: {reason}")]
    Discovery {
        /// The issuer.
        issuer: String,
        /// What went wrong.
        reason: String,
    },
    /// The `state` of the callback is missing or not the one sent (CSRF or a mixed-up browser tab).
    #[error("callback: state mismatch")]
    StateMismatch,
    /// The callback's `iss` parameter (RFC 9207) names another issuer (mix-up attack), or is missing
    /// although the provider announces it.
    #[error("callback: issuer `{found}` is not the expected `{expected}`")]
    IssuerMismatch {
        /// The issuer the login was started with.
        expected: String,
        /// The `iss` parameter found (empty when missing).
        found: String,
    },
    /// The provider answered the authorization request with an error.
    #[error("provider error `{error}`{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Provider {
        /// The OAuth error code (`access_denied`, `login_required`, …).
        error: String,
        /// The provider's description.
        description: Option<String>,
    },
    /// The callback has no `code`.
    #[error("callback: no authorization code")]
    MissingCode,
    /// The token endpoint refused the code (wrong PKCE verifier, reused code, client authentication).
    #[error("token endpoint: {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    TokenEndpoint {
        /// The OAuth error code or a transport error.
        error: String,
        /// The provider's description.
        description: Option<String>,
    },
    /// The token response has no ID token.
    #[error("token response without an ID token")]
    MissingIdToken,
    /// The ID token failed a check.
    #[error("ID token: {check}: {detail}")]
    IdToken {
        /// Which check.
        check: IdTokenCheck,
        /// Details for the log (never the token).
        detail: String,
    },
    /// A back-channel logout token failed a check.
    #[error("logout token: {check}: {detail}")]
    LogoutToken {
        /// Which check.
        check: LogoutCheck,
        /// Details for the log.
        detail: String,
    },
    /// The userinfo response is unusable (status, format, other subject).
    #[error("userinfo: {0}")]
    UserInfo(String),
    /// A claim has a value that cannot be used.
    #[error("claim `{claim}`: {reason}")]
    InvalidClaim {
        /// The claim name.
        claim: String,
        /// What is wrong.
        reason: String,
    },
    /// The login reached a lower level of assurance than required: ask for a step-up with
    /// [`RelyingParty::step_up`](crate::RelyingParty::step_up).
    #[error("level of assurance too low: required {required}, achieved {}", achieved.map(|l| l.to_string()).unwrap_or_else(|| "none".into()))]
    LoaTooLow {
        /// The level the operation needs.
        required: Loa,
        /// The level reached (none when the token has no known acr).
        achieved: Option<Loa>,
    },
    /// The swiyu verifier refused a request or answered something unexpected.
    #[error("swiyu verifier: {0}")]
    Verifier(String),
    /// A signing key cannot be made or loaded.
    #[error("key: {0}")]
    Key(String),
    /// The login simulator failed (key generation, binding the port).
    #[cfg(feature = "simulator")]
    #[error("simulator: {0}")]
    Simulator(String),
    /// The login transaction is too old.
    #[error("login transaction expired")]
    TransactionExpired,
}
