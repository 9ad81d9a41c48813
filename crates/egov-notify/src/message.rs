//! The message a channel sends: a recipient and a rendered text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::recipient::{EmailAddress, Recipient};
use crate::template::RenderedMessage;

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Channel {
    /// E-mail.
    Email,
    /// SMS.
    Sms,
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Email => "email",
            Self::Sms => "sms",
        })
    }
}

/// A message ready for a channel: whom to, what (already rendered, so what is sent is what was
/// previewed), and the caller's own reference. The channels and the outbox build on this type.
///
/// ```
/// use egov_core::Language;
/// use egov_notify::{Message, recipient::PhoneNumber, template::*};
///
/// let template = Template::new(
///     TemplateSource::sms("termin", 1).sms_text(Language::It, "Il Suo appuntamento è il ((data))."),
/// )?;
/// let data = Personalisation::new().with("data", "12.3.2026");
/// let rendered = template.render(Language::It, &data, &RenderOptions::default())?;
/// let message = Message::new(PhoneNumber::parse("079 123 45 67")?, rendered)?.with_reference("case-42")?;
/// assert_eq!(message.rendered().content.as_sms().unwrap().info.segments, 1);
/// # Ok::<(), egov_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MessageRepr", into = "MessageRepr")]
pub struct Message {
    recipient: Recipient,
    rendered: RenderedMessage,
    reference: Option<String>,
    reply_to: Option<EmailAddress>,
    attachments: Vec<Attachment>,
}

/// The longest caller reference, as in GOV.UK Notify.
pub const MAX_REFERENCE_CHARS: usize = 1000;

impl Message {
    /// A message to `recipient`.
    ///
    /// # Errors
    ///
    /// [`Error::ChannelMismatch`] when an e-mail text goes to a phone number or the other way.
    pub fn new(recipient: impl Into<Recipient>, rendered: RenderedMessage) -> Result<Self, Error> {
        let recipient = recipient.into();
        if recipient.channel() != rendered.channel() {
            return Err(Error::ChannelMismatch {
                template: rendered.channel(),
                recipient: recipient.channel(),
            });
        }
        Ok(Self {
            recipient,
            rendered,
            reference: None,
            reply_to: None,
            attachments: Vec::new(),
        })
    }

    /// Sets the address replies go to (e-mail only), instead of the sender's default.
    ///
    /// # Errors
    ///
    /// [`Error::EmailOnly`] for an SMS.
    pub fn with_reply_to(mut self, reply_to: EmailAddress) -> Result<Self, Error> {
        if self.channel() != Channel::Email {
            return Err(Error::EmailOnly {
                what: "a reply-to address",
            });
        }
        self.reply_to = Some(reply_to);
        Ok(self)
    }

    /// Adds a file attachment (e-mail only), for example a signed PDF.
    ///
    /// # Errors
    ///
    /// [`Error::EmailOnly`] for an SMS.
    pub fn with_attachment(mut self, attachment: Attachment) -> Result<Self, Error> {
        if self.channel() != Channel::Email {
            return Err(Error::EmailOnly {
                what: "an attachment",
            });
        }
        self.attachments.push(attachment);
        Ok(self)
    }

    /// The reply-to address set for this message, if any.
    #[must_use]
    pub fn reply_to(&self) -> Option<&EmailAddress> {
        self.reply_to.as_ref()
    }

    /// The attachments, in the order added.
    #[must_use]
    pub fn attachments(&self) -> &[Attachment] {
        &self.attachments
    }

    /// Sets the caller's reference (a correlation id such as a case number; at most
    /// [`MAX_REFERENCE_CHARS`] characters).
    ///
    /// # Errors
    ///
    /// [`Error::ReferenceTooLong`].
    pub fn with_reference(mut self, reference: impl Into<String>) -> Result<Self, Error> {
        let reference = reference.into();
        if reference.chars().count() > MAX_REFERENCE_CHARS {
            return Err(Error::ReferenceTooLong {
                max: MAX_REFERENCE_CHARS,
            });
        }
        self.reference = Some(reference);
        Ok(self)
    }

    /// Whom to.
    #[must_use]
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// The rendered text, with template id, version and language.
    #[must_use]
    pub fn rendered(&self) -> &RenderedMessage {
        &self.rendered
    }

    /// The caller's reference.
    #[must_use]
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// E-mail or SMS.
    #[must_use]
    pub fn channel(&self) -> Channel {
        self.recipient.channel()
    }
}

#[derive(Serialize, Deserialize)]
struct MessageRepr {
    recipient: Recipient,
    rendered: RenderedMessage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reply_to: Option<EmailAddress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
}

impl TryFrom<MessageRepr> for Message {
    type Error = Error;

    fn try_from(repr: MessageRepr) -> Result<Self, Error> {
        let mut message = Self::new(repr.recipient, repr.rendered)?;
        if let Some(reference) = repr.reference {
            message = message.with_reference(reference)?;
        }
        if let Some(reply_to) = repr.reply_to {
            message = message.with_reply_to(reply_to)?;
        }
        for attachment in repr.attachments {
            message = message.with_attachment(attachment)?;
        }
        Ok(message)
    }
}

impl From<Message> for MessageRepr {
    fn from(message: Message) -> Self {
        Self {
            recipient: message.recipient,
            rendered: message.rendered,
            reference: message.reference,
            reply_to: message.reply_to,
            attachments: message.attachments,
        }
    }
}

/// The longest attachment file name, in characters.
pub const MAX_ATTACHMENT_NAME_CHARS: usize = 200;

/// A file attached to an e-mail. `Debug` shows the name, type and size, not the content.
/// Serde stores the content in base64.
///
/// ```
/// use egov_notify::message::Attachment;
///
/// let pdf = Attachment::new("Verfügung 2026-17.pdf", "application/pdf", b"%PDF-1.7 ...".to_vec())?;
/// assert_eq!(pdf.content_type(), "application/pdf");
/// assert!(Attachment::new("../etc/passwd", "text/plain", Vec::new()).is_err());
/// # Ok::<(), egov_notify::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AttachmentRepr", into = "AttachmentRepr")]
pub struct Attachment {
    filename: String,
    content_type: String,
    content: Vec<u8>,
}

impl Attachment {
    /// An attachment named `filename` (no path, no control characters, at most
    /// [`MAX_ATTACHMENT_NAME_CHARS`] characters) of MIME type `content_type` (`type/subtype`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAttachment`] saying what is wrong.
    pub fn new(
        filename: impl Into<String>,
        content_type: impl Into<String>,
        content: Vec<u8>,
    ) -> Result<Self, Error> {
        let filename = filename.into();
        let content_type = content_type.into().trim().to_ascii_lowercase();
        let invalid = |reason| Error::InvalidAttachment { reason };
        if filename.trim().is_empty() {
            return Err(invalid("the file name is empty"));
        }
        if filename.chars().count() > MAX_ATTACHMENT_NAME_CHARS {
            return Err(invalid("the file name is longer than 200 characters"));
        }
        if filename.chars().any(|c| c.is_control() || c == '/' || c == '\\') || filename.starts_with('.') {
            return Err(invalid(
                "the file name contains a path separator, a control character or starts with `.`",
            ));
        }
        let token = |t: &str| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
        };
        match content_type.split_once('/') {
            Some((kind, sub)) if token(kind) && token(sub) => {}
            _ => return Err(invalid("the content type is not of the form `type/subtype`")),
        }
        Ok(Self {
            filename,
            content_type,
            content,
        })
    }

    /// The file name shown to the recipient.
    #[must_use]
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The MIME type, lower case.
    #[must_use]
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The bytes.
    #[must_use]
    pub fn content(&self) -> &[u8] {
        &self.content
    }
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &self.content.len())
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct AttachmentRepr {
    filename: String,
    content_type: String,
    content_base64: String,
}

impl TryFrom<AttachmentRepr> for Attachment {
    type Error = Error;

    fn try_from(repr: AttachmentRepr) -> Result<Self, Error> {
        use base64::Engine as _;
        let content = base64::engine::general_purpose::STANDARD
            .decode(repr.content_base64.as_bytes())
            .map_err(|_| Error::InvalidAttachment {
                reason: "the content is not valid base64",
            })?;
        Self::new(repr.filename, repr.content_type, content)
    }
}

impl From<Attachment> for AttachmentRepr {
    fn from(attachment: Attachment) -> Self {
        use base64::Engine as _;
        Self {
            content_base64: base64::engine::general_purpose::STANDARD.encode(&attachment.content),
            filename: attachment.filename,
            content_type: attachment.content_type,
        }
    }
}

/// The id of one message, given when it is sent (or enqueued): 32 lower-case hex digits of
/// randomness. It is stable across retries, so channels put it into an idempotency header
/// (`X-Egov-Message-Id`) and the `Message-ID` of an e-mail.
///
/// ```
/// use egov_notify::message::MessageId;
///
/// let id = MessageId::random();
/// assert_eq!(id.as_str().len(), 32);
/// assert_eq!(id.as_str().parse::<MessageId>()?, id);
/// assert!("not-an-id".parse::<MessageId>().is_err());
/// # Ok::<(), egov_notify::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

impl MessageId {
    /// A new random id (128 bits).
    #[must_use]
    pub fn random() -> Self {
        Self(format!("{:032x}", fastrand::u128(..)))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for MessageId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::InvalidMessageId)
        }
    }
}

impl TryFrom<String> for MessageId {
    type Error = Error;

    fn try_from(value: String) -> Result<Self, Error> {
        value.parse()
    }
}

impl From<MessageId> for String {
    fn from(value: MessageId) -> Self {
        value.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use egov_core::Language;

    use super::*;
    use crate::recipient::PhoneNumber;
    use crate::template::{Personalisation, RenderOptions, Template, TemplateSource};

    fn email() -> Message {
        let template =
            Template::new(TemplateSource::email("t", 1).email_text(Language::De, "Betreff", "Text")).unwrap();
        let rendered = template
            .render(Language::De, &Personalisation::new(), &RenderOptions::default())
            .unwrap();
        Message::new("anna@example.ch".parse::<EmailAddress>().unwrap(), rendered).unwrap()
    }

    #[test]
    fn attachments_and_reply_to_survive_json() {
        let pdf = Attachment::new("Verfügung.pdf", "Application/PDF", vec![0, 1, 2, 255, 37]).unwrap();
        let message = email()
            .with_reply_to("bauamt@gemeinde.ch".parse().unwrap())
            .unwrap()
            .with_attachment(pdf)
            .unwrap();
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["attachments"][0]["content_base64"], "AAEC/yU=");
        assert_eq!(json["attachments"][0]["content_type"], "application/pdf");
        let back: Message = serde_json::from_value(json).unwrap();
        assert_eq!(back, message);
        assert_eq!(back.attachments()[0].content(), [0, 1, 2, 255, 37]);
        // Without them, the JSON has no such keys (older stored messages read the same).
        let plain = serde_json::to_value(email()).unwrap();
        assert!(plain.get("attachments").is_none() && plain.get("reply_to").is_none());
    }

    #[test]
    fn sms_take_no_attachments_and_names_are_checked() {
        let template = Template::new(TemplateSource::sms("s", 1).sms_text(Language::De, "Hallo")).unwrap();
        let rendered = template
            .render(Language::De, &Personalisation::new(), &RenderOptions::default())
            .unwrap();
        let sms = Message::new(PhoneNumber::parse("079 123 45 67").unwrap(), rendered).unwrap();
        let pdf = Attachment::new("a.pdf", "application/pdf", Vec::new()).unwrap();
        assert!(matches!(
            sms.clone().with_attachment(pdf),
            Err(Error::EmailOnly { .. })
        ));
        assert!(matches!(
            sms.with_reply_to("a@example.ch".parse().unwrap()),
            Err(Error::EmailOnly { .. })
        ));
        for (name, kind) in [
            ("", "text/plain"),
            ("a/b.pdf", "application/pdf"),
            ("a\\b.pdf", "application/pdf"),
            (".hidden", "text/plain"),
            ("a\nb.pdf", "application/pdf"),
            ("a.pdf", "pdf"),
            ("a.pdf", "application/pdf; x=\"y\""),
        ] {
            assert!(
                matches!(
                    Attachment::new(name, kind, Vec::new()),
                    Err(Error::InvalidAttachment { .. })
                ),
                "{name:?} {kind:?}"
            );
        }
        let bad = serde_json::json!({"filename": "a.pdf", "content_type": "application/pdf", "content_base64": "%%"});
        assert!(serde_json::from_value::<Attachment>(bad).is_err());
    }

    #[test]
    fn message_ids_are_random_hex() {
        let (a, b) = (MessageId::random(), MessageId::random());
        assert_ne!(a, b);
        assert!(
            a.as_str()
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!("ABCDEF0123456789ABCDEF0123456789".parse::<MessageId>().is_err());
        assert!("abcdef0123456789abcdef012345678".parse::<MessageId>().is_err());
    }
}
