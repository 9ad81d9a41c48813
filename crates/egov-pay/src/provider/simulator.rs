//! An in-process payment provider for local development, examples and tests.
//!
//! [`SimulatedProvider::create_payment`] answers with a redirect to `{base}/pay/{id}`. With the
//! feature `simulator`, [`SimulatedProvider::router`] serves that page (plain HTML, no script)
//! in the request's language with the buttons "Pay", "Cancel" and "Fail"; the choice sets the
//! outcome, sends a signed webhook (as Datatrans signs) to the webhook URL if there is one, and
//! redirects the browser to the success, cancel or error URL. Tests can skip the page with
//! [`SimulatedProvider::with_auto_outcome`] or [`SimulatedProvider::complete`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde_json::json;

use super::signature::{self, WebhookKey, sign_webhook};
use super::{
    CreatedPayment, PaymentProvider, PaymentRequest, PaymentState, PaymentStatus, ProviderError,
    RefundResult, Result, WebhookEvent, WebhookRequest,
};
use crate::qrbill::Amount;

/// What the payer does on the simulated payment page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Pays: the payment becomes [`PaymentStatus::Authorized`].
    Pay,
    /// Cancels: [`PaymentStatus::Canceled`].
    Cancel,
    /// The payment fails: [`PaymentStatus::Failed`].
    Fail,
}

impl Outcome {
    /// The form value: `pay`, `cancel`, `fail`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Pay => "pay",
            Self::Cancel => "cancel",
            Self::Fail => "fail",
        }
    }

    /// The outcome for a form value.
    ///
    /// ```
    /// use egov_pay::provider::Outcome;
    /// assert_eq!(Outcome::from_code("cancel"), Some(Outcome::Cancel));
    /// assert_eq!(Outcome::from_code("steal"), None);
    /// ```
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pay, Self::Cancel, Self::Fail]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// A webhook the simulator sends (or a test delivers by hand).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedWebhook {
    /// Where to `POST` it.
    pub url: String,
    /// The value of the `Datatrans-Signature` header.
    pub signature: String,
    /// The JSON body (the transaction, as Datatrans sends it).
    pub body: Vec<u8>,
}

/// What completing the simulated payment page leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Completion {
    /// The return URL to send the browser to.
    pub redirect_to: String,
    /// The webhook to deliver, when the request had a webhook URL.
    pub webhook: Option<SignedWebhook>,
}

#[derive(Debug)]
struct SimPayment {
    request: PaymentRequest,
    status: PaymentStatus,
    captured: Option<Amount>,
    refunded: u64,
    refunds: u32,
}

#[derive(Debug, Default)]
struct Shared {
    payments: Mutex<HashMap<String, SimPayment>>,
    next: AtomicU64,
}

/// The simulated provider. Clones share their payments.
///
/// ```
/// use egov_pay::provider::{Outcome, PaymentProvider, PaymentRequest, PaymentStatus, ReturnUrls, SimulatedProvider};
/// use egov_pay::{Amount, Currency};
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let sim = SimulatedProvider::new("http://localhost:3000");
/// let request = PaymentRequest::new(
///     Amount::from_minor_units(1_000)?, Currency::Chf, "A-1",
///     ReturnUrls::new("https://app.example/ok", "https://app.example/cancel", "https://app.example/error"),
/// );
/// let created = sim.create_payment(&request).await?;
/// assert_eq!(sim.status(&created.id).await?.status, PaymentStatus::Initialized);
/// let done = sim.complete(&created.id, Outcome::Cancel)?;
/// assert_eq!(done.redirect_to, "https://app.example/cancel");
/// assert_eq!(sim.status(&created.id).await?.status, PaymentStatus::Canceled);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SimulatedProvider {
    base_url: String,
    key: WebhookKey,
    auto: Option<Outcome>,
    webhook_tolerance: Duration,
    shared: Arc<Shared>,
}

impl SimulatedProvider {
    /// A simulator whose page lives under `base_url` (where [`Self::router`] is served), with a
    /// random webhook key.
    #[must_use]
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            key: WebhookKey::random(),
            auto: None,
            webhook_tolerance: Duration::from_secs(300),
            shared: Arc::default(),
        }
    }

    /// Uses this webhook key (so that another component can verify the webhooks).
    #[must_use]
    pub fn with_webhook_key(mut self, key: WebhookKey) -> Self {
        self.key = key;
        self
    }

    /// Completes every new payment at once with `outcome`, without the page.
    #[must_use]
    pub const fn with_auto_outcome(mut self, outcome: Outcome) -> Self {
        self.auto = Some(outcome);
        self
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, SimPayment>> {
        // A panic while holding the lock cannot leave a payment half-updated (each update is
        // one assignment), so a poisoned lock is still consistent.
        self.shared
            .payments
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies the payer's choice to an initialised payment: the return URL to redirect to and
    /// the signed webhook to deliver.
    ///
    /// # Errors
    /// [`ProviderError::NotFound`]; [`ProviderError::InvalidState`] when already completed.
    pub fn complete(&self, id: &str, outcome: Outcome) -> Result<Completion> {
        let mut payments = self.lock();
        let payment = payments
            .get_mut(id)
            .ok_or_else(|| ProviderError::NotFound { id: id.to_owned() })?;
        if payment.status != PaymentStatus::Initialized {
            return Err(ProviderError::InvalidState {
                operation: "complete",
                state: payment.status.to_string(),
            });
        }
        let (status, redirect_to) = match outcome {
            Outcome::Pay => (PaymentStatus::Authorized, &payment.request.return_urls.success),
            Outcome::Cancel => (PaymentStatus::Canceled, &payment.request.return_urls.cancel),
            Outcome::Fail => (
                PaymentStatus::Failed {
                    reason: "declined (simulated)".to_owned(),
                },
                &payment.request.return_urls.error,
            ),
        };
        let redirect_to = redirect_to.clone();
        payment.status = status;
        let webhook = payment.request.webhook_url.clone().map(|url| {
            let body = webhook_body(id, payment);
            SignedWebhook {
                url,
                signature: sign_webhook(&self.key, signature::now_millis(), &body),
                body,
            }
        });
        Ok(Completion { redirect_to, webhook })
    }

    fn with_payment<T>(&self, id: &str, f: impl FnOnce(&mut SimPayment) -> Result<T>) -> Result<T> {
        let mut payments = self.lock();
        let payment = payments
            .get_mut(id)
            .ok_or_else(|| ProviderError::NotFound { id: id.to_owned() })?;
        f(payment)
    }
}

/// The webhook body: the transaction in Datatrans' shape.
fn webhook_body(id: &str, payment: &SimPayment) -> Vec<u8> {
    let status = match &payment.status {
        PaymentStatus::Initialized => "initialized",
        PaymentStatus::Authorized => "authorized",
        PaymentStatus::Captured | PaymentStatus::Refunded { .. } => "settled",
        PaymentStatus::Canceled => "canceled",
        _ => "failed",
    };
    let value = json!({
        "transactionId": id,
        "type": "payment",
        "status": status,
        "refno": payment.request.reference,
        "currency": payment.request.currency.code(),
        "detail": {
            "authorize": { "amount": payment.request.amount.minor_units() },
            "fail": { "reason": "DECLINED", "message": "declined (simulated)" },
        },
    });
    value.to_string().into_bytes()
}

#[async_trait]
impl PaymentProvider for SimulatedProvider {
    async fn create_payment(&self, request: &PaymentRequest) -> Result<CreatedPayment> {
        request.validate()?;
        let n = self.shared.next.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("sim{n:08}");
        self.lock().insert(
            id.clone(),
            SimPayment {
                request: request.clone(),
                status: PaymentStatus::Initialized,
                captured: None,
                refunded: 0,
                refunds: 0,
            },
        );
        if let Some(outcome) = self.auto {
            self.complete(&id, outcome)?;
        }
        Ok(CreatedPayment {
            redirect_url: format!("{}/pay/{id}", self.base_url),
            id,
        })
    }

    fn verify_webhook(&self, request: &WebhookRequest<'_>) -> Result<WebhookEvent> {
        signature::verify(
            &self.key,
            request.headers,
            request.body,
            self.webhook_tolerance,
            SystemTime::now(),
        )?;
        super::datatrans::webhook_event(request.body)
    }

    async fn status(&self, id: &str) -> Result<PaymentState> {
        self.with_payment(id, |p| {
            Ok(PaymentState {
                transaction_id: id.to_owned(),
                status: p.status.clone(),
                amount: Some(p.captured.unwrap_or(p.request.amount)),
                currency: Some(p.request.currency),
                reference: Some(p.request.reference.clone()),
            })
        })
    }

    async fn capture(&self, transaction_id: &str, amount: Amount) -> Result<()> {
        self.with_payment(transaction_id, |p| {
            if p.status != PaymentStatus::Authorized {
                return Err(ProviderError::InvalidState {
                    operation: "capture",
                    state: p.status.to_string(),
                });
            }
            if amount > p.request.amount || amount < Amount::MIN {
                return Err(ProviderError::InvalidRequest {
                    field: "amount",
                    reason: format!(
                        "{amount} is not between 0.01 and the authorised {}",
                        p.request.amount
                    ),
                });
            }
            p.status = PaymentStatus::Captured;
            p.captured = Some(amount);
            Ok(())
        })
    }

    async fn refund(&self, transaction_id: &str, amount: Amount) -> Result<RefundResult> {
        self.with_payment(transaction_id, |p| {
            let (PaymentStatus::Captured | PaymentStatus::Refunded { .. }, Some(captured)) =
                (&p.status, p.captured)
            else {
                return Err(ProviderError::InvalidState {
                    operation: "refund",
                    state: p.status.to_string(),
                });
            };
            let total = p.refunded + amount.minor_units();
            if amount < Amount::MIN || total > captured.minor_units() {
                return Err(ProviderError::InvalidState {
                    operation: "refund",
                    state: format!(
                        "captured {captured}, refunded {}",
                        Amount::from_minor_units(p.refunded).unwrap_or(Amount::ZERO)
                    ),
                });
            }
            p.refunded = total;
            p.refunds += 1;
            p.status = PaymentStatus::Refunded {
                amount: Amount::from_minor_units(total).unwrap_or(captured),
            };
            Ok(RefundResult {
                refund_id: format!("{transaction_id}-r{}", p.refunds),
                amount,
                completed: true,
            })
        })
    }

    async fn cancel(&self, transaction_id: &str) -> Result<()> {
        self.with_payment(transaction_id, |p| match p.status {
            PaymentStatus::Initialized | PaymentStatus::Authorized => {
                p.status = PaymentStatus::Canceled;
                Ok(())
            }
            _ => Err(ProviderError::InvalidState {
                operation: "cancel",
                state: p.status.to_string(),
            }),
        })
    }
}

#[cfg(feature = "simulator")]
mod page {
    //! The payment page as an axum router.

    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::response::{Html, IntoResponse, Redirect, Response};
    use axum::routing::get;
    use axum::{Form, Router};
    use egov_core::Language;
    use serde::Deserialize;

    use super::{Outcome, SignedWebhook, SimulatedProvider};
    use crate::provider::{PaymentStatus, ProviderError, SIGNATURE_HEADER};

    #[derive(Debug, Deserialize)]
    struct Choice {
        outcome: String,
    }

    /// Texts: title, amount, reference, pay, cancel, fail, done.
    const fn texts(language: Language) -> [&'static str; 7] {
        match language {
            Language::De => [
                "Zahlung (Simulator)",
                "Betrag",
                "Referenz",
                "Bezahlen",
                "Abbrechen",
                "Fehlschlag simulieren",
                "Diese Zahlung ist bereits abgeschlossen.",
            ],
            Language::Fr => [
                "Paiement (simulateur)",
                "Montant",
                "Référence",
                "Payer",
                "Annuler",
                "Simuler un échec",
                "Ce paiement est déjà terminé.",
            ],
            Language::It => [
                "Pagamento (simulatore)",
                "Importo",
                "Riferimento",
                "Pagare",
                "Annullare",
                "Simulare un errore",
                "Questo pagamento è già concluso.",
            ],
            Language::Rm => [
                "Pajament (simulatur)",
                "Import",
                "Referenza",
                "Pajar",
                "Interrumper",
                "Simular in sbagl",
                "Quest pajament è gia terminà.",
            ],
            // English, and any language added later.
            _ => [
                "Payment (simulator)",
                "Amount",
                "Reference",
                "Pay",
                "Cancel",
                "Simulate failure",
                "This payment is already completed.",
            ],
        }
    }

    fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                _ => out.push(c),
            }
        }
        out
    }

    impl SimulatedProvider {
        /// The payment page: `GET /pay/{id}` shows it, `POST /pay/{id}` with the form field
        /// `outcome` (`pay`, `cancel`, `fail`) completes the payment, delivers the webhook
        /// (if any; a failed delivery is ignored, as the application must query the status
        /// anyway) and answers `303 See Other` to the return URL.
        ///
        /// ```
        /// let sim = egov_pay::provider::SimulatedProvider::new("http://127.0.0.1:3001");
        /// let app: axum::Router = sim.router();
        /// # drop(app);
        /// ```
        pub fn router(&self) -> Router {
            Router::new()
                .route("/pay/{id}", get(show).post(submit))
                .with_state(self.clone())
        }
    }

    async fn show(State(sim): State<SimulatedProvider>, Path(id): Path<String>) -> Response {
        let found = sim.with_payment(&id, |p| Ok((p.request.clone(), p.status.clone())));
        let Ok((request, status)) = found else {
            return (StatusCode::NOT_FOUND, "unknown payment").into_response();
        };
        let [title, amount, reference, pay, cancel, fail, done] = texts(request.language);
        let lang = request.language.code();
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\n\
             <h1>{title}</h1>\n<p>{}</p>\n<dl><dt>{amount}</dt><dd>{} {}</dd><dt>{reference}</dt><dd>{}</dd></dl>\n",
            escape(&request.description),
            request.currency,
            request.amount,
            escape(&request.reference),
        );
        if status == PaymentStatus::Initialized {
            html.push_str(&format!(
                // No `action`: the form posts back to the page's own URL, wherever the router
                // is nested.
                "<form method=\"post\">\n\
                 <button name=\"outcome\" value=\"pay\">{pay}</button>\n\
                 <button name=\"outcome\" value=\"cancel\">{cancel}</button>\n\
                 <button name=\"outcome\" value=\"fail\">{fail}</button>\n</form>\n"
            ));
        } else {
            html.push_str(&format!("<p>{done}</p>\n"));
        }
        html.push_str("</body></html>\n");
        Html(html).into_response()
    }

    async fn submit(
        State(sim): State<SimulatedProvider>,
        Path(id): Path<String>,
        Form(choice): Form<Choice>,
    ) -> Response {
        let Some(outcome) = Outcome::from_code(&choice.outcome) else {
            return (StatusCode::BAD_REQUEST, "outcome must be pay, cancel or fail").into_response();
        };
        match sim.complete(&id, outcome) {
            Ok(completion) => {
                if let Some(webhook) = &completion.webhook {
                    deliver(webhook).await;
                }
                Redirect::to(&completion.redirect_to).into_response()
            }
            Err(ProviderError::NotFound { .. }) => (StatusCode::NOT_FOUND, "unknown payment").into_response(),
            Err(e) => (StatusCode::CONFLICT, e.to_string()).into_response(),
        }
    }

    async fn deliver(webhook: &SignedWebhook) {
        let Ok(client) = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
        else {
            return;
        };
        // Delivery errors are ignored on purpose: the application confirms with `status`.
        let _ignored = client
            .post(&webhook.url)
            .header(SIGNATURE_HEADER, &webhook.signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(webhook.body.clone())
            .send()
            .await;
    }
}
