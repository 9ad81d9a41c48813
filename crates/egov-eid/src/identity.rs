//! The logged-in person.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use egov_core::{Ahvn13, Language};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::loa::{AcrScheme, Loa};

/// A person as an OpenID Provider vouched for them in one login.
///
/// The stable key of an account is [`Identity::key`], the pair (issuer, subject); never the e-mail
/// address (addresses move between accounts) and, with pairwise subjects, not the subject alone.
///
/// [`Debug`](fmt::Debug) masks the AHV number and the e-mail address and lists only the names of
/// the raw claims, so a `{:?}` in a log line leaks no personal data beyond the names.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Identity {
    /// The issuer (`iss`).
    pub issuer: String,
    /// The subject (`sub`): unique and stable per issuer (per client with pairwise subjects).
    pub subject: String,
    /// Given name(s).
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Birth date (a `birthdate` of `0000-MM-DD`, year withheld, gives none).
    pub birth_date: Option<NaiveDate>,
    /// AHV number, checked (AGOV provides it with scope `svnr` at level 400 or higher).
    pub ahvn13: Option<Ahvn13>,
    /// E-mail address.
    pub email: Option<String>,
    /// Whether the provider verified the e-mail address.
    pub email_verified: bool,
    /// Preferred language, when it is one of de, fr, it, rm, en.
    pub language: Option<Language>,
    /// The acr value as sent.
    pub acr: Option<String>,
    /// The level of assurance of this login (none when the acr is missing or unknown).
    pub loa: Option<Loa>,
    /// When the person authenticated.
    pub auth_time: Option<DateTime<Utc>>,
    /// The provider's session id (`sid`), for logout.
    pub session_id: Option<String>,
    /// All claims of the ID token, completed with those of the userinfo response.
    pub raw_claims: Map<String, Value>,
}

impl Identity {
    /// Builds an identity from (verified) claims.
    ///
    /// `ahv_claims` names the claims that may carry the AHV number, in order of preference.
    ///
    /// # Errors
    /// [`Error::InvalidClaim`] when `iss` or `sub` is missing, or a present claim has a wrong
    /// type or value (a birth date that is not a date, an AHV number with a wrong check digit).
    pub fn from_claims(
        claims: Map<String, Value>,
        scheme: &AcrScheme,
        ahv_claims: &[String],
    ) -> Result<Self, Error> {
        let issuer = required_str(&claims, "iss")?;
        let subject = required_str(&claims, "sub")?;
        let given_name = opt_str(&claims, "given_name")?;
        let family_name = opt_str(&claims, "family_name")?;
        let birth_date = match opt_str(&claims, "birthdate")? {
            None => None,
            Some(text) if text.starts_with("0000-") => None,
            Some(text) => {
                Some(
                    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| Error::InvalidClaim {
                        claim: "birthdate".into(),
                        reason: "not a date YYYY-MM-DD".into(),
                    })?,
                )
            }
        };
        let mut ahvn13 = None;
        for name in ahv_claims {
            if let Some(text) = opt_str(&claims, name)? {
                ahvn13 = Some(text.parse::<Ahvn13>().map_err(|e| Error::InvalidClaim {
                    claim: name.clone(),
                    reason: e.to_string(),
                })?);
                break;
            }
        }
        let email = opt_str(&claims, "email")?;
        let email_verified = match claims.get("email_verified") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            Some(_) => {
                return Err(Error::InvalidClaim {
                    claim: "email_verified".into(),
                    reason: "not a boolean".into(),
                });
            }
        };
        let language = opt_str(&claims, "locale")?.and_then(|l| l.parse::<Language>().ok());
        let acr = opt_str(&claims, "acr")?;
        let loa = acr.as_deref().and_then(|a| scheme.loa_of(a).ok());
        let auth_time = match claims.get("auth_time") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .and_then(|s| DateTime::from_timestamp(s, 0))
                    .ok_or_else(|| Error::InvalidClaim {
                        claim: "auth_time".into(),
                        reason: "not a timestamp".into(),
                    })?,
            ),
        };
        let session_id = opt_str(&claims, "sid")?;
        Ok(Self {
            issuer,
            subject,
            given_name,
            family_name,
            birth_date,
            ahvn13,
            email,
            email_verified,
            language,
            acr,
            loa,
            auth_time,
            session_id,
            raw_claims: claims,
        })
    }

    /// The stable account key: (issuer, subject).
    #[must_use]
    pub fn key(&self) -> (&str, &str) {
        (&self.issuer, &self.subject)
    }

    /// Checks that this login reached `required`.
    ///
    /// # Errors
    /// [`Error::LoaTooLow`]: start a step-up login with
    /// [`RelyingParty::step_up`](crate::RelyingParty::step_up).
    pub fn require(&self, required: Loa) -> Result<(), Error> {
        match self.loa {
            Some(loa) if loa >= required => Ok(()),
            achieved => Err(Error::LoaTooLow { required, achieved }),
        }
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked_email = self.email.as_deref().map(|e| match e.split_once('@') {
            Some((_, domain)) => format!("…@{domain}"),
            None => "…".to_owned(),
        });
        f.debug_struct("Identity")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("given_name", &self.given_name)
            .field("family_name", &self.family_name)
            .field("birth_date", &self.birth_date)
            .field("ahvn13", &self.ahvn13)
            .field("email", &masked_email)
            .field("email_verified", &self.email_verified)
            .field("language", &self.language)
            .field("loa", &self.loa)
            .field("auth_time", &self.auth_time)
            .field("raw_claims", &self.raw_claims.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn opt_str(claims: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::InvalidClaim {
            claim: name.to_owned(),
            reason: "not a string".into(),
        }),
    }
}

fn required_str(claims: &Map<String, Value>, name: &str) -> Result<String, Error> {
    opt_str(claims, name)?.ok_or_else(|| Error::InvalidClaim {
        claim: name.to_owned(),
        reason: "missing".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn ahv_names() -> Vec<String> {
        vec!["ahvn13".into(), "svnr".into()]
    }

    #[test]
    fn maps_agov_like_claims() {
        let vn = Ahvn13::with_check_digit(756_999_900_001).unwrap();
        let id = Identity::from_claims(
            claims(json!({
                "iss": "https://idp.example", "sub": "abc", "given_name": "Anna", "family_name": "Muster",
                "birthdate": "1985-03-14", "svnr": vn.to_string(), "email": "anna@example.ch",
                "email_verified": true, "locale": "fr-CH", "acr": "urn:qa.agov.ch:names:tc:ac:classes:400",
                "auth_time": 1_700_000_000, "sid": "s1"
            })),
            &AcrScheme::Agov,
            &ahv_names(),
        )
        .unwrap();
        assert_eq!(id.key(), ("https://idp.example", "abc"));
        assert_eq!(id.ahvn13, Some(vn));
        assert_eq!(id.birth_date, NaiveDate::from_ymd_opt(1985, 3, 14));
        assert_eq!(id.language, Some(Language::Fr));
        assert_eq!(id.loa, Some(Loa::AhvVerified));
        assert!(id.require(Loa::AhvVerified).is_ok());
        assert!(matches!(
            id.require(Loa::EId),
            Err(Error::LoaTooLow {
                required: Loa::EId,
                achieved: Some(Loa::AhvVerified)
            })
        ));
        let debug = format!("{id:?}");
        assert!(!debug.contains(&vn.to_string()), "{debug}");
        assert!(!debug.contains("anna@"), "{debug}");
        assert!(debug.contains("756.****.****."), "{debug}");
    }

    #[test]
    fn bad_claims_are_typed() {
        let base = json!({"iss": "https://i", "sub": "s"});
        let with = |k: &str, v: Value| {
            let mut m = claims(base.clone());
            m.insert(k.into(), v);
            m
        };
        let err = |m| Identity::from_claims(m, &AcrScheme::Agov, &ahv_names()).unwrap_err();
        assert!(
            matches!(err(with("svnr", json!("756.9999.0000.10"))), Error::InvalidClaim { claim, .. } if claim == "svnr")
        );
        assert!(
            matches!(err(with("birthdate", json!("14.3.1985"))), Error::InvalidClaim { claim, .. } if claim == "birthdate")
        );
        assert!(
            matches!(err(with("given_name", json!(5))), Error::InvalidClaim { claim, .. } if claim == "given_name")
        );
        assert!(
            matches!(err(claims(json!({"iss": "https://i"}))), Error::InvalidClaim { claim, .. } if claim == "sub")
        );
        // Unknown acr and unsupported language are not errors, just absent.
        let id = Identity::from_claims(with("acr", json!("urn:other")), &AcrScheme::Agov, &[]).unwrap();
        assert_eq!(id.loa, None);
        assert!(matches!(
            id.require(Loa::SelfDeclared),
            Err(Error::LoaTooLow { achieved: None, .. })
        ));
        let id =
            Identity::from_claims(with("birthdate", json!("0000-03-14")), &AcrScheme::Agov, &[]).unwrap();
        assert_eq!(id.birth_date, None);
    }
}
