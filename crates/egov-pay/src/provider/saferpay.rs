//! The Worldline Saferpay adapter (JSON API, Payment Page interface).
//!
//! Calls: `PaymentPage/Initialize` (token and redirect URL), `PaymentPage/Assert` (status by
//! token), `Transaction/Inquire`, `Transaction/Capture`, `Transaction/Refund` (then a capture of
//! the refund), `Transaction/Cancel`; all `POST` under `/Payment/v1/` with a `RequestHeader`
//! (`SpecVersion`, `CustomerId`, `RequestId`, `RetryIndicator`) and basic auth. Errors come as
//! `{ErrorName, ErrorMessage, Behavior}`. Notifications are unsigned calls of the notify URL.

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

use super::http::{HttpClient, Reply, Retry};
use super::signature::encode_hex;
use super::{
    CreatedPayment, HttpSettings, PaymentProvider, PaymentRequest, PaymentState, PaymentStatus,
    ProviderError, RefundResult, Result, Secret, WebhookEvent, WebhookRequest, page_language, parse_currency,
};
use crate::qrbill::{Amount, Currency};

/// The Saferpay API base of the test environment.
pub const TEST_API: &str = "https://test.saferpay.com/api";
/// The Saferpay API base of production.
pub const PRODUCTION_API: &str = "https://www.saferpay.com/api";
/// The JSON API specification version sent in every `RequestHeader`.
pub const SPEC_VERSION: &str = "1.44";
/// The query parameter the adapter adds to the notify URL to name the payment.
pub const NOTIFY_REFERENCE_PARAM: &str = "reference";

/// The settings of a [`Saferpay`] adapter. `Debug` hides the password.
///
/// ```
/// use egov_pay::provider::SaferpayConfig;
/// let config = SaferpayConfig::test("245294", "17795278", "API_245294_08700063", "secret");
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SaferpayConfig {
    /// The API base, e.g. [`TEST_API`] or a mock server.
    pub api_base: String,
    /// The customer id (`RequestHeader.CustomerId`).
    pub customer_id: String,
    /// The terminal id of the payment page.
    pub terminal_id: String,
    /// The JSON API user (basic auth).
    pub username: String,
    /// The JSON API password.
    pub password: Secret,
    /// Timeouts and retries.
    pub http: HttpSettings,
}

impl SaferpayConfig {
    /// Settings for the test environment.
    #[must_use]
    pub fn test(customer_id: &str, terminal_id: &str, username: &str, password: &str) -> Self {
        Self::custom(TEST_API, customer_id, terminal_id, username, password)
    }

    /// Settings for production.
    #[must_use]
    pub fn production(customer_id: &str, terminal_id: &str, username: &str, password: &str) -> Self {
        Self::custom(PRODUCTION_API, customer_id, terminal_id, username, password)
    }

    /// Settings for any API base (a mock server, a proxy).
    #[must_use]
    pub fn custom(
        api_base: &str,
        customer_id: &str,
        terminal_id: &str,
        username: &str,
        password: &str,
    ) -> Self {
        Self {
            api_base: api_base.to_owned(),
            customer_id: customer_id.to_owned(),
            terminal_id: terminal_id.to_owned(),
            username: username.to_owned(),
            password: Secret::new(password),
            http: HttpSettings::default(),
        }
    }

    /// Sets timeouts and retries.
    #[must_use]
    pub const fn with_http(mut self, http: HttpSettings) -> Self {
        self.http = http;
        self
    }
}

/// The Worldline Saferpay payment provider.
///
/// Every call is retried on timeouts, connection failures and HTTP 5xx with the same
/// `RequestId` and a raised `RetryIndicator`, which Saferpay uses to recognise a repetition.
///
/// Ids: [`CreatedPayment::id`] is the payment-page token, which [`PaymentProvider::status`]
/// asserts; [`PaymentState::transaction_id`] is the transaction id that capture, refund and
/// cancel (and [`Saferpay::inquire`]) take.
///
/// The JSON API (spec 1.44) has one return URL: the adapter sends
/// [`ReturnUrls::success`](super::ReturnUrls::success); the outcome is what `status` says.
#[derive(Debug)]
pub struct Saferpay {
    config: SaferpayConfig,
    http: HttpClient,
}

struct Transaction {
    state: PaymentState,
    amount: Amount,
    currency: Currency,
}

impl Saferpay {
    /// An adapter with these settings.
    ///
    /// # Errors
    /// [`ProviderError::Http`] when the HTTP client cannot be set up.
    pub fn new(config: SaferpayConfig) -> Result<Self> {
        let http = HttpClient::new(&config.api_base, &config.username, &config.password, config.http)?;
        Ok(Self { config, http })
    }

    /// The status of a transaction by its transaction id (`Transaction/Inquire`), e.g. of a
    /// refund or after the payment-page token expired.
    ///
    /// # Errors
    /// HTTP, timeout and provider errors.
    pub async fn inquire(&self, transaction_id: &str) -> Result<PaymentState> {
        Ok(self.inquire_tx(transaction_id).await?.state)
    }

    async fn inquire_tx(&self, transaction_id: &str) -> Result<Transaction> {
        let reference = json!({ "TransactionId": transaction_id });
        let value = self
            .call(
                "inquire",
                "Transaction/Inquire",
                json!({ "TransactionReference": reference }),
            )
            .await?;
        parse_transaction(&value)
    }

    /// Sends one JSON API call: adds the `RequestHeader`, retries with the same `RequestId`.
    async fn call(&self, operation: &'static str, path: &str, body: Value) -> Result<Value> {
        let request_id = request_id();
        let path = format!("/Payment/v1/{path}");
        let reply = self
            .http
            .send(operation, Method::POST, &path, Retry::Safe, |attempt| {
                let mut body = body.clone();
                if let Some(map) = body.as_object_mut() {
                    map.insert(
                        "RequestHeader".to_owned(),
                        json!({
                            "SpecVersion": SPEC_VERSION,
                            "CustomerId": self.config.customer_id,
                            "RequestId": request_id,
                            "RetryIndicator": attempt,
                        }),
                    );
                }
                Some(body)
            })
            .await?;
        if reply.status.is_success() {
            reply.json(operation)
        } else {
            Err(error_of(&reply, operation))
        }
    }

    async fn capture_transaction(
        &self,
        transaction_id: &str,
        amount: Option<(Amount, Currency)>,
    ) -> Result<bool> {
        let mut body = json!({ "TransactionReference": { "TransactionId": transaction_id } });
        if let (Some((amount, currency)), Some(map)) = (amount, body.as_object_mut()) {
            map.insert("Amount".to_owned(), amount_json(amount, currency));
        }
        let value = self.call("capture", "Transaction/Capture", body).await?;
        match value.get("Status").and_then(Value::as_str) {
            Some("CAPTURED") => Ok(true),
            Some("PENDING") => Ok(false),
            other => Err(unexpected(&format!("capture status {other:?}"))),
        }
    }
}

#[async_trait]
impl PaymentProvider for Saferpay {
    async fn create_payment(&self, request: &PaymentRequest) -> Result<CreatedPayment> {
        request.validate()?;
        let description = if request.description.is_empty() {
            &request.reference
        } else {
            &request.description
        };
        let mut body = json!({
            "TerminalId": self.config.terminal_id,
            "Payment": {
                "Amount": amount_json(request.amount, request.currency),
                "OrderId": request.reference,
                "Description": description,
            },
            "Payer": { "LanguageCode": page_language(request.language) },
            "ReturnUrl": { "Url": request.return_urls.success },
        });
        if let (Some(url), Some(map)) = (&request.webhook_url, body.as_object_mut()) {
            let mut notify = reqwest::Url::parse(url).map_err(|e| ProviderError::InvalidRequest {
                field: "webhook_url",
                reason: e.to_string(),
            })?;
            notify
                .query_pairs_mut()
                .append_pair(NOTIFY_REFERENCE_PARAM, &request.reference);
            map.insert(
                "Notification".to_owned(),
                json!({ "SuccessNotifyUrl": notify.as_str(), "FailNotifyUrl": notify.as_str() }),
            );
        }
        let value = self
            .call("create_payment", "PaymentPage/Initialize", body)
            .await?;
        let text = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| unexpected(&format!("create_payment: no {name}")))
        };
        Ok(CreatedPayment {
            id: text("Token")?,
            redirect_url: text("RedirectUrl")?,
        })
    }

    /// Saferpay's notification is not signed: the event only names the payment (by the
    /// `reference` query parameter the adapter added to the notify URL) for a `status` query.
    fn verify_webhook(&self, request: &WebhookRequest<'_>) -> Result<WebhookEvent> {
        let query = request.query.ok_or_else(|| ProviderError::MalformedWebhook {
            reason: "Saferpay notification without query string".to_owned(),
        })?;
        let url = reqwest::Url::parse(&format!("http://notify.invalid/?{query}")).map_err(|e| {
            ProviderError::MalformedWebhook {
                reason: e.to_string(),
            }
        })?;
        let reference = url
            .query_pairs()
            .find(|(k, _)| k == NOTIFY_REFERENCE_PARAM)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ProviderError::MalformedWebhook {
                reason: format!("no {NOTIFY_REFERENCE_PARAM} parameter in the notify URL"),
            })?;
        Ok(WebhookEvent::ConfirmRequired { reference })
    }

    /// Asserts the payment-page token. A declined or aborted payment page comes back as a
    /// Saferpay error, mapped to [`PaymentStatus::Failed`] or [`PaymentStatus::Canceled`].
    async fn status(&self, id: &str) -> Result<PaymentState> {
        match self
            .call("status", "PaymentPage/Assert", json!({ "Token": id }))
            .await
        {
            Ok(value) => Ok(parse_transaction(&value)?.state),
            Err(ProviderError::Provider { code, message, .. }) if outcome_of_error(&code).is_some() => {
                let status = match outcome_of_error(&code) {
                    Some(Outcome::Aborted) => PaymentStatus::Canceled,
                    Some(Outcome::NotStarted) => PaymentStatus::Initialized,
                    _ => PaymentStatus::Failed {
                        reason: format!("{code}: {message}"),
                    },
                };
                Ok(PaymentState {
                    transaction_id: id.to_owned(),
                    status,
                    amount: None,
                    currency: None,
                    reference: None,
                })
            }
            Err(e) => Err(e),
        }
    }

    async fn capture(&self, transaction_id: &str, amount: Amount) -> Result<()> {
        let tx = self.inquire_tx(transaction_id).await?;
        if tx.state.status != PaymentStatus::Authorized {
            return Err(ProviderError::InvalidState {
                operation: "capture",
                state: tx.state.status.to_string(),
            });
        }
        if amount > tx.amount {
            return Err(ProviderError::InvalidRequest {
                field: "amount",
                reason: format!("{amount} is more than the authorised {}", tx.amount),
            });
        }
        let partial = (amount < tx.amount).then_some((amount, tx.currency));
        self.capture_transaction(transaction_id, partial).await?;
        Ok(())
    }

    async fn refund(&self, transaction_id: &str, amount: Amount) -> Result<RefundResult> {
        let tx = self.inquire_tx(transaction_id).await?;
        if tx.state.status != PaymentStatus::Captured {
            return Err(ProviderError::InvalidState {
                operation: "refund",
                state: tx.state.status.to_string(),
            });
        }
        let body = json!({
            "Refund": { "Amount": amount_json(amount, tx.currency) },
            "CaptureReference": { "TransactionId": transaction_id },
        });
        let value = self.call("refund", "Transaction/Refund", body).await?;
        let refund = parse_transaction(&value)?;
        let refund_id = refund.state.transaction_id;
        // A refund is a transaction of its own that is authorised first and must be captured.
        let completed = match refund.state.status {
            PaymentStatus::Authorized => self.capture_transaction(&refund_id, None).await?,
            PaymentStatus::Refunded { .. } | PaymentStatus::Captured => true,
            _ => false,
        };
        Ok(RefundResult {
            refund_id,
            amount,
            completed,
        })
    }

    async fn cancel(&self, transaction_id: &str) -> Result<()> {
        let body = json!({ "TransactionReference": { "TransactionId": transaction_id } });
        self.call("cancel", "Transaction/Cancel", body).await?;
        Ok(())
    }
}

enum Outcome {
    Declined,
    Aborted,
    NotStarted,
}

/// Assert errors that describe the payment rather than the call.
fn outcome_of_error(code: &str) -> Option<Outcome> {
    match code {
        "TRANSACTION_ABORTED" => Some(Outcome::Aborted),
        "TRANSACTION_NOT_STARTED" => Some(Outcome::NotStarted),
        "TRANSACTION_DECLINED"
        | "GENERAL_DECLINED"
        | "3DS_AUTHENTICATION_FAILED"
        | "BLOCKED_BY_RISK_MANAGEMENT"
        | "CARD_EXPIRED" => Some(Outcome::Declined),
        _ => None,
    }
}

/// A fresh `RequestId`: 16 random bytes in hex.
fn request_id() -> String {
    let mut bytes = [0u8; 16];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = nanos.to_le_bytes();
    }
    encode_hex(&bytes)
}

/// Saferpay amounts: minor units as a string.
fn amount_json(amount: Amount, currency: Currency) -> Value {
    json!({ "Value": amount.minor_units().to_string(), "CurrencyCode": currency.code() })
}

fn unexpected(what: &str) -> ProviderError {
    ProviderError::UnexpectedResponse {
        what: what.to_owned(),
    }
}

/// Maps a non-success reply: 401/403 credentials, the error JSON otherwise.
fn error_of(reply: &Reply, operation: &'static str) -> ProviderError {
    let status = reply.status.as_u16();
    if matches!(status, 401 | 403) {
        return ProviderError::Unauthorized { status };
    }
    let value = serde_json::from_slice::<Value>(&reply.body).ok();
    let text = |k: &str| value.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str);
    match text("ErrorName") {
        Some("TRANSACTION_NOT_FOUND") => ProviderError::NotFound {
            id: text("TransactionId").unwrap_or_default().to_owned(),
        },
        Some(code) => {
            let mut message = text("ErrorMessage").unwrap_or_default().to_owned();
            if let Some(details) = value
                .as_ref()
                .and_then(|v| v.get("ErrorDetail"))
                .and_then(Value::as_array)
            {
                let details: Vec<&str> = details.iter().filter_map(Value::as_str).collect();
                if !details.is_empty() {
                    message = format!("{message} ({})", details.join("; "));
                }
            }
            ProviderError::Provider {
                code: code.to_owned(),
                message,
                retryable: matches!(text("Behavior"), Some("RETRY" | "RETRY_LATER")),
            }
        }
        None => ProviderError::Http {
            operation,
            status: Some(status),
            message: String::from_utf8_lossy(&reply.body).chars().take(200).collect(),
        },
    }
}

/// Reads the `Transaction` object of an Assert, Inquire or Refund answer.
fn parse_transaction(value: &Value) -> Result<Transaction> {
    let tx = value
        .get("Transaction")
        .ok_or_else(|| unexpected("no Transaction"))?;
    let text = |k: &str| tx.get(k).and_then(Value::as_str);
    let id = text("Id")
        .ok_or_else(|| unexpected("Transaction without Id"))?
        .to_owned();
    let amount = tx
        .get("Amount")
        .ok_or_else(|| unexpected("Transaction without Amount"))?;
    let minor = amount
        .get("Value")
        .and_then(Value::as_str)
        .and_then(|v| v.parse::<u64>().ok())
        .and_then(|v| Amount::from_minor_units(v).ok())
        .ok_or_else(|| unexpected("Transaction.Amount.Value is not minor units"))?;
    let currency_text = amount
        .get("CurrencyCode")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let currency = parse_currency(currency_text)
        .ok_or_else(|| unexpected(&format!("currency {currency_text:?} is neither CHF nor EUR")))?;
    let kind = text("Type").unwrap_or("PAYMENT");
    let status = match (kind, text("Status")) {
        ("REFUND", Some("CAPTURED")) => PaymentStatus::Refunded { amount: minor },
        (_, Some("AUTHORIZED")) => PaymentStatus::Authorized,
        (_, Some("CAPTURED")) => PaymentStatus::Captured,
        (_, Some("PENDING")) => PaymentStatus::Pending,
        (_, Some("CANCELED")) => PaymentStatus::Canceled,
        (_, other) => return Err(unexpected(&format!("unknown transaction status {other:?}"))),
    };
    Ok(Transaction {
        state: PaymentState {
            transaction_id: id,
            status,
            amount: Some(minor),
            currency: Some(currency),
            reference: text("OrderId").map(str::to_owned),
        },
        amount: minor,
        currency,
    })
}
