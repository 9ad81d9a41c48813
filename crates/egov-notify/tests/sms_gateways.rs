//! The HTTP SMS gateways against a local mock server replaying the documented exchanges.
#![cfg(feature = "sms-http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egov_notify::MessageId;
use egov_notify::channel::{
    AspsmsConfig, AspsmsGateway, Delivery, EcallConfig, EcallGateway, GatewayError, ReportStatus, SmsGateway,
};
use egov_notify::outbox::suite::sample_message;
use serde_json::json;
use wiremock::matchers::{basic_auth, body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn aspsms(server: &MockServer) -> AspsmsGateway {
    AspsmsGateway::new(
        AspsmsConfig::new("USERKEY", "pa55", "Gemeinde")
            .unwrap()
            .base_url(&server.uri())
            .timeout(Duration::from_millis(500)),
    )
    .unwrap()
}

fn ecall(server: &MockServer) -> EcallGateway {
    EcallGateway::new(
        EcallConfig::new("api-user", "pa55", "Gemeinde")
            .unwrap()
            .base_url(&server.uri())
            .timeout(Duration::from_millis(500))
            .page_limit(3),
    )
    .unwrap()
}

#[tokio::test]
async fn aspsms_sends_the_documented_request_and_reads_ok() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/SendSimpleTextSMS"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "UserName": "USERKEY",
            "Password": "pa55",
            "Originator": "Gemeinde",
            "Recipients": ["+41791234567"],
            "MessageText": "Nachricht Nummer 1.",
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"StatusCode": "1", "StatusInfo": "OK"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let outcome = aspsms(&server)
        .send_sms(&MessageId::random(), &sample_message(1).unwrap())
        .await;
    assert_eq!(
        outcome,
        Delivery::Delivered {
            provider_reference: Some("ASPSMS OK".to_owned())
        }
    );
}

#[tokio::test]
async fn aspsms_asks_for_notifications_carrying_the_outbox_id() {
    let server = MockServer::start().await;
    let id = MessageId::random();
    let base = "https://app.example.ch/sms/aspsms?tenant=thun";
    Mock::given(method("POST"))
        .and(path("/SendSimpleTextSMS"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"StatusCode": "1", "StatusInfo": "OK"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let gateway = AspsmsGateway::new(
        AspsmsConfig::new("USERKEY", "pa55", "Gemeinde")
            .unwrap()
            .base_url(&server.uri())
            .delivery_notifications(base),
    )
    .unwrap();
    let outcome = gateway.send_sms(&id, &sample_message(2).unwrap()).await;
    assert!(matches!(outcome, Delivery::Delivered { .. }), "{outcome:?}");

    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    let delivered = body["URLDeliveryNotification"].as_str().unwrap();
    let failed = body["URLNonDeliveryNotification"].as_str().unwrap();
    let buffered = body["URLBufferedMessageNotification"].as_str().unwrap();
    // What ASPSMS calls back is the URL we gave it (plus its own parameters).
    for (url, status) in [
        (delivered, ReportStatus::Delivered),
        (failed, ReportStatus::NotDelivered),
        (buffered, ReportStatus::Buffered),
    ] {
        let (prefix, query) = url.split_once('?').unwrap();
        assert_eq!(prefix, "https://app.example.ch/sms/aspsms");
        let report = AspsmsGateway::parse_notification(&format!("{query}&TransRefNumber=4711")).unwrap();
        assert_eq!(report.status, status);
        assert_eq!(report.message_id.as_ref(), Some(&id));
        assert_eq!(report.provider_reference.as_deref(), Some("4711"));
    }
}

#[tokio::test]
async fn aspsms_auth_failure_and_error_codes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/SendSimpleTextSMS"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"StatusCode": "3", "StatusInfo": "Authorization failed."})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/SendSimpleTextSMS"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"StatusCode": "32", "StatusInfo": "Invalid recipient"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/SendSimpleTextSMS"))
        .respond_with(ResponseTemplate::new(503).set_body_string("maintenance"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/SendSimpleTextSMS"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy</html>"))
        .mount(&server)
        .await;
    let gateway = aspsms(&server);
    let message = sample_message(3).unwrap();
    let id = MessageId::random();

    let auth = gateway.send_sms(&id, &message).await;
    assert!(matches!(auth, Delivery::TechnicalFailure { .. }), "{auth:?}");
    assert!(auth.reason().unwrap().contains("credentials"));
    assert!(!auth.reason().unwrap().contains("pa55"));

    let refused = gateway.send_sms(&id, &message).await;
    assert_eq!(
        refused,
        Delivery::PermanentFailure {
            reason: "ASPSMS status 32 Invalid recipient".to_owned()
        }
    );

    let down = gateway.send_sms(&id, &message).await;
    assert_eq!(
        down,
        Delivery::TemporaryFailure {
            reason: "ASPSMS: HTTP 503 maintenance".to_owned()
        }
    );

    let garbage = gateway.send_sms(&id, &message).await;
    assert!(
        matches!(garbage, Delivery::TechnicalFailure { .. }),
        "{garbage:?}"
    );
    assert!(garbage.reason().unwrap().contains("unreadable"));
}

#[tokio::test]
async fn a_gateway_that_does_not_answer_in_time_is_a_technical_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let message = sample_message(4).unwrap();
    for outcome in [
        aspsms(&server).send_sms(&MessageId::random(), &message).await,
        ecall(&server).send_sms(&MessageId::random(), &message).await,
    ] {
        assert!(
            matches!(outcome, Delivery::TechnicalFailure { .. }),
            "{outcome:?}"
        );
        assert!(
            outcome.reason().unwrap().contains("no answer in time"),
            "{outcome:?}"
        );
    }
}

#[tokio::test]
async fn ecall_sends_with_basic_auth_and_reads_the_message_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/message"))
        .and(basic_auth("api-user", "pa55"))
        .and(body_json(json!({
            "channel": "Sms",
            "from": "Gemeinde",
            "to": "+41791234567",
            "content": {"type": "Text", "text": "Nachricht Nummer 5.", "options": {"pageLimit": 3}},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messageId": "b3f1c2"})))
        .expect(1)
        .mount(&server)
        .await;
    let outcome = ecall(&server)
        .send_sms(&MessageId::random(), &sample_message(5).unwrap())
        .await;
    assert_eq!(
        outcome,
        Delivery::Delivered {
            provider_reference: Some("eCall b3f1c2".to_owned())
        }
    );
}

#[tokio::test]
async fn ecall_failures_are_classified() {
    let server = MockServer::start().await;
    for (status, body) in [
        (401, "Unauthorized"),
        (400, "{\"error\":\"invalid to\"}"),
        (429, "slow down"),
        (500, "oops"),
    ] {
        Mock::given(method("POST"))
            .and(path("/api/v2/message"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    let gateway = ecall(&server);
    let message = sample_message(6).unwrap();
    let id = MessageId::random();
    let auth = gateway.send_sms(&id, &message).await;
    assert!(matches!(auth, Delivery::TechnicalFailure { .. }), "{auth:?}");
    assert!(auth.reason().unwrap().starts_with("eCall: HTTP 401"));
    let invalid = gateway.send_sms(&id, &message).await;
    assert_eq!(
        invalid,
        Delivery::PermanentFailure {
            reason: "eCall: HTTP 400 {\"error\":\"invalid to\"}".to_owned()
        }
    );
    assert!(matches!(
        gateway.send_sms(&id, &message).await,
        Delivery::TemporaryFailure { .. }
    ));
    assert!(matches!(
        gateway.send_sms(&id, &message).await,
        Delivery::TemporaryFailure { .. }
    ));
}

#[tokio::test]
async fn an_unreachable_gateway_is_a_technical_failure() {
    // A port nobody listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gateway = AspsmsGateway::new(
        AspsmsConfig::new("USERKEY", "pa55", "Gemeinde")
            .unwrap()
            .base_url(&format!("http://127.0.0.1:{port}")),
    )
    .unwrap();
    let outcome = gateway
        .send_sms(&MessageId::random(), &sample_message(7).unwrap())
        .await;
    assert!(
        matches!(outcome, Delivery::TechnicalFailure { .. }),
        "{outcome:?}"
    );
}

#[test]
fn bad_notifications_name_the_parameter() {
    let id = "0123456789abcdef0123456789abcdef";
    let field = |q: &str| match AspsmsGateway::parse_notification(q) {
        Err(GatewayError::Notification { field, .. }) => field,
        other => panic!("{q}: {other:?}"),
    };
    assert_eq!(field("egov_status=delivered"), "egov_id");
    assert_eq!(field("egov_id=xyz&egov_status=delivered"), "egov_id");
    assert_eq!(field(&format!("egov_id={id}")), "egov_status");
    assert_eq!(field(&format!("egov_id={id}&egov_status=lost")), "egov_status");
    let ok = AspsmsGateway::parse_notification(&format!("?egov_id={id}&egov_status=not-delivered")).unwrap();
    assert_eq!(ok.status, ReportStatus::NotDelivered);
    assert_eq!(ok.provider_reference, None);
}

#[test]
fn bad_settings_are_refused() {
    assert!(matches!(
        AspsmsConfig::new("", "p", "Gemeinde"),
        Err(GatewayError::Config(_))
    ));
    assert!(matches!(
        EcallConfig::new("u", "p", "Gemeinde Musterhausen"),
        Err(GatewayError::Config(_))
    ));
}
