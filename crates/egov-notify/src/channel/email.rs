//! Turning a [`Message`] into an RFC 5322 e-mail (lettre's builder), shared by the SMTP and the
//! file transport so both produce the same bytes.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart};

use super::{ChannelError, Sender};
use crate::message::{Message, MessageId};
use crate::recipient::Recipient;

/// The header that carries the outbox id, the same on every retry of a message, so a receiving
/// system can drop duplicates of an at-least-once delivery.
pub const IDEMPOTENCY_HEADER: &str = "X-Egov-Message-Id";

/// Builds the e-mail for `message`: `From` (with display name), `To`, `Reply-To` (the message's
/// own or the sender's default), `Subject` (RFC 2047-encoded when not ASCII), `Message-ID`
/// `<id@domain>`, the [`IDEMPOTENCY_HEADER`], `Content-Language`, a `multipart/alternative` body
/// with the plain-text and HTML parts, and, with attachments, a `multipart/mixed` around it.
///
/// # Errors
///
/// [`ChannelError::Build`] when the message is an SMS or an address is refused by lettre.
pub fn build_email(
    sender: &Sender,
    id: &MessageId,
    message: &Message,
) -> Result<lettre::Message, ChannelError> {
    let build = |what: &str, e: &dyn std::fmt::Display| ChannelError::Build(format!("{what}: {e}"));
    let (Recipient::Email(to), Some(email)) = (message.recipient(), message.rendered().content.as_email())
    else {
        return Err(ChannelError::Build("the message is not an e-mail".to_owned()));
    };
    let address = |a: &crate::recipient::EmailAddress, what: &str| {
        a.as_str().parse::<lettre::Address>().map_err(|e| build(what, &e))
    };
    let mut builder = lettre::Message::builder()
        .from(Mailbox::new(
            sender.name().map(str::to_owned),
            address(sender.from(), "from")?,
        ))
        .to(Mailbox::new(None, address(to, "to")?))
        .subject(email.subject.clone())
        .message_id(Some(format!("<{id}@{}>", sender.message_id_domain())))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(IDEMPOTENCY_HEADER),
            id.to_string(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            message.rendered().language.code().to_owned(),
        ));
    if let Some(reply_to) = message.reply_to().or(sender.reply_to()) {
        builder = builder.reply_to(Mailbox::new(None, address(reply_to, "reply-to")?));
    }
    let alternative = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    let result = if message.attachments().is_empty() {
        builder.multipart(alternative)
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for attachment in message.attachments() {
            let content_type = ContentType::parse(attachment.content_type())
                .map_err(|e| build("attachment content type", &e))?;
            mixed = mixed.singlepart(
                MimeAttachment::new(attachment.filename().to_owned())
                    .body(attachment.content().to_vec(), content_type),
            );
        }
        builder.multipart(mixed)
    };
    result.map_err(|e| build("e-mail", &e))
}
