//! Online payment providers (feature `providers`): one [`PaymentProvider`] trait over the
//! redirect flow of the payment service providers Swiss authorities use, with adapters for
//! [`Datatrans`] and [`Saferpay`] (Worldline) and a [`SimulatedProvider`] for development.
//!
//! The flow is the same for every provider:
//!
//! 1. [`PaymentProvider::create_payment`] registers the payment (amount in minor units,
//!    currency, the merchant reference, return URLs) and returns the provider's id and the URL
//!    of its payment page; the application redirects the browser there.
//! 2. The provider sends the browser back to one of the return URLs and may call the webhook.
//!    Neither is trusted on its own: the application checks the webhook with
//!    [`PaymentProvider::verify_webhook`] and asks [`PaymentProvider::status`] server-side.
//! 3. An authorised payment is captured ([`PaymentProvider::capture`]), or canceled; a captured
//!    one can be refunded, fully or in part ([`PaymentProvider::refund`]).
//!
//! Amounts are [`Amount`] (integer hundredths), never floats. Secrets (API passwords, HMAC
//! keys) never appear in `Debug` output. See `docs/pay.md` ("Online payment providers").
//!
//! ```
//! use egov_core::Language;
//! use egov_pay::provider::{Outcome, PaymentProvider, PaymentRequest, PaymentStatus, ReturnUrls, SimulatedProvider};
//! use egov_pay::{Amount, Currency};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let provider = SimulatedProvider::new("http://127.0.0.1:8080").with_auto_outcome(Outcome::Pay);
//! let request = PaymentRequest::new(
//!     Amount::from_minor_units(4_500)?,
//!     Currency::Chf,
//!     "ORDER-2026-0042",
//!     ReturnUrls::new("https://amt.example/ok", "https://amt.example/cancel", "https://amt.example/error"),
//! )
//! .with_description("Wohnsitzbestätigung")
//! .with_language(Language::Fr);
//! let created = provider.create_payment(&request).await?;
//! assert!(created.redirect_url.starts_with("http://127.0.0.1:8080/pay/"));
//! let state = provider.status(&created.id).await?;
//! assert_eq!(state.status, PaymentStatus::Authorized);
//! provider.capture(&state.transaction_id, Amount::from_minor_units(4_500)?).await?;
//! assert_eq!(provider.status(&created.id).await?.status, PaymentStatus::Captured);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use egov_core::Language;
pub use reqwest::header::HeaderMap;

use crate::qrbill::{Amount, Currency};

pub mod datatrans;
mod http;
pub mod saferpay;
mod signature;
mod simulator;

pub use datatrans::{Datatrans, DatatransConfig};
pub use saferpay::{Saferpay, SaferpayConfig};
pub use signature::{SIGNATURE_HEADER, WebhookKey, sign_webhook};
pub use simulator::{Completion, Outcome, SignedWebhook, SimulatedProvider};

/// The errors of the payment providers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// The payment request (or a configuration value) is not acceptable; nothing was sent.
    #[error("invalid {field}: {reason}")]
    InvalidRequest {
        /// The field, e.g. `reference` or `return_urls.success`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP exchange failed (connection refused, TLS, an unexpected HTTP status).
    #[error("HTTP error during {operation}: {message}")]
    Http {
        /// The operation, e.g. `status`.
        operation: &'static str,
        /// The HTTP status, when there was a response.
        status: Option<u16>,
        /// What happened.
        message: String,
    },
    /// The provider did not answer within the configured timeout (after all allowed retries).
    #[error("timeout during {operation} after {attempts} attempt(s)")]
    Timeout {
        /// The operation, e.g. `capture`.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The provider rejected the credentials (HTTP 401 or 403).
    #[error("the provider rejected the credentials (HTTP {status})")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
    },
    /// The provider does not know the transaction (HTTP 404 or its "not found" error).
    #[error("transaction {id} not found")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// The provider answered with an error of its own.
    #[error("provider error {code}: {message}{}", if *.retryable { " (may be retried)" } else { "" })]
    Provider {
        /// The provider's error code (Datatrans `error.code`, Saferpay `ErrorName`).
        code: String,
        /// The provider's message.
        message: String,
        /// Whether the provider says the same request may succeed later (Saferpay `Behavior`
        /// `RETRY` or `RETRY_LATER`, an HTTP 5xx).
        retryable: bool,
    },
    /// The operation is not possible in the payment's current state (e.g. capture before
    /// authorisation, refund of more than was captured).
    #[error("{operation} is not possible while the payment is {state}")]
    InvalidState {
        /// The operation asked for.
        operation: &'static str,
        /// The current state.
        state: String,
    },
    /// The webhook's signature does not match its body.
    #[error("webhook signature does not match")]
    BadSignature,
    /// The webhook's signature is older (or further in the future) than the tolerance allows.
    #[error("webhook timestamp is {age_seconds} s away from now (tolerance {tolerance_seconds} s)")]
    StaleWebhook {
        /// Seconds between the signature's timestamp and now (negative: in the future).
        age_seconds: i64,
        /// The configured tolerance.
        tolerance_seconds: u64,
    },
    /// The webhook request is not what the provider sends (missing or malformed header, body).
    #[error("malformed webhook: {reason}")]
    MalformedWebhook {
        /// What is wrong.
        reason: String,
    },
    /// The provider answered something this adapter does not understand.
    #[error("unexpected response: {what}")]
    UnexpectedResponse {
        /// What was expected or found.
        what: String,
    },
}

/// Short for `Result<T, ProviderError>`.
pub type Result<T, E = ProviderError> = std::result::Result<T, E>;

/// Where the provider sends the browser back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnUrls {
    /// After a successful payment.
    pub success: String,
    /// After the payer canceled.
    pub cancel: String,
    /// After an error or a declined payment.
    pub error: String,
}

impl ReturnUrls {
    /// The three return URLs.
    ///
    /// ```
    /// let urls = egov_pay::provider::ReturnUrls::new("https://a.example/ok", "https://a.example/no", "https://a.example/err");
    /// assert_eq!(urls.cancel, "https://a.example/no");
    /// ```
    #[must_use]
    pub fn new(success: &str, cancel: &str, error: &str) -> Self {
        Self {
            success: success.to_owned(),
            cancel: cancel.to_owned(),
            error: error.to_owned(),
        }
    }
}

/// A payment to register with a provider.
///
/// ```
/// use egov_pay::provider::{PaymentRequest, ReturnUrls};
/// use egov_pay::{Amount, Currency};
/// let r = PaymentRequest::new(
///     Amount::from_minor_units(2_000)?,
///     Currency::Chf,
///     "INV-17",
///     ReturnUrls::new("https://a.example/ok", "https://a.example/no", "https://a.example/err"),
/// )
/// .with_webhook_url("https://a.example/hook");
/// assert!(r.validate().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentRequest {
    /// The amount (at least 0.01).
    pub amount: Amount,
    /// CHF or EUR.
    pub currency: Currency,
    /// The merchant reference: the order or invoice id, or a QR reference. Datatrans `refno`,
    /// Saferpay `OrderId`. Use one per payment attempt; it is how provider and application
    /// records are matched.
    pub reference: String,
    /// What is paid for, shown on the payment page where the provider supports it.
    pub description: String,
    /// The language of the payment page.
    pub language: Language,
    /// Where the browser returns to.
    pub return_urls: ReturnUrls,
    /// Where the provider reports the outcome server-to-server, if anywhere.
    pub webhook_url: Option<String>,
}

/// Longest merchant reference accepted by every adapter (Datatrans `refno` allows 40).
pub const MAX_REFERENCE_LEN: usize = 40;

impl PaymentRequest {
    /// A request with an empty description, German page and no webhook.
    #[must_use]
    pub fn new(amount: Amount, currency: Currency, reference: &str, return_urls: ReturnUrls) -> Self {
        Self {
            amount,
            currency,
            reference: reference.to_owned(),
            description: String::new(),
            language: Language::De,
            return_urls,
            webhook_url: None,
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: &str) -> Self {
        description.clone_into(&mut self.description);
        self
    }

    /// Sets the language of the payment page.
    #[must_use]
    pub const fn with_language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Sets the webhook URL.
    #[must_use]
    pub fn with_webhook_url(mut self, url: &str) -> Self {
        self.webhook_url = Some(url.to_owned());
        self
    }

    /// Checks what every adapter requires: an amount of at least 0.01, a reference of 1 to
    /// [`MAX_REFERENCE_LEN`] printable ASCII characters, absolute `http(s)` URLs.
    ///
    /// # Errors
    /// [`ProviderError::InvalidRequest`] naming the first offending field.
    pub fn validate(&self) -> Result<()> {
        if self.amount < Amount::MIN {
            return Err(invalid("amount", "must be at least 0.01"));
        }
        let len = self.reference.chars().count();
        if len == 0 || len > MAX_REFERENCE_LEN {
            return Err(invalid(
                "reference",
                &format!("must have 1 to {MAX_REFERENCE_LEN} characters, has {len}"),
            ));
        }
        if !self.reference.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            return Err(invalid("reference", "must be printable ASCII"));
        }
        check_url("return_urls.success", &self.return_urls.success)?;
        check_url("return_urls.cancel", &self.return_urls.cancel)?;
        check_url("return_urls.error", &self.return_urls.error)?;
        if let Some(url) = &self.webhook_url {
            check_url("webhook_url", url)?;
        }
        Ok(())
    }
}

fn invalid(field: &'static str, reason: &str) -> ProviderError {
    ProviderError::InvalidRequest {
        field,
        reason: reason.to_owned(),
    }
}

fn check_url(field: &'static str, url: &str) -> Result<()> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(()),
        Ok(u) => Err(invalid(field, &format!("scheme {} is not http(s)", u.scheme()))),
        Err(e) => Err(invalid(field, &format!("not an absolute URL: {e}"))),
    }
}

/// The answer to [`PaymentProvider::create_payment`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedPayment {
    /// The provider's id to ask [`PaymentProvider::status`] with (Datatrans `transactionId`,
    /// Saferpay payment-page `Token`).
    pub id: String,
    /// The payment page to send the browser to.
    pub redirect_url: String,
}

/// The status of a payment at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaymentStatus {
    /// Registered; the payer has not finished the payment page yet.
    Initialized,
    /// In progress at the provider (3-D Secure challenge, a pending capture).
    Pending,
    /// Authorised: the money is reserved and can be captured or canceled.
    Authorized,
    /// Captured (settled; Datatrans also "transmitted" to the acquirer).
    Captured,
    /// Declined or failed.
    Failed {
        /// The provider's reason, as far as it tells one.
        reason: String,
    },
    /// Canceled by the payer or the merchant.
    Canceled,
    /// Refunded, in part or fully; `amount` is what was refunded so far.
    Refunded {
        /// The refunded amount.
        amount: Amount,
    },
}

impl PaymentStatus {
    /// Whether the money is secured (authorised or captured).
    ///
    /// ```
    /// use egov_pay::provider::PaymentStatus;
    /// assert!(PaymentStatus::Captured.is_paid());
    /// assert!(!PaymentStatus::Failed { reason: "declined".into() }.is_paid());
    /// ```
    #[must_use]
    pub const fn is_paid(&self) -> bool {
        matches!(self, Self::Authorized | Self::Captured)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Initialized => f.write_str("initialized"),
            Self::Pending => f.write_str("pending"),
            Self::Authorized => f.write_str("authorized"),
            Self::Captured => f.write_str("captured"),
            Self::Failed { reason } => write!(f, "failed ({reason})"),
            Self::Canceled => f.write_str("canceled"),
            Self::Refunded { amount } => write!(f, "refunded ({amount})"),
        }
    }
}

/// The answer to [`PaymentProvider::status`]: the status and what the application must compare
/// with its own record before it trusts the payment (reference, amount, currency).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentState {
    /// The id that [`PaymentProvider::capture`], [`PaymentProvider::refund`] and
    /// [`PaymentProvider::cancel`] take. For Datatrans the same as [`CreatedPayment::id`]; for
    /// Saferpay the `Transaction.Id` (the payment-page token only asserts).
    pub transaction_id: String,
    /// The status.
    pub status: PaymentStatus,
    /// The authorised (or captured) amount, when the provider reports one.
    pub amount: Option<Amount>,
    /// The currency, when the provider reports one.
    pub currency: Option<Currency>,
    /// The merchant reference the payment was created with, when reported.
    pub reference: Option<String>,
}

/// The outcome of [`PaymentProvider::refund`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundResult {
    /// The provider's id of the refund (a transaction of its own at both providers).
    pub refund_id: String,
    /// The refunded amount.
    pub amount: Amount,
    /// Whether the provider reports the refund as done (`false`: accepted but pending).
    pub completed: bool,
}

/// A webhook (server-to-server notification) after [`PaymentProvider::verify_webhook`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// Signed by the provider: the status can be trusted as of the signature's time.
    Verified {
        /// The provider's transaction id.
        transaction_id: String,
        /// The merchant reference, when the provider sends it.
        reference: Option<String>,
        /// The new status.
        status: PaymentStatus,
    },
    /// Unsigned: only a hint that the payment with this merchant reference changed. Look up
    /// the provider id stored for it and confirm with [`PaymentProvider::status`].
    ConfirmRequired {
        /// The merchant reference ([`PaymentRequest::reference`]).
        reference: String,
    },
}

/// An incoming webhook request, as the web framework hands it over.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The raw body, unparsed (the signature covers the exact bytes).
    pub body: &'a [u8],
    /// The query string without `?`, if any (Saferpay's notification carries nothing else).
    pub query: Option<&'a str>,
}

impl<'a> WebhookRequest<'a> {
    /// A request from headers and body, without a query string.
    #[must_use]
    pub const fn new(headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Self {
            headers,
            body,
            query: None,
        }
    }

    /// Adds the query string (without `?`).
    #[must_use]
    pub const fn with_query(mut self, query: &'a str) -> Self {
        self.query = Some(query);
        self
    }
}

/// Timeouts and retries of an adapter's HTTP calls.
///
/// Retries (with exponential backoff) happen only where repeating is safe: read-only calls,
/// and every Saferpay call because Saferpay de-duplicates a request by its `RequestId` when the
/// `RetryIndicator` is raised. Datatrans' state-changing `POST`s are never repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// Connection set-up limit.
    pub connect_timeout: Duration,
    /// Limit for one whole request and response.
    pub timeout: Duration,
    /// Attempts in total for a call that may be repeated (1 = no retry); at most 10.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Upper bound of the wait between retries.
    pub max_backoff: Duration,
}

impl Default for HttpSettings {
    /// 5 s to connect, 20 s per request, 3 attempts, backoff 250 ms doubling up to 2 s.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(2),
        }
    }
}

/// A password or API secret: kept out of `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps the secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        Self(secret.to_owned())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A payment service provider: the redirect flow common to Datatrans, Saferpay and the
/// simulator. See the [module documentation](self) for the flow.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Registers the payment and returns the provider's id and the payment page's URL.
    ///
    /// # Errors
    /// [`ProviderError::InvalidRequest`] before sending; HTTP, timeout and provider errors.
    async fn create_payment(&self, request: &PaymentRequest) -> Result<CreatedPayment>;

    /// Checks a webhook: its signature where the provider signs, and its shape.
    ///
    /// # Errors
    /// [`ProviderError::BadSignature`], [`ProviderError::StaleWebhook`],
    /// [`ProviderError::MalformedWebhook`].
    fn verify_webhook(&self, request: &WebhookRequest<'_>) -> Result<WebhookEvent>;

    /// Asks the provider for the payment's status (`id` from [`CreatedPayment::id`] or
    /// [`PaymentState::transaction_id`]).
    ///
    /// # Errors
    /// [`ProviderError::NotFound`]; HTTP, timeout and provider errors.
    async fn status(&self, id: &str) -> Result<PaymentState>;

    /// Captures (settles) `amount` of an authorised payment; less than authorised is a partial
    /// capture where the provider allows it.
    ///
    /// # Errors
    /// [`ProviderError::InvalidState`] when not authorised; HTTP, timeout and provider errors.
    async fn capture(&self, transaction_id: &str, amount: Amount) -> Result<()>;

    /// Refunds `amount` (all or part) of a captured payment.
    ///
    /// # Errors
    /// [`ProviderError::InvalidState`] when not captured or more than captured; HTTP, timeout
    /// and provider errors.
    async fn refund(&self, transaction_id: &str, amount: Amount) -> Result<RefundResult>;

    /// Cancels an authorised, not yet captured payment (releases the reservation).
    ///
    /// # Errors
    /// HTTP, timeout and provider errors.
    async fn cancel(&self, transaction_id: &str) -> Result<()>;
}

/// The provider code for a language: the five Swiss ones map to themselves except Romansh,
/// which neither Datatrans nor Saferpay offers and which falls back to German.
pub(crate) const fn page_language(language: Language) -> &'static str {
    match language {
        Language::Fr => "fr",
        Language::It => "it",
        Language::En => "en",
        // German, Romansh, and any language added later.
        _ => "de",
    }
}

pub(crate) fn parse_currency(code: &str) -> Option<Currency> {
    match code {
        "CHF" => Some(Currency::Chf),
        "EUR" => Some(Currency::Eur),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> PaymentRequest {
        PaymentRequest::new(
            Amount::from_minor_units(100).unwrap(),
            Currency::Chf,
            "R-1",
            ReturnUrls::new(
                "https://a.example/ok",
                "https://a.example/no",
                "https://a.example/err",
            ),
        )
    }

    #[test]
    fn validation_names_the_field() {
        assert!(request().validate().is_ok());
        let mut r = request();
        r.amount = Amount::ZERO;
        assert!(matches!(
            r.validate(),
            Err(ProviderError::InvalidRequest { field: "amount", .. })
        ));
        let mut r = request();
        r.reference = "x".repeat(41);
        assert!(matches!(
            r.validate(),
            Err(ProviderError::InvalidRequest {
                field: "reference",
                ..
            })
        ));
        let mut r = request();
        r.reference = String::new();
        assert!(matches!(
            r.validate(),
            Err(ProviderError::InvalidRequest {
                field: "reference",
                ..
            })
        ));
        let mut r = request();
        r.reference = "Rechnung\n1".into();
        assert!(matches!(
            r.validate(),
            Err(ProviderError::InvalidRequest {
                field: "reference",
                ..
            })
        ));
        let r = request().with_webhook_url("ftp://a.example/hook");
        assert!(matches!(
            r.validate(),
            Err(ProviderError::InvalidRequest {
                field: "webhook_url",
                ..
            })
        ));
        let mut r = request();
        r.return_urls.cancel = "/relative".into();
        assert!(matches!(
            r.validate(),
            Err(ProviderError::InvalidRequest {
                field: "return_urls.cancel",
                ..
            })
        ));
    }

    #[test]
    fn secret_is_not_printed() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn romansh_page_falls_back_to_german() {
        assert_eq!(page_language(Language::Rm), "de");
        assert_eq!(page_language(Language::It), "it");
    }
}
