#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Worldline Saferpay adapter against an HTTP mock that replays the documented JSON API:
//! request headers and bodies, status mapping, errors, retries with `RetryIndicator`, and the
//! unsigned notification.

use std::time::Duration;

use egov_core::Language;
use egov_pay::provider::{
    HeaderMap, HttpSettings, PaymentProvider, PaymentRequest, PaymentStatus, ProviderError, ReturnUrls,
    Saferpay, SaferpayConfig, WebhookEvent, WebhookRequest,
};
use egov_pay::{Amount, Currency};
use serde_json::{Value, json};
use wiremock::matchers::{basic_auth, body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CUSTOMER: &str = "245294";
const TERMINAL: &str = "17795278";
const USER: &str = "API_245294_08700063";
const PASSWORD: &str = "JsonApiPwd1_";
const TX: &str = "723n4MAjMdhjSAhAKEUdA8jtl9jb";

fn adapter(server: &MockServer) -> Saferpay {
    let config =
        SaferpayConfig::custom(&server.uri(), CUSTOMER, TERMINAL, USER, PASSWORD).with_http(HttpSettings {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_millis(400),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(40),
        });
    Saferpay::new(config).unwrap()
}

fn request() -> PaymentRequest {
    PaymentRequest::new(
        Amount::from_minor_units(12_000).unwrap(),
        Currency::Eur,
        "BAU-2026-0815",
        ReturnUrls::new(
            "https://bau.example.ch/zurueck",
            "https://bau.example.ch/abbruch",
            "https://bau.example.ch/fehler",
        ),
    )
    .with_description("Baugesuch Gebühr")
    .with_language(Language::It)
    .with_webhook_url("https://bau.example.ch/notify?src=saferpay")
}

fn response_header() -> Value {
    json!({ "SpecVersion": "1.44", "RequestId": "abc" })
}

fn transaction(kind: &str, status: &str, id: &str, minor: &str) -> Value {
    json!({
        "ResponseHeader": response_header(),
        "Transaction": {
            "Type": kind,
            "Status": status,
            "Id": id,
            "Date": "2026-01-23T15:45:10.000+01:00",
            "Amount": { "Value": minor, "CurrencyCode": "EUR" },
            "OrderId": "BAU-2026-0815",
            "AcquirerName": "VISA Saferpay Test",
            "SixTransactionReference": "0:0:3:723n4MAjMdhjSAhAKEUdA8jtl9jb",
        },
        "PaymentMeans": { "Brand": { "PaymentMethod": "VISA", "Name": "VISA" }, "DisplayText": "xxxx xxxx xxxx 1234" },
    })
}

async fn received(server: &MockServer, url_path: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == url_path)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

fn check_header(body: &Value, retry: u64) -> String {
    let header = &body["RequestHeader"];
    assert_eq!(header["SpecVersion"], "1.44");
    assert_eq!(header["CustomerId"], CUSTOMER);
    assert_eq!(header["RetryIndicator"], retry);
    let id = header["RequestId"].as_str().unwrap().to_owned();
    assert!(!id.is_empty() && id.len() <= 50, "{id}");
    id
}

#[tokio::test]
async fn initialize_sends_the_documented_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Payment/v1/PaymentPage/Initialize"))
        .and(basic_auth(USER, PASSWORD))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ResponseHeader": response_header(),
            "Token": "234uhfh78234hlasdfh8234e",
            "Expiration": "2026-01-23T16:15:10.000+01:00",
            "RedirectUrl": "https://test.saferpay.com/vt2/api/PaymentPage/245294/17795278/234uhfh78234hlasdfh8234e",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = adapter(&server).create_payment(&request()).await.unwrap();
    assert_eq!(created.id, "234uhfh78234hlasdfh8234e");
    assert!(
        created
            .redirect_url
            .ends_with("/PaymentPage/245294/17795278/234uhfh78234hlasdfh8234e")
    );

    let sent = received(&server, "/Payment/v1/PaymentPage/Initialize").await;
    assert_eq!(sent.len(), 1);
    let body = &sent[0];
    check_header(body, 0);
    assert_eq!(body["TerminalId"], TERMINAL);
    assert_eq!(
        body["Payment"]["Amount"],
        json!({ "Value": "12000", "CurrencyCode": "EUR" })
    );
    assert_eq!(body["Payment"]["OrderId"], "BAU-2026-0815");
    assert_eq!(body["Payment"]["Description"], "Baugesuch Gebühr");
    assert_eq!(body["Payer"]["LanguageCode"], "it");
    assert_eq!(body["ReturnUrl"]["Url"], "https://bau.example.ch/zurueck");
    let notify = "https://bau.example.ch/notify?src=saferpay&reference=BAU-2026-0815";
    assert_eq!(
        body["Notification"],
        json!({ "SuccessNotifyUrl": notify, "FailNotifyUrl": notify })
    );
}

#[tokio::test]
async fn assert_statuses_are_mapped() {
    for (status, expected) in [
        ("AUTHORIZED", PaymentStatus::Authorized),
        ("CAPTURED", PaymentStatus::Captured),
        ("PENDING", PaymentStatus::Pending),
        ("CANCELED", PaymentStatus::Canceled),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/Payment/v1/PaymentPage/Assert"))
            .and(body_partial_json(json!({ "Token": "tok-1" })))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(transaction("PAYMENT", status, TX, "12000")),
            )
            .mount(&server)
            .await;
        let state = adapter(&server).status("tok-1").await.unwrap();
        assert_eq!(state.status, expected, "{status}");
        assert_eq!(state.transaction_id, TX);
        assert_eq!(state.amount, Some(Amount::from_minor_units(12_000).unwrap()));
        assert_eq!(state.currency, Some(Currency::Eur));
        assert_eq!(state.reference.as_deref(), Some("BAU-2026-0815"));
    }
}

#[tokio::test]
async fn assert_errors_that_describe_the_payment_become_statuses() {
    for (name, expected) in [
        (
            "TRANSACTION_DECLINED",
            PaymentStatus::Failed {
                reason: "TRANSACTION_DECLINED: Transaction declined by acquirer".into(),
            },
        ),
        ("TRANSACTION_ABORTED", PaymentStatus::Canceled),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/Payment/v1/PaymentPage/Assert"))
            .respond_with(ResponseTemplate::new(402).set_body_json(json!({
                "ResponseHeader": response_header(),
                "Behavior": "ABORT",
                "ErrorName": name,
                "ErrorMessage": "Transaction declined by acquirer",
                "TransactionId": TX,
            })))
            .mount(&server)
            .await;
        let state = adapter(&server).status("tok-2").await.unwrap();
        assert_eq!(state.status, expected, "{name}");
    }
}

#[tokio::test]
async fn inquire_of_a_captured_refund_is_refunded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Inquire"))
        .and(body_partial_json(
            json!({ "TransactionReference": { "TransactionId": "REFUND1" } }),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(transaction("REFUND", "CAPTURED", "REFUND1", "3000")),
        )
        .mount(&server)
        .await;
    let state = adapter(&server).inquire("REFUND1").await.unwrap();
    assert_eq!(
        state.status,
        PaymentStatus::Refunded {
            amount: Amount::from_minor_units(3_000).unwrap()
        }
    );
}

async fn mount_inquire(server: &MockServer, status: &str) {
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Inquire"))
        .and(body_partial_json(
            json!({ "TransactionReference": { "TransactionId": TX } }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(transaction("PAYMENT", status, TX, "12000")))
        .mount(server)
        .await;
}

fn capture_reply(status: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "ResponseHeader": response_header(),
        "CaptureId": "723n4MAjMdhjSAhAKEUdA8jtl9jb_c",
        "Status": status,
        "Date": "2026-01-23T15:50:00.000+01:00",
    }))
}

#[tokio::test]
async fn full_and_partial_capture() {
    let server = MockServer::start().await;
    mount_inquire(&server, "AUTHORIZED").await;
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Capture"))
        .respond_with(capture_reply("CAPTURED"))
        .expect(2)
        .mount(&server)
        .await;
    let provider = adapter(&server);
    provider
        .capture(TX, Amount::from_minor_units(12_000).unwrap())
        .await
        .unwrap();
    provider
        .capture(TX, Amount::from_minor_units(10_000).unwrap())
        .await
        .unwrap();
    let sent = received(&server, "/Payment/v1/Transaction/Capture").await;
    // Full capture: no amount (Saferpay captures what was authorised).
    assert_eq!(sent[0]["TransactionReference"], json!({ "TransactionId": TX }));
    assert!(sent[0].get("Amount").is_none());
    // Partial capture: the amount in minor units as a string.
    assert_eq!(
        sent[1]["Amount"],
        json!({ "Value": "10000", "CurrencyCode": "EUR" })
    );
    check_header(&sent[1], 0);

    let err = provider
        .capture(TX, Amount::from_minor_units(12_001).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::InvalidRequest { field: "amount", .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn capture_of_a_captured_payment_is_refused() {
    let server = MockServer::start().await;
    mount_inquire(&server, "CAPTURED").await;
    let err = adapter(&server)
        .capture(TX, Amount::from_minor_units(12_000).unwrap())
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
        received(&server, "/Payment/v1/Transaction/Capture")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn partial_refund_is_authorised_then_captured() {
    let server = MockServer::start().await;
    mount_inquire(&server, "CAPTURED").await;
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Refund"))
        .respond_with(ResponseTemplate::new(200).set_body_json(transaction(
            "REFUND",
            "AUTHORIZED",
            "REFUND1",
            "3000",
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Capture"))
        .and(body_partial_json(
            json!({ "TransactionReference": { "TransactionId": "REFUND1" } }),
        ))
        .respond_with(capture_reply("CAPTURED"))
        .expect(1)
        .mount(&server)
        .await;
    let refund = adapter(&server)
        .refund(TX, Amount::from_minor_units(3_000).unwrap())
        .await
        .unwrap();
    assert_eq!(refund.refund_id, "REFUND1");
    assert_eq!(refund.amount.minor_units(), 3_000);
    assert!(refund.completed);
    let sent = received(&server, "/Payment/v1/Transaction/Refund").await;
    assert_eq!(
        sent[0]["Refund"],
        json!({ "Amount": { "Value": "3000", "CurrencyCode": "EUR" } })
    );
    assert_eq!(sent[0]["CaptureReference"], json!({ "TransactionId": TX }));
}

#[tokio::test]
async fn cancel_references_the_transaction() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Cancel"))
        .and(body_partial_json(
            json!({ "TransactionReference": { "TransactionId": TX } }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ResponseHeader": response_header(),
            "TransactionId": TX,
            "OrderId": "BAU-2026-0815",
            "Date": "2026-01-23T15:55:00.000+01:00",
        })))
        .expect(1)
        .mount(&server)
        .await;
    adapter(&server).cancel(TX).await.unwrap();
}

#[tokio::test]
async fn errors_are_typed_with_behavior() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let err = adapter(&server).cancel(TX).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Unauthorized { status: 401 }),
        "{err:?}"
    );

    for (behavior, retryable) in [
        ("ABORT", false),
        ("RETRY_LATER", true),
        ("RETRY", true),
        ("OTHER_MEANS", false),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({
                "ResponseHeader": response_header(),
                "Behavior": behavior,
                "ErrorName": "VALIDATION_FAILED",
                "ErrorMessage": "Request validation failed",
                "ErrorDetail": ["Payment.Amount.Value: The field Value is invalid."],
            })))
            .expect(1)
            .mount(&server)
            .await;
        let err = adapter(&server).create_payment(&request()).await.unwrap_err();
        match err {
            ProviderError::Provider {
                code,
                message,
                retryable: r,
            } => {
                assert_eq!(code, "VALIDATION_FAILED");
                assert!(message.contains("Payment.Amount.Value"), "{message}");
                assert_eq!(r, retryable, "{behavior}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_timeout_is_retried_with_the_same_request_id() {
    let server = MockServer::start().await;
    let ok = ResponseTemplate::new(200)
        .set_body_json(json!({ "ResponseHeader": response_header(), "TransactionId": TX }));
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Cancel"))
        .respond_with(ok.clone().set_delay(Duration::from_secs(2)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/Payment/v1/Transaction/Cancel"))
        .respond_with(ok)
        .mount(&server)
        .await;
    adapter(&server).cancel(TX).await.unwrap();
    let sent = received(&server, "/Payment/v1/Transaction/Cancel").await;
    assert_eq!(sent.len(), 2);
    let first = check_header(&sent[0], 0);
    let second = check_header(&sent[1], 1);
    assert_eq!(first, second);
}

#[tokio::test]
async fn a_5xx_is_retried_and_a_new_call_gets_a_new_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "ResponseHeader": response_header(),
            "Behavior": "RETRY",
            "ErrorName": "INTERNAL_ERROR",
            "ErrorMessage": "Internal error",
        })))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ResponseHeader": response_header(), "TransactionId": TX })),
        )
        .mount(&server)
        .await;
    let provider = adapter(&server);
    provider.cancel(TX).await.unwrap();
    provider.cancel(TX).await.unwrap();
    let sent = received(&server, "/Payment/v1/Transaction/Cancel").await;
    assert_eq!(sent.len(), 4);
    let ids: Vec<String> = sent
        .iter()
        .enumerate()
        .map(|(i, b)| check_header(b, [0, 1, 2, 0][i]))
        .collect();
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[1], ids[2]);
    assert_ne!(ids[2], ids[3]);

    // Failing every time: bounded, the last error reported.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = adapter(&server).cancel(TX).await.unwrap_err();
    assert!(
        matches!(
            err,
            ProviderError::Http {
                status: Some(503),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn notification_only_names_the_payment() {
    let server = MockServer::start().await;
    let provider = adapter(&server);
    let headers = HeaderMap::new();
    let event = provider
        .verify_webhook(
            &WebhookRequest::new(&headers, b"").with_query("src=saferpay&reference=BAU-2026-0815"),
        )
        .unwrap();
    assert_eq!(
        event,
        WebhookEvent::ConfirmRequired {
            reference: "BAU-2026-0815".into()
        }
    );
    for query in [None, Some("src=saferpay"), Some("reference=")] {
        let mut request = WebhookRequest::new(&headers, b"");
        if let Some(q) = query {
            request = request.with_query(q);
        }
        let err = provider.verify_webhook(&request).unwrap_err();
        assert!(
            matches!(err, ProviderError::MalformedWebhook { .. }),
            "{query:?}: {err:?}"
        );
    }
}
