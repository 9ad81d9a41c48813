//! Online payment through a payment service provider (egov-pay `provider`): the simulator by
//! default, Datatrans or Saferpay by configuration.
//!
//! The order is marked paid only after the provider itself confirmed the payment: the return
//! page and the webhook (whose signature is checked first) only trigger [`confirm`], which asks
//! the provider for the status server-side, compares reference, amount and currency with the
//! order, captures an authorised payment and fulfils the order once.

use egov_core::Language;
use egov_pay::provider::{PaymentRequest, PaymentState, PaymentStatus, ReturnUrls};
use egov_pay::qrbill::{Amount, Currency};

use crate::Error;
use crate::db::{self, OnlinePayment, Order};
use crate::i18n::t;
use crate::web::{AppState, fulfil};

/// Where the simulated payment page is mounted.
pub(crate) const SIMULATOR_PATH: &str = "/payment-simulator";
/// Where providers send their webhooks.
pub(crate) const WEBHOOK_PATH: &str = "/payment-webhook";

/// What the provider's confirmation says about a payment attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Confirmed {
    /// Captured; the order is paid.
    Paid,
    /// Canceled by the payer.
    Canceled,
    /// Declined or failed (or refunded).
    Failed,
    /// Not completed yet.
    Pending,
}

impl Confirmed {
    /// The code used in the order page's `?online=` and in the logs.
    pub(crate) const fn code(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::Canceled => "canceled",
            Self::Failed => "failed",
            Self::Pending => "pending",
        }
    }
}

fn amount_of(order: &Order) -> Result<Amount, Error> {
    u64::try_from(order.amount_cents)
        .ok()
        .and_then(|c| Amount::from_minor_units(c).ok())
        .ok_or_else(|| Error::Payment(format!("amount: {} hundredths", order.amount_cents)))
}

/// Registers a new payment attempt for `order` and returns the provider's payment page.
pub(crate) async fn begin(state: &AppState, order: &Order, lang: Language) -> Result<String, Error> {
    let app = &state.app;
    let attempt = db::online_attempts(&app.db(), order.id)? + 1;
    let reference = format!("{}-{attempt}", order.number());
    let back = format!(
        "{}/orders/{}/online-payment?ref={reference}",
        app.public_url, order.id
    );
    let request = PaymentRequest::new(
        amount_of(order)?,
        Currency::Chf,
        &reference,
        ReturnUrls::new(&back, &back, &back),
    )
    .with_description(&format!("{} {}", t(lang, "certificate"), order.number()))
    .with_language(lang)
    .with_webhook_url(&format!("{}{WEBHOOK_PATH}", app.public_url));
    let created = app
        .provider
        .create_payment(&request)
        .await
        .map_err(|e| Error::Payment(e.to_string()))?;
    db::insert_online(
        &app.db(),
        &OnlinePayment {
            provider_id: created.id.clone(),
            order_id: order.id,
            reference,
            status: "created".into(),
        },
        chrono::Utc::now(),
    )?;
    tracing::info!(order = order.id, payment = %created.id, "online payment started");
    Ok(created.redirect_url)
}

/// Checks that the provider's record is the payment the order expects.
fn check_matches(state: &PaymentState, payment: &OnlinePayment, amount: Amount) -> Result<(), Error> {
    if state.reference.as_deref().is_some_and(|r| r != payment.reference) {
        return Err(Error::Payment(format!(
            "payment {}: the provider reports another reference",
            payment.provider_id
        )));
    }
    if state.amount.is_some_and(|a| a != amount) {
        return Err(Error::Payment(format!(
            "payment {}: the provider reports another amount",
            payment.provider_id
        )));
    }
    if state.currency.is_some_and(|c| c != Currency::Chf) {
        return Err(Error::Payment(format!(
            "payment {}: the provider reports another currency",
            payment.provider_id
        )));
    }
    Ok(())
}

/// Asks the provider for the payment's status and acts on it: captures an authorised payment
/// and fulfils the order (once), or records the cancellation or failure. Calling it again
/// (a second webhook, a reloaded return page) does nothing twice.
pub(crate) async fn confirm(state: &AppState, payment: &OnlinePayment) -> Result<Confirmed, Error> {
    let app = &state.app;
    // One confirmation at a time: the webhook and the return page often arrive together.
    let _serial = app.confirm_lock.lock().await;
    let current = db::online_by_provider_id(&app.db(), &payment.provider_id)?;
    if current.as_ref().is_some_and(|p| p.status == "captured") {
        return Ok(Confirmed::Paid);
    }
    let order = db::get(&app.db(), payment.order_id)?
        .ok_or_else(|| Error::Payment(format!("order {} not found", payment.order_id)))?;
    let amount = amount_of(&order)?;
    let provider = &app.provider;
    let reported = provider
        .status(&payment.provider_id)
        .await
        .map_err(|e| Error::Payment(e.to_string()))?;
    check_matches(&reported, payment, amount)?;
    let confirmed = match &reported.status {
        PaymentStatus::Authorized => {
            provider
                .capture(&reported.transaction_id, amount)
                .await
                .map_err(|e| Error::Payment(e.to_string()))?;
            Confirmed::Paid
        }
        PaymentStatus::Captured => Confirmed::Paid,
        PaymentStatus::Initialized | PaymentStatus::Pending => Confirmed::Pending,
        PaymentStatus::Canceled => Confirmed::Canceled,
        // Failed, refunded, and any status added later: not paid.
        _ => Confirmed::Failed,
    };
    let stored = match confirmed {
        Confirmed::Paid => "captured",
        Confirmed::Canceled => "canceled",
        Confirmed::Failed => "failed",
        Confirmed::Pending => "created",
    };
    db::set_online_status(&app.db(), &payment.provider_id, stored)?;
    tracing::info!(order = order.id, payment = %payment.provider_id, result = confirmed.code(), "online payment confirmed");
    if confirmed == Confirmed::Paid {
        fulfil(state, order.id).await?;
    }
    Ok(confirmed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payment::tests::order;
    use egov_pay::provider::PaymentProvider;

    fn state(reference: &str, amount: u64, currency: Currency) -> PaymentState {
        // PaymentState is non-exhaustive: built through the simulator's answer shape.
        let mut s = reported();
        s.reference = Some(reference.into());
        s.amount = Some(Amount::from_minor_units(amount).unwrap());
        s.currency = Some(currency);
        s
    }

    fn reported() -> PaymentState {
        let sim = egov_pay::provider::SimulatedProvider::new("http://127.0.0.1:1");
        let request = PaymentRequest::new(
            Amount::from_minor_units(2000).unwrap(),
            Currency::Chf,
            "WB-2026-00007-1",
            ReturnUrls::new("http://a.example/r", "http://a.example/r", "http://a.example/r"),
        );
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async {
                let created = sim.create_payment(&request).await.unwrap();
                sim.status(&created.id).await.unwrap()
            })
    }

    #[test]
    fn only_the_expected_payment_matches() {
        let payment = OnlinePayment {
            provider_id: "sim00000001".into(),
            order_id: 7,
            reference: "WB-2026-00007-1".into(),
            status: "created".into(),
        };
        let fee = amount_of(&order(7)).unwrap();
        assert!(check_matches(&state("WB-2026-00007-1", 2000, Currency::Chf), &payment, fee).is_ok());
        assert!(check_matches(&state("WB-2026-00008-1", 2000, Currency::Chf), &payment, fee).is_err());
        assert!(check_matches(&state("WB-2026-00007-1", 1, Currency::Chf), &payment, fee).is_err());
        assert!(check_matches(&state("WB-2026-00007-1", 2000, Currency::Eur), &payment, fee).is_err());
    }

    #[test]
    fn codes_are_the_notice_keys() {
        for c in [
            Confirmed::Paid,
            Confirmed::Canceled,
            Confirmed::Failed,
            Confirmed::Pending,
        ] {
            assert!(crate::i18n::has(&format!("online_{}", c.code())), "{c:?}");
        }
        assert!(crate::i18n::has("online_error"));
    }
}
