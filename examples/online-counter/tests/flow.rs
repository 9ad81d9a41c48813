//! The whole flow in-process: a browser (cookie jar, redirects followed by hand) logs in at the
//! login simulator, orders, downloads the QR-bill, the admin imports a camt.054, and the
//! certificate, the e-mail and the sedex receipt follow.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use online_counter::{Config, Running, start};
use reqwest::StatusCode;

struct Browser {
    http: reqwest::Client,
    jar: HashMap<String, String>,
    accept_language: &'static str,
}

struct Page {
    status: StatusCode,
    url: String,
    location: Option<String>,
    content_type: String,
    body: Vec<u8>,
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Browser {
    fn new(accept_language: &'static str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar: HashMap::new(),
            accept_language,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder, url: &str) -> Page {
        let mut request = request.header("accept-language", self.accept_language);
        if !self.jar.is_empty() {
            let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header("cookie", cookies.join("; "));
        }
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (location, content_type) = (header("location"), header("content-type").unwrap_or_default());
        Page {
            status: response.status(),
            url: url.to_owned(),
            location,
            content_type,
            body: response.bytes().await.unwrap().to_vec(),
        }
    }

    async fn get(&mut self, url: &str) -> Page {
        let request = self.http.get(url);
        self.send(request, url).await
    }

    /// Follows redirects; at the simulator's authorization endpoint, answers as the next test
    /// person of `logins` would on the chooser page.
    async fn follow(&mut self, base: &str, mut url: String, logins: &mut VecDeque<&str>) -> Page {
        for _ in 0..12 {
            if url.contains("/authorize?") && !url.contains("login_hint=") {
                let person = logins.pop_front().expect("another login was asked for");
                url = format!("{url}&login_hint={person}");
            }
            let page = self.get(&url).await;
            match &page.location {
                Some(next) if page.status.is_redirection() => {
                    url = if next.starts_with('/') {
                        format!("{base}{next}")
                    } else {
                        next.clone()
                    };
                }
                _ => return page,
            }
        }
        panic!("redirect loop");
    }

    async fn post_form(&mut self, url: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.http.post(url).form(fields);
        self.send(request, url).await
    }
}

async fn counter() -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let running = start(Config::for_tests(dir.path().join("data")).unwrap())
        .await
        .unwrap();
    (running, dir)
}

const ADDRESS: [(&str, &str); 5] = [
    ("street", "Rue du Lac"),
    ("house_number", "5"),
    ("postal_code", "8001"),
    ("town", "Zürich"),
    ("purpose", "bank"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_orders_pays_and_gets_the_certificate() {
    let (running, _dir) = counter().await;
    let base = running.url().to_owned();
    let mut browser = Browser::new("fr-CH, de;q=0.8");

    let health = browser.get(&format!("{base}/health")).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.text().contains("\"ok\""));

    // Login at AGOV 300 first: the order page asks for 400, so the login is stepped up.
    let mut logins = VecDeque::from(["anna:300", "anna"]);
    let form = browser.follow(&base, format!("{base}/order"), &mut logins).await;
    assert!(logins.is_empty(), "the step-up login did not happen");
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    assert_eq!(form.url, format!("{base}/order"));
    let html = form.text();
    assert!(
        html.contains("<html lang=\"fr\">"),
        "Accept-Language picks French"
    );
    assert!(html.contains("value=\"Anna\"") && html.contains("value=\"Muster\""));
    assert!(html.contains("value=\"1985-03-14\""));
    assert!(html.contains("756.****.****."), "the AHV number is shown masked");
    let full_ahv = egov_eid::simulator::test_person("anna")
        .unwrap()
        .ahvn13()
        .unwrap()
        .to_string();
    assert!(!html.contains(&full_ahv), "the full AHV number is never shown");
    assert!(!html.contains("<script"));

    // Invalid input comes back with messages next to the fields.
    let mut fields = vec![
        ("given_name", "Anna"),
        ("family_name", "Muster"),
        ("birth_date", "14.03.1985"),
        ("email", "anna.muster@example.ch"),
    ];
    fields.extend_from_slice(&ADDRESS);
    fields.retain(|(k, _)| *k != "postal_code");
    let rejected = browser.post_form(&format!("{base}/order"), &fields).await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = rejected.text();
    assert!(html.contains("id=\"birth_date\"") && html.contains("aria-invalid=\"true\""));
    assert!(html.contains("href=\"#birth_date\"") && html.contains("href=\"#postal_code\""));
    assert!(html.contains("n&#39;est pas une date passée valable"), "{html}");
    assert!(html.contains("value=\"Rue du Lac\""), "entered values are kept");

    // Switch to German with ?lang=, then order.
    let german = browser.get(&format!("{base}/order?lang=de")).await;
    assert!(german.text().contains("<html lang=\"de\">"));
    fields.retain(|(k, _)| *k != "birth_date");
    fields.push(("birth_date", "1985-03-14"));
    fields.push(("postal_code", "8001"));
    let created = browser.post_form(&format!("{base}/order"), &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let order_url = format!("{base}{}", created.location.unwrap());
    let order = browser.get(&order_url).await;
    assert_eq!(order.status, StatusCode::OK);
    let html = order.text();
    assert!(html.contains("Wartet auf Zahlung"), "{html}");
    assert!(html.contains("CHF 20.00"));

    // The QR-bill.
    let bill = browser.get(&format!("{order_url}/qr-bill.pdf")).await;
    assert_eq!(bill.status, StatusCode::OK);
    assert_eq!(bill.content_type, "application/pdf");
    assert!(bill.body.starts_with(b"%PDF-"));
    assert!(bill.text().contains("Zahlteil"), "German headings on the bill");

    // No certificate before the payment.
    let early = browser.get(&format!("{order_url}/certificate.pdf")).await;
    assert_eq!(early.status, StatusCode::CONFLICT);

    // The bank's camt.054 (the demo sample) is uploaded on the admin page.
    let id = order_url.rsplit('/').next().unwrap().to_owned();
    let camt = browser
        .get(&format!("{base}/admin/orders/{id}/camt054.xml"))
        .await;
    assert_eq!(camt.status, StatusCode::OK);
    let reference = html
        .split("<dt>Referenz</dt><dd>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .replace(' ', "");
    assert_eq!(reference.len(), 27);
    assert!(camt.text().contains(&format!("<Ref>{reference}</Ref>")));
    let part = reqwest::multipart::Part::bytes(camt.body.clone())
        .file_name("camt054.xml")
        .mime_str("application/xml")
        .unwrap();
    let upload = browser
        .http
        .post(format!("{base}/admin/camt"))
        .multipart(reqwest::multipart::Form::new().part("camt", part));
    let imported = browser.send(upload, &format!("{base}/admin/camt")).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());
    assert!(imported.text().contains("<td class=\"tx-status\">paid</td>"));

    // Paid: the certificate, the e-mail and the sedex receipt follow.
    let mut html = String::new();
    for _ in 0..100 {
        html = browser.get(&order_url).await.text();
        if html.contains("id=\"mail-status\">delivered") && html.contains("id=\"sedex-receipt\">100") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(html.contains("Bezahlt"), "{html}");
    assert!(html.contains("id=\"mail-status\">delivered"), "{html}");
    assert!(
        html.contains("id=\"sedex-receipt\">100 – message correctly transmitted"),
        "{html}"
    );
    let certificate = browser.get(&format!("{order_url}/certificate.pdf")).await;
    assert_eq!(certificate.status, StatusCode::OK);
    assert!(certificate.body.starts_with(b"%PDF-"));
    assert_eq!(certificate.content_type, "application/pdf");
    assert!(certificate.text().contains("(Anna Muster)"));
    // "Wohnsitzbestätigung" in WinAnsi, as pdf-writer writes a string with a non-ASCII letter.
    assert!(
        certificate
            .text()
            .contains("<576F686E7369747A62657374E4746967756E67>")
    );
    // Sealed by the municipality: valid against the demo root the server offers, and only that.
    let ca = browser.get(&format!("{base}/seal-ca.pem")).await;
    let anchors = egov_sign::Certificate::chain_from_pem(&ca.body).unwrap();
    let report = egov_sign::verify_pdf(&certificate.body, &egov_sign::VerifyOptions::new(anchors)).unwrap();
    assert!(report.all_valid(), "{report:?}");
    assert_eq!(report.signatures.len(), 1);
    let mut tampered = certificate.body.clone();
    let at = tampered.windows(11).position(|w| w == b"Anna Muster").unwrap();
    tampered[at] = b'E';
    let anchors = egov_sign::Certificate::chain_from_pem(&ca.body).unwrap();
    let report = egov_sign::verify_pdf(&tampered, &egov_sign::VerifyOptions::new(anchors)).unwrap();
    assert!(!report.all_valid(), "a changed name breaks the seal");

    // The e-mail in the mailbox: German (the language of the order), with the PDF attached.
    let mail = browser.get(&format!("{base}/mail")).await.text();
    assert!(mail.contains("Ihre Wohnsitzbestätigung WB-"), "{mail}");
    assert!(mail.contains("class=\"mail-status\">delivered"));
    assert!(mail.contains(".pdf"));
    let mailbox = running.data_dir().join("mailbox").join("new");
    let eml: Vec<_> = std::fs::read_dir(&mailbox).unwrap().collect();
    assert_eq!(eml.len(), 1);
    let raw = std::fs::read_to_string(eml[0].as_ref().unwrap().path()).unwrap();
    assert!(raw.contains("anna.muster@example.ch") && raw.contains("application/pdf"));

    // The canton got the report with the eCH-0058 header.
    let inbox = egov_sedex::Inbox::new(running.data_dir().join("sedex").join("T2-ZH-1").join("inbox"));
    let delivered = inbox.pending().unwrap();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].envelope.message_type(), 2990);
    let report = std::fs::read_to_string(&delivered[0].payload_path).unwrap();
    let header: egov_ech::ech0058::v5::Header = egov_ech::read::read_document(
        report
            .split_once("<eCH-0058:header>")
            .map(|(_, rest)| {
                format!(
                    "<eCH-0058:header xmlns:eCH-0058=\"{}\">{}",
                    egov_ech::ech0058::v5::NAMESPACE,
                    rest.split_once("</eCH-0058:header>").unwrap().0
                ) + "</eCH-0058:header>"
            })
            .unwrap()
            .as_bytes(),
        egov_ech::ech0058::v5::NAMESPACE,
        "header",
        egov_ech::read::Limits::default(),
    )
    .unwrap();
    let fields = egov_sedex::HeaderFields::from_header(&header).unwrap();
    assert_eq!(fields.message_id, delivered[0].message_id);
    assert_eq!(fields.sender.as_str(), "T1-261-1");
    assert!(report.contains("<oc:officialName>Muster</oc:officialName>"));

    // A second upload of the same file books nothing twice.
    let part = reqwest::multipart::Part::bytes(camt.body).file_name("camt054.xml");
    let upload = browser
        .http
        .post(format!("{base}/admin/camt"))
        .multipart(reqwest::multipart::Form::new().part("camt", part));
    let again = browser.send(upload, &format!("{base}/admin/camt")).await;
    assert!(
        again
            .text()
            .contains("<td class=\"tx-status\">already_imported</td>"),
        "{}",
        again.text()
    );

    // Another person does not see the order.
    let mut other = Browser::new("it");
    let mut logins = VecDeque::from(["luca"]);
    let foreign = other.follow(&base, order_url.clone(), &mut logins).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_verified_ahv_number_there_is_no_order_form() {
    let (running, _dir) = counter().await;
    let base = running.url().to_owned();
    let mut browser = Browser::new("de");
    // Chloé reaches only AGOV 300: the step-up cannot reach 400.
    let mut logins = VecDeque::from(["chloe", "chloe"]);
    let page = browser.follow(&base, format!("{base}/order"), &mut logins).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(logins.is_empty());
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_camt_files_are_refused_with_a_reason() {
    let (running, _dir) = counter().await;
    let base = running.url().to_owned();
    let mut browser = Browser::new("en");
    let part = reqwest::multipart::Part::bytes(b"<Document><broken".to_vec()).file_name("x.xml");
    let upload = browser
        .http
        .post(format!("{base}/admin/camt"))
        .multipart(reqwest::multipart::Form::new().part("camt", part));
    let page = browser.send(upload, &format!("{base}/admin/camt")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("camt.054:"), "{}", page.text());
    let missing = browser.get(&format!("{base}/no-such-page")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("This page does not exist."));
    running.shutdown().await;
}

/// Logs `person` in (German pages) and orders a certificate; returns the order page's URL.
async fn ordered(browser: &mut Browser, base: &str) -> String {
    let mut logins = VecDeque::from(["anna"]);
    let form = browser.follow(base, format!("{base}/order"), &mut logins).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    let mut fields = vec![
        ("given_name", "Anna"),
        ("family_name", "Muster"),
        ("birth_date", "1985-03-14"),
        ("email", "anna.muster@example.ch"),
    ];
    fields.extend_from_slice(&ADDRESS);
    let created = browser.post_form(&format!("{base}/order"), &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    format!("{base}{}", created.location.unwrap())
}

/// "Pay online" on the order page: returns the simulator's payment page URL.
async fn pay_online(browser: &mut Browser, base: &str, order_url: &str) -> String {
    let started = browser.post_form(&format!("{order_url}/pay-online"), &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    let page = started.location.unwrap();
    assert!(
        page.starts_with(&format!("{base}/payment-simulator/pay/")),
        "{page}"
    );
    page
}

/// Chooses `outcome` on the simulator's page; returns the return URL it redirects to.
async fn choose(browser: &mut Browser, base: &str, page_url: &str, outcome: &str) -> String {
    let page = browser.get(page_url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains(&format!("value=\"{outcome}\"")),
        "{}",
        page.text()
    );
    let done = browser.post_form(page_url, &[("outcome", outcome)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let back = done.location.unwrap();
    assert!(back.starts_with(&format!("{base}/orders/")), "{back}");
    back
}

fn eml_count(running: &Running) -> usize {
    std::fs::read_dir(running.data_dir().join("mailbox").join("new"))
        .map(Iterator::count)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_online_pays_the_order_once() {
    let (running, _dir) = counter().await;
    let base = running.url().to_owned();
    let mut browser = Browser::new("de");
    let order_url = ordered(&mut browser, &base).await;
    let html = browser.get(&order_url).await.text();
    assert!(html.contains("Online bezahlen") && html.contains("Oder mit QR-Rechnung bezahlen"));

    let page_url = pay_online(&mut browser, &base, &order_url).await;
    let back = choose(&mut browser, &base, &page_url, "pay").await;

    // The signed webhook arrived before the browser returns: the order is paid already.
    let html = browser.get(&order_url).await.text();
    assert!(html.contains("Bezahlt"), "{html}");
    assert!(
        !html.contains("action=\"/orders/"),
        "no payment buttons on a paid order"
    );

    // The return page confirms with the provider and shows the result.
    let result = browser.follow(&base, back.clone(), &mut VecDeque::new()).await;
    assert!(result.url.ends_with("?online=paid"), "{}", result.url);
    assert!(result.text().contains("Ihre Online-Zahlung ist eingegangen."));
    let certificate = browser.get(&format!("{order_url}/certificate.pdf")).await;
    assert_eq!(certificate.status, StatusCode::OK);
    assert!(certificate.body.starts_with(b"%PDF-"));

    // A second return (reload) does nothing twice: one e-mail, one report to the canton.
    let again = browser.follow(&base, back, &mut VecDeque::new()).await;
    assert!(again.url.ends_with("?online=paid"), "{}", again.url);
    for _ in 0..100 {
        if eml_count(&running) > 0
            && browser
                .get(&order_url)
                .await
                .text()
                .contains("id=\"sedex-receipt\">100")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(eml_count(&running), 1);
    let inbox = egov_sedex::Inbox::new(running.data_dir().join("sedex").join("T2-ZH-1").join("inbox"));
    assert_eq!(inbox.pending().unwrap().len(), 1);
    // The simulator does not take a second choice either.
    let twice = browser.post_form(&page_url, &[("outcome", "pay")]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canceled_or_failed_online_payment_leaves_the_order_open() {
    let (running, _dir) = counter().await;
    let base = running.url().to_owned();
    let mut browser = Browser::new("en");
    let order_url = ordered(&mut browser, &base).await;

    let page_url = pay_online(&mut browser, &base, &order_url).await;
    let back = choose(&mut browser, &base, &page_url, "cancel").await;
    let result = browser.follow(&base, back, &mut VecDeque::new()).await;
    assert!(result.url.ends_with("?online=canceled"), "{}", result.url);
    let html = result.text();
    assert!(html.contains("You canceled the online payment"), "{html}");
    assert!(html.contains("Awaiting payment"), "{html}");
    assert!(
        html.contains("/pay-online") && html.contains("/qr-bill.pdf"),
        "both ways stay open"
    );
    let early = browser.get(&format!("{order_url}/certificate.pdf")).await;
    assert_eq!(early.status, StatusCode::CONFLICT);

    // Try again: a failure, then a payment that goes through.
    let second = pay_online(&mut browser, &base, &order_url).await;
    assert_ne!(second, page_url, "a new attempt is a new payment");
    let back = choose(&mut browser, &base, &second, "fail").await;
    let result = browser.follow(&base, back, &mut VecDeque::new()).await;
    assert!(result.url.ends_with("?online=failed"), "{}", result.url);
    assert!(result.text().contains("The online payment failed"));
    assert_eq!(
        browser.get(&format!("{order_url}/certificate.pdf")).await.status,
        StatusCode::CONFLICT
    );

    let third = pay_online(&mut browser, &base, &order_url).await;
    let back = choose(&mut browser, &base, &third, "pay").await;
    let result = browser.follow(&base, back, &mut VecDeque::new()).await;
    assert!(result.url.ends_with("?online=paid"), "{}", result.url);
    assert_eq!(
        browser.get(&format!("{order_url}/certificate.pdf")).await.status,
        StatusCode::OK
    );
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_webhook_is_rejected() {
    let (running, _dir) = counter().await;
    let base = running.url().to_owned();
    let mut browser = Browser::new("de");
    let order_url = ordered(&mut browser, &base).await;
    let page_url = pay_online(&mut browser, &base, &order_url).await;
    let id = page_url.rsplit('/').next().unwrap().to_owned();

    // What the provider would send for a settled payment, but not signed with its key.
    let body = serde_json::json!({
        "transactionId": id,
        "type": "payment",
        "status": "settled",
        "currency": "CHF",
        "detail": { "authorize": { "amount": 2000 } },
    })
    .to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let forged = egov_pay::provider::sign_webhook(
        &egov_pay::provider::WebhookKey::random(),
        u64::try_from(now).unwrap(),
        body.as_bytes(),
    );
    let http = reqwest::Client::new();
    for signature in [Some(forged), Some("t=1,s0=00".to_owned()), None] {
        let mut request = http
            .post(format!("{base}/payment-webhook"))
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(s) = &signature {
            request = request.header(egov_pay::provider::SIGNATURE_HEADER, s);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{signature:?}");
    }

    let html = browser.get(&order_url).await.text();
    assert!(html.contains("/pay-online"), "still open: {html}");
    assert!(!html.contains("class=\"status paid\""), "{html}");
    assert_eq!(
        browser.get(&format!("{order_url}/certificate.pdf")).await.status,
        StatusCode::CONFLICT
    );
    // Nor does the return URL of the attempt: the provider still says "initialized".
    let number = html
        .split("WB-")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !(c.is_ascii_digit() || c == '-')).next())
        .unwrap();
    let back = format!("{order_url}/online-payment?ref=WB-{number}-1");
    let result = browser.follow(&base, back, &mut VecDeque::new()).await;
    assert!(result.url.ends_with("?online=pending"), "{}", result.url);
    assert!(!result.text().contains("class=\"status paid\""));
    let unknown = browser.get(&format!("{order_url}/online-payment?ref=WB-x")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    running.shutdown().await;
}
