//! The axum routes and extractors end to end: a browser (with a cookie jar, following redirects
//! by hand) against an application on loopback that logs in at the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use egov_eid::session::MemorySessionStore;
use egov_eid::simulator::{SimClient, Simulator, SimulatorConfig};
use egov_eid::web::{CurrentUser, EidWeb, RequireLoa, WebConfig, level};
use egov_eid::{ClientAuth, HttpClient, ProviderConfig, RelyingParty, Secret};
use reqwest::StatusCode;
use url::Url;

const SECRET: &str = "web-secret-0123456789";

struct App {
    base: String,
    sim: Simulator,
    store: Arc<MemorySessionStore>,
}

async fn app() -> App {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut client = SimClient::new("app", Some(SECRET), format!("{base}/auth/callback"));
    client.post_logout_redirect_uris.push(format!("{base}/bye"));
    let sim = Simulator::start(SimulatorConfig::new(vec![client]))
        .await
        .unwrap();
    let mut config = ProviderConfig::new(
        sim.issuer(),
        "app",
        ClientAuth::SecretBasic(Secret::new(SECRET)),
        format!("{base}/auth/callback"),
    );
    config.scopes.push("svnr".into());
    let mut rp = RelyingParty::new(HttpClient::new().unwrap());
    rp.add_provider("agov", config).await.unwrap();
    let store = Arc::new(MemorySessionStore::new());
    let mut web_config = WebConfig::new("agov");
    web_config.secure_cookies = false; // plain HTTP on loopback
    web_config.post_logout_redirect_uri = Some(format!("{base}/bye"));
    let web = EidWeb::new(Arc::new(rp), store.clone(), web_config);
    let router: Router = Router::new()
        .route(
            "/me",
            get(|CurrentUser(s): CurrentUser| async move { s.identity.family_name.unwrap_or_default() }),
        )
        .route(
            "/sign",
            get(|RequireLoa(s, ..): RequireLoa<level::AhvVerified>| async move {
                format!(
                    "signed by {}",
                    s.identity.ahvn13.map(|v| v.masked()).unwrap_or_default()
                )
            }),
        )
        .merge(web.router())
        .with_state(web);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    App { base, sim, store }
}

/// A browser: a cookie jar and manual redirects, so each hop can be inspected.
struct Browser {
    http: reqwest::Client,
    jar: HashMap<String, String>,
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            jar: HashMap::new(),
        }
    }

    async fn send(&mut self, method: reqwest::Method, url: &str) -> (StatusCode, Option<String>, String) {
        let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut request = self.http.request(method, url);
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.join("; "));
        }
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            assert!(
                attributes.contains("HttpOnly") && attributes.contains("SameSite=Lax"),
                "{text}"
            );
            if attributes.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, location, response.text().await.unwrap())
    }

    async fn get(&mut self, url: &str) -> (StatusCode, Option<String>, String) {
        self.send(reqwest::Method::GET, url).await
    }

    /// Follows redirects; on the simulator's authorization endpoint picks `person` like a person
    /// on the chooser page would.
    async fn follow(&mut self, base: &str, mut url: String, person: &str) -> (StatusCode, String, String) {
        for _ in 0..10 {
            if url.contains("/authorize?") && !url.contains("login_hint=") {
                url = format!("{url}&login_hint={person}");
            }
            let (status, location, body) = self.get(&url).await;
            match location {
                Some(next) if status.is_redirection() => {
                    url = if next.starts_with('/') {
                        format!("{base}{next}")
                    } else {
                        next
                    };
                }
                _ => return (status, url, body),
            }
        }
        panic!("redirect loop");
    }
}

#[tokio::test]
async fn login_on_demand_then_back_to_the_page() {
    let app = app().await;
    let mut browser = Browser::new();
    let (status, location, _) = browser.get(&format!("{}/me", app.base)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/auth/login?return_to=%2Fme"));

    let (status, url, body) = browser
        .follow(&app.base, format!("{}/me", app.base), "chloe")
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "Exemple"), "{url}");
    assert_eq!(url, format!("{}/me", app.base));
    assert!(
        !browser.jar.contains_key("egov_eid_tx"),
        "the transaction cookie is cleared"
    );
    assert_eq!(app.store.session_count(), 1);
}

#[tokio::test]
async fn step_up_for_a_page_that_needs_a_verified_ahv_number() {
    let app = app().await;
    let mut browser = Browser::new();
    // Logged in at 300 first.
    let (status, _, _) = browser
        .follow(&app.base, format!("{}/me", app.base), "anna:300")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, location, _) = browser.get(&format!("{}/sign", app.base)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert!(
        location.contains("loa=ahv_verified") && location.contains("provider=agov"),
        "{location}"
    );
    // The step-up asks the provider for 400 with prompt=login.
    let (_, to_provider, _) = browser.get(&format!("{}{location}", app.base)).await;
    let to_provider = Url::parse(&to_provider.unwrap()).unwrap();
    let query: HashMap<String, String> = to_provider.query_pairs().into_owned().collect();
    assert_eq!(query["prompt"], "login");
    assert_eq!(query["acr_values"], "urn:qa.agov.ch:names:tc:ac:classes:400");
    let (status, url, body) = browser.follow(&app.base, to_provider.to_string(), "anna").await;
    assert_eq!(status, StatusCode::OK, "{url}: {body}");
    assert_eq!(
        body,
        "signed by 756.****.****.".to_owned() + &body[body.len() - 2..]
    );
    // The old session was replaced, not kept.
    assert_eq!(app.store.session_count(), 1);
}

#[tokio::test]
async fn a_person_who_cannot_reach_the_level_is_refused_after_one_step_up() {
    let app = app().await;
    let mut browser = Browser::new();
    let (status, url, body) = browser
        .follow(&app.base, format!("{}/sign", app.base), "hans")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{url}");
    assert!(body.contains("level of assurance"));
    assert_eq!(app.store.session_count(), 0);
}

#[tokio::test]
async fn logout_ends_the_session_and_visits_the_provider() {
    let app = app().await;
    let mut browser = Browser::new();
    browser
        .follow(&app.base, format!("{}/me", app.base), "anna")
        .await;
    let (status, location, _) = browser
        .send(reqwest::Method::POST, &format!("{}/auth/logout", app.base))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert!(
        location.starts_with(&format!("{}/logout?", app.sim.issuer())),
        "{location}"
    );
    assert!(location.contains("id_token_hint="));
    assert!(!browser.jar.contains_key("egov_eid_session"));
    assert_eq!(app.store.session_count(), 0);
    let (_, after, _) = browser.get(&location).await;
    assert_eq!(after.unwrap(), format!("{}/bye", app.base));
}

#[tokio::test]
async fn back_channel_logout_ends_the_session_once() {
    let app = app().await;
    let mut browser = Browser::new();
    browser
        .follow(&app.base, format!("{}/me", app.base), "luca")
        .await;
    let session = browser.jar["egov_eid_session"].clone();
    assert_eq!(app.store.session_count(), 1);
    // The provider tells the application that the session ended.
    let store_session = {
        use egov_eid::session::{SessionId, SessionStore};
        app.store
            .session(&SessionId::from_cookie(&session))
            .await
            .unwrap()
            .unwrap()
    };
    let token = app
        .sim
        .logout_token("app", None, store_session.identity.session_id.as_deref())
        .unwrap();
    let post = |token: String| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/auth/backchannel-logout"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("logout_token", &token)
                        .finish(),
                )
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(post(token.clone()).await, StatusCode::OK);
    assert_eq!(app.store.session_count(), 0);
    let (status, _, _) = browser.get(&format!("{}/me", app.base)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "logged out");
    // Replayed or forged tokens are refused.
    assert_eq!(post(token).await, StatusCode::BAD_REQUEST);
    assert_eq!(post("not.a.token".into()).await, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn callback_without_its_transaction_cookie_is_refused() {
    let app = app().await;
    let mut browser = Browser::new();
    let (_, to_provider, _) = browser
        .get(&format!("{}/auth/login?login_hint=anna", app.base))
        .await;
    let (_, callback, _) = browser.get(&to_provider.unwrap()).await;
    // Another browser (an attacker forwarding the callback: login CSRF) has no transaction cookie.
    let mut other = Browser::new();
    let (status, _, _) = other.get(&callback.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.store.session_count(), 0);
}

#[tokio::test]
async fn return_to_cannot_leave_the_site() {
    let app = app().await;
    let mut browser = Browser::new();
    let start = format!(
        "{}/auth/login?return_to=%2F%2Fevil.example%2F&login_hint=anna",
        app.base
    );
    let (_, to_provider, _) = browser.get(&start).await;
    let (_, callback, _) = browser.get(&to_provider.unwrap()).await;
    let (status, location, _) = browser.get(&callback.unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/"));
}
