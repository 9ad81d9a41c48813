//! HTTP SMS gateways (feature `sms-http`): [`AspsmsGateway`] (ASPSMS JSON API) and
//! [`EcallGateway`] (eCall REST API v2), both [`SmsGateway`]s on the workspace's reqwest client,
//! and [`DeliveryReport`]s parsed from the gateways' delivery notifications.
//!
//! How a gateway's answer becomes a [`Delivery`]:
//!
//! | what happened | [`Delivery`] |
//! |---|---|
//! | the gateway accepted the message | `Delivered` (with the gateway's reference) |
//! | HTTP 429 or 5xx | `TemporaryFailure` (retried) |
//! | wrong credentials (HTTP 401/403, ASPSMS status 3) | `TechnicalFailure` (retried: a settings problem, not the recipient's) |
//! | other refusals (HTTP 4xx, other ASPSMS status codes) | `PermanentFailure` |
//! | no answer in time, connection refused, unreadable answer | `TechnicalFailure` |
//!
//! "Delivered" means *accepted by the gateway*; whether the handset got it comes later in a
//! delivery notification ([`DeliveryReport`]).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Delivery, SmsGateway};
use crate::message::{Message, MessageId};
use crate::recipient::Recipient;

/// The ASPSMS JSON API.
pub const ASPSMS_BASE_URL: &str = "https://json.aspsms.com";
/// The eCall REST API.
pub const ECALL_BASE_URL: &str = "https://rest.ecall.ch";

/// Errors of the gateway settings and of delivery notifications.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// A setting is not usable.
    #[error("sms gateway settings: {0}")]
    Config(String),
    /// A delivery notification cannot be read.
    #[error("delivery notification, {field}: {reason}")]
    Notification {
        /// The parameter or field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// Checks an SMS sender id: up to 11 characters of printable ASCII with at least one letter, or a
/// number of up to 16 digits (an optional leading `+`).
fn check_originator(originator: &str) -> Result<(), GatewayError> {
    let digits = originator.strip_prefix('+').unwrap_or(originator);
    let numeric = !digits.is_empty() && digits.len() <= 16 && digits.bytes().all(|b| b.is_ascii_digit());
    let alphanumeric = !originator.is_empty()
        && originator.len() <= 11
        && originator.bytes().all(|b| (32..=126).contains(&b))
        && originator.bytes().any(|b| b.is_ascii_alphabetic());
    if numeric || alphanumeric {
        Ok(())
    } else {
        Err(GatewayError::Config(format!(
            "sender id `{originator}`: up to 11 characters (ASCII) or 16 digits"
        )))
    }
}

fn client(timeout: Duration) -> Result<reqwest::Client, GatewayError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| GatewayError::Config(format!("HTTP client: {e}")))
}

fn transport_failure(gateway: &str, e: reqwest::Error) -> Delivery {
    let what = if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        // Without the URL, which for some gateways carries credentials.
        e.without_url().to_string()
    };
    Delivery::TechnicalFailure {
        reason: format!("{gateway}: {what}"),
    }
}

/// Splits `message` into the SMS recipient and text, or says why it is not an SMS.
fn sms_parts(message: &Message) -> Result<(&str, &str), Delivery> {
    let (Recipient::Sms(number), Some(sms)) = (message.recipient(), message.rendered().content.as_sms())
    else {
        return Err(Delivery::PermanentFailure {
            reason: "not an SMS message".to_owned(),
        });
    };
    Ok((number.as_str(), sms.text.as_str()))
}

/// A short, single-line excerpt of a gateway's answer for the failure reason.
fn excerpt(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = line.chars().take(200).collect();
    if cut.len() < line.len() {
        cut.push('…');
    }
    cut
}

fn http_failure(gateway: &str, status: reqwest::StatusCode, body: &str) -> Delivery {
    let reason = format!("{gateway}: HTTP {} {}", status.as_u16(), excerpt(body));
    let reason = reason.trim_end().to_owned();
    match status.as_u16() {
        401 | 403 => Delivery::TechnicalFailure {
            reason: format!("{reason} (check the gateway credentials)"),
        },
        429 | 500..=599 => Delivery::TemporaryFailure { reason },
        _ => Delivery::PermanentFailure { reason },
    }
}

/// Settings of an [`AspsmsGateway`]. `Debug` does not show the password.
///
/// ```
/// use egov_notify::channel::AspsmsConfig;
///
/// let config = AspsmsConfig::new("USERKEY", "secret", "Gemeinde")?
///     .delivery_notifications("https://app.example.ch/sms/aspsms");
/// assert!(!format!("{config:?}").contains("secret"));
/// # Ok::<(), egov_notify::channel::GatewayError>(())
/// ```
#[derive(Clone)]
pub struct AspsmsConfig {
    user_key: String,
    password: String,
    originator: String,
    base_url: String,
    timeout: Duration,
    notification_url: Option<String>,
}

impl fmt::Debug for AspsmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AspsmsConfig")
            .field("user_key", &self.user_key)
            .field("password", &"***")
            .field("originator", &self.originator)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("notification_url", &self.notification_url)
            .finish()
    }
}

impl AspsmsConfig {
    /// Settings with the account's user key and password and the sender id (`Originator`).
    ///
    /// # Errors
    ///
    /// [`GatewayError::Config`] for an empty user key or a sender id that is not one.
    pub fn new(user_key: &str, password: &str, originator: &str) -> Result<Self, GatewayError> {
        if user_key.is_empty() {
            return Err(GatewayError::Config("ASPSMS user key is empty".to_owned()));
        }
        check_originator(originator)?;
        Ok(Self {
            user_key: user_key.to_owned(),
            password: password.to_owned(),
            originator: originator.to_owned(),
            base_url: ASPSMS_BASE_URL.to_owned(),
            timeout: Duration::from_secs(20),
            notification_url: None,
        })
    }

    /// Another base URL (a test server).
    #[must_use]
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// The time limit of one request (default 20 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Asks for delivery notifications at `url`: ASPSMS calls it when a message is delivered,
    /// buffered or not delivered, with the outbox id and the outcome in query parameters this
    /// crate adds (`egov_id`, `egov_status`), read back by [`AspsmsGateway::parse_notification`].
    #[must_use]
    pub fn delivery_notifications(mut self, url: &str) -> Self {
        self.notification_url = Some(url.to_owned());
        self
    }
}

/// SMS through ASPSMS (`POST /SendSimpleTextSMS`, credentials in the JSON body).
#[derive(Debug, Clone)]
pub struct AspsmsGateway {
    config: AspsmsConfig,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct AspsmsAnswer {
    #[serde(rename = "StatusCode")]
    status_code: String,
    #[serde(rename = "StatusInfo", default)]
    status_info: String,
}

impl AspsmsGateway {
    /// A gateway with these settings.
    ///
    /// # Errors
    ///
    /// [`GatewayError::Config`] when the HTTP client cannot be built.
    pub fn new(config: AspsmsConfig) -> Result<Self, GatewayError> {
        Ok(Self {
            client: client(config.timeout)?,
            config,
        })
    }

    fn notification_url(&self, id: &MessageId, status: &str) -> Option<String> {
        self.config.notification_url.as_ref().map(|base| {
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}egov_id={}&egov_status={status}", id.as_str())
        })
    }

    /// Reads a delivery notification from the query string of the call ASPSMS made to the URL
    /// set with [`AspsmsConfig::delivery_notifications`] (with or without a leading `?`). Other
    /// parameters that ASPSMS adds are kept in [`DeliveryReport::provider_reference`] when one
    /// is named `TransRefNumber`.
    ///
    /// ```
    /// use egov_notify::channel::{AspsmsGateway, ReportStatus};
    ///
    /// let report = AspsmsGateway::parse_notification(
    ///     "egov_id=0123456789abcdef0123456789abcdef&egov_status=delivered",
    /// )?;
    /// assert_eq!(report.status, ReportStatus::Delivered);
    /// # Ok::<(), egov_notify::channel::GatewayError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`GatewayError::Notification`] naming the missing or bad parameter.
    pub fn parse_notification(query: &str) -> Result<DeliveryReport, GatewayError> {
        let mut id = None;
        let mut status = None;
        let mut reference = None;
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "egov_id" => id = Some(value),
                "egov_status" => status = Some(value),
                "TransRefNumber" => reference = Some(value.to_owned()),
                _ => {}
            }
        }
        let id = id.ok_or(GatewayError::Notification {
            field: "egov_id",
            reason: "missing".to_owned(),
        })?;
        let message_id = id.parse::<MessageId>().map_err(|e| GatewayError::Notification {
            field: "egov_id",
            reason: e.to_string(),
        })?;
        let status = match status {
            Some("delivered") => ReportStatus::Delivered,
            Some("buffered") => ReportStatus::Buffered,
            Some("not-delivered") => ReportStatus::NotDelivered,
            Some(other) => {
                return Err(GatewayError::Notification {
                    field: "egov_status",
                    reason: format!("unknown value `{other}`"),
                });
            }
            None => {
                return Err(GatewayError::Notification {
                    field: "egov_status",
                    reason: "missing".to_owned(),
                });
            }
        };
        Ok(DeliveryReport {
            message_id: Some(message_id),
            provider_reference: reference,
            status,
        })
    }
}

#[async_trait]
impl SmsGateway for AspsmsGateway {
    async fn send_sms(&self, id: &MessageId, message: &Message) -> Delivery {
        let (to, text) = match sms_parts(message) {
            Ok(parts) => parts,
            Err(refused) => return refused,
        };
        let mut body = json!({
            "UserName": self.config.user_key,
            "Password": self.config.password,
            "Originator": self.config.originator,
            "Recipients": [to],
            "MessageText": text,
        });
        if let (Some(delivered), Some(buffered), Some(failed)) = (
            self.notification_url(id, "delivered"),
            self.notification_url(id, "buffered"),
            self.notification_url(id, "not-delivered"),
        ) {
            body["URLDeliveryNotification"] = json!(delivered);
            body["URLBufferedMessageNotification"] = json!(buffered);
            body["URLNonDeliveryNotification"] = json!(failed);
        }
        let response = self
            .client
            .post(format!("{}/SendSimpleTextSMS", self.config.base_url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return transport_failure("ASPSMS", e),
        };
        let status = response.status();
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) => return transport_failure("ASPSMS", e),
        };
        if !status.is_success() {
            return http_failure("ASPSMS", status, &text);
        }
        match serde_json::from_str::<AspsmsAnswer>(&text) {
            Ok(answer) if answer.status_code == "1" => Delivery::Delivered {
                provider_reference: Some(format!("ASPSMS {}", answer.status_info).trim_end().to_owned()),
            },
            Ok(answer) if answer.status_code == "3" => Delivery::TechnicalFailure {
                reason: format!(
                    "ASPSMS status 3 {} (check the gateway credentials)",
                    answer.status_info
                ),
            },
            Ok(answer) => Delivery::PermanentFailure {
                reason: format!("ASPSMS status {} {}", answer.status_code, answer.status_info),
            },
            Err(e) => Delivery::TechnicalFailure {
                reason: format!("ASPSMS: unreadable answer ({e}): {}", excerpt(&text)),
            },
        }
    }
}

/// Settings of an [`EcallGateway`]. `Debug` does not show the password.
///
/// ```
/// use egov_notify::channel::EcallConfig;
///
/// let config = EcallConfig::new("api-user", "secret", "Gemeinde")?.page_limit(3);
/// assert!(!format!("{config:?}").contains("secret"));
/// # Ok::<(), egov_notify::channel::GatewayError>(())
/// ```
#[derive(Clone)]
pub struct EcallConfig {
    username: String,
    password: String,
    from: String,
    base_url: String,
    timeout: Duration,
    page_limit: Option<u8>,
}

impl fmt::Debug for EcallConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcallConfig")
            .field("username", &self.username)
            .field("password", &"***")
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("page_limit", &self.page_limit)
            .finish()
    }
}

impl EcallConfig {
    /// Settings with the (sub-)user's name and password and the sender id (`from`).
    ///
    /// # Errors
    ///
    /// [`GatewayError::Config`] for an empty user name or a sender id that is not one.
    pub fn new(username: &str, password: &str, from: &str) -> Result<Self, GatewayError> {
        if username.is_empty() {
            return Err(GatewayError::Config("eCall user name is empty".to_owned()));
        }
        check_originator(from)?;
        Ok(Self {
            username: username.to_owned(),
            password: password.to_owned(),
            from: from.to_owned(),
            base_url: ECALL_BASE_URL.to_owned(),
            timeout: Duration::from_secs(20),
            page_limit: None,
        })
    }

    /// Another base URL (a test server).
    #[must_use]
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// The time limit of one request (default 20 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most SMS parts a message may use (eCall allows 1–10).
    #[must_use]
    pub fn page_limit(mut self, pages: u8) -> Self {
        self.page_limit = Some(pages.clamp(1, 10));
        self
    }
}

/// SMS through the eCall REST API v2 (`POST /api/v2/message`, HTTP Basic authentication).
#[derive(Debug, Clone)]
pub struct EcallGateway {
    config: EcallConfig,
    client: reqwest::Client,
}

impl EcallGateway {
    /// A gateway with these settings.
    ///
    /// # Errors
    ///
    /// [`GatewayError::Config`] when the HTTP client cannot be built.
    pub fn new(config: EcallConfig) -> Result<Self, GatewayError> {
        Ok(Self {
            client: client(config.timeout)?,
            config,
        })
    }
}

#[async_trait]
impl SmsGateway for EcallGateway {
    async fn send_sms(&self, _id: &MessageId, message: &Message) -> Delivery {
        let (to, text) = match sms_parts(message) {
            Ok(parts) => parts,
            Err(refused) => return refused,
        };
        let mut content = json!({ "type": "Text", "text": text });
        if let Some(pages) = self.config.page_limit {
            content["options"] = json!({ "pageLimit": pages });
        }
        let body = json!({
            "channel": "Sms",
            "from": self.config.from,
            "to": to,
            "content": content,
        });
        let response = self
            .client
            .post(format!("{}/api/v2/message", self.config.base_url))
            .basic_auth(&self.config.username, Some(&self.config.password))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return transport_failure("eCall", e),
        };
        let status = response.status();
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) => return transport_failure("eCall", e),
        };
        if !status.is_success() {
            return http_failure("eCall", status, &text);
        }
        let reference = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|answer| {
                answer
                    .get("messageId")
                    .map(|id| id.to_string().trim_matches('"').to_owned())
            });
        Delivery::Delivered {
            provider_reference: reference.map(|id| format!("eCall {id}")),
        }
    }
}

/// What a delivery notification says about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReportStatus {
    /// It reached the handset.
    Delivered,
    /// The network keeps it for now (handset off or out of reach).
    Buffered,
    /// It could not be delivered (and the network gave up).
    NotDelivered,
}

/// A gateway's delivery notification about one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeliveryReport {
    /// The outbox id, when the notification carries it.
    pub message_id: Option<MessageId>,
    /// The gateway's own reference, if it gave one.
    pub provider_reference: Option<String>,
    /// The status.
    pub status: ReportStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_ids_follow_the_sms_rules() {
        for good in [
            "Gemeinde",
            "Stadt Bern",
            "+41791234567",
            "0041791234567",
            "ABCDEFGHIJK",
        ] {
            assert!(check_originator(good).is_ok(), "{good}");
        }
        for bad in ["", "ABCDEFGHIJKL", "12345678901234567", "Gemeinde\u{e4}", "+"] {
            assert!(check_originator(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn http_statuses_are_classified() {
        let of = |code: u16| http_failure("X", reqwest::StatusCode::from_u16(code).unwrap(), "boom");
        assert!(matches!(of(401), Delivery::TechnicalFailure { .. }));
        assert!(matches!(of(429), Delivery::TemporaryFailure { .. }));
        assert!(matches!(of(503), Delivery::TemporaryFailure { .. }));
        assert!(matches!(of(400), Delivery::PermanentFailure { .. }));
        assert_eq!(of(400).reason(), Some("X: HTTP 400 boom"));
    }

    #[test]
    fn long_answers_are_cut_to_one_line() {
        let long = format!("line one\nline two {}", "x".repeat(500));
        let cut = excerpt(&long);
        assert!(cut.starts_with("line one line two x"));
        assert_eq!(cut.chars().count(), 201);
        assert!(!cut.contains('\n'));
    }
}
