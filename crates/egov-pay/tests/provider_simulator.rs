#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The simulated provider: its payment page (axum router driven with `oneshot`), the signed
//! webhook it delivers (received by an HTTP mock standing in for the application), and the
//! capture / refund / cancel state machine.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use egov_core::Language;
use egov_pay::provider::{
    Outcome, PaymentProvider, PaymentRequest, PaymentStatus, ProviderError, ReturnUrls, SimulatedProvider,
    WebhookEvent, WebhookKey, WebhookRequest,
};
use egov_pay::{Amount, Currency};
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn request(language: Language) -> PaymentRequest {
    PaymentRequest::new(
        Amount::from_minor_units(4_500).unwrap(),
        Currency::Chf,
        "ORDER-42",
        ReturnUrls::new(
            "https://app.example/ok",
            "https://app.example/cancel",
            "https://app.example/error",
        ),
    )
    .with_description("Heimatschein <Kopie> & Porto")
    .with_language(language)
}

async fn get_page(sim: &SimulatedProvider, id: &str) -> (StatusCode, String) {
    let response = sim
        .router()
        .oneshot(Request::get(format!("/pay/{id}")).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn post_outcome(sim: &SimulatedProvider, id: &str, outcome: &str) -> (StatusCode, Option<String>) {
    let response = sim
        .router()
        .oneshot(
            Request::post(format!("/pay/{id}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("outcome={outcome}")))
                .unwrap(),
        )
        .await
        .unwrap();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status(), location)
}

#[tokio::test]
async fn the_page_speaks_the_requests_language_and_escapes_text() {
    let sim = SimulatedProvider::new("http://127.0.0.1:9");
    for (language, pay, cancel) in [
        (Language::De, "Bezahlen", "Abbrechen"),
        (Language::Fr, "Payer", "Annuler"),
        (Language::It, "Pagare", "Annullare"),
        (Language::Rm, "Pajar", "Interrumper"),
        (Language::En, "Pay", "Cancel"),
    ] {
        let created = sim.create_payment(&request(language)).await.unwrap();
        assert_eq!(
            created.redirect_url,
            format!("http://127.0.0.1:9/pay/{}", created.id)
        );
        let (status, html) = get_page(&sim, &created.id).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("lang=\"{}\"", language.code())), "{html}");
        assert!(html.contains(&format!(">{pay}</button>")), "{html}");
        assert!(html.contains(&format!(">{cancel}</button>")), "{html}");
        assert!(html.contains("value=\"fail\""));
        assert!(html.contains("CHF 45.00"));
        assert!(html.contains("Heimatschein &lt;Kopie&gt; &amp; Porto"));
        assert!(!html.contains("<script"));
    }
    let (status, _) = get_page(&sim, "sim-unknown").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn paying_redirects_to_success_and_delivers_a_signed_webhook() {
    let app = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app)
        .await;
    let key = WebhookKey::from_hex("00112233445566778899aabbccddeeff").unwrap();
    let sim = SimulatedProvider::new("http://127.0.0.1:9").with_webhook_key(key);
    let r = request(Language::De).with_webhook_url(&format!("{}/hook", app.uri()));
    let created = sim.create_payment(&r).await.unwrap();

    let (status, location) = post_outcome(&sim, &created.id, "pay").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("https://app.example/ok"));
    assert_eq!(
        sim.status(&created.id).await.unwrap().status,
        PaymentStatus::Authorized
    );

    // The application verifies what it received.
    let received = app.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let headers: egov_pay::provider::HeaderMap = received[0].headers.clone();
    let event = sim
        .verify_webhook(&WebhookRequest::new(&headers, &received[0].body))
        .unwrap();
    assert_eq!(
        event,
        WebhookEvent::Verified {
            transaction_id: created.id.clone(),
            reference: Some("ORDER-42".into()),
            status: PaymentStatus::Authorized,
        }
    );
    // Another simulator (another key) does not accept it.
    let other = SimulatedProvider::new("http://127.0.0.1:9");
    assert!(matches!(
        other.verify_webhook(&WebhookRequest::new(&headers, &received[0].body)),
        Err(ProviderError::BadSignature)
    ));

    // The page cannot be completed twice.
    let (status, _) = post_outcome(&sim, &created.id, "cancel").await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, html) = get_page(&sim, &created.id).await;
    assert!(html.contains("bereits abgeschlossen"));
    assert!(!html.contains("<button"));
}

#[tokio::test]
async fn cancel_and_fail_redirect_to_their_urls() {
    let sim = SimulatedProvider::new("http://127.0.0.1:9");
    let a = sim.create_payment(&request(Language::Fr)).await.unwrap();
    let (status, location) = post_outcome(&sim, &a.id, "cancel").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("https://app.example/cancel"))
    );
    assert_eq!(sim.status(&a.id).await.unwrap().status, PaymentStatus::Canceled);

    let b = sim.create_payment(&request(Language::Fr)).await.unwrap();
    let (status, location) = post_outcome(&sim, &b.id, "fail").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("https://app.example/error"))
    );
    assert!(matches!(
        sim.status(&b.id).await.unwrap().status,
        PaymentStatus::Failed { .. }
    ));

    let c = sim.create_payment(&request(Language::Fr)).await.unwrap();
    let (status, _) = post_outcome(&sim, &c.id, "steal").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        sim.status(&c.id).await.unwrap().status,
        PaymentStatus::Initialized
    );
    let (status, _) = post_outcome(&sim, "sim-unknown", "pay").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_webhook_that_cannot_be_delivered_does_not_block_the_redirect() {
    let sim = SimulatedProvider::new("http://127.0.0.1:9");
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    let r = request(Language::En).with_webhook_url("http://127.0.0.1:9/hook");
    let created = sim.create_payment(&r).await.unwrap();
    let (status, location) = post_outcome(&sim, &created.id, "pay").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("https://app.example/ok"))
    );
    assert_eq!(
        sim.status(&created.id).await.unwrap().status,
        PaymentStatus::Authorized
    );
}

#[tokio::test]
async fn capture_refund_and_cancel_follow_the_payment_state() {
    let sim = SimulatedProvider::new("http://127.0.0.1:9").with_auto_outcome(Outcome::Pay);
    let created = sim.create_payment(&request(Language::De)).await.unwrap();
    let chf = |minor| Amount::from_minor_units(minor).unwrap();

    // Refund before capture, capture of more than authorised: refused.
    assert!(matches!(
        sim.refund(&created.id, chf(100)).await,
        Err(ProviderError::InvalidState { .. })
    ));
    assert!(matches!(
        sim.capture(&created.id, chf(4_501)).await,
        Err(ProviderError::InvalidRequest { .. })
    ));

    sim.capture(&created.id, chf(4_000)).await.unwrap();
    let state = sim.status(&created.id).await.unwrap();
    assert_eq!(
        (state.status, state.amount),
        (PaymentStatus::Captured, Some(chf(4_000)))
    );
    assert!(matches!(
        sim.cancel(&created.id).await,
        Err(ProviderError::InvalidState { .. })
    ));

    let first = sim.refund(&created.id, chf(1_000)).await.unwrap();
    assert_eq!(
        sim.status(&created.id).await.unwrap().status,
        PaymentStatus::Refunded { amount: chf(1_000) }
    );
    let second = sim.refund(&created.id, chf(3_000)).await.unwrap();
    assert_ne!(first.refund_id, second.refund_id);
    assert_eq!(
        sim.status(&created.id).await.unwrap().status,
        PaymentStatus::Refunded { amount: chf(4_000) }
    );
    // Nothing left to refund.
    assert!(matches!(
        sim.refund(&created.id, chf(1)).await,
        Err(ProviderError::InvalidState { .. })
    ));

    // An authorised payment can be canceled.
    let other = sim.create_payment(&request(Language::De)).await.unwrap();
    sim.cancel(&other.id).await.unwrap();
    assert_eq!(
        sim.status(&other.id).await.unwrap().status,
        PaymentStatus::Canceled
    );
    assert!(matches!(
        sim.status("nope").await,
        Err(ProviderError::NotFound { .. })
    ));
}

#[tokio::test]
async fn auto_outcomes_and_completion_without_the_page() {
    for (outcome, expected) in [
        (Outcome::Cancel, PaymentStatus::Canceled),
        (Outcome::Pay, PaymentStatus::Authorized),
    ] {
        let sim = SimulatedProvider::new("http://localhost").with_auto_outcome(outcome);
        let created = sim.create_payment(&request(Language::It)).await.unwrap();
        assert_eq!(sim.status(&created.id).await.unwrap().status, expected);
    }
    let sim = SimulatedProvider::new("http://localhost");
    let created = sim
        .create_payment(&request(Language::It).with_webhook_url("https://app.example/hook"))
        .await
        .unwrap();
    let done = sim.complete(&created.id, Outcome::Fail).unwrap();
    assert_eq!(done.redirect_to, "https://app.example/error");
    let webhook = done.webhook.unwrap();
    assert_eq!(webhook.url, "https://app.example/hook");
    let mut headers = egov_pay::provider::HeaderMap::new();
    headers.insert("Datatrans-Signature", webhook.signature.parse().unwrap());
    match sim
        .verify_webhook(&WebhookRequest::new(&headers, &webhook.body))
        .unwrap()
    {
        WebhookEvent::Verified {
            status: PaymentStatus::Failed { .. },
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        sim.complete(&created.id, Outcome::Pay),
        Err(ProviderError::InvalidState { .. })
    ));
}
