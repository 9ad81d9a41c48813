//! The status callback as an HTTP webhook with a bearer token (feature `webhook`).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use super::worker::{Callback, StatusUpdate};

/// Posts each status change as JSON to the application's URL, with `Authorization: Bearer …`.
///
/// The body: `{"id", "reference", "status", "at", "attempt", "reason", "retry_at", "final"}`
/// (`status` as in [`super::Status::as_str`], times in RFC 3339 UTC). A timeout, a connection
/// error, 429 or a 5xx answer is retried with doubling pauses up to `attempts` times; another
/// answer ends the delivery of that update. The store's status history stays the reference:
/// an update the application never got can be read there.
///
/// ```no_run
/// # fn demo() -> Result<(), egov_notify::outbox::WebhookError> {
/// use egov_notify::outbox::WebhookCallback;
/// let hook = WebhookCallback::new("https://app.example/notify-status", "token-from-config")?;
/// // worker.with_callback(std::sync::Arc::new(hook))
/// # Ok(()) }
/// ```
pub struct WebhookCallback {
    url: reqwest::Url,
    token: String,
    client: reqwest::Client,
    attempts: u32,
    first_pause: Duration,
}

impl fmt::Debug for WebhookCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookCallback")
            .field("url", &self.url.as_str())
            .field("token", &"***")
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Why a webhook callback could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The URL does not parse or is not http(s).
    #[error("webhook URL {url:?}: {reason}")]
    Url {
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// The token is empty or not a valid header value.
    #[error("webhook token: must be non-empty visible ASCII")]
    Token,
    /// The HTTP client could not be built.
    #[error("webhook HTTP client: {0}")]
    Client(String),
}

impl WebhookCallback {
    /// A webhook to `url` with the bearer `token`; 10 s timeout, 3 attempts, pauses from 1 s.
    ///
    /// # Errors
    /// A URL that is not http(s), or a token that cannot go into a header.
    pub fn new(url: &str, token: &str) -> Result<Self, WebhookError> {
        let parsed = reqwest::Url::parse(url).map_err(|e| WebhookError::Url {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(WebhookError::Url {
                url: url.to_owned(),
                reason: "only http and https".into(),
            });
        }
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(WebhookError::Token);
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| WebhookError::Client(e.to_string()))?;
        Ok(Self {
            url: parsed,
            token: token.to_owned(),
            client,
            attempts: 3,
            first_pause: Duration::from_secs(1),
        })
    }

    /// How often one update is tried (at least once) and the first pause between tries.
    #[must_use]
    pub fn with_retries(mut self, attempts: u32, first_pause: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.first_pause = first_pause;
        self
    }

    /// The JSON body of an update.
    #[must_use]
    pub fn body(update: &StatusUpdate) -> serde_json::Value {
        let c = &update.change;
        serde_json::json!({
            "id": update.id.as_str(),
            "reference": update.reference,
            "status": c.status.as_str(),
            "at": c.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "attempt": c.attempt,
            "reason": c.reason,
            "retry_at": c.retry_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "final": update.is_final,
        })
    }

    /// Delivers one update; `true` when the application answered 2xx.
    pub async fn deliver(&self, update: &StatusUpdate) -> bool {
        let body = Self::body(update);
        let mut pause = self.first_pause;
        for attempt in 1..=self.attempts {
            let sent = self
                .client
                .post(self.url.clone())
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await;
            let retry = match sent {
                Ok(r) if r.status().is_success() => return true,
                Ok(r) => r.status().as_u16() == 429 || r.status().is_server_error(),
                Err(_) => true,
            };
            if !retry || attempt == self.attempts {
                break;
            }
            tokio::time::sleep(pause).await;
            pause = pause.saturating_mul(2);
        }
        false
    }
}

#[async_trait]
impl Callback for WebhookCallback {
    async fn status_changed(&self, update: &StatusUpdate) {
        let _ = self.deliver(update).await;
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::message::MessageId;
    use crate::outbox::{Status, StatusChange};

    fn update() -> StatusUpdate {
        StatusUpdate {
            id: MessageId::random(),
            reference: Some("order-17".into()),
            change: StatusChange {
                status: Status::TemporaryFailure,
                at: Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(),
                attempt: 2,
                reason: Some("451 try later".into()),
                retry_at: Some(Utc.with_ymd_and_hms(2026, 11, 23, 10, 5, 0).unwrap()),
            },
            is_final: false,
        }
    }

    #[tokio::test]
    async fn posts_the_change_as_json_with_the_bearer_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/status"))
            .and(header("authorization", "Bearer s3cret"))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let hook = WebhookCallback::new(&format!("{}/status", server.uri()), "s3cret").unwrap();
        let u = update();
        assert!(hook.deliver(&u).await);
        let got = server.received_requests().await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
        assert_eq!(body["id"], u.id.as_str());
        assert_eq!(body["reference"], "order-17");
        assert_eq!(body["status"], Status::TemporaryFailure.as_str());
        assert_eq!(body["at"], "2026-11-23T10:00:00Z");
        assert_eq!(body["retry_at"], "2026-11-23T10:05:00Z");
        assert_eq!(body["attempt"], 2);
        assert_eq!(body["final"], false);
    }

    #[tokio::test]
    async fn a_server_error_is_retried_and_a_client_error_is_not() {
        let server = MockServer::start().await;
        Mock::given(path("/flaky"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(path("/flaky"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        Mock::given(path("/refuses"))
            .respond_with(ResponseTemplate::new(401))
            .mount(&server)
            .await;
        let flaky = WebhookCallback::new(&format!("{}/flaky", server.uri()), "t")
            .unwrap()
            .with_retries(3, Duration::from_millis(10));
        assert!(flaky.deliver(&update()).await);
        let refuses = WebhookCallback::new(&format!("{}/refuses", server.uri()), "t")
            .unwrap()
            .with_retries(3, Duration::from_millis(10));
        assert!(!refuses.deliver(&update()).await);
        let requests = server.received_requests().await.unwrap();
        let count = |p: &str| requests.iter().filter(|r| r.url.path() == p).count();
        assert_eq!(count("/flaky"), 2);
        assert_eq!(count("/refuses"), 1);
    }

    #[test]
    fn bad_settings_are_refused_and_the_token_is_not_printed() {
        assert!(matches!(
            WebhookCallback::new("ftp://x.example/", "t"),
            Err(WebhookError::Url { .. })
        ));
        assert!(matches!(
            WebhookCallback::new("not a url", "t"),
            Err(WebhookError::Url { .. })
        ));
        assert!(matches!(
            WebhookCallback::new("https://x.example/", ""),
            Err(WebhookError::Token)
        ));
        assert!(matches!(
            WebhookCallback::new("https://x.example/", "a b"),
            Err(WebhookError::Token)
        ));
        let hook = WebhookCallback::new("https://x.example/hook", "very-secret-token").unwrap();
        let debug = format!("{hook:?}");
        assert!(
            !debug.contains("very-secret-token") && debug.contains("x.example"),
            "{debug}"
        );
    }
}
