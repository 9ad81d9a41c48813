//! Routes and extractors for axum (feature `axum`): login, callback, logout and back-channel
//! logout, and extractors that require a login or a level of assurance.
//!
//! ```no_run
//! # async fn run(rp: egov_eid::RelyingParty) -> std::io::Result<()> {
//! use std::sync::Arc;
//! use axum::{Router, routing::get};
//! use egov_eid::session::MemorySessionStore;
//! use egov_eid::web::{CurrentUser, EidWeb, RequireLoa, WebConfig, level};
//!
//! // The provider's redirect URI is <origin>/auth/callback, its back-channel logout URI
//! // <origin>/auth/backchannel-logout.
//! let web = EidWeb::new(Arc::new(rp), Arc::new(MemorySessionStore::new()), WebConfig::new("agov"));
//! let app: Router = Router::new()
//!     .route("/me", get(|CurrentUser(s): CurrentUser| async move { s.identity.subject }))
//!     .route("/sign", get(|RequireLoa(s, ..): RequireLoa<level::AhvVerified>| async move {
//!         format!("{:?}", s.identity.ahvn13)
//!     }))
//!     .merge(web.router())
//!     .with_state(web);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, FromRef, FromRequestParts, Query, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::error::Error;
use crate::loa::Loa;
use crate::rp::{AuthRequest, Callback, RelyingParty};
use crate::session::{PendingEntry, Session, SessionId, SessionStore};

const SESSION_COOKIE: &str = "egov_eid_session";
const TX_COOKIE: &str = "egov_eid_tx";

/// Settings of the routes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebConfig {
    /// Where the routes live (default `/auth`): `<base>/login`, `<base>/callback`, `<base>/logout`,
    /// `<base>/backchannel-logout`.
    pub base_path: String,
    /// The provider used when `/login` names none.
    pub default_provider: String,
    /// Mark cookies `Secure` (default true; false only for plain-HTTP development on loopback).
    pub secure_cookies: bool,
    /// How long a session lasts (default 8 hours).
    pub session_lifetime: Duration,
    /// Where the browser goes after logout when the provider has no end-session endpoint (default `/`).
    pub after_logout: String,
    /// The absolute post-logout redirect URI registered at the provider, if any.
    pub post_logout_redirect_uri: Option<String>,
}

impl WebConfig {
    /// Defaults with this default provider.
    pub fn new(default_provider: impl Into<String>) -> Self {
        Self {
            base_path: "/auth".into(),
            default_provider: default_provider.into(),
            secure_cookies: true,
            session_lifetime: Duration::from_secs(8 * 3600),
            after_logout: "/".into(),
            post_logout_redirect_uri: None,
        }
    }
}

/// The relying party, the session store and the settings: the state of the routes and extractors.
#[derive(Clone)]
pub struct EidWeb {
    rp: Arc<RelyingParty>,
    store: Arc<dyn SessionStore>,
    config: Arc<WebConfig>,
}

impl std::fmt::Debug for EidWeb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EidWeb")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct LoginParams {
    provider: Option<String>,
    loa: Option<String>,
    return_to: Option<String>,
    login_hint: Option<String>,
}

#[derive(Deserialize)]
struct LogoutTokenForm {
    logout_token: String,
}

/// Only local paths: no scheme, no `//host`, no backslashes (open-redirect guard).
fn safe_return(path: Option<&str>) -> String {
    match path {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn failure(status: StatusCode, message: &str) -> Response {
    let mut response = (status, message.to_owned()).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl EidWeb {
    /// Ties the parts together.
    pub fn new(rp: Arc<RelyingParty>, store: Arc<dyn SessionStore>, config: WebConfig) -> Self {
        Self {
            rp,
            store,
            config: Arc::new(config),
        }
    }

    /// The routes, to merge into the application's router.
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let base = self.config.base_path.trim_end_matches('/');
        Router::new()
            .route(&format!("{base}/login"), get(login))
            .route(&format!("{base}/callback"), get(callback))
            .route(&format!("{base}/logout"), post(logout))
            .route(&format!("{base}/backchannel-logout"), post(backchannel_logout))
            .with_state(self.clone())
    }

    fn set_cookie(&self, name: &str, value: &str, path: &str, max_age: Option<u64>) -> Option<HeaderValue> {
        let secure = if self.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
        HeaderValue::from_str(&format!(
            "{name}={value}; Path={path}; HttpOnly; SameSite=Lax{secure}{age}"
        ))
        .ok()
    }

    fn tx_path(&self) -> String {
        let base = self.config.base_path.trim_end_matches('/');
        if base.is_empty() {
            "/".into()
        } else {
            base.to_owned()
        }
    }

    /// The live session of a request, if any.
    async fn session_of(&self, headers: &HeaderMap) -> Option<Session> {
        let id = SessionId::from_cookie(&cookie(headers, SESSION_COOKIE)?);
        self.store.session(&id).await.ok().flatten()
    }

    fn login_url(&self, return_to: &str, loa: Option<Loa>, provider: Option<&str>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("return_to", return_to);
        if let Some(loa) = loa {
            query.append_pair("loa", loa.name());
        }
        if let Some(provider) = provider {
            query.append_pair("provider", provider);
        }
        format!(
            "{}/login?{}",
            self.config.base_path.trim_end_matches('/'),
            query.finish()
        )
    }

    /// Starts a login and answers with the redirect to the provider.
    async fn start(
        &self,
        provider: &str,
        request: &AuthRequest,
        return_to: String,
        step_up: bool,
    ) -> Response {
        let Ok((url, pending)) = self.rp.authorization_url(provider, request) else {
            return failure(StatusCode::BAD_REQUEST, "Unknown login provider or level.");
        };
        let Ok(tx) = crate::jose::random_token(24) else {
            return failure(StatusCode::INTERNAL_SERVER_ERROR, "Login could not start.");
        };
        if self
            .store
            .put_pending(&tx, PendingEntry::new(pending, return_to, step_up))
            .await
            .is_err()
        {
            return failure(StatusCode::SERVICE_UNAVAILABLE, "Login could not start.");
        }
        let mut response = Redirect::to(url.as_str()).into_response();
        if let Some(c) = self.set_cookie(TX_COOKIE, &tx, &self.tx_path(), Some(600)) {
            response.headers_mut().append(header::SET_COOKIE, c);
        }
        response
    }
}

async fn login(State(web): State<EidWeb>, headers: HeaderMap, Query(params): Query<LoginParams>) -> Response {
    let provider = params
        .provider
        .unwrap_or_else(|| web.config.default_provider.clone());
    let mut request = AuthRequest::new();
    if let Some(loa) = params.loa {
        let Ok(loa) = loa.parse::<Loa>() else {
            return failure(StatusCode::BAD_REQUEST, "Unknown level of assurance.");
        };
        request = request.loa(loa);
        // Asking for a level while logged in is a step-up: authenticate again.
        if web.session_of(&headers).await.is_some() {
            request = request.force_login();
        }
    }
    request.login_hint = params.login_hint;
    web.start(
        &provider,
        &request,
        safe_return(params.return_to.as_deref()),
        false,
    )
    .await
}

async fn callback(State(web): State<EidWeb>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let entry = match cookie(&headers, TX_COOKIE) {
        Some(tx) => web.store.take_pending(&tx).await.ok().flatten(),
        None => None,
    };
    let Some(entry) = entry else {
        return failure(
            StatusCode::BAD_REQUEST,
            "This login has expired or was started elsewhere. Please start again.",
        );
    };
    let callback = Callback::from_query(query.as_deref().unwrap_or_default());
    let provider = entry.pending.provider().to_owned();
    let login = match web.rp.complete(&entry.pending, &callback).await {
        Ok(login) => login,
        Err(Error::LoaTooLow { required, .. }) if !entry.step_up => {
            let request = AuthRequest::new().loa(required).force_login();
            return web.start(&provider, &request, entry.return_to, true).await;
        }
        Err(Error::LoaTooLow { .. }) => {
            return failure(
                StatusCode::FORBIDDEN,
                "Your login does not reach the level of assurance this service needs. Verify your identity with your login provider and try again.",
            );
        }
        Err(_) => return failure(StatusCode::BAD_REQUEST, "The login failed. Please start again."),
    };
    let lifetime =
        chrono::Duration::from_std(web.config.session_lifetime).unwrap_or(chrono::Duration::hours(8));
    let Ok(session) = Session::new(&provider, login.identity, login.id_token, lifetime) else {
        return failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The login failed. Please start again.",
        );
    };
    // A new login replaces the session this browser had (no session fixation).
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        let _ = web.store.remove_session(&SessionId::from_cookie(&old)).await;
    }
    let id = session.id.as_str().to_owned();
    if web.store.put_session(session).await.is_err() {
        return failure(StatusCode::SERVICE_UNAVAILABLE, "The login could not be saved.");
    }
    let mut response = Redirect::to(&entry.return_to).into_response();
    let max_age = web.config.session_lifetime.as_secs();
    for c in [
        web.set_cookie(SESSION_COOKIE, &id, "/", Some(max_age)),
        web.set_cookie(TX_COOKIE, "", &web.tx_path(), Some(0)),
    ]
    .into_iter()
    .flatten()
    {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

async fn logout(State(web): State<EidWeb>, headers: HeaderMap) -> Response {
    let mut target = web.config.after_logout.clone();
    if let Some(session) = web.session_of(&headers).await {
        let _ = web.store.remove_session(&session.id).await;
        if let Ok(Some(url)) = web.rp.end_session_url(
            &session.provider,
            Some(&session.id_token),
            web.config.post_logout_redirect_uri.as_deref(),
            None,
        ) {
            target = url.to_string();
        }
    }
    let mut response = Redirect::to(&target).into_response();
    if let Some(c) = web.set_cookie(SESSION_COOKIE, "", "/", Some(0)) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}

async fn backchannel_logout(State(web): State<EidWeb>, Form(form): Form<LogoutTokenForm>) -> Response {
    let bad = || failure(StatusCode::BAD_REQUEST, "invalid logout token");
    // The unverified issuer only picks the provider; verification checks it exactly.
    let Some(provider) = crate::jwt::payload(&form.logout_token)
        .ok()
        .and_then(|c| c.get("iss").and_then(|v| v.as_str()).map(str::to_owned))
        .and_then(|iss| web.rp.provider_by_issuer(&iss).map(str::to_owned))
    else {
        return bad();
    };
    let Ok(notice) = web.rp.verify_logout_token(&provider, &form.logout_token).await else {
        return bad();
    };
    let ended = match (&notice.session_id, &notice.subject) {
        (Some(sid), _) => web.store.remove_by_sid(&notice.issuer, sid).await,
        (None, Some(sub)) => web.store.remove_by_subject(&notice.issuer, sub).await,
        (None, None) => Ok(0),
    };
    match ended {
        Ok(_) => failure(StatusCode::OK, ""),
        Err(_) => failure(StatusCode::SERVICE_UNAVAILABLE, "session store unavailable"),
    }
}

fn request_path(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

/// The logged-in session; without one, the request is redirected to the login.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Session);

impl<S> FromRequestParts<S> for CurrentUser
where
    EidWeb: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let web = EidWeb::from_ref(state);
        match web.session_of(&parts.headers).await {
            Some(session) => Ok(Self(session)),
            None => Err(Redirect::to(&web.login_url(&request_path(parts), None, None)).into_response()),
        }
    }
}

/// A level of assurance as a type, for [`RequireLoa`].
pub trait RequiredLoa: Send + Sync + 'static {
    /// The level.
    const LOA: Loa;
}

/// The levels as types: `RequireLoa<level::AhvVerified>`.
pub mod level {
    use super::RequiredLoa;
    use crate::loa::Loa;

    macro_rules! levels {
        ($($name:ident),*) => {$(
            #[doc = concat!("[`Loa::", stringify!($name), "`] as a type.")]
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl RequiredLoa for $name {
                const LOA: Loa = Loa::$name;
            }
        )*};
    }
    levels!(
        SelfDeclared,
        AddressVerified,
        IdentityVerified,
        AhvVerified,
        EId,
        EIdPassThrough
    );
}

/// A session that reached level `L`; a missing login leads to the login, a lower level to a
/// step-up login, both returning to the request's path.
#[derive(Debug, Clone)]
pub struct RequireLoa<L: RequiredLoa>(pub Session, pub PhantomData<L>);

impl<S, L> FromRequestParts<S> for RequireLoa<L>
where
    EidWeb: FromRef<S>,
    S: Send + Sync,
    L: RequiredLoa,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let web = EidWeb::from_ref(state);
        let session = web.session_of(&parts.headers).await;
        match session {
            Some(s) if s.identity.loa.is_some_and(|loa| loa >= L::LOA) => Ok(Self(s, PhantomData)),
            other => {
                let provider = other.as_ref().map(|s| s.provider.as_str());
                let url = web.login_url(&request_path(parts), Some(L::LOA), provider);
                Err(Redirect::to(&url).into_response())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_local() {
        assert_eq!(safe_return(Some("/forms/1?x=2")), "/forms/1?x=2");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_return(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return(None), "/");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; egov_eid_tx=abc"));
        headers.append(header::COOKIE, HeaderValue::from_static("egov_eid_session=s1"));
        assert_eq!(cookie(&headers, TX_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("s1"));
        assert_eq!(cookie(&headers, "egov_eid"), None);
    }
}
