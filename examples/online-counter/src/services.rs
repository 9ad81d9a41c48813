//! What happens when an order is paid: the e-mail through the egov-notify outbox and the report
//! to the canton over sedex (eCH-0058 v5 header).

use chrono::{DateTime, Utc};
use egov_core::{Language, SedexId};
use egov_ech::ech0058::v5::{Header, NAMESPACE};
use egov_ech::read::{Limits, read_document};
use egov_notify::outbox::{NewMessage, Outbox, SqliteOutbox};
use egov_notify::template::{Personalisation, RenderOptions, Template, TemplateSource};
use egov_notify::{Attachment, EmailAddress, Message};
use egov_sedex::{ReceiptStatus, RecipientState, Tracker};

use crate::Error;
use crate::db::Order;
use crate::html::esc;

/// The sedex message type of the report (a number from the range sedex leaves to applications).
pub(crate) const SEDEX_MESSAGE_TYPE: u32 = 2_990;

/// The e-mail sent with the certificate, in the five languages.
pub(crate) fn mail_template() -> Result<Template, egov_notify::Error> {
    Template::new(
        TemplateSource::email("wohnsitzbestaetigung", 1)
            .email_text(
                Language::De,
                "Ihre Wohnsitzbestätigung ((number))",
                "Guten Tag ((name))\n\nIhre Zahlung ist eingegangen. Im Anhang finden Sie Ihre Wohnsitzbestätigung ((number)).\n\nFreundliche Grüsse\nGemeinde Muster",
            )
            .email_text(
                Language::Fr,
                "Votre attestation de domicile ((number))",
                "Bonjour ((name)),\n\nNous avons reçu votre paiement. Vous trouverez en annexe votre attestation de domicile ((number)).\n\nMeilleures salutations\nCommune de Muster",
            )
            .email_text(
                Language::It,
                "Il vostro certificato di domicilio ((number))",
                "Buongiorno ((name))\n\nAbbiamo ricevuto il vostro pagamento. In allegato trovate il vostro certificato di domicilio ((number)).\n\nCordiali saluti\nComune di Muster",
            )
            .email_text(
                Language::Rm,
                "Vossa attestaziun da domicil ((number))",
                "Bun di ((name))\n\nNus avain retschavì Voss pajament. En l'agiunta chattais Vus Vossa attestaziun da domicil ((number)).\n\nSalids cordials\nVischnanca da Muster",
            )
            .email_text(
                Language::En,
                "Your residence certificate ((number))",
                "Hello ((name))\n\nWe have received your payment. Your residence certificate ((number)) is attached.\n\nKind regards\nMunicipality of Muster",
            ),
    )
}

/// Queues the certificate e-mail (idempotent per order) and returns the outbox message id.
pub(crate) async fn send_certificate_mail(
    outbox: &Outbox<SqliteOutbox>,
    template: &Template,
    order: &Order,
    pdf: Vec<u8>,
) -> Result<String, Error> {
    let mail = |e: egov_notify::Error| Error::Mail(e.to_string());
    let d = &order.data;
    let data = Personalisation::new()
        .with("name", format!("{} {}", d.given_name, d.family_name))
        .with("number", order.number());
    let rendered = template
        .render(d.language, &data, &RenderOptions::default())
        .map_err(mail)?;
    let to: EmailAddress = d.email.parse().map_err(mail)?;
    let attachment =
        Attachment::new(format!("{}.pdf", order.number()), "application/pdf", pdf).map_err(mail)?;
    let message = Message::new(to, rendered)
        .map_err(mail)?
        .with_attachment(attachment)
        .map_err(mail)?
        .with_reference(order.number())
        .map_err(mail)?;
    let new = NewMessage::new(message)
        .idempotency_key(format!("certificate-{}", order.id))
        .map_err(|e| Error::Mail(e.to_string()))?;
    let enqueued = outbox
        .send_with(&new)
        .await
        .map_err(|e| Error::Mail(e.to_string()))?;
    Ok(enqueued.id.to_string())
}

/// The eCH-0058 v5 header of the report.
fn header_xml(
    sender: &SedexId,
    recipient: &SedexId,
    message_id: &str,
    order: &Order,
    now: DateTime<Utc>,
) -> String {
    format!(
        r#"<eCH-0058:header xmlns:eCH-0058="{NAMESPACE}">
  <eCH-0058:senderId>{sender}</eCH-0058:senderId>
  <eCH-0058:recipientId>{recipient}</eCH-0058:recipientId>
  <eCH-0058:messageId>{message_id}</eCH-0058:messageId>
  <eCH-0058:ourBusinessReferenceId>{number}</eCH-0058:ourBusinessReferenceId>
  <eCH-0058:messageType>{SEDEX_MESSAGE_TYPE}</eCH-0058:messageType>
  <eCH-0058:sendingApplication><eCH-0058:manufacturer>Basisdienste</eCH-0058:manufacturer><eCH-0058:product>online-counter</eCH-0058:product><eCH-0058:productVersion>{version}</eCH-0058:productVersion></eCH-0058:sendingApplication>
  <eCH-0058:subject>Residence certificate issued</eCH-0058:subject>
  <eCH-0058:messageDate>{date}</eCH-0058:messageDate>
  <eCH-0058:eventDate>{event}</eCH-0058:eventDate>
  <eCH-0058:action>1</eCH-0058:action>
  <eCH-0058:testDeliveryFlag>true</eCH-0058:testDeliveryFlag>
</eCH-0058:header>"#,
        sender = sender.as_str(),
        recipient = recipient.as_str(),
        number = order.number(),
        version = env!("CARGO_PKG_VERSION"),
        date = now.format("%Y-%m-%dT%H:%M:%S"),
        event = now.format("%Y-%m-%d"),
    )
}

/// The report: the eCH-0058 header and a simple payload naming the order and the person.
pub(crate) fn report_xml(
    sender: &SedexId,
    recipient: &SedexId,
    message_id: &str,
    order: &Order,
    now: DateTime<Utc>,
) -> Result<(Header, String), Error> {
    let header_xml = header_xml(sender, recipient, message_id, order, now);
    let header: Header = read_document(header_xml.as_bytes(), NAMESPACE, "header", Limits::default())
        .map_err(|e| Error::Sedex(format!("eCH-0058 header: {e}")))?;
    let d = &order.data;
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oc:residenceCertificateIssued xmlns:oc="urn:basisdienste:online-counter:1" xmlns:eCH-0058="{NAMESPACE}">
  {header}
  <oc:certificate>
    <oc:number>{number}</oc:number>
    <oc:issued>{issued}</oc:issued>
    <oc:person>
      <oc:vn>{vn}</oc:vn>
      <oc:officialName>{family}</oc:officialName>
      <oc:firstName>{given}</oc:firstName>
      <oc:dateOfBirth>{birth}</oc:dateOfBirth>
    </oc:person>
    <oc:purpose>{purpose}</oc:purpose>
  </oc:certificate>
</oc:residenceCertificateIssued>
"#,
        header = header_xml.replace(&format!(" xmlns:eCH-0058=\"{NAMESPACE}\""), ""),
        number = order.number(),
        issued = now.format("%Y-%m-%d"),
        vn = d.ahvn13.map(|v| v.as_u64().to_string()).unwrap_or_default(),
        family = esc(&d.family_name),
        given = esc(&d.given_name),
        birth = d.birth_date,
        purpose = esc(&d.purpose),
    );
    Ok((header, body))
}

/// Sends the report through the municipality's sedex outbox; returns the message id.
pub(crate) fn send_report(
    outbox: &egov_sedex::Outbox,
    sender: &SedexId,
    canton: &SedexId,
    order: &Order,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let message_id = egov_sedex::MessageId::generate();
    let (header, body) = report_xml(sender, canton, message_id.as_str(), order, now)?;
    let sent = outbox
        .send_message(
            body.as_bytes(),
            &header,
            std::slice::from_ref(canton),
            Some(SEDEX_MESSAGE_TYPE),
        )
        .map_err(|e| Error::Sedex(e.to_string()))?;
    Ok(sent.message_id.as_str().to_owned())
}

/// The receipt of a sent report: status code (if a receipt came) and its meaning.
pub(crate) fn receipt(tracker: &Tracker, message_id: &str) -> Option<(Option<u16>, String)> {
    let id: egov_sedex::MessageId = message_id.parse().ok()?;
    let state = tracker.state(&id).ok()??;
    let (_, recipient) = state.recipients.first()?;
    Some(match recipient {
        RecipientState::Delivered { at } => (
            Some(ReceiptStatus::Delivered.code()),
            format!(
                "{} ({})",
                ReceiptStatus::Delivered.meaning(),
                at.format("%Y-%m-%d %H:%M:%S")
            ),
        ),
        RecipientState::Failed { status, meaning, .. } => (Some(status.code()), (*meaning).to_owned()),
        RecipientState::InProgress { .. } => (Some(601), ReceiptStatus::from_code(601).meaning().to_owned()),
        RecipientState::ExpiringSoon { .. } => {
            (Some(701), ReceiptStatus::from_code(701).meaning().to_owned())
        }
        _ => (None, String::new()),
    })
}
