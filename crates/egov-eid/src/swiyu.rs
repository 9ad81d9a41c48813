//! A client for the management API of the federal swiyu Generic Verifier, to verify the Swiss e-ID
//! (and other swiyu credentials) directly, without a login provider.
//!
//! The verifier (a service the application operates itself) speaks OpenID4VP with the wallet; the
//! application only creates a verification, shows its deeplink as a link or QR code, and then polls
//! it (or waits for the verifier's webhook) until it is `SUCCESS` or `FAILED`. The management API is
//! unauthenticated by default: keep it on an internal network or put a token in front
//! ([`VerifierClient::with_bearer`]).
//!
//! ```
//! use egov_eid::swiyu::{EidAttribute, VerificationRequest};
//!
//! let request = VerificationRequest::new(["did:webvh:example-issuer"])
//!     .vct_values(egov_eid::swiyu::BETA_ID_VCT)
//!     .attributes([EidAttribute::GivenName, EidAttribute::FamilyName, EidAttribute::AgeOver18]);
//! let body = request.to_json();
//! assert_eq!(body["response_mode"], "direct_post.jwt");
//! assert_eq!(body["dcql_query"]["credentials"][0]["claims"][2]["path"][0], "age_over_18");
//! ```

use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use egov_core::Ahvn13;
use openidconnect::http::{Method, Request, header};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use url::Url;

use crate::error::Error;
use crate::http::HttpClient;
use crate::rp::Secret;

/// The `vct` values of the Beta-ID (the public test e-ID, same attributes as the e-ID).
pub const BETA_ID_VCT: [&str; 2] = ["betaid-sdjwt", "urn:vct:ch.admin.bcs.betaid"];

/// An attribute of the e-ID that a verification can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EidAttribute {
    /// `given_name`.
    GivenName,
    /// `family_name`.
    FamilyName,
    /// `birth_date`.
    BirthDate,
    /// `birth_place`.
    BirthPlace,
    /// `place_of_origin` (Heimatort).
    PlaceOfOrigin,
    /// `sex`.
    Sex,
    /// `nationality`.
    Nationality,
    /// `personal_administrative_number`: the AHV number.
    AhvNumber,
    /// `age_over_16`.
    AgeOver16,
    /// `age_over_18`.
    AgeOver18,
    /// `age_over_65`.
    AgeOver65,
    /// `age_birth_year`.
    AgeBirthYear,
    /// `document_number`.
    DocumentNumber,
    /// `expiry_date`.
    ExpiryDate,
}

impl EidAttribute {
    /// The claim name in the credential.
    #[must_use]
    pub const fn claim(self) -> &'static str {
        match self {
            Self::GivenName => "given_name",
            Self::FamilyName => "family_name",
            Self::BirthDate => "birth_date",
            Self::BirthPlace => "birth_place",
            Self::PlaceOfOrigin => "place_of_origin",
            Self::Sex => "sex",
            Self::Nationality => "nationality",
            Self::AhvNumber => "personal_administrative_number",
            Self::AgeOver16 => "age_over_16",
            Self::AgeOver18 => "age_over_18",
            Self::AgeOver65 => "age_over_65",
            Self::AgeBirthYear => "age_birth_year",
            Self::DocumentNumber => "document_number",
            Self::ExpiryDate => "expiry_date",
        }
    }
}

/// What to verify: which attributes, from which issuers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerificationRequest {
    /// DIDs of the issuers whose credentials are accepted.
    pub accepted_issuer_dids: Vec<String>,
    /// Accepted `vct` values of the credential.
    pub vct_values: Vec<String>,
    /// The attributes asked for (data minimisation: ask only for what the service needs).
    pub attributes: Vec<EidAttribute>,
    /// Purpose shown to the person (`scope`, default-language name and description), optional.
    pub purpose: Option<(String, String, String)>,
}

impl VerificationRequest {
    /// A request accepting credentials of these issuers.
    pub fn new<I, S>(accepted_issuer_dids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            accepted_issuer_dids: accepted_issuer_dids.into_iter().map(Into::into).collect(),
            vct_values: Vec::new(),
            attributes: Vec::new(),
            purpose: None,
        }
    }

    /// Sets the accepted `vct` values.
    #[must_use]
    pub fn vct_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.vct_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Adds attributes.
    #[must_use]
    pub fn attributes(mut self, attributes: impl IntoIterator<Item = EidAttribute>) -> Self {
        self.attributes.extend(attributes);
        self
    }

    /// Sets the purpose (`scope` such as `ch.example.age_check`, a name up to 50 and a description
    /// up to 500 characters).
    #[must_use]
    pub fn purpose(
        mut self,
        scope: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.purpose = Some((scope.into(), name.into(), description.into()));
        self
    }

    /// The body of `POST /management/api/verifications`: a DCQL query for one SD-JWT VC with holder
    /// binding, a signed request object and an encrypted response (`direct_post.jwt`).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let claims: Vec<Value> = self
            .attributes
            .iter()
            .map(|a| json!({"path": [a.claim()]}))
            .collect();
        let mut body = json!({
            "accepted_issuer_dids": self.accepted_issuer_dids,
            "jwt_secured_authorization_request": true,
            "response_mode": "direct_post.jwt",
            "dcql_query": {"credentials": [{
                "id": "eid",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": self.vct_values},
                "claims": claims,
                "require_cryptographic_holder_binding": true,
            }]},
        });
        if let Some((scope, name, description)) = &self.purpose {
            body["verification_purpose"] = json!({
                "scope": scope,
                "purpose_name": {"default": name},
                "purpose_description": {"default": description},
            });
        }
        body
    }

    fn check(&self) -> Result<(), Error> {
        let bad = |field: &'static str, reason: &str| Error::Config {
            field,
            reason: reason.to_owned(),
        };
        if self.accepted_issuer_dids.is_empty() {
            return Err(bad(
                "accepted_issuer_dids",
                "empty: the verifier would trust every issuer",
            ));
        }
        if self.vct_values.is_empty() {
            return Err(bad("vct_values", "empty"));
        }
        if self.attributes.is_empty() {
            return Err(bad("attributes", "empty"));
        }
        Ok(())
    }
}

/// The verifier's error code for a failed verification (`VerificationErrorResponseCode`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerificationError {
    /// The person declined (`client_rejected`, `access_denied`).
    Declined,
    /// The credential is revoked or suspended.
    Revoked,
    /// The credential or a token in it has expired or is not yet valid.
    Expired,
    /// The issuer is not among the accepted ones.
    IssuerNotAccepted,
    /// The holder could not prove control of the credential.
    HolderBinding,
    /// Another code, as sent.
    Other(String),
}

impl VerificationError {
    fn from_code(code: &str) -> Self {
        match code {
            "client_rejected" | "access_denied" => Self::Declined,
            "credential_revoked" | "credential_suspended" => Self::Revoked,
            "credential_expired" | "jwt_expired" | "jwt_premature" => Self::Expired,
            "issuer_not_accepted" => Self::IssuerNotAccepted,
            "holder_binding_mismatch" => Self::HolderBinding,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// The verified attributes of an e-ID presentation.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct EidPresentation {
    /// Given name(s).
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// AHV number, checked.
    pub ahvn13: Option<Ahvn13>,
    /// Nationality as sent (ISO 3166-1 alpha-2).
    pub nationality: Option<String>,
    /// `age_over_16`.
    pub age_over_16: Option<bool>,
    /// `age_over_18`.
    pub age_over_18: Option<bool>,
    /// `age_over_65`.
    pub age_over_65: Option<bool>,
    /// All of `credential_subject_data`.
    pub raw: Map<String, Value>,
}

impl fmt::Debug for EidPresentation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EidPresentation")
            .field("given_name", &self.given_name)
            .field("family_name", &self.family_name)
            .field("birth_date", &self.birth_date)
            .field("ahvn13", &self.ahvn13)
            .field("age_over_18", &self.age_over_18)
            .field("raw", &self.raw.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl EidPresentation {
    /// Reads `credential_subject_data`.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] for a present attribute with a wrong type or value.
    pub fn from_subject_data(raw: Map<String, Value>) -> Result<Self, Error> {
        let invalid = |claim: &str, reason: &str| Error::InvalidClaim {
            claim: claim.to_owned(),
            reason: reason.to_owned(),
        };
        let text = |name: &str| match raw.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(name, "not a string")),
        };
        let flag = |name: &str| match raw.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
            Some(_) => Err(invalid(name, "not a boolean")),
        };
        let birth_date = text("birth_date")?
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| invalid("birth_date", "not YYYY-MM-DD"))
            })
            .transpose()?;
        let ahvn13 = text("personal_administrative_number")?
            .map(|n| {
                n.parse::<Ahvn13>()
                    .map_err(|e| invalid("personal_administrative_number", &e.to_string()))
            })
            .transpose()?;
        Ok(Self {
            given_name: text("given_name")?,
            family_name: text("family_name")?,
            birth_date,
            ahvn13,
            nationality: text("nationality")?,
            age_over_16: flag("age_over_16")?,
            age_over_18: flag("age_over_18")?,
            age_over_65: flag("age_over_65")?,
            raw,
        })
    }
}

/// Where a verification stands.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum VerificationOutcome {
    /// The wallet has not answered yet.
    Pending,
    /// Verified: the attributes.
    Verified(Box<EidPresentation>),
    /// Failed, with the verifier's reason.
    Failed {
        /// The error.
        error: VerificationError,
        /// The verifier's description.
        description: Option<String>,
    },
}

/// A verification as the verifier reports it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verification {
    /// The verification id (a UUID).
    pub id: String,
    /// The deeplink for the wallet (`swiyu-verify://…`): a link on the same device, a QR code
    /// across devices.
    pub deeplink: Option<String>,
    /// The outcome so far.
    pub outcome: VerificationOutcome,
}

#[derive(Deserialize)]
struct ManagementResponse {
    id: String,
    state: String,
    verification_deeplink: Option<String>,
    wallet_response: Option<WalletResponse>,
}

#[derive(Deserialize)]
struct WalletResponse {
    error_code: Option<String>,
    error_description: Option<String>,
    credential_subject_data: Option<Map<String, Value>>,
}

impl Verification {
    fn from_response(body: &[u8]) -> Result<Self, Error> {
        let r: ManagementResponse =
            serde_json::from_slice(body).map_err(|e| Error::Verifier(format!("unexpected response: {e}")))?;
        let wallet = r.wallet_response;
        let outcome = match r.state.as_str() {
            "PENDING" => VerificationOutcome::Pending,
            "SUCCESS" => {
                let data = wallet
                    .and_then(|w| w.credential_subject_data)
                    .ok_or_else(|| Error::Verifier("SUCCESS without credential_subject_data".into()))?;
                VerificationOutcome::Verified(Box::new(EidPresentation::from_subject_data(data)?))
            }
            "FAILED" => {
                let (code, description) = wallet
                    .map(|w| (w.error_code, w.error_description))
                    .unwrap_or_default();
                VerificationOutcome::Failed {
                    error: VerificationError::from_code(code.as_deref().unwrap_or("unknown")),
                    description,
                }
            }
            other => return Err(Error::Verifier(format!("unknown state `{other}`"))),
        };
        Ok(Self {
            id: r.id,
            deeplink: r.verification_deeplink,
            outcome,
        })
    }
}

/// The verifier's webhook body: the verification can now be fetched (delivered at least once).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WebhookNotification {
    /// The verification id.
    pub verification_id: String,
    /// When the verifier sent it.
    pub timestamp: String,
}

impl WebhookNotification {
    /// Parses the webhook body; then fetch the verification with [`VerifierClient::get`].
    ///
    /// # Errors
    /// [`Error::Verifier`] for another body.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(body).map_err(|e| Error::Verifier(format!("webhook body: {e}")))
    }
}

/// A client for the verifier's management API.
#[derive(Debug, Clone)]
pub struct VerifierClient {
    base: Url,
    http: HttpClient,
    bearer: Option<Secret>,
}

impl VerifierClient {
    /// A client for the verifier at `base_url` (e.g. `http://verifier.internal:8080`).
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that cannot be a base.
    pub fn new(base_url: &str, http: HttpClient) -> Result<Self, Error> {
        let mut base = Url::parse(base_url).map_err(|e| Error::Config {
            field: "verifier base_url",
            reason: e.to_string(),
        })?;
        if base.cannot_be_a_base() {
            return Err(Error::Config {
                field: "verifier base_url",
                reason: "not a base URL".into(),
            });
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self {
            base,
            http,
            bearer: None,
        })
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    #[must_use]
    pub fn with_bearer(mut self, token: Secret) -> Self {
        self.bearer = Some(token);
        self
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Vec<u8>, Error> {
        let url = self.base.join(path).map_err(|e| Error::Verifier(e.to_string()))?;
        let mut request = Request::builder()
            .method(method)
            .uri(url.as_str())
            .header(header::ACCEPT, "application/json");
        if let Some(token) = &self.bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {}", token.expose()));
        }
        let bytes = match body {
            Some(b) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                serde_json::to_vec(b).map_err(|e| Error::Verifier(e.to_string()))?
            }
            None => Vec::new(),
        };
        let request = request.body(bytes).map_err(|e| Error::Verifier(e.to_string()))?;
        let response = self.http.execute(request).await?;
        if !response.status().is_success() {
            let detail = serde_json::from_slice::<Value>(response.body())
                .ok()
                .and_then(|v| {
                    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
                    text("error_description")
                        .or_else(|| text("detail"))
                        .or_else(|| text("error"))
                })
                .unwrap_or_default();
            return Err(Error::Verifier(format!("status {}: {detail}", response.status())));
        }
        Ok(response.into_body())
    }

    /// Creates a verification.
    ///
    /// # Errors
    /// [`Error::Config`] for an incomplete request, [`Error::Verifier`], [`Error::Http`].
    pub async fn create(&self, request: &VerificationRequest) -> Result<Verification, Error> {
        request.check()?;
        let body = self
            .send(
                Method::POST,
                "management/api/verifications",
                Some(&request.to_json()),
            )
            .await?;
        Verification::from_response(&body)
    }

    /// Fetches a verification (after a webhook, or when polling).
    ///
    /// # Errors
    /// [`Error::Verifier`] (also for an unknown or expired verification), [`Error::Http`],
    /// [`Error::InvalidClaim`] for an unusable attribute.
    pub async fn get(&self, id: &str) -> Result<Verification, Error> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(Error::Verifier(format!("`{id}` is not a verification id")));
        }
        let body = self
            .send(Method::GET, &format!("management/api/verifications/{id}"), None)
            .await?;
        Verification::from_response(&body)
    }

    /// Polls until the verification is no longer pending, every `interval`, for at most `timeout`
    /// (the verifier keeps verifications 15 minutes by default).
    ///
    /// # Errors
    /// As [`VerifierClient::get`]; [`Error::Verifier`] when the time is up.
    pub async fn wait(&self, id: &str, interval: Duration, timeout: Duration) -> Result<Verification, Error> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let verification = self.get(id).await?;
            if verification.outcome != VerificationOutcome::Pending {
                return Ok(verification);
            }
            if tokio::time::Instant::now() + interval > deadline {
                return Err(Error::Verifier("still pending at the timeout".into()));
            }
            tokio::time::sleep(interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::needless_pass_by_value)] // the tests pass json! literals
    fn parse(v: Value) -> Result<Verification, Error> {
        Verification::from_response(v.to_string().as_bytes())
    }

    #[test]
    fn maps_the_three_states() {
        let id = "0b0e7a52-1f7e-4d3c-9f39-2d7d1d7a5c11";
        let pending =
            parse(json!({"id": id, "state": "PENDING", "verification_deeplink": "swiyu-verify://?x"}))
                .unwrap();
        assert_eq!(pending.outcome, VerificationOutcome::Pending);
        assert_eq!(pending.deeplink.as_deref(), Some("swiyu-verify://?x"));

        let vn = Ahvn13::with_check_digit(756_999_920_001).unwrap();
        let ok = parse(json!({"id": id, "state": "SUCCESS", "wallet_response": {"credential_subject_data": {
            "given_name": "Anna", "birth_date": "1985-03-14", "personal_administrative_number": vn.to_string(),
            "age_over_18": "true", "nationality": "CH"}}}))
        .unwrap();
        let VerificationOutcome::Verified(p) = ok.outcome else {
            panic!("not verified")
        };
        assert_eq!(p.ahvn13, Some(vn));
        assert_eq!(p.age_over_18, Some(true));
        assert_eq!(p.birth_date, NaiveDate::from_ymd_opt(1985, 3, 14));
        assert!(!format!("{p:?}").contains(&vn.to_string()));

        let failed = parse(json!({"id": id, "state": "FAILED",
            "wallet_response": {"error_code": "credential_revoked", "error_description": "revoked"}}))
        .unwrap();
        assert_eq!(
            failed.outcome,
            VerificationOutcome::Failed {
                error: VerificationError::Revoked,
                description: Some("revoked".into())
            }
        );
        assert!(matches!(
            parse(json!({"id": id, "state": "FAILED", "wallet_response": {"error_code": "vp_formats_not_supported"}}))
                .unwrap()
                .outcome,
            VerificationOutcome::Failed { error: VerificationError::Other(ref c), .. } if c == "vp_formats_not_supported"
        ));
    }

    #[test]
    fn refuses_inconsistent_answers() {
        let id = "0b0e7a52-1f7e-4d3c-9f39-2d7d1d7a5c11";
        assert!(matches!(
            parse(json!({"id": id, "state": "SUCCESS"})),
            Err(Error::Verifier(_))
        ));
        assert!(matches!(
            parse(json!({"id": id, "state": "DONE"})),
            Err(Error::Verifier(_))
        ));
        assert!(matches!(
            parse(json!({"state": "PENDING"})),
            Err(Error::Verifier(_))
        ));
        let bad_ahv = json!({"id": id, "state": "SUCCESS", "wallet_response": {"credential_subject_data": {
            "personal_administrative_number": "756.9999.2000.10"}}});
        assert!(
            matches!(parse(bad_ahv), Err(Error::InvalidClaim { claim, .. }) if claim == "personal_administrative_number")
        );
    }

    #[test]
    fn request_needs_issuers_vct_and_attributes() {
        let full = VerificationRequest::new(["did:webvh:x"])
            .vct_values(BETA_ID_VCT)
            .attributes([EidAttribute::AgeOver18]);
        assert!(full.check().is_ok());
        let no_issuer = VerificationRequest::new(Vec::<String>::new())
            .vct_values(BETA_ID_VCT)
            .attributes([EidAttribute::AgeOver18]);
        assert!(matches!(
            no_issuer.check(),
            Err(Error::Config {
                field: "accepted_issuer_dids",
                ..
            })
        ));
        assert!(matches!(
            VerificationRequest::new(["did:webvh:x"])
                .attributes([EidAttribute::AgeOver18])
                .check(),
            Err(Error::Config {
                field: "vct_values",
                ..
            })
        ));
        let with_purpose = full.purpose("ch.example.age", "Age check", "We check that you are 18.");
        assert_eq!(
            with_purpose.to_json()["verification_purpose"]["purpose_name"]["default"],
            "Age check"
        );
    }

    #[test]
    fn webhook_body() {
        let n =
            WebhookNotification::parse(br#"{"verification_id":"abc-1","timestamp":"2026-09-01T10:00:00Z"}"#)
                .unwrap();
        assert_eq!(n.verification_id, "abc-1");
        assert!(WebhookNotification::parse(b"{}").is_err());
    }
}
