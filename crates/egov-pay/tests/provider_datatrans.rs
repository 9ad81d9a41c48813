#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Datatrans adapter against an HTTP mock that replays the documented API (JSON API v1):
//! request bodies, status mapping, errors, timeouts and retries, webhook signatures.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use egov_core::Language;
use egov_pay::provider::{
    Datatrans, DatatransConfig, HeaderMap, HttpSettings, PaymentProvider, PaymentRequest, PaymentStatus,
    ProviderError, ReturnUrls, WebhookEvent, WebhookKey, WebhookRequest,
};
use egov_pay::{Amount, Currency};
use serde_json::{Value, json};
use wiremock::matchers::{basic_auth, body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MERCHANT: &str = "1100007006";
const PASSWORD: &str = "api-pass-7";
const KEY_HEX: &str = "5ec3e7a8f1d2";

fn settings() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(400),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
    }
}

fn adapter(server: &MockServer) -> Datatrans {
    let config = DatatransConfig::custom(
        &server.uri(),
        "https://pay.sandbox.datatrans.com",
        MERCHANT,
        PASSWORD,
    )
    .with_webhook_key(WebhookKey::from_hex(KEY_HEX).unwrap())
    .with_http(settings());
    Datatrans::new(config).unwrap()
}

fn request() -> PaymentRequest {
    PaymentRequest::new(
        Amount::from_minor_units(4_550).unwrap(),
        Currency::Chf,
        "GEB-2026-000123",
        ReturnUrls::new(
            "https://schalter.example.ch/ok",
            "https://schalter.example.ch/abbruch",
            "https://schalter.example.ch/fehler",
        ),
    )
    .with_description("Betreibungsregisterauszug")
    .with_language(Language::Fr)
    .with_webhook_url("https://schalter.example.ch/hook/datatrans")
}

fn transaction(status: &str) -> Value {
    json!({
        "transactionId": "260123154510123456",
        "merchantId": MERCHANT,
        "type": "payment",
        "status": status,
        "currency": "CHF",
        "refno": "GEB-2026-000123",
        "paymentMethod": "VIS",
        "detail": { "authorize": { "amount": 4550, "acquirerAuthorizationCode": "154510" } },
    })
}

async fn mount_status(server: &MockServer, body: Value) {
    Mock::given(method("GET"))
        .and(path("/v1/transactions/260123154510123456"))
        .and(basic_auth(MERCHANT, PASSWORD))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn bodies(server: &MockServer, url_path: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == url_path)
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn init_sends_the_documented_body_and_follows_location() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/transactions"))
        .and(basic_auth(MERCHANT, PASSWORD))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "transactionId": "260123154510123456" }))
                .insert_header(
                    "Location",
                    "https://pay.sandbox.datatrans.com/v1/start/260123154510123456",
                ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let created = adapter(&server).create_payment(&request()).await.unwrap();
    assert_eq!(created.id, "260123154510123456");
    assert_eq!(
        created.redirect_url,
        "https://pay.sandbox.datatrans.com/v1/start/260123154510123456"
    );
    let sent = bodies(&server, "/v1/transactions").await;
    assert_eq!(
        sent,
        vec![json!({
            "currency": "CHF",
            "amount": 4550,
            "refno": "GEB-2026-000123",
            "language": "fr",
            "autoSettle": false,
            "redirect": {
                "successUrl": "https://schalter.example.ch/ok",
                "cancelUrl": "https://schalter.example.ch/abbruch",
                "errorUrl": "https://schalter.example.ch/fehler",
            },
            "webhook": { "url": "https://schalter.example.ch/hook/datatrans" },
        })]
    );
}

#[tokio::test]
async fn init_without_location_builds_the_start_url_and_romansh_falls_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/transactions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "transactionId": "777" })))
        .mount(&server)
        .await;
    let r = request().with_language(Language::Rm);
    let created = adapter(&server).create_payment(&r).await.unwrap();
    assert_eq!(
        created.redirect_url,
        "https://pay.sandbox.datatrans.com/v1/start/777"
    );
    assert_eq!(bodies(&server, "/v1/transactions").await[0]["language"], "de");
}

#[tokio::test]
async fn invalid_request_is_refused_before_sending() {
    let server = MockServer::start().await;
    let mut r = request();
    r.reference = String::new();
    let err = adapter(&server).create_payment(&r).await.unwrap_err();
    assert!(matches!(
        err,
        ProviderError::InvalidRequest {
            field: "reference",
            ..
        }
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn every_documented_status_is_mapped() {
    let cases = [
        ("initialized", PaymentStatus::Initialized),
        ("challenge_required", PaymentStatus::Pending),
        ("challenge_ongoing", PaymentStatus::Pending),
        ("authenticated", PaymentStatus::Pending),
        ("authorized", PaymentStatus::Authorized),
        ("settled", PaymentStatus::Captured),
        ("transmitted", PaymentStatus::Captured),
        ("canceled", PaymentStatus::Canceled),
    ];
    for (status, expected) in cases {
        let server = MockServer::start().await;
        mount_status(&server, transaction(status)).await;
        let state = adapter(&server).status("260123154510123456").await.unwrap();
        assert_eq!(state.status, expected, "{status}");
        assert_eq!(state.amount, Some(Amount::from_minor_units(4_550).unwrap()));
        assert_eq!(state.currency, Some(Currency::Chf));
        assert_eq!(state.reference.as_deref(), Some("GEB-2026-000123"));
    }

    let server = MockServer::start().await;
    let mut failed = transaction("failed");
    failed["detail"] = json!({ "fail": { "reason": "DECLINED", "message": "declined by issuer" } });
    mount_status(&server, failed).await;
    let state = adapter(&server).status("260123154510123456").await.unwrap();
    assert_eq!(
        state.status,
        PaymentStatus::Failed {
            reason: "DECLINED: declined by issuer".into()
        }
    );

    let server = MockServer::start().await;
    let mut credit = transaction("settled");
    credit["type"] = json!("credit");
    credit["detail"] = json!({ "settle": { "amount": 1200 } });
    mount_status(&server, credit).await;
    let state = adapter(&server).status("260123154510123456").await.unwrap();
    assert_eq!(
        state.status,
        PaymentStatus::Refunded {
            amount: Amount::from_minor_units(1_200).unwrap()
        }
    );

    let server = MockServer::start().await;
    mount_status(&server, transaction("teleported")).await;
    let err = adapter(&server).status("260123154510123456").await.unwrap_err();
    assert!(matches!(err, ProviderError::UnexpectedResponse { .. }), "{err:?}");
}

#[tokio::test]
async fn capture_settles_with_amount_currency_and_refno() {
    let server = MockServer::start().await;
    mount_status(&server, transaction("authorized")).await;
    Mock::given(method("POST"))
        .and(path("/v1/transactions/260123154510123456/settle"))
        .and(basic_auth(MERCHANT, PASSWORD))
        .and(body_json(
            json!({ "amount": 4000, "currency": "CHF", "refno": "GEB-2026-000123" }),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    adapter(&server)
        .capture("260123154510123456", Amount::from_minor_units(4_000).unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn capture_of_a_settled_payment_is_refused_without_settle() {
    let server = MockServer::start().await;
    mount_status(&server, transaction("settled")).await;
    let err = adapter(&server)
        .capture("260123154510123456", Amount::from_minor_units(4_550).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ProviderError::InvalidState {
                operation: "capture",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        bodies(&server, "/v1/transactions/260123154510123456/settle")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn partial_refund_credits_the_amount() {
    let server = MockServer::start().await;
    mount_status(&server, transaction("transmitted")).await;
    Mock::given(method("POST"))
        .and(path("/v1/transactions/260123154510123456/credit"))
        .and(body_json(
            json!({ "amount": 1500, "currency": "CHF", "refno": "GEB-2026-000123" }),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "transactionId": "260124090000999999" })),
        )
        .expect(2)
        .mount(&server)
        .await;
    let provider = adapter(&server);
    let refund = provider
        .refund("260123154510123456", Amount::from_minor_units(1_500).unwrap())
        .await
        .unwrap();
    assert_eq!(refund.refund_id, "260124090000999999");
    assert_eq!(refund.amount.minor_units(), 1_500);
    // The credit transaction cannot be read yet (the mock answers 404): not reported as done.
    assert!(!refund.completed);

    let mut credit = transaction("settled");
    credit["transactionId"] = json!("260124090000999999");
    credit["type"] = json!("credit");
    credit["detail"] = json!({ "settle": { "amount": 1500 } });
    Mock::given(method("GET"))
        .and(path("/v1/transactions/260124090000999999"))
        .respond_with(ResponseTemplate::new(200).set_body_json(credit))
        .mount(&server)
        .await;
    let refund = provider
        .refund("260123154510123456", Amount::from_minor_units(1_500).unwrap())
        .await
        .unwrap();
    assert!(refund.completed);
}

#[tokio::test]
async fn cancel_posts_to_cancel() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/transactions/260123154510123456/cancel"))
        .and(basic_auth(MERCHANT, PASSWORD))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    adapter(&server).cancel("260123154510123456").await.unwrap();
}

#[tokio::test]
async fn ids_that_are_not_ids_never_reach_the_url() {
    let server = MockServer::start().await;
    let err = adapter(&server).status("../merchants").await.unwrap_err();
    assert!(matches!(
        err,
        ProviderError::InvalidRequest {
            field: "transaction_id",
            ..
        }
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn error_responses_are_typed() {
    // 401: wrong credentials.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({ "error": { "code": "UNAUTHORIZED", "message": "Invalid merchantId/password" } }),
        ))
        .mount(&server)
        .await;
    let err = adapter(&server).status("1").await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Unauthorized { status: 401 }),
        "{err:?}"
    );

    // 400 with the error JSON: not retryable, sent once.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "error": { "code": "INVALID_PROPERTY", "message": "init.amount must be greater than 0" } })))
        .expect(1)
        .mount(&server)
        .await;
    let err = adapter(&server).create_payment(&request()).await.unwrap_err();
    match err {
        ProviderError::Provider {
            code,
            message,
            retryable,
        } => {
            assert_eq!(code, "INVALID_PROPERTY");
            assert_eq!(message, "init.amount must be greater than 0");
            assert!(!retryable);
        }
        other => panic!("{other:?}"),
    }

    // 404: unknown transaction.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                json!({ "error": { "code": "TRANSACTION_NOT_FOUND", "message": "not found" } }),
            ),
        )
        .mount(&server)
        .await;
    let err = adapter(&server).status("424242").await.unwrap_err();
    assert!(
        matches!(err, ProviderError::NotFound { ref id } if id == "424242"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_5xx_is_retried_for_status_but_not_for_cancel() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_status(&server, transaction("authorized")).await;
    let state = adapter(&server).status("260123154510123456").await.unwrap();
    assert_eq!(state.status, PaymentStatus::Authorized);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({ "error": { "code": "UNKNOWN_ERROR", "message": "try later" } })),
        )
        .mount(&server)
        .await;
    let err = adapter(&server).cancel("260123154510123456").await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Provider { retryable: true, .. }),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_timeout_is_retried_for_status_only() {
    let slow = ResponseTemplate::new(200)
        .set_body_json(transaction("authorized"))
        .set_delay(Duration::from_secs(2));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(slow.clone())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_status(&server, transaction("authorized")).await;
    let state = adapter(&server).status("260123154510123456").await.unwrap();
    assert_eq!(state.status, PaymentStatus::Authorized);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // Init is not idempotent: one attempt, then a timeout error.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(slow)
        .mount(&server)
        .await;
    let err = adapter(&server).create_payment(&request()).await.unwrap_err();
    assert!(
        matches!(
            err,
            ProviderError::Timeout {
                operation: "create_payment",
                attempts: 1
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // Status keeps timing out: bounded by max_attempts.
    let server = MockServer::start().await;
    let slow_get = ResponseTemplate::new(200).set_delay(Duration::from_secs(2));
    Mock::given(method("GET"))
        .respond_with(slow_get)
        .mount(&server)
        .await;
    let err = adapter(&server).status("1").await.unwrap_err();
    assert!(
        matches!(
            err,
            ProviderError::Timeout {
                operation: "status",
                attempts: 3
            }
        ),
        "{err:?}"
    );
}

// ---- webhooks -------------------------------------------------------------------------------

/// The signature as the Datatrans documentation defines it, computed here independently:
/// HMAC-SHA256 with the hex-decoded key over the timestamp's digits followed by the body.
fn datatrans_signature(timestamp: u64, body: &[u8]) -> String {
    let key_bytes: Vec<u8> = (0..KEY_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&KEY_HEX[i..i + 2], 16).unwrap())
        .collect();
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key_bytes);
    let mut message = timestamp.to_string().into_bytes();
    message.extend_from_slice(body);
    let tag = aws_lc_rs::hmac::sign(&key, &message);
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},s0={hex}")
}

fn now_ms() -> u64 {
    u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

fn headers(signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("Datatrans-Signature", signature.parse().unwrap());
    h.insert("Content-Type", "application/json".parse().unwrap());
    h
}

#[tokio::test]
async fn webhook_with_a_good_signature_is_verified() {
    let server = MockServer::start().await;
    let body = serde_json::to_vec(&transaction("authorized")).unwrap();
    let h = headers(&datatrans_signature(now_ms(), &body));
    let event = adapter(&server)
        .verify_webhook(&WebhookRequest::new(&h, &body))
        .unwrap();
    assert_eq!(
        event,
        WebhookEvent::Verified {
            transaction_id: "260123154510123456".into(),
            reference: Some("GEB-2026-000123".into()),
            status: PaymentStatus::Authorized,
        }
    );
}

#[tokio::test]
async fn webhook_with_a_bad_signature_is_refused() {
    let server = MockServer::start().await;
    let body = serde_json::to_vec(&transaction("authorized")).unwrap();
    let h = headers(&datatrans_signature(now_ms(), &body));
    let tampered = serde_json::to_vec(&transaction("settled")).unwrap();
    let err = adapter(&server)
        .verify_webhook(&WebhookRequest::new(&h, &tampered))
        .unwrap_err();
    assert!(matches!(err, ProviderError::BadSignature), "{err:?}");
}

#[tokio::test]
async fn webhook_with_a_stale_timestamp_is_refused() {
    let server = MockServer::start().await;
    let body = serde_json::to_vec(&transaction("authorized")).unwrap();
    let an_hour_ago = now_ms() - 3_600_000;
    let h = headers(&datatrans_signature(an_hour_ago, &body));
    let err = adapter(&server)
        .verify_webhook(&WebhookRequest::new(&h, &body))
        .unwrap_err();
    assert!(
        matches!(
            err,
            ProviderError::StaleWebhook {
                tolerance_seconds: 300,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn webhook_with_a_malformed_header_is_refused() {
    let server = MockServer::start().await;
    let body = serde_json::to_vec(&transaction("authorized")).unwrap();
    let provider = adapter(&server);
    for header in [
        "s0=abcd",
        "t=1700000000000",
        "t=now,s0=00",
        "t=1700000000000;s0=00",
    ] {
        let h = headers(header);
        let err = provider
            .verify_webhook(&WebhookRequest::new(&h, &body))
            .unwrap_err();
        assert!(
            matches!(err, ProviderError::MalformedWebhook { .. }),
            "{header}: {err:?}"
        );
    }
    let none = HeaderMap::new();
    let err = provider
        .verify_webhook(&WebhookRequest::new(&none, &body))
        .unwrap_err();
    assert!(matches!(err, ProviderError::MalformedWebhook { .. }));
    // A signed body that is not a transaction.
    let h = headers(&datatrans_signature(now_ms(), b"[]"));
    let err = provider
        .verify_webhook(&WebhookRequest::new(&h, b"[]"))
        .unwrap_err();
    assert!(matches!(err, ProviderError::MalformedWebhook { .. }));
}

#[tokio::test]
async fn webhooks_are_refused_without_a_key() {
    let server = MockServer::start().await;
    let config = DatatransConfig::custom(&server.uri(), "https://pay.example", MERCHANT, PASSWORD);
    let provider = Datatrans::new(config).unwrap();
    let body = serde_json::to_vec(&transaction("authorized")).unwrap();
    let h = headers(&datatrans_signature(now_ms(), &body));
    assert!(matches!(
        provider.verify_webhook(&WebhookRequest::new(&h, &body)),
        Err(ProviderError::MalformedWebhook { .. })
    ));
}

#[test]
fn debug_output_hides_the_secrets() {
    let config =
        DatatransConfig::sandbox(MERCHANT, PASSWORD).with_webhook_key(WebhookKey::from_hex(KEY_HEX).unwrap());
    let text = format!("{config:?}");
    assert!(!text.contains(PASSWORD));
    assert!(!text.contains(KEY_HEX));
    assert!(text.contains(MERCHANT));
}
