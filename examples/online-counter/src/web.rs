//! The pages and their routes.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Form;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequestParts, Multipart, Path, Query, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate, Utc};
use egov_core::Language;
use egov_eid::session::Session;
use egov_eid::web::{CurrentUser, EidWeb, RequireLoa, level};
use egov_notify::channel::FileTransport;
use egov_notify::outbox::{Outbox, SqliteOutbox};
use egov_notify::template::Template;
use egov_pay::provider::{PaymentProvider, SimulatedProvider, WebhookEvent, WebhookRequest};
use egov_pay::reconcile::Ledger;
use egov_sedex::Tracker;
use rusqlite::Connection;
use serde::Deserialize;

use crate::certificate::{self, PURPOSES, format_date, purpose_label};
use crate::config::Config;
use crate::db::{self, NewOrder, Order};
use crate::html::{esc, page};
use crate::i18n::{self, t};
use crate::online;
use crate::{Error, payment, services};

const LANG_COOKIE: &str = "oc_lang";

/// Everything the pages need besides the login.
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) db: Mutex<Connection>,
    pub(crate) mail_outbox: Outbox<SqliteOutbox>,
    pub(crate) template: Template,
    pub(crate) mailbox: FileTransport,
    pub(crate) mailbox_dir: std::path::PathBuf,
    pub(crate) sedex_outbox: egov_sedex::Outbox,
    pub(crate) tracker: Tracker,
    pub(crate) ledger: Mutex<Ledger>,
    /// The payment service provider of "Pay online".
    pub(crate) provider: Arc<dyn PaymentProvider>,
    /// The origin the browser and the provider reach this server at.
    pub(crate) public_url: String,
    /// Serialises the confirmations of online payments.
    pub(crate) confirm_lock: tokio::sync::Mutex<()>,
    /// The municipality's seal on the certificates.
    pub(crate) seal: crate::seal::Seal,
}

impl App {
    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The router's state: the login routes' state and the application.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) web: EidWeb,
    pub(crate) app: Arc<App>,
}

impl FromRef<AppState> for EidWeb {
    fn from_ref(state: &AppState) -> Self {
        state.web.clone()
    }
}

/// The page language: `?lang=`, the language cookie, `Accept-Language`, German.
struct Lang(Language);

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn query_lang(parts_query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(parts_query?.as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned())
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = query_lang(parts.uri.query());
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Ok(Self(i18n::choose(
            q.as_deref(),
            cookie(&parts.headers, LANG_COOKIE),
            accept,
        )))
    }
}

/// Remembers a language chosen with `?lang=` in a cookie.
async fn remember_language(request: Request, next: Next) -> Response {
    let chosen =
        query_lang(request.uri().query()).filter(|code| Language::ALL.iter().any(|l| l.code() == code));
    let mut response = next.run(request).await;
    if let Some(code) = chosen
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(crate) fn router(state: AppState, simulator: Option<&SimulatedProvider>) -> Router {
    let mut router = Router::new()
        .route("/", get(home))
        .route("/health", get(health))
        .route("/order", get(order_form).post(order_submit))
        .route("/orders", get(my_orders))
        .route("/orders/{id}", get(order_page))
        .route("/orders/{id}/qr-bill.pdf", get(bill_pdf))
        .route("/seal-ca.pem", get(seal_ca))
        .route("/orders/{id}/certificate.pdf", get(certificate_pdf))
        .route("/orders/{id}/pay-online", post(pay_online))
        .route("/orders/{id}/online-payment", get(payment_return))
        .route(online::WEBHOOK_PATH, post(payment_webhook))
        .route("/admin", get(admin))
        .route("/admin/camt", post(admin_camt))
        .route("/admin/orders/{id}/camt054.xml", get(sample_camt))
        .route("/mail", get(mail_page))
        .route("/mail/{id}", get(mail_raw))
        .merge(state.web.router());
    if let Some(sim) = simulator {
        router = router.nest_service(online::SIMULATOR_PATH, sim.router());
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn(remember_language))
        .with_state(state)
}

fn owner(session: &Session) -> String {
    let (issuer, subject) = session.identity.key();
    format!("{issuer}|{subject}")
}

fn html_page(lang: Language, title: &str, path: &str, body: &str) -> Response {
    let mut response = Html(page(lang, title, path, body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    response
}

fn error_page(lang: Language, status: StatusCode, key: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p><a href=\"/\">{}</a></p>",
        esc(t(lang, key)),
        esc(t(lang, "back"))
    );
    let mut response = html_page(lang, t(lang, key), "/", &body);
    *response.status_mut() = status;
    response
}

fn internal(lang: Language, error: &Error) -> Response {
    tracing::error!(error = %error, "request failed");
    error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, "error")
}

async fn not_found(Lang(lang): Lang) -> Response {
    error_page(lang, StatusCode::NOT_FOUND, "not_found")
}

async fn health(State(state): State<AppState>) -> Response {
    let ok = state
        .app
        .db()
        .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
        .is_ok();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({ "status": if ok { "ok" } else { "unavailable" } }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn home(Lang(lang): Lang) -> Response {
    let body = format!(
        "<h1>{title}</h1><p>{intro}</p><p><a class=\"button\" href=\"/order\">{start}</a> \
         <a class=\"button secondary\" href=\"/orders\">{mine}</a></p>\
         <h2>{demo}</h2><ul><li><a href=\"/admin\">{admin}</a></li><li><a href=\"/mail\">{mail}</a></li></ul>",
        title = esc(t(lang, "certificate")),
        intro = esc(t(lang, "home_intro")),
        start = esc(t(lang, "start")),
        mine = esc(t(lang, "my_orders")),
        demo = esc(t(lang, "demo_links")),
        admin = esc(t(lang, "admin")),
        mail = esc(t(lang, "sent_mail")),
    );
    html_page(lang, t(lang, "certificate"), "/", &body)
}

/// The form's fields as entered.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrderForm {
    given_name: String,
    family_name: String,
    birth_date: String,
    email: String,
    street: String,
    house_number: String,
    postal_code: String,
    town: String,
    purpose: String,
}

/// Checks the form; the errors name the field (key of its label) and the text key of the problem.
fn validate(
    form: &OrderForm,
    today: NaiveDate,
) -> Result<(NaiveDate, String), Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let text_fields: [(&'static str, &str); 6] = [
        ("given_name", &form.given_name),
        ("family_name", &form.family_name),
        ("street", &form.street),
        ("house_number", &form.house_number),
        ("town", &form.town),
        ("email", &form.email),
    ];
    for (field, value) in text_fields {
        let value = value.trim();
        if value.is_empty() {
            errors.push((field, "err_required"));
        } else if value.chars().count() > 70 {
            errors.push((field, "err_too_long"));
        } else if field == "email" && value.parse::<egov_notify::EmailAddress>().is_err() {
            errors.push((field, "err_email"));
        }
    }
    let birth = form.birth_date.trim();
    let birth_date = if birth.is_empty() {
        errors.push(("birth_date", "err_required"));
        None
    } else {
        match NaiveDate::parse_from_str(birth, "%Y-%m-%d") {
            Ok(d) if d < today && d.year() >= 1900 => Some(d),
            _ => {
                errors.push(("birth_date", "err_date"));
                None
            }
        }
    };
    let postal = form.postal_code.trim();
    if postal.is_empty() {
        errors.push(("postal_code", "err_required"));
    } else if postal.len() != 4 || postal.parse::<egov_core::PostalCode>().is_err() {
        errors.push(("postal_code", "err_postal_code"));
    }
    if form.purpose.is_empty() {
        errors.push(("purpose", "err_required"));
    } else if !PURPOSES.contains(&form.purpose.as_str()) {
        errors.push(("purpose", "err_choice"));
    }
    match birth_date {
        Some(d) if errors.is_empty() => Ok((d, form.email.trim().to_owned())),
        _ => Err(errors),
    }
}

fn form_html(lang: Language, session: &Session, form: &OrderForm, errors: &[(&str, &str)]) -> String {
    let mut body = format!(
        "<h1>{}</h1><p>{}</p>",
        esc(t(lang, "order_title")),
        esc(t(lang, "order_intro"))
    );
    if !errors.is_empty() {
        let _ = write!(
            body,
            "<div class=\"errors\" role=\"alert\" tabindex=\"-1\" autofocus aria-labelledby=\"errors-title\">\
             <h2 id=\"errors-title\">{}</h2><ul>",
            esc(t(lang, "errors_title"))
        );
        for (field, problem) in errors {
            let _ = write!(
                body,
                "<li><a href=\"#{field}\">{} {}</a></li>",
                esc(t(lang, field)),
                esc(t(lang, problem))
            );
        }
        body.push_str("</ul></div>");
    }
    let ahv = session.identity.ahvn13.map(|v| v.masked()).unwrap_or_default();
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/order\" novalidate><fieldset><legend>{person}</legend>\
         <dl><dt>{ahv_label}</dt><dd>{ahv}</dd></dl>",
        person = esc(t(lang, "person")),
        ahv_label = esc(t(lang, "ahvn13")),
        ahv = esc(&ahv),
    );
    let field = |body: &mut String,
                 name: &str,
                 value: &str,
                 kind: &str,
                 autocomplete: &str,
                 hint: Option<&str>| {
        let error = errors.iter().find(|(f, _)| *f == name).map(|(_, p)| *p);
        let mut described = Vec::new();
        if hint.is_some() {
            described.push(format!("{name}-hint"));
        }
        if error.is_some() {
            described.push(format!("{name}-error"));
        }
        let _ = write!(body, "<label for=\"{name}\">{} *", esc(t(lang, name)));
        if let Some(h) = hint {
            let _ = write!(
                body,
                "<span class=\"hint\" id=\"{name}-hint\">{}</span>",
                esc(t(lang, h))
            );
        }
        body.push_str("</label>");
        if let Some(p) = error {
            let _ = write!(
                body,
                "<p class=\"field-error\" id=\"{name}-error\">{} {}</p>",
                esc(t(lang, name)),
                esc(t(lang, p))
            );
        }
        let _ = write!(
            body,
            "<input type=\"{kind}\" id=\"{name}\" name=\"{name}\" value=\"{}\" autocomplete=\"{autocomplete}\" required{}{}>",
            esc(value),
            if error.is_some() {
                " aria-invalid=\"true\""
            } else {
                ""
            },
            if described.is_empty() {
                String::new()
            } else {
                format!(" aria-describedby=\"{}\"", described.join(" "))
            }
        );
    };
    field(
        &mut body,
        "given_name",
        &form.given_name,
        "text",
        "given-name",
        None,
    );
    field(
        &mut body,
        "family_name",
        &form.family_name,
        "text",
        "family-name",
        None,
    );
    field(
        &mut body,
        "birth_date",
        &form.birth_date,
        "text",
        "bday",
        Some("birth_date_hint"),
    );
    field(&mut body, "email", &form.email, "email", "email", None);
    let _ = write!(
        body,
        "</fieldset><fieldset><legend>{}</legend>",
        esc(t(lang, "address"))
    );
    field(&mut body, "street", &form.street, "text", "address-line1", None);
    field(&mut body, "house_number", &form.house_number, "text", "off", None);
    field(
        &mut body,
        "postal_code",
        &form.postal_code,
        "text",
        "postal-code",
        None,
    );
    field(&mut body, "town", &form.town, "text", "address-level2", None);
    body.push_str("</fieldset>");
    let purpose_error = errors.iter().find(|(f, _)| *f == "purpose").map(|(_, p)| *p);
    let _ = write!(
        body,
        "<label for=\"purpose\">{} *</label>",
        esc(t(lang, "purpose"))
    );
    if let Some(p) = purpose_error {
        let _ = write!(
            body,
            "<p class=\"field-error\" id=\"purpose-error\">{} {}</p>",
            esc(t(lang, "purpose")),
            esc(t(lang, p))
        );
    }
    let _ = write!(
        body,
        "<select id=\"purpose\" name=\"purpose\" required{}><option value=\"\">{}</option>",
        if purpose_error.is_some() {
            " aria-invalid=\"true\" aria-describedby=\"purpose-error\""
        } else {
            ""
        },
        esc(t(lang, "choose"))
    );
    for p in PURPOSES {
        let _ = write!(
            body,
            "<option value=\"{p}\"{}>{}</option>",
            if form.purpose == p { " selected" } else { "" },
            esc(purpose_label(lang, p))
        );
    }
    let _ = write!(
        body,
        "</select><p class=\"note\">{}</p><button type=\"submit\">{}</button></form>",
        esc(t(lang, "fee_note")),
        esc(t(lang, "submit"))
    );
    body
}

async fn order_form(Lang(lang): Lang, RequireLoa(session, ..): RequireLoa<level::AhvVerified>) -> Response {
    let id = &session.identity;
    let form = OrderForm {
        given_name: id.given_name.clone().unwrap_or_default(),
        family_name: id.family_name.clone().unwrap_or_default(),
        birth_date: id.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        email: id.email.clone().unwrap_or_default(),
        ..OrderForm::default()
    };
    html_page(
        lang,
        t(lang, "order_title"),
        "/order",
        &form_html(lang, &session, &form, &[]),
    )
}

async fn order_submit(
    State(state): State<AppState>,
    Lang(lang): Lang,
    RequireLoa(session, ..): RequireLoa<level::AhvVerified>,
    Form(form): Form<OrderForm>,
) -> Response {
    let (birth_date, email) = match validate(&form, Utc::now().date_naive()) {
        Ok(v) => v,
        Err(errors) => {
            let mut response = html_page(
                lang,
                t(lang, "order_title"),
                "/order",
                &form_html(lang, &session, &form, &errors),
            );
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return response;
        }
    };
    let new = NewOrder {
        owner: owner(&session),
        language: lang,
        given_name: form.given_name.trim().to_owned(),
        family_name: form.family_name.trim().to_owned(),
        birth_date,
        ahvn13: session.identity.ahvn13,
        email,
        street: form.street.trim().to_owned(),
        house_number: form.house_number.trim().to_owned(),
        postal_code: form.postal_code.trim().to_owned(),
        town: form.town.trim().to_owned(),
        purpose: form.purpose,
    };
    let inserted = db::insert(&mut state.app.db(), &new, Utc::now(), payment::reference_for);
    match inserted {
        Ok(Some(order)) => {
            tracing::info!(order = order.id, "order created");
            Redirect::to(&format!("/orders/{}", order.id)).into_response()
        }
        Ok(None) => internal(lang, &Error::Bill("no QR reference for the order".into())),
        Err(e) => internal(lang, &e.into()),
    }
}

/// The order if it belongs to the session's person.
fn owned_order(state: &AppState, session: &Session, id: i64) -> Result<Option<Order>, Error> {
    let order = db::get(&state.app.db(), id)?;
    Ok(order.filter(|o| o.data.owner == owner(session)))
}

async fn my_orders(
    State(state): State<AppState>,
    Lang(lang): Lang,
    CurrentUser(session): CurrentUser,
) -> Response {
    let orders = match db::by_owner(&state.app.db(), &owner(&session)) {
        Ok(o) => o,
        Err(e) => return internal(lang, &e.into()),
    };
    let mut body = format!("<h1>{}</h1>", esc(t(lang, "my_orders")));
    if orders.is_empty() {
        let _ = write!(body, "<p>{}</p>", esc(t(lang, "no_orders")));
    } else {
        body.push_str("<ul>");
        for o in &orders {
            let _ = write!(
                body,
                "<li><a href=\"/orders/{}\">{}</a> – {}</li>",
                o.id,
                o.number(),
                esc(status_text(lang, o))
            );
        }
        body.push_str("</ul>");
    }
    let _ = write!(
        body,
        "<p><a class=\"button\" href=\"/order\">{}</a></p>\
         <form method=\"post\" action=\"/auth/logout\"><button class=\"secondary\" type=\"submit\">{}</button></form>",
        esc(t(lang, "start")),
        esc(t(lang, "logout"))
    );
    html_page(lang, t(lang, "my_orders"), "/orders", &body)
}

fn status_text(lang: Language, order: &Order) -> &'static str {
    if order.paid_at.is_some() {
        t(lang, "status_paid")
    } else {
        t(lang, "status_open")
    }
}

/// The order page's query: `?online=` after an online payment attempt.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrderPageQuery {
    online: Option<String>,
}

async fn order_page(
    State(state): State<AppState>,
    Lang(lang): Lang,
    CurrentUser(session): CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<OrderPageQuery>,
) -> Response {
    let order = match owned_order(&state, &session, id) {
        Ok(Some(o)) => o,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, "not_found"),
        Err(e) => return internal(lang, &e),
    };
    let d = &order.data;
    let paid = order.paid_at.is_some();
    let mut body = format!(
        "<h1>{order_label} {number}</h1><p>{status_label}: <span class=\"status{class}\">{status}</span></p>\
         <dl><dt>{name_label}</dt><dd>{name}</dd><dt>{birth_label}</dt><dd>{birth}</dd>\
         <dt>{ahv_label}</dt><dd>{ahv}</dd><dt>{address_label}</dt><dd>{street} {house}, {postal} {town}</dd>\
         <dt>{purpose_label}</dt><dd>{purpose}</dd><dt>{created_label}</dt><dd>{created}</dd></dl>",
        order_label = esc(t(lang, "order")),
        number = order.number(),
        status_label = esc(t(lang, "status")),
        class = if paid { " paid" } else { "" },
        status = esc(status_text(lang, &order)),
        name_label = esc(t(lang, "person")),
        name = esc(&format!("{} {}", d.given_name, d.family_name)),
        birth_label = esc(t(lang, "birth_date")),
        birth = format_date(lang, d.birth_date),
        ahv_label = esc(t(lang, "ahvn13")),
        ahv = esc(&d.ahvn13.map(|v| v.masked()).unwrap_or_default()),
        address_label = esc(t(lang, "address")),
        street = esc(&d.street),
        house = esc(&d.house_number),
        postal = esc(&d.postal_code),
        town = esc(&d.town),
        purpose_label = esc(t(lang, "purpose")),
        purpose = esc(purpose_label(lang, &d.purpose)),
        created_label = esc(t(lang, "created")),
        created = format_date(lang, order.created_at.date_naive()),
    );
    let _ = write!(
        body,
        "<h2>{payment}</h2><dl><dt>{amount_label}</dt><dd>CHF {amount}</dd><dt>{reference_label}</dt><dd>{reference}</dd></dl>",
        payment = esc(t(lang, "payment")),
        amount_label = esc(t(lang, "amount")),
        amount = payment::format_cents(order.amount_cents),
        reference_label = esc(t(lang, "reference")),
        reference = payment::grouped(&order.reference),
    );
    // The result of an online payment attempt; "paid" only when the order really is.
    let notice = match query.online.as_deref() {
        Some("paid") if paid => Some(("note", "status", "online_paid")),
        Some("canceled") if !paid => Some(("errors", "alert", "online_canceled")),
        Some("failed") if !paid => Some(("errors", "alert", "online_failed")),
        Some("pending") if !paid => Some(("note", "status", "online_pending")),
        Some("error") if !paid => Some(("errors", "alert", "online_error")),
        _ => None,
    };
    if let Some((class, role, key)) = notice {
        let _ = write!(
            body,
            "<div class=\"{class}\" role=\"{role}\" id=\"online-result\"><p>{}</p></div>",
            esc(t(lang, key))
        );
    }
    if !paid {
        let _ = write!(
            body,
            "<form method=\"post\" action=\"/orders/{id}/pay-online\"><button type=\"submit\">{pay_online}</button></form>\
             <p>{online_note}</p><h3>{by_bill}</h3>\
             <p><a class=\"button secondary\" href=\"/orders/{id}/qr-bill.pdf?lang={code}\">{download}</a></p><p>{note}</p>",
            pay_online = esc(t(lang, "pay_online")),
            online_note = esc(t(lang, "pay_online_note")),
            by_bill = esc(t(lang, "pay_by_bill")),
            code = lang.code(),
            download = esc(t(lang, "download_bill")),
            note = esc(t(lang, "pay_note")),
        );
    }
    let _ = write!(body, "<h2>{}</h2>", esc(t(lang, "certificate")));
    if paid {
        let _ = write!(
            body,
            "<p><a class=\"button\" href=\"/orders/{id}/certificate.pdf\">{}</a></p><p class=\"note\">{}</p>",
            esc(t(lang, "download_certificate")),
            esc(t(lang, "seal_note"))
        );
    } else {
        let _ = write!(body, "<p>{}</p>", esc(t(lang, "not_yet")));
    }
    let _ = write!(body, "<h2>{}</h2>", esc(t(lang, "mail")));
    match mail_status(&state, order.mail_id.as_deref()).await {
        Some(status) => {
            let _ = write!(
                body,
                "<dl><dt>{}</dt><dd id=\"mail-status\">{}</dd></dl>",
                esc(t(lang, "mail_status")),
                esc(&status)
            );
        }
        None => {
            let _ = write!(body, "<p>{}</p>", esc(t(lang, "not_yet")));
        }
    }
    let _ = write!(body, "<h2>{}</h2>", esc(t(lang, "register")));
    match &order.sedex_message_id {
        Some(message_id) => {
            let receipt = services::receipt(&state.app.tracker, message_id);
            let receipt_text = match receipt {
                Some((Some(code), meaning)) => format!("{code} – {meaning}"),
                _ => t(lang, "receipt_waiting").to_owned(),
            };
            let _ = write!(
                body,
                "<dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd id=\"sedex-receipt\">{}</dd></dl>",
                esc(t(lang, "message_id")),
                esc(message_id),
                esc(t(lang, "receipt")),
                esc(&receipt_text)
            );
        }
        None => {
            let _ = write!(body, "<p>{}</p>", esc(t(lang, "not_yet")));
        }
    }
    let _ = write!(
        body,
        "<p><a href=\"/orders\">{}</a></p>",
        esc(t(lang, "my_orders"))
    );
    html_page(lang, &order.number(), &format!("/orders/{id}"), &body)
}

async fn mail_status(state: &AppState, mail_id: Option<&str>) -> Option<String> {
    let id: egov_notify::MessageId = mail_id?.parse().ok()?;
    let stored = state.app.mail_outbox.status(&id).await.ok()??;
    Some(stored.status.as_str().to_owned())
}

fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn bill_pdf(
    State(state): State<AppState>,
    Lang(lang): Lang,
    CurrentUser(session): CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let order = match owned_order(&state, &session, id) {
        Ok(Some(o)) => o,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, "not_found"),
        Err(e) => return internal(lang, &e),
    };
    match payment::bill_pdf(&order, &state.app.config, lang) {
        Ok(pdf) => pdf_response(pdf, &format!("qr-bill-{}.pdf", order.number())),
        Err(e) => internal(lang, &e),
    }
}

async fn certificate_pdf(
    State(state): State<AppState>,
    Lang(lang): Lang,
    CurrentUser(session): CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let order = match owned_order(&state, &session, id) {
        Ok(Some(o)) => o,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, "not_found"),
        Err(e) => return internal(lang, &e),
    };
    let Some(paid_at) = order.paid_at else {
        return error_page(lang, StatusCode::CONFLICT, "not_yet");
    };
    let pdf = certificate::pdf(&order, &state.app.config, paid_at.date_naive());
    match state.app.seal.seal(&pdf).await {
        Ok(sealed) => pdf_response(sealed, &format!("{}.pdf", order.number())),
        Err(e) => internal(lang, &e),
    }
}

/// The demo root CA of the seal, to verify a certificate: `egov sign verify cert.pdf --trust seal-ca.pem`.
async fn seal_ca(State(state): State<AppState>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
        state.app.seal.ca_pem().to_owned(),
    )
        .into_response()
}

/// "Pay online": registers a payment at the provider and sends the browser to its page.
async fn pay_online(
    State(state): State<AppState>,
    Lang(lang): Lang,
    CurrentUser(session): CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    let order = match owned_order(&state, &session, id) {
        Ok(Some(o)) => o,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, "not_found"),
        Err(e) => return internal(lang, &e),
    };
    if order.paid_at.is_some() {
        return Redirect::to(&format!("/orders/{id}")).into_response();
    }
    match online::begin(&state, &order, lang).await {
        Ok(page) => Redirect::to(&page).into_response(),
        Err(e) => {
            tracing::warn!(order = id, error = %e, "online payment not started");
            Redirect::to(&format!("/orders/{id}?online=error")).into_response()
        }
    }
}

/// The return URL's query: the merchant reference of the attempt.
#[derive(Debug, Deserialize)]
struct ReturnQuery {
    #[serde(rename = "ref")]
    reference: String,
}

/// The browser comes back from the provider: the outcome is what the provider confirms
/// server-side, never what the URL says.
async fn payment_return(
    State(state): State<AppState>,
    Lang(lang): Lang,
    Path(id): Path<i64>,
    Query(query): Query<ReturnQuery>,
) -> Response {
    let found = db::online_by_reference(&state.app.db(), &query.reference);
    let payment = match found {
        Ok(Some(p)) if p.order_id == id => p,
        Ok(_) => return error_page(lang, StatusCode::NOT_FOUND, "not_found"),
        Err(e) => return internal(lang, &e.into()),
    };
    let code = match online::confirm(&state, &payment).await {
        Ok(confirmed) => confirmed.code(),
        Err(e) => {
            tracing::warn!(order = id, error = %e, "online payment not confirmed");
            "error"
        }
    };
    Redirect::to(&format!("/orders/{id}?online={code}")).into_response()
}

/// The provider's webhook: verified (signature, shape) before anything is looked up, then the
/// payment is confirmed with the provider like on the return page.
async fn payment_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut request = WebhookRequest::new(&headers, &body);
    if let Some(q) = query.as_deref() {
        request = request.with_query(q);
    }
    let event = match state.app.provider.verify_webhook(&request) {
        Ok(event) => event,
        Err(e) => {
            tracing::warn!(error = %e, "webhook rejected");
            return (StatusCode::BAD_REQUEST, "webhook rejected").into_response();
        }
    };
    let found = {
        let conn = state.app.db();
        match &event {
            WebhookEvent::Verified {
                transaction_id,
                reference,
                ..
            } => match db::online_by_provider_id(&conn, transaction_id) {
                Ok(None) => reference
                    .as_deref()
                    .map_or(Ok(None), |r| db::online_by_reference(&conn, r)),
                other => other,
            },
            WebhookEvent::ConfirmRequired { reference } => db::online_by_reference(&conn, reference),
            _ => Ok(None),
        }
    };
    let payment = match found {
        Ok(Some(p)) => p,
        Ok(None) => return (StatusCode::NOT_FOUND, "unknown payment").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "webhook lookup");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match online::confirm(&state, &payment).await {
        Ok(confirmed) => (StatusCode::OK, confirmed.code()).into_response(),
        Err(e) => {
            tracing::warn!(order = payment.order_id, error = %e, "webhook not confirmed");
            // Not 2xx: the provider delivers it again later.
            (StatusCode::BAD_GATEWAY, "not confirmed").into_response()
        }
    }
}

async fn admin(State(state): State<AppState>, Lang(lang): Lang) -> Response {
    let orders = match db::all(&state.app.db()) {
        Ok(o) => o,
        Err(e) => return internal(lang, &e.into()),
    };
    html_page(lang, t(lang, "admin"), "/admin", &admin_html(lang, &orders, ""))
}

fn admin_html(lang: Language, orders: &[Order], result: &str) -> String {
    let mut body = format!("<h1>{}</h1>{result}", esc(t(lang, "admin")));
    let _ = write!(
        body,
        "<h2>camt.054</h2><form method=\"post\" action=\"/admin/camt\" enctype=\"multipart/form-data\">\
         <label for=\"camt\">{file}</label><input type=\"file\" id=\"camt\" name=\"camt\" accept=\".xml,application/xml,text/xml\" required>\
         <button type=\"submit\">{import}</button></form><h2>{orders}</h2>\
         <table><thead><tr><th scope=\"col\">{order}</th><th scope=\"col\">{reference}</th><th scope=\"col\">{amount}</th>\
         <th scope=\"col\">{status}</th><th scope=\"col\">{sample}</th></tr></thead><tbody>",
        file = esc(t(lang, "camt_file")),
        import = esc(t(lang, "import")),
        orders = esc(t(lang, "orders")),
        order = esc(t(lang, "order")),
        reference = esc(t(lang, "reference")),
        amount = esc(t(lang, "amount")),
        status = esc(t(lang, "status")),
        sample = esc(t(lang, "sample")),
    );
    for o in orders {
        let demo = if o.paid_at.is_none() {
            format!("<a href=\"/admin/orders/{}/camt054.xml\">camt.054</a>", o.id)
        } else {
            String::new()
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{demo}</td></tr>",
            o.number(),
            payment::grouped(&o.reference),
            payment::format_cents(o.amount_cents),
            esc(status_text(lang, o)),
        );
    }
    body.push_str("</tbody></table>");
    body
}

async fn sample_camt(State(state): State<AppState>, Lang(lang): Lang, Path(id): Path<i64>) -> Response {
    let order = match db::get(&state.app.db(), id) {
        Ok(Some(o)) => o,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, "not_found"),
        Err(e) => return internal(lang, &e.into()),
    };
    let entry_ref = format!("DEMO{}{:08}", order.id, fastrand::u32(..100_000_000));
    let xml = payment::sample_camt054(&order, &state.app.config, &entry_ref, Utc::now().date_naive());
    let mut response = xml.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"camt054-{}.xml\"",
        order.number()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

async fn admin_camt(State(state): State<AppState>, Lang(lang): Lang, mut multipart: Multipart) -> Response {
    let mut xml = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("camt") {
            xml = field.bytes().await.ok();
        }
    }
    let result = match xml.map(|b| String::from_utf8(b.to_vec())) {
        Some(Ok(xml)) => import_camt(&state, lang, &xml).await,
        Some(Err(_)) => Err(Error::Camt("the file is not UTF-8 text".into())),
        None => Err(Error::Camt("no file was uploaded (field `camt`)".into())),
    };
    let (status, result_html) = match result {
        Ok(html) => (StatusCode::OK, html),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "<div class=\"errors\" role=\"alert\"><p>{}</p></div>",
                esc(&e.to_string())
            ),
        ),
    };
    let orders = match db::all(&state.app.db()) {
        Ok(o) => o,
        Err(e) => return internal(lang, &e.into()),
    };
    let mut response = html_page(
        lang,
        t(lang, "admin"),
        "/admin",
        &admin_html(lang, &orders, &result_html),
    );
    *response.status_mut() = status;
    response
}

/// Imports a camt.054, fulfils the orders it pays, and describes the result as HTML.
async fn import_camt(state: &AppState, lang: Language, xml: &str) -> Result<String, Error> {
    let orders = db::all(&state.app.db())?;
    let (report, paid) = {
        let mut ledger = state.app.ledger.lock().unwrap_or_else(PoisonError::into_inner);
        payment::import(xml, &orders, &mut ledger)?
    };
    let mut html = format!(
        "<div class=\"note\" role=\"status\"><p>camt.054</p><table><thead><tr><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(t(lang, "reference")),
        esc(t(lang, "amount")),
        esc(t(lang, "status")),
    );
    for tx in &report.transactions {
        let status = serde_json::to_value(&tx.status)
            .ok()
            .and_then(|v| v.get("status").and_then(|s| s.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"tx-status\">{}</td></tr>",
            esc(&tx.reference.as_deref().map(payment::grouped).unwrap_or_default()),
            tx.amount,
            esc(&status)
        );
    }
    html.push_str("</tbody></table></div>");
    tracing::info!(
        transactions = report.transactions.len(),
        paid = paid.len(),
        "camt.054 imported"
    );
    for id in paid {
        fulfil(state, id).await?;
    }
    Ok(html)
}

/// A paid order: marks it paid once, queues the e-mail with the certificate and reports to the canton.
pub(crate) async fn fulfil(state: &AppState, id: i64) -> Result<(), Error> {
    let now = Utc::now();
    let order = {
        let conn = state.app.db();
        if !db::mark_paid(&conn, id, now)? {
            return Ok(());
        }
        db::get(&conn, id)?
    };
    let Some(order) = order else {
        return Ok(());
    };
    tracing::info!(order = id, "order paid");
    let app = &state.app;
    let pdf = app
        .seal
        .seal(&certificate::pdf(&order, &app.config, now.date_naive()))
        .await?;
    let mail_id = services::send_certificate_mail(&app.mail_outbox, &app.template, &order, pdf).await?;
    db::set_mail(&app.db(), id, &mail_id)?;
    tracing::info!(order = id, mail = %mail_id, "certificate e-mail queued");
    let message_id = services::send_report(
        &app.sedex_outbox,
        &app.config.sedex_sender,
        &app.config.sedex_canton,
        &order,
        now,
    )?;
    db::set_sedex(&app.db(), id, &message_id)?;
    tracing::info!(order = id, sedex = %message_id, "report sent to the canton");
    Ok(())
}

async fn mail_page(State(state): State<AppState>, Lang(lang): Lang) -> Response {
    let orders = match db::all(&state.app.db()) {
        Ok(o) => o,
        Err(e) => return internal(lang, &e.into()),
    };
    let mut body = format!(
        "<h1>{}</h1><p>Mailbox: <code>{}</code></p>",
        esc(t(lang, "sent_mail")),
        esc(&state.app.mailbox_dir.join("new").display().to_string())
    );
    let mut any = false;
    for order in &orders {
        let Some(mail_id) = order.mail_id.as_deref() else {
            continue;
        };
        let Ok(id) = mail_id.parse::<egov_notify::MessageId>() else {
            continue;
        };
        let Ok(Some(stored)) = state.app.mail_outbox.status(&id).await else {
            continue;
        };
        any = true;
        let (subject, text) = stored
            .message
            .rendered()
            .content
            .as_email()
            .map(|e| (e.subject.clone(), e.text.clone()))
            .unwrap_or_default();
        let attachments: Vec<String> = stored
            .message
            .attachments()
            .iter()
            .map(|a| esc(a.filename()))
            .collect();
        let _ = write!(
            body,
            "<article class=\"mail\"><h2>{subject}</h2><dl><dt>To</dt><dd>{to}</dd><dt>Status</dt><dd class=\"mail-status\">{status}</dd>\
             <dt>Attachments</dt><dd>{attachments}</dd></dl><pre>{text}</pre><p><a href=\"/mail/{id}\">.eml</a></p></article>",
            subject = esc(&subject),
            to = esc(&order.data.email),
            status = stored.status.as_str(),
            attachments = attachments.join(", "),
            text = esc(&text),
            id = esc(mail_id),
        );
    }
    if !any {
        body.push_str("<p>–</p>");
    }
    html_page(lang, t(lang, "sent_mail"), "/mail", &body)
}

async fn mail_raw(State(state): State<AppState>, Lang(lang): Lang, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<egov_notify::MessageId>() else {
        return error_page(lang, StatusCode::NOT_FOUND, "not_found");
    };
    match tokio::fs::read(state.app.mailbox.path_of(&id)).await {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("message/rfc822"));
            response
        }
        Err(_) => error_page(lang, StatusCode::NOT_FOUND, "not_found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> OrderForm {
        OrderForm {
            given_name: "Anna".into(),
            family_name: "Muster".into(),
            birth_date: "1985-03-14".into(),
            email: "anna.muster@example.ch".into(),
            street: "Bahnhofstrasse".into(),
            house_number: "7".into(),
            postal_code: "8001".into(),
            town: "Zürich".into(),
            purpose: "bank".into(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_complete_form_passes() {
        let (birth, email) = validate(&filled(), today()).unwrap();
        assert_eq!(birth.to_string(), "1985-03-14");
        assert_eq!(email, "anna.muster@example.ch");
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let form = OrderForm {
            given_name: "  ".into(),
            birth_date: "2030-01-01".into(),
            email: "not-an-address".into(),
            postal_code: "80011".into(),
            purpose: "lottery".into(),
            family_name: "x".repeat(71),
            ..filled()
        };
        let errors = validate(&form, today()).unwrap_err();
        for expected in [
            ("given_name", "err_required"),
            ("family_name", "err_too_long"),
            ("email", "err_email"),
            ("birth_date", "err_date"),
            ("postal_code", "err_postal_code"),
            ("purpose", "err_choice"),
        ] {
            assert!(errors.contains(&expected), "{expected:?} in {errors:?}");
        }
        for (field, problem) in errors {
            assert!(i18n::has(field) && i18n::has(problem));
        }
    }
}
