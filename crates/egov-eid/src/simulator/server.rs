//! The simulator's HTTP endpoints.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use url::Url;

use super::persons::{self, TestPerson};
use super::{Fault, Grant, Inner, SimClient, lock};
use crate::jose::{self as keys, SigningKey};
use crate::loa::Loa;

type Shared = Arc<Inner>;
type Params = HashMap<String, String>;

pub(super) fn router(inner: Shared) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .route("/logout", get(logout))
        .with_state(inner)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(status, &json!({"error": error, "error_description": description}))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn discovery(State(s): State<Shared>) -> Response {
    let i = &s.issuer;
    let acr: Vec<String> = Loa::ALL.iter().map(|l| l.to_agov_acr()).collect();
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/authorize"),
            "token_endpoint": format!("{i}/token"),
            "userinfo_endpoint": format!("{i}/userinfo"),
            "jwks_uri": format!("{i}/jwks"),
            "end_session_endpoint": format!("{i}/logout"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "svnr"],
            "claims_supported": ["sub", "iss", "aud", "acr", "auth_time", "sid", "given_name", "family_name",
                                 "birthdate", "locale", "email", "email_verified", "ahvn13"],
            "acr_values_supported": acr,
            "ui_locales_supported": ["de", "fr", "it", "rm", "en"],
            "authorization_response_iss_parameter_supported": true,
        }),
    )
}

async fn jwks(State(s): State<Shared>) -> Response {
    s.jwks_requests.fetch_add(1, Ordering::SeqCst);
    let keys: Vec<Value> = lock(&s.keys).iter().map(SigningKey::public_jwk).collect();
    json_response(StatusCode::OK, &json!({ "keys": keys }))
}

fn client<'a>(s: &'a Inner, client_id: Option<&String>) -> Option<&'a SimClient> {
    let id = client_id?;
    s.config.clients.iter().find(|c| &c.client_id == id)
}

fn redirect_with(base: &str, params: &[(&str, &str)]) -> Response {
    match Url::parse(base) {
        Ok(mut url) => {
            if !params.is_empty() {
                url.query_pairs_mut().extend_pairs(params);
            }
            Redirect::to(url.as_str()).into_response()
        }
        Err(_) => (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response(),
    }
}

/// The page to pick a test person and a level, when no `login_hint` was given.
fn chooser(query: &Params) -> Response {
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Login simulator</title></head>\
         <body><h1>Login simulator</h1><p>Not a real login. Pick a test person and a level:</p><ul>",
    );
    for person in persons::test_persons() {
        let _ = write!(
            page,
            "<li>{} {} ({}):",
            escape(person.given_name),
            escape(person.family_name),
            person.max_loa
        );
        for loa in Loa::ALL.iter().filter(|l| **l <= person.max_loa) {
            let mut params: Vec<(&str, String)> = query
                .iter()
                .filter(|(k, _)| *k != "login_hint")
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            params.push(("login_hint", format!("{}:{}", person.login, loa.agov_class())));
            let qs = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            let _ = write!(
                page,
                " <a href=\"/authorize?{}\">{}</a>",
                escape(&qs),
                loa.agov_class()
            );
        }
        page.push_str("</li>");
    }
    page.push_str("</ul></body></html>");
    Html(page).into_response()
}

/// `anna` or `anna:300`.
fn parse_hint(hint: &str) -> Option<(&'static TestPerson, Option<Loa>)> {
    let (login, level) = match hint.split_once(':') {
        Some((login, level)) => (login, Some(Loa::from_agov_class(level.parse().ok()?).ok()?)),
        None => (hint, None),
    };
    Some((persons::test_person(login)?, level))
}

async fn authorize(State(s): State<Shared>, Query(q): Query<Params>) -> Response {
    let Some(client) = client(&s, q.get("client_id")) else {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    };
    let Some(redirect_uri) = q.get("redirect_uri").filter(|r| client.redirect_uris.contains(r)) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri not registered").into_response();
    };
    let state = q.get("state").cloned().unwrap_or_default();
    let fail = |error: &str, description: &str| {
        let mut params = vec![
            ("error", error),
            ("error_description", description),
            ("iss", s.issuer.as_str()),
        ];
        if !state.is_empty() {
            params.push(("state", &state));
        }
        redirect_with(redirect_uri, &params)
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return fail("unsupported_response_type", "only code");
    }
    let scopes: Vec<String> = q
        .get("scope")
        .map(|s| s.split(' ').map(str::to_owned).collect())
        .unwrap_or_default();
    if !scopes.iter().any(|s| s == "openid") {
        return fail("invalid_scope", "openid is required");
    }
    let challenge = q.get("code_challenge").filter(|c| !c.is_empty());
    let Some(challenge) =
        challenge.filter(|_| q.get("code_challenge_method").map(String::as_str) == Some("S256"))
    else {
        return fail("invalid_request", "PKCE with S256 is required");
    };
    let Some(hint) = q.get("login_hint") else {
        return chooser(&q);
    };
    let Some((person, hinted)) = parse_hint(hint) else {
        return fail("access_denied", "unknown test person");
    };
    // The weakest requested level that the simulator knows (acr_values is a minimum at AGOV).
    let requested = q
        .get("acr_values")
        .into_iter()
        .flat_map(|v| v.split(' '))
        .filter_map(|acr| Loa::from_agov_acr(acr).ok())
        .min();
    let loa = hinted.or(requested).unwrap_or(person.max_loa).min(person.max_loa);
    let (Ok(code), Ok(sid)) = (keys::random_token(24), keys::random_token(12)) else {
        return fail("server_error", "no randomness");
    };
    let grant = Grant {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        code_challenge: challenge.clone(),
        nonce: q.get("nonce").cloned(),
        person,
        loa,
        scopes,
        auth_time: now(),
        sid,
        issued: now(),
    };
    lock(&s.codes).insert(code.clone(), grant);
    let issuer = if *lock(&s.fault) == Some(Fault::WrongCallbackIssuer) {
        "https://attacker.example"
    } else {
        s.issuer.as_str()
    };
    let mut params = vec![("code", code.as_str()), ("iss", issuer)];
    if !state.is_empty() {
        params.push(("state", &state));
    }
    redirect_with(redirect_uri, &params)
}

/// (client_id, secret) from HTTP Basic (form-urlencoded parts, RFC 6749 2.3.1) or the form.
fn client_credentials(headers: &HeaderMap, form: &Params) -> Option<(String, Option<String>)> {
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let encoded = value.strip_prefix("Basic ")?;
        let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((decode(id)?, Some(decode(secret)?)));
    }
    Some((form.get("client_id")?.clone(), form.get("client_secret").cloned()))
}

fn subject(client: &SimClient, person: &TestPerson) -> String {
    // Pairwise: the same person gets different subjects at different sectors (redirect hosts).
    let sector = client
        .redirect_uris
        .first()
        .and_then(|u| Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    keys::sha256_b64(format!("{sector}|{}", person.login).as_bytes())
}

fn person_claims(grant: &Grant, claims: &mut serde_json::Map<String, Value>) {
    let p = grant.person;
    let has = |scope: &str| grant.scopes.iter().any(|s| s == scope);
    if has("profile") {
        claims.insert("given_name".into(), json!(p.given_name));
        claims.insert("family_name".into(), json!(p.family_name));
        claims.insert("birthdate".into(), json!(p.birth_date));
        claims.insert("locale".into(), json!(p.locale));
    }
    if has("email") {
        claims.insert("email".into(), json!(p.email));
        claims.insert("email_verified".into(), json!(true));
    }
    if has("svnr")
        && grant.loa >= Loa::AhvVerified
        && let Some(vn) = p.ahvn13()
    {
        claims.insert("ahvn13".into(), json!(vn.to_string()));
    }
}

fn id_token(
    s: &Inner,
    client: &SimClient,
    grant: &Grant,
    access_token: &str,
) -> Result<String, crate::Error> {
    let fault = lock(&s.fault).clone();
    let now = now();
    let lifetime = s.config.token_lifetime_secs;
    let mut claims = serde_json::Map::new();
    claims.insert("iss".into(), json!(s.issuer));
    claims.insert("sub".into(), json!(subject(client, grant.person)));
    claims.insert("aud".into(), json!(client.client_id));
    claims.insert("azp".into(), json!(client.client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + lifetime));
    claims.insert("auth_time".into(), json!(grant.auth_time));
    claims.insert("acr".into(), json!(grant.loa.to_agov_acr()));
    claims.insert("sid".into(), json!(grant.sid));
    if let Some(nonce) = &grant.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    claims.insert(
        "at_hash".into(),
        json!(keys::half_sha256_b64(access_token.as_bytes())),
    );
    if s.config.claims_in_id_token {
        person_claims(grant, &mut claims);
    }
    match fault {
        Some(Fault::WrongIssuer) => {
            claims.insert("iss".into(), json!("https://attacker.example"));
        }
        Some(Fault::WrongAudience) => {
            claims.insert("aud".into(), json!("another-client"));
            claims.insert("azp".into(), json!("another-client"));
        }
        Some(Fault::ExtraAudienceWithoutAzp) => {
            claims.insert("aud".into(), json!([client.client_id, "another-client"]));
            claims.remove("azp");
        }
        Some(Fault::WrongAuthorizedParty) => {
            claims.insert("azp".into(), json!("another-client"));
        }
        Some(Fault::Expired) => {
            claims.insert("iat".into(), json!(now - 900));
            claims.insert("exp".into(), json!(now - 600));
        }
        Some(Fault::IssuedInFuture) => {
            claims.insert("iat".into(), json!(now + 600));
            claims.insert("exp".into(), json!(now + 600 + lifetime));
        }
        Some(Fault::WrongNonce) => {
            claims.insert("nonce".into(), json!("not-the-nonce"));
        }
        Some(Fault::WrongAccessTokenHash) => {
            claims.insert("at_hash".into(), json!(keys::half_sha256_b64(b"another token")));
        }
        _ => {}
    }
    let claims = Value::Object(claims);
    let keys = lock(&s.keys);
    let key = keys
        .first()
        .ok_or_else(|| crate::Error::Simulator("no key".into()))?;
    match fault {
        Some(Fault::AlgNone) => keys::unsigned_jwt(&claims),
        Some(Fault::HmacWithPublicKey) => keys::hs256_jwt(&claims, &key.kid, &key.public_bytes()),
        Some(Fault::UnpublishedKey) => SigningKey::generate(s.config.signing_alg)?.sign_jwt(&claims),
        _ => key.sign_jwt(&claims),
    }
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Checks a `private_key_jwt` client assertion (RFC 7523).
fn assertion_client<'a>(s: &'a Inner, form: &Params) -> Result<&'a SimClient, &'static str> {
    let assertion = form.get("client_assertion").ok_or("no client_assertion")?;
    let client = client(s, form.get("client_id")).ok_or("unknown client")?;
    let header = crate::jwt::header(assertion).map_err(|_| "malformed client assertion")?;
    let jwk = client
        .jwks
        .iter()
        .find(|k| k.get("kid").and_then(Value::as_str) == header.kid.as_deref())
        .ok_or("unknown client key")?;
    if jwk.get("alg").and_then(Value::as_str) != Some(header.alg.as_str())
        || !keys::verify_with_jwk(assertion, jwk)
    {
        return Err("client assertion signature");
    }
    let claims = crate::jwt::payload(assertion).map_err(|_| "malformed client assertion")?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let endpoint = format!("{}/token", s.issuer);
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => *a == endpoint || *a == s.issuer,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(&endpoint)),
        _ => false,
    };
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if text("iss") != Some(&client.client_id) || text("sub") != Some(&client.client_id) || !aud_ok {
        return Err("client assertion iss, sub or aud");
    }
    if exp <= now() || exp > now() + 300 {
        return Err("client assertion expired or too long-lived");
    }
    let jti = text("jti").ok_or("client assertion without jti")?;
    if !lock(&s.assertion_ids).insert(jti.to_owned()) {
        return Err("client assertion replayed");
    }
    Ok(client)
}

/// The client of a token request, authenticated by assertion, secret, or as a public client.
fn token_client<'a>(s: &'a Inner, headers: &HeaderMap, form: &Params) -> Result<&'a SimClient, &'static str> {
    if form.get("client_assertion_type").map(String::as_str) == Some(JWT_BEARER) {
        return assertion_client(s, form);
    }
    let (client_id, secret) = client_credentials(headers, form).ok_or("no client authentication")?;
    let client = client(s, Some(&client_id)).ok_or("unknown client")?;
    if !client.jwks.is_empty() {
        return Err("private_key_jwt required");
    }
    if let Some(expected) = &client.client_secret
        && secret.as_ref() != Some(expected)
    {
        return Err("wrong client secret");
    }
    Ok(client)
}

async fn token(State(s): State<Shared>, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    s.token_requests.fetch_add(1, Ordering::SeqCst);
    let client = match token_client(&s, &headers, &form) {
        Ok(client) => client,
        Err(reason) => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", reason),
    };
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only authorization_code",
        );
    }
    // Single use: the code is gone whatever happens next.
    let Some(grant) = form.get("code").and_then(|c| lock(&s.codes).remove(c)) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown or used code");
    };
    if grant.client_id != client.client_id || now() - grant.issued > 60 {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "code expired or of another client",
        );
    }
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "redirect_uri differs");
    }
    let verifier_ok = form.get("code_verifier").is_some_and(|v| {
        (43..=128).contains(&v.len()) && keys::sha256_b64(v.as_bytes()) == grant.code_challenge
    });
    if !verifier_ok {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed",
        );
    }
    let Ok(access_token) = keys::random_token(32) else {
        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "no randomness");
    };
    let id_token = match id_token(&s, client, &grant, &access_token) {
        Ok(t) => t,
        Err(e) => return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e.to_string()),
    };
    let scope = grant.scopes.join(" ");
    lock(&s.access_tokens).insert(access_token.clone(), grant);
    json_response(
        StatusCode::OK,
        &json!({"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                "id_token": id_token, "scope": scope}),
    )
}

async fn userinfo(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(grant) = token.and_then(|t| lock(&s.access_tokens).get(t).cloned()) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "unknown access token");
    };
    let Some(client) = client(&s, Some(&grant.client_id)) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "client gone");
    };
    let mut claims = serde_json::Map::new();
    claims.insert("sub".into(), json!(subject(client, grant.person)));
    person_claims(&grant, &mut claims);
    json_response(StatusCode::OK, &Value::Object(claims))
}

async fn logout(State(s): State<Shared>, Query(q): Query<Params>) -> Response {
    if let (Some(client), Some(target)) = (client(&s, q.get("client_id")), q.get("post_logout_redirect_uri"))
        && client.post_logout_redirect_uris.contains(target)
    {
        let state = q.get("state").cloned().unwrap_or_default();
        let params: Vec<(&str, &str)> = if state.is_empty() {
            vec![]
        } else {
            vec![("state", &state)]
        };
        return redirect_with(target, &params);
    }
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signed out</title></head>\
          <body><p>Signed out of the login simulator.</p></body></html>",
    )
    .into_response()
}
