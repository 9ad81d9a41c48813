//! The swiyu verifier client against a mock of the Generic Verifier's management API (as its
//! OpenAPI document describes it), including failure states.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use egov_eid::swiyu::{
    BETA_ID_VCT, EidAttribute, VerificationError, VerificationOutcome, VerificationRequest, VerifierClient,
};
use egov_eid::{Error, HttpClient, Secret};
use serde_json::{Value, json};

#[derive(Default)]
struct Mock {
    verifications: HashMap<String, Value>,
    bodies: Vec<Value>,
    auth: Vec<Option<String>>,
    next: u32,
}

type Shared = Arc<Mutex<Mock>>;

async fn create(State(m): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap();
    let mut mock = m.lock().unwrap();
    mock.auth.push(
        headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned()),
    );
    if body.get("dcql_query").is_none() {
        return (
            StatusCode::BAD_REQUEST,
            json!({"error": "bad_request", "detail": "dcql_query missing"}).to_string(),
        )
            .into_response();
    }
    mock.next += 1;
    let id = format!("00000000-0000-4000-8000-{:012}", mock.next);
    let verification = json!({
        "id": id, "request_nonce": "n", "state": "PENDING", "dcql_query": body["dcql_query"],
        "verification_url": format!("https://verifier.example/oid4vp/api/request-object/{id}"),
        "verification_deeplink": format!("swiyu-verify://?client_id=did%3Awebvh%3Averifier&request_uri={id}"),
    });
    mock.bodies.push(body);
    mock.verifications.insert(id, verification.clone());
    ([("content-type", "application/json")], verification.to_string()).into_response()
}

async fn fetch(State(m): State<Shared>, Path(id): Path<String>) -> Response {
    match m.lock().unwrap().verifications.get(&id) {
        Some(v) => ([("content-type", "application/json")], v.to_string()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            json!({"error": "not_found", "error_description": "Verification not found"}).to_string(),
        )
            .into_response(),
    }
}

async fn start() -> (Shared, VerifierClient) {
    let mock: Shared = Arc::default();
    let app = Router::new()
        .route("/management/api/verifications", post(create))
        .route("/management/api/verifications/{id}", get(fetch))
        .with_state(Arc::clone(&mock));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        mock,
        VerifierClient::new(&base, HttpClient::new().unwrap()).unwrap(),
    )
}

fn request() -> VerificationRequest {
    VerificationRequest::new(["did:webvh:issuer-example"])
        .vct_values(BETA_ID_VCT)
        .attributes([
            EidAttribute::GivenName,
            EidAttribute::FamilyName,
            EidAttribute::BirthDate,
            EidAttribute::AhvNumber,
        ])
}

fn finish(mock: &Shared, id: &str, state: &str, wallet_response: Value) {
    let mut m = mock.lock().unwrap();
    let v = m.verifications.get_mut(id).unwrap();
    v["state"] = state.into();
    v["wallet_response"] = wallet_response;
}

#[tokio::test]
async fn create_poll_and_read_the_presentation() {
    let (mock, client) = start().await;
    let client = client.with_bearer(Secret::new("mgmt-token"));
    let created = client.create(&request()).await.unwrap();
    assert_eq!(created.outcome, VerificationOutcome::Pending);
    assert!(
        created
            .deeplink
            .as_deref()
            .unwrap()
            .starts_with("swiyu-verify://")
    );
    {
        let m = mock.lock().unwrap();
        let body = &m.bodies[0];
        assert_eq!(body["accepted_issuer_dids"], json!(["did:webvh:issuer-example"]));
        assert_eq!(body["response_mode"], "direct_post.jwt");
        assert_eq!(body["jwt_secured_authorization_request"], true);
        let credential = &body["dcql_query"]["credentials"][0];
        assert_eq!(credential["format"], "dc+sd-jwt");
        assert_eq!(credential["meta"]["vct_values"], json!(BETA_ID_VCT));
        assert_eq!(
            credential["claims"][3]["path"],
            json!(["personal_administrative_number"])
        );
        assert_eq!(m.auth[0].as_deref(), Some("Bearer mgmt-token"));
    }

    // The wallet answers a little later.
    let vn = egov_core::Ahvn13::with_check_digit(756_999_920_002).unwrap();
    let (mock2, id) = (Arc::clone(&mock), created.id.clone());
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        finish(
            &mock2,
            &id,
            "SUCCESS",
            json!({"credential_subject_data": {
            "given_name": "Anna", "family_name": "Muster", "birth_date": "1985-03-14",
            "personal_administrative_number": vn.to_string()}}),
        );
    });
    let done = client
        .wait(&created.id, Duration::from_millis(50), Duration::from_secs(5))
        .await
        .unwrap();
    let VerificationOutcome::Verified(p) = done.outcome else {
        panic!("{:?}", done.outcome)
    };
    assert_eq!(p.family_name.as_deref(), Some("Muster"));
    assert_eq!(p.ahvn13, Some(vn));
    assert_eq!(p.birth_date.unwrap().to_string(), "1985-03-14");
}

#[tokio::test]
async fn failure_states_are_typed() {
    let (mock, client) = start().await;
    for (code, expected) in [
        ("client_rejected", VerificationError::Declined),
        ("credential_suspended", VerificationError::Revoked),
        ("issuer_not_accepted", VerificationError::IssuerNotAccepted),
        ("holder_binding_mismatch", VerificationError::HolderBinding),
        ("jwt_expired", VerificationError::Expired),
    ] {
        let created = client.create(&request()).await.unwrap();
        finish(
            &mock,
            &created.id,
            "FAILED",
            json!({"error_code": code, "error_description": "why"}),
        );
        let got = client.get(&created.id).await.unwrap();
        assert_eq!(
            got.outcome,
            VerificationOutcome::Failed {
                error: expected,
                description: Some("why".into())
            }
        );
    }
}

#[tokio::test]
async fn errors_from_the_verifier() {
    let (mock, client) = start().await;
    // Unknown or expired verification: 404 with the verifier's description.
    let err = client
        .get("00000000-0000-4000-8000-999999999999")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verifier(ref m) if m.contains("404") && m.contains("Verification not found")),
        "{err}"
    );
    // Not an id: refused before any request.
    assert!(matches!(
        client.get("../actuator/env").await,
        Err(Error::Verifier(_))
    ));
    // An incomplete request never reaches the verifier.
    let incomplete = VerificationRequest::new(["did:webvh:x"]).vct_values(BETA_ID_VCT);
    assert!(matches!(
        client.create(&incomplete).await,
        Err(Error::Config {
            field: "attributes",
            ..
        })
    ));
    assert!(mock.lock().unwrap().bodies.is_empty());
    // Still pending at the timeout.
    let created = client.create(&request()).await.unwrap();
    let err = client
        .wait(&created.id, Duration::from_millis(20), Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Verifier(ref m) if m.contains("pending")));
    // A present but invalid AHV number is an error, not a silent None.
    finish(
        &mock,
        &created.id,
        "SUCCESS",
        json!({"credential_subject_data": {"personal_administrative_number": "7561234567890"}}),
    );
    assert!(matches!(
        client.get(&created.id).await,
        Err(Error::InvalidClaim { .. })
    ));
}
