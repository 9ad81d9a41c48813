//! Full code flows against the login simulator, and one negative test per attack.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use egov_core::Language;
use egov_eid::simulator::{Fault, SimClient, Simulator, SimulatorConfig, test_person};
use egov_eid::{
    AuthRequest, Callback, ClientAuth, Error, HttpClient, IdTokenCheck, KeyAlg, Loa, Login, ProviderConfig,
    RelyingParty, Secret,
};
use url::Url;

const CALLBACK: &str = "http://127.0.0.1:9/callback";
const LOGGED_OUT: &str = "http://127.0.0.1:9/bye";
const SECRET: &str = "sim-secret-0123456789";

async fn simulator(alg: KeyAlg, secret: Option<&str>) -> Simulator {
    let mut client = SimClient::new("rp", secret, CALLBACK);
    client.post_logout_redirect_uris.push(LOGGED_OUT.into());
    let mut config = SimulatorConfig::new(vec![client]);
    config.signing_alg = alg;
    Simulator::start(config).await.unwrap()
}

fn provider_config(sim: &Simulator, auth: ClientAuth) -> ProviderConfig {
    let mut config = ProviderConfig::new(sim.issuer(), "rp", auth, CALLBACK);
    config.scopes.push("svnr".into());
    config
}

async fn setup_with(alg: KeyAlg, auth: ClientAuth) -> (Simulator, RelyingParty) {
    let secret = match &auth {
        ClientAuth::SecretBasic(s) | ClientAuth::SecretPost(s) => Some(s.expose().to_owned()),
        _ => None,
    };
    let sim = simulator(alg, secret.as_deref()).await;
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    rp.add_provider("agov", provider_config(&sim, auth))
        .await
        .unwrap();
    (sim, rp)
}

async fn setup() -> (Simulator, RelyingParty) {
    setup_with(KeyAlg::Rs256, ClientAuth::SecretBasic(Secret::new(SECRET))).await
}

/// Starts a login, lets the simulator answer like a browser would, completes it.
async fn login(sim: &Simulator, rp: &RelyingParty, request: &AuthRequest) -> Result<Login, Error> {
    let (url, pending) = rp.authorization_url("agov", request).unwrap();
    let callback = sim.follow(&url).await.unwrap();
    rp.complete(&pending, &Callback::from_url(&callback)).await
}

fn anna() -> AuthRequest {
    AuthRequest::new().loa(Loa::AhvVerified).login_hint("anna")
}

fn id_token_check(result: Result<Login, Error>) -> IdTokenCheck {
    match result {
        Err(Error::IdToken { check, .. }) => check,
        other => panic!("expected an ID token error, got {other:?}"),
    }
}

#[tokio::test]
async fn full_flow_rs256_client_secret_basic() {
    let (sim, rp) = setup().await;
    let login = login(&sim, &rp, &anna()).await.unwrap();
    let person = test_person("anna").unwrap();
    let id = &login.identity;
    assert_eq!(id.issuer, sim.issuer());
    assert_eq!(id.given_name.as_deref(), Some("Anna"));
    assert_eq!(id.family_name.as_deref(), Some("Muster"));
    assert_eq!(id.birth_date.unwrap().to_string(), person.birth_date);
    assert_eq!(id.ahvn13, person.ahvn13());
    assert!(id.ahvn13.is_some());
    assert_eq!(id.email.as_deref(), Some(person.email));
    assert!(id.email_verified);
    assert_eq!(id.language, Some(Language::De));
    assert_eq!(id.loa, Some(Loa::AhvVerified));
    assert_eq!(id.acr.as_deref(), Some("urn:qa.agov.ch:names:tc:ac:classes:400"));
    assert!(id.session_id.is_some());
    assert!(id.raw_claims.contains_key("at_hash"));
    assert!(login.expires_at.is_some());
    // Debug output leaks neither tokens nor the AHV number.
    let debug = format!("{login:?}");
    assert!(!debug.contains(login.id_token.expose()), "{debug}");
    assert!(!debug.contains(login.access_token.expose()), "{debug}");
    assert!(!debug.contains(&person.ahvn13().unwrap().to_string()), "{debug}");

    // The subject is stable for the same person and differs between persons.
    let again = self::login(&sim, &rp, &anna()).await.unwrap();
    assert_eq!(again.identity.key(), id.key());
    let luca = self::login(&sim, &rp, &AuthRequest::new().login_hint("luca"))
        .await
        .unwrap();
    assert_ne!(luca.identity.subject, id.subject);
}

#[tokio::test]
async fn full_flow_es256_client_secret_post() {
    let (sim, rp) = setup_with(KeyAlg::Es256, ClientAuth::SecretPost(Secret::new(SECRET))).await;
    let login = login(&sim, &rp, &AuthRequest::new().loa(Loa::EId).login_hint("luca"))
        .await
        .unwrap();
    assert_eq!(login.identity.loa, Some(Loa::EId));
    assert_eq!(login.identity.language, Some(Language::It));
    assert_eq!(login.identity.ahvn13, test_person("luca").unwrap().ahvn13());
    let header = login.id_token.expose().split('.').next().unwrap().to_owned();
    assert!(
        String::from_utf8(base64_decode(&header))
            .unwrap()
            .contains("ES256")
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

#[tokio::test]
async fn public_client_with_pkce_only() {
    let (sim, rp) = setup_with(KeyAlg::Rs256, ClientAuth::None).await;
    let login = login(&sim, &rp, &AuthRequest::new().login_hint("chloe"))
        .await
        .unwrap();
    assert_eq!(login.identity.loa, Some(Loa::IdentityVerified));
    assert_eq!(login.identity.language, Some(Language::Fr));
    // No svnr claim below level 400.
    assert_eq!(login.identity.ahvn13, None);
}

#[tokio::test]
async fn wrong_client_secret_is_refused() {
    let sim = simulator(KeyAlg::Rs256, Some(SECRET)).await;
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    rp.add_provider(
        "agov",
        provider_config(&sim, ClientAuth::SecretBasic(Secret::new("wrong"))),
    )
    .await
    .unwrap();
    let result = login(&sim, &rp, &anna()).await;
    assert!(
        matches!(result, Err(Error::TokenEndpoint { ref error, .. }) if error == "invalid_client"),
        "{result:?}"
    );
}

#[tokio::test]
async fn several_issuers_at_once_and_mix_up_between_them() {
    let sim_a = simulator(KeyAlg::Rs256, Some(SECRET)).await;
    let sim_b = simulator(KeyAlg::Es256, Some(SECRET)).await;
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    rp.add_provider(
        "agov",
        provider_config(&sim_a, ClientAuth::SecretBasic(Secret::new(SECRET))),
    )
    .await
    .unwrap();
    rp.add_provider(
        "canton",
        provider_config(&sim_b, ClientAuth::SecretPost(Secret::new(SECRET))),
    )
    .await
    .unwrap();
    let mut names: Vec<&str> = rp.providers().collect();
    names.sort_unstable();
    assert_eq!(names, ["agov", "canton"]);

    let (url_b, pending_b) = rp.authorization_url("canton", &anna()).unwrap();
    let login_b = rp
        .complete(
            &pending_b,
            &Callback::from_url(&sim_b.follow(&url_b).await.unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(login_b.identity.issuer, sim_b.issuer());

    // Mix-up: the login was started at A, but the response comes from B (same state smuggled in).
    let (_, pending_a) = rp.authorization_url("agov", &anna()).unwrap();
    let (url_b2, _) = rp.authorization_url("canton", &anna()).unwrap();
    let mut callback = Callback::from_url(&sim_b.follow(&url_b2).await.unwrap());
    callback.state = Some(pending_a.state().to_owned());
    let tokens_before = sim_a.token_requests();
    let result = rp.complete(&pending_a, &callback).await;
    assert!(
        matches!(result, Err(Error::IssuerMismatch { ref found, .. }) if found == sim_b.issuer()),
        "{result:?}"
    );
    assert_eq!(sim_a.token_requests(), tokens_before, "no code was sent anywhere");
}

#[tokio::test]
async fn mix_up_wrong_or_missing_iss_on_callback() {
    let (sim, rp) = setup().await;
    sim.set_fault(Some(Fault::WrongCallbackIssuer));
    let result = login(&sim, &rp, &anna()).await;
    assert!(
        matches!(result, Err(Error::IssuerMismatch { ref found, .. }) if found == "https://attacker.example")
    );
    sim.set_fault(None);

    // The simulator announces RFC 9207, so a callback without iss is refused too.
    let (url, pending) = rp.authorization_url("agov", &anna()).unwrap();
    let mut callback = Callback::from_url(&sim.follow(&url).await.unwrap());
    callback.iss = None;
    assert!(matches!(
        rp.complete(&pending, &callback).await,
        Err(Error::IssuerMismatch { .. })
    ));
}

#[tokio::test]
async fn state_mismatch_is_refused_before_the_code_is_used() {
    let (sim, rp) = setup().await;
    let (url, pending) = rp.authorization_url("agov", &anna()).unwrap();
    let mut callback = Callback::from_url(&sim.follow(&url).await.unwrap());
    let state = callback.state.clone().unwrap();
    assert_eq!(state, pending.state());
    for bad in [
        None,
        Some(String::new()),
        Some(format!("{state}x")),
        Some(state[1..].to_owned()),
    ] {
        callback.state = bad;
        assert!(matches!(
            rp.complete(&pending, &callback).await,
            Err(Error::StateMismatch)
        ));
    }
    assert_eq!(sim.token_requests(), 0);
    // The untouched callback still works.
    callback.state = Some(state);
    rp.complete(&pending, &callback).await.unwrap();
}

#[tokio::test]
async fn code_injected_into_another_transaction_fails_pkce() {
    let (sim, rp) = setup().await;
    let (url_victim, _pending_victim) = rp.authorization_url("agov", &anna()).unwrap();
    let (_, pending_attacker) = rp.authorization_url("agov", &anna()).unwrap();
    let mut callback = Callback::from_url(&sim.follow(&url_victim).await.unwrap());
    // The attacker's session has its own state and PKCE verifier; the stolen code does not fit it.
    callback.state = Some(pending_attacker.state().to_owned());
    let result = rp.complete(&pending_attacker, &callback).await;
    assert!(
        matches!(result, Err(Error::TokenEndpoint { ref error, ref description })
            if error == "invalid_grant" && description.as_deref() == Some("PKCE verification failed")),
        "{result:?}"
    );
}

#[tokio::test]
async fn code_is_single_use() {
    let (sim, rp) = setup().await;
    let (url, pending) = rp.authorization_url("agov", &anna()).unwrap();
    let callback = Callback::from_url(&sim.follow(&url).await.unwrap());
    rp.complete(&pending, &callback).await.unwrap();
    let replay = rp.complete(&pending, &callback).await;
    assert!(matches!(replay, Err(Error::TokenEndpoint { ref error, .. }) if error == "invalid_grant"));
}

#[tokio::test]
async fn provider_requires_pkce_and_a_verifier() {
    let (sim, rp) = setup().await;
    let (url, _) = rp.authorization_url("agov", &anna()).unwrap();
    // Without code_challenge the authorization request is refused.
    let mut stripped = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("code_challenge"))
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    stripped.query_pairs_mut().clear().extend_pairs(pairs);
    let callback = Callback::from_url(&sim.follow(&stripped).await.unwrap());
    assert_eq!(callback.error.as_deref(), Some("invalid_request"));
    assert_eq!(callback.code, None);

    // A token request without code_verifier is refused (sent by hand: the RP always sends one).
    let callback = Callback::from_url(&sim.follow(&url).await.unwrap());
    let response = reqwest::Client::new()
        .post(format!("{}/token", sim.issuer()))
        .basic_auth("rp", Some(SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=authorization_code&code={}&redirect_uri={CALLBACK}",
            callback.code.unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("PKCE verification failed")
    );
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (sim, rp) = setup().await;
    sim.set_fault(Some(Fault::AlgNone));
    assert_eq!(
        id_token_check(login(&sim, &rp, &anna()).await),
        IdTokenCheck::Algorithm
    );
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let (sim, rp) = setup().await;
    sim.set_fault(Some(Fault::HmacWithPublicKey));
    assert_eq!(
        id_token_check(login(&sim, &rp, &anna()).await),
        IdTokenCheck::Algorithm
    );
}

#[tokio::test]
async fn algorithm_outside_the_allow_list_is_refused() {
    let sim = simulator(KeyAlg::Es256, Some(SECRET)).await;
    let mut config = provider_config(&sim, ClientAuth::SecretBasic(Secret::new(SECRET)));
    config.allowed_algs = vec![egov_eid::SigningAlg::Rs256];
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    rp.add_provider("agov", config).await.unwrap();
    assert_eq!(
        id_token_check(login(&sim, &rp, &anna()).await),
        IdTokenCheck::Algorithm
    );
}

#[tokio::test]
async fn claim_attacks_are_refused_each_by_its_check() {
    let (sim, rp) = setup().await;
    for (fault, check) in [
        (Fault::WrongIssuer, IdTokenCheck::Issuer),
        (Fault::WrongAudience, IdTokenCheck::Audience),
        (Fault::ExtraAudienceWithoutAzp, IdTokenCheck::Audience),
        (Fault::WrongAuthorizedParty, IdTokenCheck::AuthorizedParty),
        (Fault::Expired, IdTokenCheck::Expired),
        (Fault::IssuedInFuture, IdTokenCheck::IssuedAt),
        (Fault::WrongNonce, IdTokenCheck::Nonce),
        (Fault::WrongAccessTokenHash, IdTokenCheck::AccessTokenHash),
    ] {
        sim.set_fault(Some(fault.clone()));
        assert_eq!(
            id_token_check(login(&sim, &rp, &anna()).await),
            check,
            "{fault:?}"
        );
    }
    sim.set_fault(None);
    login(&sim, &rp, &anna()).await.unwrap();
}

#[tokio::test]
async fn claims_only_in_userinfo_are_merged() {
    let mut client = SimClient::new("rp", Some(SECRET), CALLBACK);
    client.post_logout_redirect_uris.push(LOGGED_OUT.into());
    let mut config = SimulatorConfig::new(vec![client]);
    config.claims_in_id_token = false;
    let sim = Simulator::start(config).await.unwrap();
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    rp.add_provider(
        "with",
        provider_config(&sim, ClientAuth::SecretBasic(Secret::new(SECRET))),
    )
    .await
    .unwrap();
    let mut without = provider_config(&sim, ClientAuth::SecretBasic(Secret::new(SECRET)));
    without.fetch_userinfo = false;
    rp.add_provider("without", without).await.unwrap();

    for (provider, expect_names) in [("with", true), ("without", false)] {
        let (url, pending) = rp.authorization_url(provider, &anna()).unwrap();
        let login = rp
            .complete(&pending, &Callback::from_url(&sim.follow(&url).await.unwrap()))
            .await
            .unwrap();
        assert_eq!(login.identity.family_name.is_some(), expect_names, "{provider}");
        assert_eq!(login.identity.ahvn13.is_some(), expect_names, "{provider}");
        assert_eq!(login.identity.loa, Some(Loa::AhvVerified));
    }
}

#[tokio::test]
async fn key_rotation_refetches_the_jwks_once() {
    let (sim, rp) = setup().await;
    let before = sim.jwks_requests();
    login(&sim, &rp, &anna()).await.unwrap();
    assert_eq!(sim.jwks_requests(), before, "a known kid needs no fetch");
    let old_kid = sim.current_kid();
    sim.rotate_keys(false).unwrap();
    assert_ne!(sim.current_kid(), old_kid);
    let login = login(&sim, &rp, &anna()).await.unwrap();
    assert_eq!(login.identity.loa, Some(Loa::AhvVerified));
    assert_eq!(sim.jwks_requests(), before + 1);
    self::login(&sim, &rp, &anna()).await.unwrap();
    assert_eq!(sim.jwks_requests(), before + 1, "the new key is cached");
}

#[tokio::test]
async fn flood_of_unknown_kids_is_rate_limited() {
    // ES256: the simulator makes a fresh key for every token, which is cheap on P-256.
    let (sim, rp) = setup_with(KeyAlg::Es256, ClientAuth::SecretBasic(Secret::new(SECRET))).await;
    let before = sim.jwks_requests();
    sim.set_fault(Some(Fault::UnpublishedKey));
    for _ in 0..20 {
        assert_eq!(
            id_token_check(login(&sim, &rp, &anna()).await),
            IdTokenCheck::UnknownKey
        );
    }
    assert_eq!(
        sim.jwks_requests(),
        before + 1,
        "one refetch per interval, not one per token"
    );
    sim.set_fault(None);
    login(&sim, &rp, &anna()).await.unwrap();
}

#[tokio::test]
async fn loa_too_low_then_step_up() {
    let (sim, rp) = setup().await;
    // Anna logs in at level 300 although the application needs 400 (AHV number).
    let result = login(
        &sim,
        &rp,
        &AuthRequest::new().loa(Loa::AhvVerified).login_hint("anna:300"),
    )
    .await;
    let Err(Error::LoaTooLow { required, achieved }) = result else {
        panic!("expected LoaTooLow, got {result:?}");
    };
    assert_eq!(
        (required, achieved),
        (Loa::AhvVerified, Some(Loa::IdentityVerified))
    );

    let (url, pending) = rp.step_up("agov", required, Some("anna")).unwrap();
    let query: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    assert!(query.contains(&("prompt".into(), "login".into())));
    assert!(query.contains(&(
        "acr_values".into(),
        "urn:qa.agov.ch:names:tc:ac:classes:400".into()
    )));
    assert_eq!(pending.required_loa(), Some(Loa::AhvVerified));
    let login = rp
        .complete(&pending, &Callback::from_url(&sim.follow(&url).await.unwrap()))
        .await
        .unwrap();
    assert_eq!(login.identity.loa, Some(Loa::AhvVerified));
    assert!(login.identity.ahvn13.is_some());

    // Hans cannot reach 400 at all: the step-up also ends too low.
    let result = self::login(
        &sim,
        &rp,
        &AuthRequest::new().loa(Loa::AhvVerified).login_hint("hans"),
    )
    .await;
    assert!(matches!(
        result,
        Err(Error::LoaTooLow {
            achieved: Some(Loa::SelfDeclared),
            ..
        })
    ));
}

#[tokio::test]
async fn provider_error_is_reported() {
    let (sim, rp) = setup().await;
    let result = login(&sim, &rp, &AuthRequest::new().login_hint("nobody")).await;
    assert!(
        matches!(result, Err(Error::Provider { ref error, .. }) if error == "access_denied"),
        "{result:?}"
    );
}

#[tokio::test]
async fn chooser_page_and_logout() {
    let (sim, rp) = setup().await;
    let (url, _) = rp.authorization_url("agov", &AuthRequest::new()).unwrap();
    let page = reqwest::get(url.as_str()).await.unwrap().text().await.unwrap();
    for person in egov_eid::simulator::test_persons() {
        assert!(
            page.contains(&format!("login_hint={}%3A", person.login)),
            "{page}"
        );
    }

    let login = login(&sim, &rp, &anna()).await.unwrap();
    let logout = rp
        .end_session_url("agov", Some(&login.id_token), Some(LOGGED_OUT), Some("bye-state"))
        .unwrap()
        .unwrap();
    let target: Url = sim.follow(&logout).await.unwrap();
    assert_eq!(target.as_str(), format!("{LOGGED_OUT}?state=bye-state"));
}

#[tokio::test]
async fn discovery_refuses_plain_http_off_loopback() {
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    let config = ProviderConfig::new("http://idp.example", "rp", ClientAuth::None, CALLBACK);
    assert!(matches!(
        rp.add_provider("x", config).await,
        Err(Error::Config { field: "issuer", .. })
    ));
}

#[tokio::test]
async fn private_key_jwt_client_authentication() {
    for alg in [KeyAlg::Es256, KeyAlg::Rs256] {
        let key = std::sync::Arc::new(egov_eid::SigningKey::generate(alg).unwrap());
        let mut client = SimClient::new("rp", None, CALLBACK);
        client.jwks.push(key.public_jwk());
        let sim = Simulator::start(SimulatorConfig::new(vec![client]))
            .await
            .unwrap();
        let mut rp = RelyingParty::new(HttpClient::new().unwrap());
        rp.add_provider("agov", provider_config(&sim, ClientAuth::PrivateKeyJwt(key)))
            .await
            .unwrap();
        // A relying party holding another key, and one trying a (non-registered) shared secret.
        let other = std::sync::Arc::new(egov_eid::SigningKey::generate(alg).unwrap());
        rp.add_provider(
            "other-key",
            provider_config(&sim, ClientAuth::PrivateKeyJwt(other)),
        )
        .await
        .unwrap();
        rp.add_provider(
            "no-key",
            provider_config(&sim, ClientAuth::SecretPost(Secret::new("guess"))),
        )
        .await
        .unwrap();

        let login = login(&sim, &rp, &anna()).await.unwrap();
        assert_eq!(login.identity.loa, Some(Loa::AhvVerified), "{alg:?}");
        for provider in ["other-key", "no-key"] {
            let (url, pending) = rp.authorization_url(provider, &anna()).unwrap();
            let result = rp
                .complete(&pending, &Callback::from_url(&sim.follow(&url).await.unwrap()))
                .await;
            assert!(
                matches!(result, Err(Error::TokenEndpoint { ref error, .. }) if error == "invalid_client"),
                "{provider}: {result:?}"
            );
        }
    }
}

#[tokio::test]
async fn authorization_request_carries_pkce_state_nonce_and_acr() {
    let (_sim, rp) = setup().await;
    let (url, pending) = rp
        .authorization_url("agov", &AuthRequest::new().loa(Loa::IdentityVerified))
        .unwrap();
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], "rp");
    assert_eq!(query["redirect_uri"], CALLBACK);
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43);
    assert_eq!(query["state"], pending.state());
    assert!(query["nonce"].len() >= 16);
    assert_eq!(query["acr_values"], "urn:qa.agov.ch:names:tc:ac:classes:300");
    assert_eq!(query["scope"], "openid profile email svnr");
    // Two requests never share state or nonce.
    let (url2, pending2) = rp.authorization_url("agov", &AuthRequest::new()).unwrap();
    assert_ne!(pending.state(), pending2.state());
    let query2: std::collections::HashMap<String, String> = url2.query_pairs().into_owned().collect();
    assert_ne!(query["nonce"], query2["nonce"]);
    assert!(!query2.contains_key("acr_values"));
    assert!(matches!(
        rp.authorization_url("nope", &AuthRequest::new()),
        Err(Error::UnknownProvider(name)) if name == "nope"
    ));
}

#[tokio::test]
async fn stale_transaction_is_refused() {
    let (sim, rp) = setup().await;
    let (url, pending) = rp.authorization_url("agov", &anna()).unwrap();
    let callback = Callback::from_url(&sim.follow(&url).await.unwrap());
    let mut stored = serde_json::to_value(&pending).unwrap();
    stored["created_at"] =
        serde_json::json!((chrono::Utc::now() - chrono::Duration::minutes(11)).to_rfc3339());
    let stale: egov_eid::PendingLogin = serde_json::from_value(stored).unwrap();
    assert!(matches!(
        rp.complete(&stale, &callback).await,
        Err(Error::TransactionExpired)
    ));
    rp.complete(&pending, &callback).await.unwrap();
}

/// The relying party can live in a multi-threaded web server.
#[test]
fn relying_party_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_sync<T: Send + Sync>() {}
    assert_sync::<RelyingParty>();
    let rp = RelyingParty::new(HttpClient::new().unwrap());
    let pending: egov_eid::PendingLogin = serde_json::from_value(serde_json::json!({
        "provider": "p", "issuer": "https://i", "state": "s", "nonce": "n", "pkce_verifier": "v",
        "required_loa": null, "created_at": "2026-01-01T00:00:00Z"
    }))
    .unwrap();
    let callback = Callback::default();
    let future = rp.complete(&pending, &callback);
    assert_send(&future);
}

#[tokio::test]
async fn back_channel_logout_tokens() {
    use egov_eid::LogoutCheck;
    let (sim, rp) = setup().await;
    let login = login(&sim, &rp, &anna()).await.unwrap();
    let sub = login.identity.subject.clone();
    let sid = login.identity.session_id.clone().unwrap();

    let token = sim.logout_token("rp", Some(&sub), Some(&sid)).unwrap();
    let notice = rp.verify_logout_token("agov", &token).await.unwrap();
    assert_eq!(notice.issuer, sim.issuer());
    assert_eq!(notice.subject.as_deref(), Some(sub.as_str()));
    assert_eq!(notice.session_id.as_deref(), Some(sid.as_str()));

    let check = |result: Result<egov_eid::LogoutNotice, Error>| match result {
        Err(Error::LogoutToken { check, .. }) => check,
        other => panic!("expected a logout token error, got {other:?}"),
    };
    // Replayed.
    assert_eq!(
        check(rp.verify_logout_token("agov", &token).await),
        LogoutCheck::Replay
    );

    let now = chrono::Utc::now().timestamp();
    let good = || {
        serde_json::json!({
            "iss": sim.issuer(), "aud": "rp", "iat": now, "exp": now + 120, "sid": sid,
            "jti": format!("j-{}", rand_id()),
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        })
    };
    let cases: Vec<(&str, serde_json::Value, LogoutCheck)> = vec![
        (
            "logout+jwt",
            {
                let mut c = good();
                c["nonce"] = "n".into();
                c
            },
            LogoutCheck::Nonce,
        ),
        (
            "logout+jwt",
            {
                let mut c = good();
                c["events"] = serde_json::json!({});
                c
            },
            LogoutCheck::Events,
        ),
        (
            "logout+jwt",
            {
                let mut c = good();
                c.as_object_mut().unwrap().remove("sid");
                c
            },
            LogoutCheck::Subject,
        ),
        (
            "logout+jwt",
            {
                let mut c = good();
                c.as_object_mut().unwrap().remove("jti");
                c
            },
            LogoutCheck::Replay,
        ),
        (
            "logout+jwt",
            {
                let mut c = good();
                c["aud"] = "another-client".into();
                c
            },
            LogoutCheck::Audience,
        ),
        (
            "logout+jwt",
            {
                let mut c = good();
                c["iss"] = "https://attacker.example".into();
                c
            },
            LogoutCheck::Issuer,
        ),
        (
            "logout+jwt",
            {
                let mut c = good();
                c["iat"] = (now + 600).into();
                c
            },
            LogoutCheck::Time,
        ),
        (
            "logout+jwt",
            {
                let mut c = good();
                c["exp"] = (now - 600).into();
                c
            },
            LogoutCheck::Time,
        ),
        // An ID token (typ JWT) is not a logout token.
        ("JWT", good(), LogoutCheck::Type),
    ];
    for (typ, claims, expected) in cases {
        let token = sim.sign_claims(typ, &claims).unwrap();
        assert_eq!(
            check(rp.verify_logout_token("agov", &token).await),
            expected,
            "{claims}"
        );
    }
    // The good claims pass (so each case above failed for its own reason only).
    let ok = sim.sign_claims("logout+jwt", &good()).unwrap();
    rp.verify_logout_token("agov", &ok).await.unwrap();
    // A forged signature.
    let (input, _) = ok.rsplit_once('.').unwrap();
    let forged = format!("{input}.AAAA");
    assert_eq!(
        check(rp.verify_logout_token("agov", &forged).await),
        LogoutCheck::Signature
    );
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

#[tokio::test]
async fn stale_jwks_is_fetched_again_and_withdrawn_keys_stop_working() {
    let sim = simulator(KeyAlg::Es256, Some(SECRET)).await;
    let mut config = provider_config(&sim, ClientAuth::SecretBasic(Secret::new(SECRET)));
    config.jwks_max_age = std::time::Duration::ZERO;
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    rp.add_provider("agov", config).await.unwrap();
    let before = sim.jwks_requests();
    login(&sim, &rp, &anna()).await.unwrap();
    login(&sim, &rp, &anna()).await.unwrap();
    assert_eq!(sim.jwks_requests(), before + 2);

    // A relying party with the default 24-hour cache still trusts a key the provider withdrew.
    let mut cached = RelyingParty::new(HttpClient::new().unwrap());
    cached
        .add_provider(
            "agov",
            provider_config(&sim, ClientAuth::SecretBasic(Secret::new(SECRET))),
        )
        .await
        .unwrap();
    let old_a = sim.logout_token("rp", Some("s"), None).unwrap();
    let old_b = sim.logout_token("rp", Some("s"), None).unwrap();
    sim.rotate_keys(false).unwrap();
    cached.verify_logout_token("agov", &old_a).await.unwrap();
    // With a stale cache the key set is fetched first, and the withdrawn key is refused.
    let result = rp.verify_logout_token("agov", &old_b).await;
    assert!(
        matches!(
            result,
            Err(Error::LogoutToken {
                check: egov_eid::LogoutCheck::UnknownKey,
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn discovery_refuses_an_issuer_that_names_itself_differently() {
    let sim = simulator(KeyAlg::Es256, Some(SECRET)).await;
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    let mut config = provider_config(&sim, ClientAuth::SecretBasic(Secret::new(SECRET)));
    config.issuer = format!("{}/", sim.issuer());
    assert!(matches!(
        rp.add_provider("agov", config).await,
        Err(Error::Discovery { .. })
    ));
    assert_eq!(rp.providers().count(), 0);
}
