//! The message a channel sends: a recipient and a rendered text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::recipient::Recipient;
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
        })
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
}

impl TryFrom<MessageRepr> for Message {
    type Error = Error;

    fn try_from(repr: MessageRepr) -> Result<Self, Error> {
        let message = Self::new(repr.recipient, repr.rendered)?;
        match repr.reference {
            Some(reference) => message.with_reference(reference),
            None => Ok(message),
        }
    }
}

impl From<Message> for MessageRepr {
    fn from(message: Message) -> Self {
        Self {
            recipient: message.recipient,
            rendered: message.rendered,
            reference: message.reference,
        }
    }
}
