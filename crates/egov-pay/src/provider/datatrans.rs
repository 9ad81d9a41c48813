//! The Datatrans adapter (JSON API v1, redirect integration).
//!
//! Calls: `POST /v1/transactions` (init, `autoSettle: false`), `GET /v1/transactions/{id}`
//! (status), `POST …/{id}/settle` (capture), `POST …/{id}/credit` (refund), `POST …/{id}/cancel`.
//! Basic auth with merchant id and password. Errors come as `{"error": {"code", "message"}}`.
//! Webhooks are the transaction's JSON, signed in the `Datatrans-Signature` header.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::http::{HttpClient, Reply, Retry};
use super::signature::{self, WebhookKey};
use super::{
    CreatedPayment, HttpSettings, PaymentProvider, PaymentRequest, PaymentState, PaymentStatus,
    ProviderError, RefundResult, Result, Secret, WebhookEvent, WebhookRequest, page_language, parse_currency,
};
use crate::qrbill::{Amount, Currency};

/// The Datatrans API base of the sandbox.
pub const SANDBOX_API: &str = "https://api.sandbox.datatrans.com";
/// The Datatrans API base of production.
pub const PRODUCTION_API: &str = "https://api.datatrans.com";
/// The payment page base of the sandbox.
pub const SANDBOX_PAY: &str = "https://pay.sandbox.datatrans.com";
/// The payment page base of production.
pub const PRODUCTION_PAY: &str = "https://pay.datatrans.com";

/// The settings of a [`Datatrans`] adapter. `Debug` hides the password and the HMAC key.
///
/// ```
/// use egov_pay::provider::{DatatransConfig, WebhookKey};
/// let config = DatatransConfig::sandbox("1100007006", "secret")
///     .with_webhook_key(WebhookKey::from_hex("6a3f0c")?);
/// assert!(!format!("{config:?}").contains("secret"));
/// # Ok::<(), egov_pay::provider::ProviderError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DatatransConfig {
    /// The API base, e.g. [`SANDBOX_API`] or a mock server.
    pub api_base: String,
    /// The payment page base the redirect URL is built on when the init answer has no
    /// `Location` header.
    pub pay_base: String,
    /// The merchant id (basic-auth user).
    pub merchant_id: String,
    /// The API password.
    pub password: Secret,
    /// The HMAC key for webhook signatures; without it webhooks are refused.
    pub webhook_key: Option<WebhookKey>,
    /// How far a webhook's timestamp may be from now (default 5 minutes).
    pub webhook_tolerance: Duration,
    /// Timeouts and retries.
    pub http: HttpSettings,
}

impl DatatransConfig {
    /// Settings for the sandbox.
    #[must_use]
    pub fn sandbox(merchant_id: &str, password: &str) -> Self {
        Self::custom(SANDBOX_API, SANDBOX_PAY, merchant_id, password)
    }

    /// Settings for production.
    #[must_use]
    pub fn production(merchant_id: &str, password: &str) -> Self {
        Self::custom(PRODUCTION_API, PRODUCTION_PAY, merchant_id, password)
    }

    /// Settings for any base URLs (a mock server, a proxy).
    #[must_use]
    pub fn custom(api_base: &str, pay_base: &str, merchant_id: &str, password: &str) -> Self {
        Self {
            api_base: api_base.to_owned(),
            pay_base: pay_base.trim_end_matches('/').to_owned(),
            merchant_id: merchant_id.to_owned(),
            password: Secret::new(password),
            webhook_key: None,
            webhook_tolerance: Duration::from_secs(300),
            http: HttpSettings::default(),
        }
    }

    /// Sets the webhook HMAC key.
    #[must_use]
    pub fn with_webhook_key(mut self, key: WebhookKey) -> Self {
        self.webhook_key = Some(key);
        self
    }

    /// Sets timeouts and retries.
    #[must_use]
    pub const fn with_http(mut self, http: HttpSettings) -> Self {
        self.http = http;
        self
    }

    /// Sets the webhook timestamp tolerance.
    #[must_use]
    pub const fn with_webhook_tolerance(mut self, tolerance: Duration) -> Self {
        self.webhook_tolerance = tolerance;
        self
    }
}

/// The Datatrans payment provider.
///
/// Only the status query (`GET`) is retried; init, settle, credit and cancel are sent once,
/// since repeating them could create a second transaction or a second refund.
///
/// ```no_run
/// use egov_pay::provider::{Datatrans, DatatransConfig};
/// let provider = Datatrans::new(DatatransConfig::sandbox("1100007006", "secret"))?;
/// # Ok::<(), egov_pay::provider::ProviderError>(())
/// ```
#[derive(Debug)]
pub struct Datatrans {
    config: DatatransConfig,
    http: HttpClient,
}

/// What a status query told, beyond the mapped status.
struct Transaction {
    state: PaymentState,
    currency: Currency,
    refno: String,
}

impl Datatrans {
    /// An adapter with these settings.
    ///
    /// # Errors
    /// [`ProviderError::Http`] when the HTTP client cannot be set up.
    pub fn new(config: DatatransConfig) -> Result<Self> {
        let http = HttpClient::new(
            &config.api_base,
            &config.merchant_id,
            &config.password,
            config.http,
        )?;
        Ok(Self { config, http })
    }

    async fn transaction(&self, id: &str) -> Result<Transaction> {
        let path = format!("/v1/transactions/{}", path_segment(id)?);
        let reply = self
            .http
            .send("status", Method::GET, &path, Retry::Safe, |_| None)
            .await?;
        let value = expect_json(&reply, "status", id, &[StatusCode::OK])?;
        parse_transaction(&value)
    }

    async fn post(&self, operation: &'static str, id: &str, action: &str, body: Value) -> Result<Reply> {
        let path = format!("/v1/transactions/{}/{action}", path_segment(id)?);
        let reply = self
            .http
            .send(operation, Method::POST, &path, Retry::Never, |_| {
                Some(body.clone())
            })
            .await?;
        if reply.status.is_success() {
            Ok(reply)
        } else {
            Err(error_of(&reply, operation, id))
        }
    }
}

#[async_trait]
impl PaymentProvider for Datatrans {
    async fn create_payment(&self, request: &PaymentRequest) -> Result<CreatedPayment> {
        request.validate()?;
        let mut body = json!({
            "currency": request.currency.code(),
            "amount": request.amount.minor_units(),
            "refno": request.reference,
            "language": page_language(request.language),
            "autoSettle": false,
            "redirect": {
                "successUrl": request.return_urls.success,
                "cancelUrl": request.return_urls.cancel,
                "errorUrl": request.return_urls.error,
            },
        });
        if let (Some(url), Some(map)) = (&request.webhook_url, body.as_object_mut()) {
            map.insert("webhook".to_owned(), json!({ "url": url }));
        }
        let reply = self
            .http
            .send(
                "create_payment",
                Method::POST,
                "/v1/transactions",
                Retry::Never,
                |_| Some(body.clone()),
            )
            .await?;
        let value = expect_json(
            &reply,
            "create_payment",
            "",
            &[StatusCode::CREATED, StatusCode::OK],
        )?;
        let id = value
            .get("transactionId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| unexpected("create_payment: no transactionId"))?
            .to_owned();
        let redirect_url = reply
            .location
            .clone()
            .unwrap_or_else(|| format!("{}/v1/start/{id}", self.config.pay_base));
        Ok(CreatedPayment { id, redirect_url })
    }

    fn verify_webhook(&self, request: &WebhookRequest<'_>) -> Result<WebhookEvent> {
        let key = self
            .config
            .webhook_key
            .as_ref()
            .ok_or_else(|| ProviderError::MalformedWebhook {
                reason: "no webhook key configured; unsigned Datatrans webhooks are refused".to_owned(),
            })?;
        signature::verify(
            key,
            request.headers,
            request.body,
            self.config.webhook_tolerance,
            SystemTime::now(),
        )?;
        webhook_event(request.body)
    }

    async fn status(&self, id: &str) -> Result<PaymentState> {
        Ok(self.transaction(id).await?.state)
    }

    async fn capture(&self, transaction_id: &str, amount: Amount) -> Result<()> {
        // Settle needs currency and refno; the status query also checks the state first.
        let tx = self.transaction(transaction_id).await?;
        if tx.state.status != PaymentStatus::Authorized {
            return Err(ProviderError::InvalidState {
                operation: "capture",
                state: tx.state.status.to_string(),
            });
        }
        let body = json!({
            "amount": amount.minor_units(),
            "currency": tx.currency.code(),
            "refno": tx.refno,
        });
        self.post("capture", transaction_id, "settle", body).await?;
        Ok(())
    }

    async fn refund(&self, transaction_id: &str, amount: Amount) -> Result<RefundResult> {
        let tx = self.transaction(transaction_id).await?;
        if tx.state.status != PaymentStatus::Captured {
            return Err(ProviderError::InvalidState {
                operation: "refund",
                state: tx.state.status.to_string(),
            });
        }
        let body = json!({
            "amount": amount.minor_units(),
            "currency": tx.currency.code(),
            "refno": tx.refno,
        });
        let reply = self.post("refund", transaction_id, "credit", body).await?;
        let value = reply.json("refund")?;
        let refund_id = value
            .get("transactionId")
            .and_then(Value::as_str)
            .ok_or_else(|| unexpected("refund: no transactionId"))?
            .to_owned();
        // The credit is a transaction of its own; it is done once settled. A failing query
        // does not undo the accepted refund, so it only leaves `completed` false.
        let completed = matches!(
            self.transaction(&refund_id).await.map(|t| t.state.status),
            Ok(PaymentStatus::Refunded { .. })
        );
        Ok(RefundResult {
            refund_id,
            amount,
            completed,
        })
    }

    async fn cancel(&self, transaction_id: &str) -> Result<()> {
        self.post("cancel", transaction_id, "cancel", json!({})).await?;
        Ok(())
    }
}

/// The event of a signed webhook body (the transaction JSON); shared with the simulator.
pub(super) fn webhook_event(body: &[u8]) -> Result<WebhookEvent> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ProviderError::MalformedWebhook {
        reason: format!("body is not JSON: {e}"),
    })?;
    let tx = parse_transaction(&value).map_err(|e| ProviderError::MalformedWebhook {
        reason: e.to_string(),
    })?;
    Ok(WebhookEvent::Verified {
        transaction_id: tx.state.transaction_id,
        reference: Some(tx.refno).filter(|r| !r.is_empty()),
        status: tx.state.status,
    })
}

/// An id goes into the URL path: only the characters Datatrans ids consist of.
fn path_segment(id: &str) -> Result<&str> {
    if !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id)
    } else {
        Err(ProviderError::InvalidRequest {
            field: "transaction_id",
            reason: format!("{id:?} is not a transaction id"),
        })
    }
}

fn unexpected(what: &str) -> ProviderError {
    ProviderError::UnexpectedResponse {
        what: what.to_owned(),
    }
}

fn expect_json(reply: &Reply, operation: &'static str, id: &str, ok: &[StatusCode]) -> Result<Value> {
    if ok.contains(&reply.status) {
        reply.json(operation)
    } else {
        Err(error_of(reply, operation, id))
    }
}

/// Maps a non-success reply: 401/403 credentials, 404 not found, the error JSON otherwise.
fn error_of(reply: &Reply, operation: &'static str, id: &str) -> ProviderError {
    let status = reply.status.as_u16();
    if matches!(status, 401 | 403) {
        return ProviderError::Unauthorized { status };
    }
    let error = serde_json::from_slice::<Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("error").cloned());
    let code = error
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let message = error
        .as_ref()
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if status == 404 || code.as_deref() == Some("TRANSACTION_NOT_FOUND") {
        return ProviderError::NotFound { id: id.to_owned() };
    }
    match code {
        Some(code) => ProviderError::Provider {
            code,
            message: message.to_owned(),
            retryable: reply.status.is_server_error(),
        },
        None => ProviderError::Http {
            operation,
            status: Some(status),
            message: String::from_utf8_lossy(&reply.body).chars().take(200).collect(),
        },
    }
}

fn amount_at(value: &Value, path: &[&str]) -> Option<Amount> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_u64().and_then(|minor| Amount::from_minor_units(minor).ok())
}

/// Reads the transaction JSON of a status answer or a webhook.
fn parse_transaction(value: &Value) -> Result<Transaction> {
    let field = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| unexpected(&format!("transaction without {name}")))
    };
    let transaction_id = field("transactionId")?.to_owned();
    let status_text = field("status")?;
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("payment");
    let currency_text = field("currency")?;
    let currency = parse_currency(currency_text)
        .ok_or_else(|| unexpected(&format!("currency {currency_text} is neither CHF nor EUR")))?;
    let refno = value
        .get("refno")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let authorized = amount_at(value, &["detail", "authorize", "amount"]);
    let settled = amount_at(value, &["detail", "settle", "amount"]);
    let credited = settled
        .or(authorized)
        .or_else(|| amount_at(value, &["detail", "credit", "amount"]));
    let status = match (kind, status_text) {
        ("credit", "settled" | "transmitted") => PaymentStatus::Refunded {
            amount: credited.ok_or_else(|| unexpected("credit without amount"))?,
        },
        (_, "initialized") => PaymentStatus::Initialized,
        (_, "challenge_required" | "challenge_ongoing" | "authenticated") => PaymentStatus::Pending,
        (_, "authorized") => PaymentStatus::Authorized,
        (_, "settled" | "transmitted") => PaymentStatus::Captured,
        (_, "canceled") => PaymentStatus::Canceled,
        (_, "failed") => {
            let fail = value.get("detail").and_then(|d| d.get("fail"));
            let text = |k: &str| fail.and_then(|f| f.get(k)).and_then(Value::as_str);
            let reason = match (text("reason"), text("message")) {
                (Some(r), Some(m)) => format!("{r}: {m}"),
                (Some(r), None) => r.to_owned(),
                (None, Some(m)) => m.to_owned(),
                (None, None) => "failed".to_owned(),
            };
            PaymentStatus::Failed { reason }
        }
        (_, other) => return Err(unexpected(&format!("unknown transaction status {other:?}"))),
    };
    Ok(Transaction {
        state: PaymentState {
            transaction_id,
            status,
            amount: settled.or(authorized),
            currency: Some(currency),
            reference: Some(refno.clone()).filter(|r| !r.is_empty()),
        },
        currency,
        refno,
    })
}
