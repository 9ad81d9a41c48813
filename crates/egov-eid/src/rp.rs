//! The relying party: per-issuer configuration, the authorization request, the callback and the
//! token checks.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGrantType, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalProviderMetadata, AuthType, AuthenticationContextClass,
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKey, JsonWebKeySet, LanguageTag, LoginHint, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, IdTokenCheck, LogoutCheck};
use crate::http::HttpClient;
use crate::identity::Identity;
use crate::jose::{self, SigningKey};
use crate::jwt;
use crate::loa::{AcrScheme, Loa};

/// A secret string (client secret, token): [`Debug`](fmt::Debug) never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(…{} chars)", self.0.chars().count())
    }
}

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic authentication.
    SecretBasic(Secret),
    /// `client_secret_post`: id and secret in the form body.
    SecretPost(Secret),
    /// `private_key_jwt` (RFC 7523): a client assertion signed with this key, whose public JWK
    /// ([`SigningKey::public_jwk`]) is registered at the provider. No shared secret.
    PrivateKeyJwt(Arc<SigningKey>),
    /// A public client (`none`); PKCE is then the only protection of the code.
    None,
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An ID token signature algorithm the relying party may accept. Symmetric (`HS*`) algorithms and
/// `none` cannot be expressed, so no configuration can open the door to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// RSASSA-PSS with SHA-384.
    Ps384,
    /// RSASSA-PSS with SHA-512.
    Ps512,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// ECDSA P-384 with SHA-384.
    Es384,
    /// Ed25519.
    EdDsa,
}

impl SigningAlg {
    const ALL: [Self; 9] = [
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
        Self::Es256,
        Self::Es384,
        Self::EdDsa,
    ];

    /// The JOSE name (`RS256`, `ES256`, …).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::EdDsa => "EdDSA",
        }
    }

    /// The algorithm with this JOSE name, if it is one of the asymmetric ones.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    const fn core(self) -> CoreJwsSigningAlgorithm {
        match self {
            Self::Rs256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            Self::Rs384 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
            Self::Rs512 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
            Self::Ps256 => CoreJwsSigningAlgorithm::RsaSsaPssSha256,
            Self::Ps384 => CoreJwsSigningAlgorithm::RsaSsaPssSha384,
            Self::Ps512 => CoreJwsSigningAlgorithm::RsaSsaPssSha512,
            Self::Es256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            Self::Es384 => CoreJwsSigningAlgorithm::EcdsaP384Sha384,
            Self::EdDsa => CoreJwsSigningAlgorithm::EdDsa,
        }
    }
}

/// The configuration of one OpenID Provider (issuer) as this application is registered there.
///
/// ```
/// use egov_eid::{AcrScheme, ClientAuth, ProviderConfig, Secret};
///
/// let mut agov = ProviderConfig::new(
///     "https://login.example.admin.ch",
///     "my-app",
///     ClientAuth::SecretBasic(Secret::new("from the vault")),
///     "https://app.example.ch/login/callback",
/// );
/// agov.scopes.push("svnr".into()); // the AHV number, where AGOV connect allows it
/// assert_eq!(agov.acr_scheme, AcrScheme::Agov);
/// assert!(format!("{agov:?}").contains("Secret(…"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProviderConfig {
    /// The issuer URL, exactly as the provider writes it in `iss` (HTTPS; plain HTTP only on loopback).
    pub issuer: String,
    /// The client id this application got at registration.
    pub client_id: String,
    /// The client authentication at the token endpoint.
    pub client_auth: ClientAuth,
    /// The registered redirect URI of this application.
    pub redirect_uri: String,
    /// Scopes besides `openid` (default `profile`, `email`; AGOV also knows `agovProfile` and `svnr`).
    pub scopes: Vec<String>,
    /// How the provider writes levels of assurance.
    pub acr_scheme: AcrScheme,
    /// The ID token algorithms accepted (default RS256, PS256, ES256).
    pub allowed_algs: Vec<SigningAlg>,
    /// The clock skew tolerated on `exp` and `iat` (default 60 s).
    pub clock_skew: Duration,
    /// How old an ID token may be when it arrives, measured by `iat` (default 5 minutes).
    pub max_token_age: Duration,
    /// The JWKS is refetched for an unknown `kid` at most once in this interval (default 60 s).
    pub jwks_refetch_interval: Duration,
    /// A cached JWKS older than this is fetched again before use, so that keys the provider
    /// withdrew stop being trusted (default 24 hours).
    pub jwks_max_age: Duration,
    /// How long a started login may take (default 10 minutes).
    pub transaction_ttl: Duration,
    /// Claims that may carry the AHV number, by preference (default `ahvn13`, `svnr`,
    /// `personal_administrative_number`).
    pub ahv_claims: Vec<String>,
    /// Whether to complete the claims from the userinfo endpoint (default true).
    pub fetch_userinfo: bool,
}

impl ProviderConfig {
    /// A configuration with the defaults described at each field.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_auth: ClientAuth,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_auth,
            redirect_uri: redirect_uri.into(),
            scopes: vec!["profile".into(), "email".into()],
            acr_scheme: AcrScheme::Agov,
            allowed_algs: vec![SigningAlg::Rs256, SigningAlg::Ps256, SigningAlg::Es256],
            clock_skew: Duration::from_secs(60),
            max_token_age: Duration::from_secs(300),
            jwks_refetch_interval: Duration::from_secs(60),
            jwks_max_age: Duration::from_secs(24 * 3600),
            transaction_ttl: Duration::from_secs(600),
            ahv_claims: vec![
                "ahvn13".into(),
                "svnr".into(),
                "personal_administrative_number".into(),
            ],
            fetch_userinfo: true,
        }
    }
}

/// Discovery fields beyond OpenID Connect Discovery 1.0 that the relying party uses.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ExtraMetadata {
    /// RFC 9207.
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
    /// RP-initiated logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_session_endpoint: Option<String>,
    /// RFC 8414 / RFC 7636.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code_challenge_methods_supported: Option<Vec<String>>,
}

impl AdditionalProviderMetadata for ExtraMetadata {}

type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// One registered provider with its discovered metadata and key cache.
#[derive(Debug)]
struct Provider {
    config: ProviderConfig,
    metadata: Metadata,
    jwks: RwLock<CoreJsonWebKeySet>,
    jwks_fetched_at: Mutex<Instant>,
    last_refetch: Mutex<Option<Instant>>,
    /// `jti` of logout tokens seen, with when they may be forgotten.
    logout_jtis: Mutex<HashMap<String, DateTime<Utc>>>,
}

/// Most logout-token ids remembered per provider; older entries are forgotten first when expired.
const MAX_LOGOUT_JTIS: usize = 100_000;
const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A validated back-channel logout request: end the sessions it names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogoutNotice {
    /// The issuer.
    pub issuer: String,
    /// The subject whose sessions end (all of them when `session_id` is none).
    pub subject: Option<String>,
    /// The provider session (`sid`) that ended.
    pub session_id: Option<String>,
}

fn config_err(field: &'static str, reason: impl fmt::Display) -> Error {
    Error::Config {
        field,
        reason: reason.to_string(),
    }
}

fn id_err(check: IdTokenCheck, detail: impl Into<String>) -> Error {
    Error::IdToken {
        check,
        detail: detail.into(),
    }
}

fn has_kid(jwks: &CoreJsonWebKeySet, kid: &str) -> bool {
    jwks.keys()
        .iter()
        .any(|k| k.key_id().is_some_and(|id| id.as_str() == kid))
}

impl Provider {
    fn client(&self) -> Result<Client, Error> {
        let secret = match &self.config.client_auth {
            ClientAuth::SecretBasic(s) | ClientAuth::SecretPost(s) => {
                Some(ClientSecret::new(s.expose().to_owned()))
            }
            ClientAuth::PrivateKeyJwt(_) | ClientAuth::None => None,
        };
        let auth_type = match self.config.client_auth {
            ClientAuth::SecretBasic(_) => AuthType::BasicAuth,
            _ => AuthType::RequestBody,
        };
        let redirect =
            RedirectUrl::new(self.config.redirect_uri.clone()).map_err(|e| config_err("redirect_uri", e))?;
        Ok(Client::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            secret,
        )
        .set_auth_type(auth_type)
        .set_redirect_uri(redirect))
    }

    fn issuer(&self) -> &str {
        self.metadata.issuer().as_str()
    }

    /// Fetches the JWKS and replaces the cached one.
    async fn fetch_jwks(&self, http: &HttpClient) -> Result<CoreJsonWebKeySet, Error> {
        let fresh = JsonWebKeySet::fetch_async(self.metadata.jwks_uri(), http)
            .await
            .map_err(|e| Error::Discovery {
                issuer: self.issuer().to_owned(),
                reason: format!("JWKS: {e}"),
            })?;
        *self.jwks.write().unwrap_or_else(PoisonError::into_inner) = fresh.clone();
        *self
            .jwks_fetched_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        Ok(fresh)
    }

    /// The key set to verify a token with key id `kid`, refetched once when the id is unknown and the
    /// last refetch is older than the configured interval.
    async fn jwks_for(&self, kid: Option<&str>, http: &HttpClient) -> Result<CoreJsonWebKeySet, Error> {
        let stale = self
            .jwks_fetched_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed()
            >= self.config.jwks_max_age;
        if stale {
            self.fetch_jwks(http).await?;
        }
        let current = self.jwks.read().unwrap_or_else(PoisonError::into_inner).clone();
        let Some(kid) = kid else { return Ok(current) };
        if has_kid(&current, kid) {
            return Ok(current);
        }
        {
            let mut last = self.last_refetch.lock().unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|t| t.elapsed() < self.config.jwks_refetch_interval) {
                return Err(id_err(
                    IdTokenCheck::UnknownKey,
                    format!("kid `{kid}` unknown; JWKS refetch rate-limited"),
                ));
            }
            *last = Some(Instant::now());
        }
        let fresh = self.fetch_jwks(http).await?;
        if has_kid(&fresh, kid) {
            Ok(fresh)
        } else {
            Err(id_err(
                IdTokenCheck::UnknownKey,
                format!("kid `{kid}` not in the provider's JWKS"),
            ))
        }
    }
}

/// Options of one authorization request.
///
/// ```
/// use egov_eid::{AuthRequest, Loa};
/// let request = AuthRequest::new().loa(Loa::AhvVerified).login_hint("anna").force_login();
/// assert_eq!(request.loa, Some(Loa::AhvVerified));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AuthRequest {
    /// The level the login must reach; sent as `acr_values` and checked on the ID token.
    pub loa: Option<Loa>,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// `prompt=login`: authenticate again even with a session at the provider.
    pub force_login: bool,
    /// `max_age` in seconds.
    pub max_age: Option<Duration>,
    /// `ui_locales`.
    pub ui_locales: Vec<egov_core::Language>,
    /// Scopes for this request besides the configured ones.
    pub extra_scopes: Vec<String>,
}

impl AuthRequest {
    /// A request with no options.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires a level of assurance.
    #[must_use]
    pub fn loa(mut self, loa: Loa) -> Self {
        self.loa = Some(loa);
        self
    }

    /// Sets `login_hint`.
    #[must_use]
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// Sets `prompt=login`.
    #[must_use]
    pub fn force_login(mut self) -> Self {
        self.force_login = true;
        self
    }

    /// Adds a UI language.
    #[must_use]
    pub fn ui_locale(mut self, language: egov_core::Language) -> Self {
        self.ui_locales.push(language);
        self
    }

    /// Adds a scope.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.extra_scopes.push(scope.into());
        self
    }
}

/// A started login: keep it server-side (or encrypted) until the callback arrives.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingLogin {
    provider: String,
    issuer: String,
    state: String,
    nonce: String,
    pkce_verifier: String,
    required_loa: Option<Loa>,
    created_at: DateTime<Utc>,
}

impl PendingLogin {
    /// The provider name the login was started with.
    #[must_use]
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The `state` sent, to find this transaction when the callback arrives.
    #[must_use]
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The level required.
    #[must_use]
    pub fn required_loa(&self) -> Option<Loa> {
        self.required_loa
    }
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("provider", &self.provider)
            .field("issuer", &self.issuer)
            .field("required_loa", &self.required_loa)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// The query parameters of the redirect back from the provider.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Callback {
    /// `code`.
    pub code: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `iss` (RFC 9207).
    pub iss: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

impl Callback {
    /// Reads the parameters from a query string (without `?`).
    ///
    /// ```
    /// let cb = egov_eid::Callback::from_query("code=abc&state=xyz&iss=https%3A%2F%2Fidp.example");
    /// assert_eq!(cb.iss.as_deref(), Some("https://idp.example"));
    /// assert_eq!(cb.code.as_deref(), Some("abc"));
    /// ```
    #[must_use]
    pub fn from_query(query: &str) -> Self {
        let mut out = Self::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut out.code,
                "state" => &mut out.state,
                "iss" => &mut out.iss,
                "error" => &mut out.error,
                "error_description" => &mut out.error_description,
                _ => continue,
            };
            // A repeated parameter makes the callback ambiguous: keep none of its values.
            *slot = if slot.is_some() {
                Some(String::new())
            } else {
                Some(value.into_owned())
            };
        }
        out
    }

    /// Reads the parameters from the full callback URL.
    #[must_use]
    pub fn from_url(url: &Url) -> Self {
        Self::from_query(url.query().unwrap_or_default())
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("code", &self.code.as_ref().map(|_| "…"))
            .field("iss", &self.iss)
            .field("error", &self.error)
            .field("error_description", &self.error_description)
            .finish_non_exhaustive()
    }
}

/// A completed login.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Login {
    /// The person.
    pub identity: Identity,
    /// The ID token (for `id_token_hint` at logout).
    pub id_token: Secret,
    /// The access token.
    pub access_token: Secret,
    /// When the access token expires, if the provider said.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An OpenID Connect relying party for several providers at once.
///
/// ```no_run
/// # async fn run() -> Result<(), egov_eid::Error> {
/// use egov_eid::{AuthRequest, Callback, ClientAuth, HttpClient, Loa, ProviderConfig, RelyingParty, Secret};
///
/// let mut rp = RelyingParty::new(HttpClient::new()?);
/// rp.add_provider("agov", ProviderConfig::new(
///     "https://idp.example.admin.ch", "my-app",
///     ClientAuth::SecretBasic(Secret::new("…")), "https://app.example.ch/callback",
/// )).await?;
/// let (url, pending) = rp.authorization_url("agov", &AuthRequest::new().loa(Loa::AhvVerified))?;
/// // redirect the browser to `url`, keep `pending` in the session; on the callback:
/// # let query = "";
/// match rp.complete(&pending, &Callback::from_query(query)).await {
///     Ok(login) => { let _key = login.identity.key(); }
///     Err(egov_eid::Error::LoaTooLow { required, .. }) => {
///         let (_step_up_url, _pending) = rp.step_up("agov", required, None)?;
///     }
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RelyingParty {
    http: HttpClient,
    providers: HashMap<String, Arc<Provider>>,
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn map_claims_error(e: &ClaimsVerificationError) -> Error {
    let check = match e {
        ClaimsVerificationError::InvalidIssuer(_) => IdTokenCheck::Issuer,
        ClaimsVerificationError::InvalidAudience(_) => IdTokenCheck::Audience,
        ClaimsVerificationError::Expired(_) => IdTokenCheck::Expired,
        ClaimsVerificationError::InvalidNonce(_) => IdTokenCheck::Nonce,
        ClaimsVerificationError::SignatureVerification(s) => match s {
            SignatureVerificationError::NoMatchingKey | SignatureVerificationError::AmbiguousKeyId(_) => {
                IdTokenCheck::UnknownKey
            }
            SignatureVerificationError::DisallowedAlg(_)
            | SignatureVerificationError::UnsupportedAlg(_)
            | SignatureVerificationError::NoSignature => IdTokenCheck::Algorithm,
            _ => IdTokenCheck::Signature,
        },
        _ => IdTokenCheck::Malformed,
    };
    let detail = match e {
        ClaimsVerificationError::SignatureVerification(s) => s.to_string(),
        other => other.to_string(),
    };
    id_err(check, detail)
}

impl RelyingParty {
    /// A relying party with no providers yet.
    #[must_use]
    pub fn new(http: HttpClient) -> Self {
        Self {
            http,
            providers: HashMap::new(),
        }
    }

    /// Discovers a provider (metadata and JWKS) and registers it under `name`.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad issuer or redirect URI (not HTTPS, except on loopback),
    /// [`Error::Discovery`] when the metadata cannot be fetched, names another issuer or does not
    /// offer PKCE with S256.
    pub async fn add_provider(
        &mut self,
        name: impl Into<String>,
        config: ProviderConfig,
    ) -> Result<(), Error> {
        let issuer_url = Url::parse(&config.issuer).map_err(|e| config_err("issuer", e))?;
        if issuer_url.scheme() != "https" && !(issuer_url.scheme() == "http" && is_loopback(&issuer_url)) {
            return Err(config_err("issuer", "must be https (http only on loopback)"));
        }
        Url::parse(&config.redirect_uri).map_err(|e| config_err("redirect_uri", e))?;
        if config.allowed_algs.is_empty() {
            return Err(config_err("allowed_algs", "empty"));
        }
        let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| config_err("issuer", e))?;
        let discovery_err = |reason: String| Error::Discovery {
            issuer: config.issuer.clone(),
            reason,
        };
        let metadata = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| discovery_err(error_chain(&e)))?;
        if let Some(methods) = &metadata.additional_metadata().code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            return Err(discovery_err(
                "the provider does not support PKCE with S256".into(),
            ));
        }
        let jwks = metadata.jwks().clone();
        let provider = Provider {
            config,
            metadata,
            jwks: RwLock::new(jwks),
            jwks_fetched_at: Mutex::new(Instant::now()),
            last_refetch: Mutex::new(None),
            logout_jtis: Mutex::new(HashMap::new()),
        };
        self.providers.insert(name.into(), Arc::new(provider));
        Ok(())
    }

    /// The names of the registered providers.
    pub fn providers(&self) -> impl Iterator<Item = &str> {
        self.providers.keys().map(String::as_str)
    }

    /// The name of the registered provider with this issuer.
    #[must_use]
    pub fn provider_by_issuer(&self, issuer: &str) -> Option<&str> {
        self.providers
            .iter()
            .find(|(_, p)| p.issuer() == issuer)
            .map(|(name, _)| name.as_str())
    }

    fn provider(&self, name: &str) -> Result<&Arc<Provider>, Error> {
        self.providers
            .get(name)
            .ok_or_else(|| Error::UnknownProvider(name.to_owned()))
    }

    /// The URL to send the browser to, and the transaction to keep until the callback.
    ///
    /// The request always carries PKCE (S256), a random `state` and `nonce`, and `acr_values` for
    /// the required level.
    ///
    /// # Errors
    /// [`Error::UnknownProvider`], or [`Error::LoaNotExpressible`] when the provider's acr scheme
    /// cannot ask for the level.
    pub fn authorization_url(
        &self,
        provider: &str,
        request: &AuthRequest,
    ) -> Result<(Url, PendingLogin), Error> {
        let p = self.provider(provider)?;
        let client = p.client()?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut auth = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in p.config.scopes.iter().chain(&request.extra_scopes) {
            auth = auth.add_scope(Scope::new(scope.clone()));
        }
        if let Some(loa) = request.loa {
            auth = auth
                .add_auth_context_value(AuthenticationContextClass::new(p.config.acr_scheme.acr_for(loa)?));
        }
        if let Some(hint) = &request.login_hint {
            auth = auth.set_login_hint(LoginHint::new(hint.clone()));
        }
        if request.force_login {
            auth = auth.add_prompt(CoreAuthPrompt::Login);
        }
        if let Some(max_age) = request.max_age {
            auth = auth.set_max_age(max_age);
        }
        for language in &request.ui_locales {
            auth = auth.add_ui_locale(LanguageTag::new(language.code().to_owned()));
        }
        let (url, state, nonce) = auth.url();
        let pending = PendingLogin {
            provider: provider.to_owned(),
            issuer: p.issuer().to_owned(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            required_loa: request.loa,
            created_at: Utc::now(),
        };
        Ok((url, pending))
    }

    /// A step-up request after [`Error::LoaTooLow`]: asks for `required` with `prompt=login`.
    ///
    /// # Errors
    /// As [`RelyingParty::authorization_url`].
    pub fn step_up(
        &self,
        provider: &str,
        required: Loa,
        login_hint: Option<&str>,
    ) -> Result<(Url, PendingLogin), Error> {
        let mut request = AuthRequest::new().loa(required).force_login();
        request.login_hint = login_hint.map(str::to_owned);
        self.authorization_url(provider, &request)
    }

    /// Completes a login from the callback: checks `state` and `iss`, exchanges the code (with the
    /// PKCE verifier), validates the ID token, reads userinfo and checks the required level.
    ///
    /// # Errors
    /// [`Error::StateMismatch`], [`Error::IssuerMismatch`] (mix-up), [`Error::Provider`],
    /// [`Error::TokenEndpoint`], [`Error::IdToken`] naming the failed check, [`Error::UserInfo`],
    /// [`Error::InvalidClaim`], [`Error::LoaTooLow`] (step up), [`Error::TransactionExpired`].
    pub async fn complete(&self, pending: &PendingLogin, callback: &Callback) -> Result<Login, Error> {
        let p = self.provider(&pending.provider)?;
        let issuer = p.issuer().to_owned();
        match &callback.state {
            Some(state) if constant_time_eq(state, &pending.state) => {}
            _ => return Err(Error::StateMismatch),
        }
        if pending.issuer != issuer {
            return Err(Error::IssuerMismatch {
                expected: pending.issuer.clone(),
                found: issuer,
            });
        }
        let age = Utc::now().signed_duration_since(pending.created_at);
        if age.to_std().is_ok_and(|age| age > p.config.transaction_ttl) {
            return Err(Error::TransactionExpired);
        }
        match &callback.iss {
            Some(iss) if *iss == issuer => {}
            None if !p
                .metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported => {}
            found => {
                return Err(Error::IssuerMismatch {
                    expected: issuer,
                    found: found.clone().unwrap_or_default(),
                });
            }
        }
        if let Some(error) = &callback.error {
            return Err(Error::Provider {
                error: error.clone(),
                description: callback.error_description.clone(),
            });
        }
        let code = callback
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or(Error::MissingCode)?;

        let client = p.client()?;
        let mut request = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| config_err("token_endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()));
        if let ClientAuth::PrivateKeyJwt(key) = &p.config.client_auth {
            let endpoint = p
                .metadata
                .token_endpoint()
                .ok_or_else(|| config_err("token_endpoint", "not in the discovery document"))?;
            let assertion = jose::client_assertion(key, &p.config.client_id, endpoint.as_str())?;
            request = request
                .add_extra_param("client_assertion_type", JWT_BEARER)
                .add_extra_param("client_assertion", assertion);
        }
        let token = request.request_async(&self.http).await.map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => Error::TokenEndpoint {
                error: r.error().as_ref().to_owned(),
                description: r.error_description().cloned(),
            },
            other => Error::TokenEndpoint {
                error: error_chain(&other),
                description: None,
            },
        })?;
        let id_token = token.id_token().ok_or(Error::MissingIdToken)?;
        let mut claims = self
            .verify_id_token(
                p,
                id_token,
                &Nonce::new(pending.nonce.clone()),
                token.access_token(),
            )
            .await?;

        if p.config.fetch_userinfo
            && let Some(url) = p.metadata.userinfo_endpoint()
        {
            let info = self.userinfo(url.as_str(), token.access_token()).await?;
            if info.get("sub") != claims.get("sub") {
                return Err(Error::UserInfo("subject differs from the ID token".into()));
            }
            for (name, value) in info {
                claims.entry(name).or_insert(value);
            }
        }
        let identity = Identity::from_claims(claims, &p.config.acr_scheme, &p.config.ahv_claims)?;
        if let Some(required) = pending.required_loa {
            identity.require(required)?;
        }
        let expires_at = token
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| Utc::now() + d);
        Ok(Login {
            identity,
            id_token: Secret::new(id_token.to_string()),
            access_token: Secret::new(token.access_token().secret().clone()),
            expires_at,
        })
    }

    /// Validates an ID token and returns its claims.
    async fn verify_id_token(
        &self,
        p: &Provider,
        id_token: &CoreIdToken,
        nonce: &Nonce,
        access_token: &AccessToken,
    ) -> Result<Map<String, Value>, Error> {
        let raw = id_token.to_string();
        let header = jwt::header(&raw)?;
        let alg = SigningAlg::from_name(&header.alg)
            .filter(|a| p.config.allowed_algs.contains(a))
            .ok_or_else(|| {
                id_err(
                    IdTokenCheck::Algorithm,
                    format!("alg `{}` is not allowed", header.alg),
                )
            })?;
        let jwks = p.jwks_for(header.kid.as_deref(), &self.http).await?;
        let skew =
            chrono::Duration::from_std(p.config.clock_skew).map_err(|e| config_err("clock_skew", e))?;
        let max_age =
            chrono::Duration::from_std(p.config.max_token_age).map_err(|e| config_err("max_token_age", e))?;
        let issuer = IssuerUrl::new(p.issuer().to_owned()).map_err(|e| config_err("issuer", e))?;
        let verifier =
            CoreIdTokenVerifier::new_public_client(ClientId::new(p.config.client_id.clone()), issuer, jwks)
                .set_allowed_algs([alg.core()])
                .set_time_fn(move || Utc::now() - skew)
                .set_issue_time_verifier_fn(|_| Ok(()));
        let claims = id_token
            .claims(&verifier, nonce)
            .map_err(|e| map_claims_error(&e))?;

        let now = Utc::now();
        let iat = claims.issue_time();
        if iat > now + skew {
            return Err(id_err(
                IdTokenCheck::IssuedAt,
                format!("issued in the future ({iat})"),
            ));
        }
        if iat < now - max_age - skew {
            return Err(id_err(
                IdTokenCheck::IssuedAt,
                format!("issued too long ago ({iat})"),
            ));
        }
        let client_id = p.config.client_id.as_str();
        match claims.authorized_party() {
            Some(azp) if azp.as_str() != client_id => {
                return Err(id_err(
                    IdTokenCheck::AuthorizedParty,
                    format!("azp `{}` is not this client", azp.as_str()),
                ));
            }
            None if claims.audiences().len() > 1 => {
                return Err(id_err(
                    IdTokenCheck::AuthorizedParty,
                    "several audiences but no azp",
                ));
            }
            _ => {}
        }
        if let Some(expected) = claims.access_token_hash() {
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| id_err(IdTokenCheck::UnknownKey, e.to_string()))?;
            let actual = AccessTokenHash::from_token(access_token, &alg.core(), key)
                .map_err(|e| id_err(IdTokenCheck::AccessTokenHash, e.to_string()))?;
            if actual != *expected {
                return Err(id_err(
                    IdTokenCheck::AccessTokenHash,
                    "does not match the access token",
                ));
            }
        }
        jwt::payload(&raw)
    }

    async fn userinfo(&self, url: &str, access_token: &AccessToken) -> Result<Map<String, Value>, Error> {
        use openidconnect::http::{Method, header};
        let request = openidconnect::http::Request::builder()
            .method(Method::GET)
            .uri(url)
            .header(header::AUTHORIZATION, format!("Bearer {}", access_token.secret()))
            .header(header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| Error::UserInfo(e.to_string()))?;
        let response = self.http.execute(request).await?;
        if !response.status().is_success() {
            return Err(Error::UserInfo(format!("status {}", response.status())));
        }
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(Error::UserInfo(
                "not application/json (signed userinfo is not supported)".into(),
            ));
        }
        match serde_json::from_slice(response.body()) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(Error::UserInfo("not a JSON object".into())),
        }
    }

    /// Validates a back-channel logout token (OpenID Connect Back-Channel Logout 1.0), the form field
    /// `logout_token` that `provider` POSTs to the application's back-channel logout URI.
    ///
    /// Checks: algorithm allow-list and signature (JWKS refetch on an unknown `kid` as for ID
    /// tokens), `typ` (`logout+jwt` when present), `iss`, `aud`, `iat` (and `exp` when present)
    /// within the configured skew and age, the back-channel logout event in `events`, no `nonce`,
    /// `sid` or `sub`, and a `jti` not seen before. Answer the provider with HTTP 200 on success and
    /// 400 on an error.
    ///
    /// # Errors
    /// [`Error::LogoutToken`] naming the failed check, [`Error::UnknownProvider`].
    pub async fn verify_logout_token(
        &self,
        provider: &str,
        logout_token: &str,
    ) -> Result<LogoutNotice, Error> {
        let p = self.provider(provider)?;
        let fail = |check: LogoutCheck, detail: &str| Error::LogoutToken {
            check,
            detail: detail.to_owned(),
        };
        let header = jwt::header(logout_token).map_err(|_| fail(LogoutCheck::Malformed, "not a JWS"))?;
        let alg = SigningAlg::from_name(&header.alg)
            .filter(|a| p.config.allowed_algs.contains(a))
            .ok_or_else(|| {
                fail(
                    LogoutCheck::Algorithm,
                    &format!("alg `{}` is not allowed", header.alg),
                )
            })?;
        if header
            .typ
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("logout+jwt"))
        {
            return Err(fail(LogoutCheck::Type, "typ is not logout+jwt"));
        }
        let jwks = p
            .jwks_for(header.kid.as_deref(), &self.http)
            .await
            .map_err(|e| match e {
                Error::IdToken { detail, .. } => fail(LogoutCheck::UnknownKey, &detail),
                other => other,
            })?;
        let candidates: Vec<&CoreJsonWebKey> = jwks
            .keys()
            .iter()
            .filter(|k| {
                header
                    .kid
                    .as_deref()
                    .is_none_or(|kid| k.key_id().is_some_and(|id| id.as_str() == kid))
            })
            .collect();
        if candidates.is_empty() {
            return Err(fail(LogoutCheck::UnknownKey, "no key for the token"));
        }
        let (input, signature) = logout_token
            .rsplit_once('.')
            .ok_or_else(|| fail(LogoutCheck::Malformed, "not a JWS"))?;
        let signature = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
            .map_err(|_| fail(LogoutCheck::Malformed, "signature is not base64url"))?;
        if !candidates.iter().any(|k| {
            k.verify_signature(&alg.core(), input.as_bytes(), &signature)
                .is_ok()
        }) {
            return Err(fail(LogoutCheck::Signature, "does not verify"));
        }

        let claims = jwt::payload(logout_token).map_err(|_| fail(LogoutCheck::Malformed, "payload"))?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if text("iss") != Some(p.issuer()) {
            return Err(fail(LogoutCheck::Issuer, "iss is not the provider"));
        }
        let client_id = p.config.client_id.as_str();
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => a == client_id,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(client_id)),
            _ => false,
        };
        if !aud_ok {
            return Err(fail(LogoutCheck::Audience, "aud does not name this client"));
        }
        let now = Utc::now();
        let skew =
            chrono::Duration::from_std(p.config.clock_skew).map_err(|e| config_err("clock_skew", e))?;
        let max_age =
            chrono::Duration::from_std(p.config.max_token_age).map_err(|e| config_err("max_token_age", e))?;
        let time = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_i64)
                .and_then(|t| DateTime::from_timestamp(t, 0))
        };
        let iat = time("iat").ok_or_else(|| fail(LogoutCheck::Time, "iat missing"))?;
        if iat > now + skew || iat < now - max_age - skew {
            return Err(fail(LogoutCheck::Time, "iat outside the accepted window"));
        }
        if claims.contains_key("exp") && time("exp").is_none_or(|exp| exp + skew <= now) {
            return Err(fail(LogoutCheck::Time, "expired"));
        }
        let has_event = claims
            .get("events")
            .and_then(Value::as_object)
            .and_then(|events| events.get(BACKCHANNEL_EVENT))
            .is_some_and(Value::is_object);
        if !has_event {
            return Err(fail(LogoutCheck::Events, "no back-channel logout event"));
        }
        if claims.contains_key("nonce") {
            return Err(fail(LogoutCheck::Nonce, "a logout token has no nonce"));
        }
        let subject = text("sub").map(str::to_owned);
        let session_id = text("sid").map(str::to_owned);
        if subject.is_none() && session_id.is_none() {
            return Err(fail(LogoutCheck::Subject, "neither sid nor sub"));
        }
        let jti = text("jti").ok_or_else(|| fail(LogoutCheck::Replay, "jti missing"))?;
        {
            let mut seen = p.logout_jtis.lock().unwrap_or_else(PoisonError::into_inner);
            if seen.len() >= MAX_LOGOUT_JTIS {
                seen.retain(|_, forget_at| *forget_at > now);
            }
            if seen.contains_key(jti) {
                return Err(fail(LogoutCheck::Replay, "jti seen before"));
            }
            // A token older than the window is refused by its iat, so the id can be forgotten then.
            seen.insert(jti.to_owned(), iat + max_age + skew + skew);
        }
        Ok(LogoutNotice {
            issuer: p.issuer().to_owned(),
            subject,
            session_id,
        })
    }

    /// The RP-initiated logout URL, when the provider announces an `end_session_endpoint`.
    ///
    /// # Errors
    /// [`Error::UnknownProvider`], [`Error::Discovery`] for an unparsable endpoint.
    pub fn end_session_url(
        &self,
        provider: &str,
        id_token_hint: Option<&Secret>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Result<Option<Url>, Error> {
        let p = self.provider(provider)?;
        let Some(endpoint) = &p.metadata.additional_metadata().end_session_endpoint else {
            return Ok(None);
        };
        let mut url = Url::parse(endpoint).map_err(|e| Error::Discovery {
            issuer: p.issuer().to_owned(),
            reason: format!("end_session_endpoint: {e}"),
        })?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", &p.config.client_id);
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint.expose());
            }
            if let Some(uri) = post_logout_redirect_uri {
                query.append_pair("post_logout_redirect_uri", uri);
            }
            if let Some(state) = state {
                query.append_pair("state", state);
            }
        }
        Ok(Some(url))
    }
}

/// An error with its sources, for messages.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use openidconnect::JwsSigningAlgorithm as _;

    #[test]
    fn callback_parsing_rejects_repeated_parameters() {
        let cb = Callback::from_query("code=a&state=s1&state=s2");
        assert_eq!(cb.code.as_deref(), Some("a"));
        assert_eq!(cb.state.as_deref(), Some(""));
        assert!(!format!("{cb:?}").contains("\"a\""));
    }

    #[test]
    fn only_asymmetric_algorithms_are_expressible() {
        for name in ["none", "HS256", "HS384", "HS512", "rs256"] {
            assert_eq!(SigningAlg::from_name(name), None, "{name}");
        }
        for alg in SigningAlg::ALL {
            assert_eq!(SigningAlg::from_name(alg.name()), Some(alg));
            assert!(!alg.core().uses_shared_secret());
        }
    }

    #[test]
    fn secrets_and_transactions_do_not_leak_in_debug() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        let pending = PendingLogin {
            provider: "p".into(),
            issuer: "https://i".into(),
            state: "STATE".into(),
            nonce: "NONCE".into(),
            pkce_verifier: "VERIFIER".into(),
            required_loa: None,
            created_at: Utc::now(),
        };
        let text = format!("{pending:?}");
        assert!(!text.contains("STATE") && !text.contains("NONCE") && !text.contains("VERIFIER"));
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
