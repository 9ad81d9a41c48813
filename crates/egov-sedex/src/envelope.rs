//! eCH-0090 envelopes (v1, for sending) and receipts (v2; v1 read for old ones).

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDateTime, Timelike as _};
use egov_core::SedexId;
use egov_ech::ech0090::{v1, v2};
use egov_ech::read::{Limits, read_document};
use egov_ech::write::write_document;
use egov_ech::xs;

use crate::error::Error;
use crate::status::ReceiptStatus;

/// A sedex message id: `[A-Za-z0-9-]{1,36}`, unique per sender.
///
/// ```
/// use egov_sedex::MessageId;
///
/// assert!("3f1c2b9e-6a57-4e1f-9d7c-000000000001".parse::<MessageId>().is_ok());
/// assert!("a_b".parse::<MessageId>().is_err());
/// let id = MessageId::generate();
/// assert_eq!(id.as_str().len(), 36);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

impl MessageId {
    /// A new random id in UUID form (version 4 layout, 36 characters).
    #[must_use]
    pub fn generate() -> Self {
        let hex = |n: usize| -> String {
            (0..n)
                .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
                .collect()
        };
        let variant = ['8', '9', 'a', 'b'][fastrand::usize(0..4)];
        Self(format!(
            "{}-{}-4{}-{variant}{}-{}",
            hex(8),
            hex(4),
            hex(3),
            hex(3),
            hex(12)
        ))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MessageId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.is_empty() || s.len() > 36 {
            return Err(Error::MessageId {
                id: s.chars().take(40).collect(),
                reason: "must have 1 to 36 characters",
            });
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::MessageId {
                id: s.to_owned(),
                reason: "only A-Z, a-z, 0-9 and '-' are allowed",
            });
        }
        Ok(Self(s.to_owned()))
    }
}

impl TryFrom<String> for MessageId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<MessageId> for String {
    fn from(id: MessageId) -> Self {
        id.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `messageClass` of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum MessageClass {
    /// 0: a message.
    Message,
    /// 1: a response (needs a reference message id).
    Response,
    /// 2: an application-level receipt (needs a reference message id).
    Receipt,
    /// 3: an error (needs a reference message id).
    Error,
    /// Another value.
    Other(i32),
}

impl MessageClass {
    /// The class for a numeric value.
    #[must_use]
    pub const fn from_code(code: i32) -> Self {
        match code {
            0 => Self::Message,
            1 => Self::Response,
            2 => Self::Receipt,
            3 => Self::Error,
            c => Self::Other(c),
        }
    }

    /// The numeric value.
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::Message => 0,
            Self::Response => 1,
            Self::Receipt => 2,
            Self::Error => 3,
            Self::Other(c) => c,
        }
    }
}

/// What goes into an envelope; [`Envelope::build`] checks it and makes the eCH-0090 v1 envelope.
#[derive(Debug, Clone)]
pub struct EnvelopeParams {
    /// The message id; generated when `None`.
    pub message_id: Option<MessageId>,
    /// The message type (0–2 699 999).
    pub message_type: u32,
    /// The message class.
    pub message_class: MessageClass,
    /// The message this one answers (required for classes 1–3).
    pub reference_message_id: Option<MessageId>,
    /// The sender.
    pub sender: SedexId,
    /// The recipients (at least one).
    pub recipients: Vec<SedexId>,
    /// The business date in UTC.
    pub event_date: NaiveDateTime,
    /// The creation time in UTC; now when `None`.
    pub message_date: Option<NaiveDateTime>,
    /// Loopback test: `Some(authorise)`.
    pub loopback: Option<bool>,
    /// Test data name/value pairs.
    pub test_data: Vec<(String, String)>,
}

impl EnvelopeParams {
    /// A plain message (class 0) of `message_type` from `sender` to `recipients`, event date now.
    #[must_use]
    pub fn new(sender: SedexId, recipients: Vec<SedexId>, message_type: u32) -> Self {
        Self {
            message_id: None,
            message_type,
            message_class: MessageClass::Message,
            reference_message_id: None,
            sender,
            recipients,
            event_date: now(),
            message_date: None,
            loopback: None,
            test_data: Vec::new(),
        }
    }
}

/// An eCH-0090 v1 envelope, as sedex requires for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope(pub v1::Envelope);

fn facet<T>(field: &'static str, r: Result<T, xs::FacetError>) -> Result<T, Error> {
    r.map_err(|e| Error::Field {
        field,
        reason: e.to_string(),
    })
}

/// Envelope times are UTC and written with an explicit `Z`.
fn datetime(value: NaiveDateTime) -> xs::DateTime {
    xs::DateTime {
        value,
        tz: Some(xs::TimeZone::UTC),
    }
}

/// A document time in UTC: an explicit offset is applied; a time without zone is taken as UTC.
pub(crate) fn utc(dt: &xs::DateTime) -> NaiveDateTime {
    match dt.tz {
        Some(tz) => dt.value - chrono::TimeDelta::minutes(i64::from(tz.offset_minutes())),
        None => dt.value,
    }
}

/// UTC now, to whole milliseconds.
pub(crate) fn now() -> NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    let ms = now.and_utc().timestamp_subsec_millis();
    now.with_nanosecond(ms * 1_000_000).unwrap_or(now)
}

impl Envelope {
    /// Checks the parameters and builds the envelope.
    ///
    /// # Errors
    /// [`Error::Field`] naming the field that breaks a rule (no recipient, message type out of range,
    /// classes 1–3 without reference message id, duplicate recipients).
    ///
    /// ```
    /// use egov_sedex::{Envelope, EnvelopeParams};
    ///
    /// let p = EnvelopeParams::new("T1-261-1".parse()?, vec!["T2-ZH-1".parse()?], 99);
    /// let env = Envelope::build(p)?;
    /// assert_eq!(env.message_id().as_str().len(), 36);
    /// let xml = env.to_xml();
    /// assert_eq!(Envelope::from_xml(xml.as_bytes())?, env);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(p: EnvelopeParams) -> Result<Self, Error> {
        if p.recipients.is_empty() {
            return Err(Error::Field {
                field: "recipientId",
                reason: "at least one recipient is required".into(),
            });
        }
        for (i, r) in p.recipients.iter().enumerate() {
            if p.recipients[..i].contains(r) {
                return Err(Error::Field {
                    field: "recipientId",
                    reason: format!("{r} is listed twice"),
                });
            }
        }
        let class = p.message_class.code();
        if !(0..=3).contains(&class) {
            return Err(Error::Field {
                field: "messageClass",
                reason: format!("{class} is not 0 (message), 1 (response), 2 (receipt) or 3 (error)"),
            });
        }
        if class > 0 && p.reference_message_id.is_none() {
            return Err(Error::Field {
                field: "referenceMessageId",
                reason: format!("required for message class {class}"),
            });
        }
        let message_type = i32::try_from(p.message_type).map_err(|_| Error::Field {
            field: "messageType",
            reason: format!("{} is out of range", p.message_type),
        })?;
        let id = p.message_id.unwrap_or_else(MessageId::generate);
        let message_date = p.message_date.unwrap_or_else(now);
        let env = v1::Envelope {
            message_id: facet("messageId", v1::MessageId::new(id.0))?,
            message_type: facet("messageType", v1::MessageType::new(message_type))?,
            message_class: class,
            reference_message_id: p
                .reference_message_id
                .map(|r| facet("referenceMessageId", v1::MessageId::new(r.0)))
                .transpose()?,
            sender_id: participant_v1("senderId", &p.sender)?,
            recipient_id: p
                .recipients
                .iter()
                .map(|r| participant_v1("recipientId", r))
                .collect::<Result<_, _>>()?,
            event_date: datetime(p.event_date),
            message_date: datetime(message_date),
            loopback: p.loopback.map(|authorise| v1::EnvelopeLoopback { authorise }),
            test_data: p
                .test_data
                .into_iter()
                .map(|(name, value)| v1::NameValuePair { name, value })
                .collect(),
            version: v1::EnvelopeVersion::V10,
        };
        Ok(Self(env))
    }

    /// Reads an eCH-0090 v1 envelope.
    ///
    /// # Errors
    /// [`Error::Xml`] with the reader's located errors.
    pub fn from_xml(bytes: &[u8]) -> Result<Self, Error> {
        let env: v1::Envelope =
            read_document(bytes, v1::NAMESPACE, "envelope", Limits::default()).map_err(|e| Error::Xml {
                what: "envelope",
                reason: e.to_string(),
            })?;
        if env.recipient_id.is_empty() {
            return Err(Error::Field {
                field: "recipientId",
                reason: "at least one recipient is required".into(),
            });
        }
        Ok(Self(env))
    }

    /// The envelope as an XML document.
    #[must_use]
    pub fn to_xml(&self) -> String {
        write_document(&self.0, v1::NAMESPACE, "envelope", None)
    }

    /// The message id.
    #[must_use]
    pub fn message_id(&self) -> MessageId {
        MessageId(self.0.message_id.get().clone())
    }

    /// The message type.
    #[must_use]
    pub fn message_type(&self) -> i32 {
        *self.0.message_type.get()
    }

    /// The message class.
    #[must_use]
    pub fn message_class(&self) -> MessageClass {
        MessageClass::from_code(self.0.message_class)
    }

    /// The sender.
    ///
    /// # Errors
    /// When the id is not a valid sedex id (cannot happen for envelopes this crate read or built).
    pub fn sender(&self) -> Result<SedexId, Error> {
        sedex_id("senderId", self.0.sender_id.get())
    }

    /// The recipients.
    ///
    /// # Errors
    /// When an id is not a valid sedex id.
    pub fn recipients(&self) -> Result<Vec<SedexId>, Error> {
        self.0
            .recipient_id
            .iter()
            .map(|r| sedex_id("recipientId", r.get()))
            .collect()
    }

    /// The creation time in UTC.
    #[must_use]
    pub fn message_date(&self) -> NaiveDateTime {
        utc(&self.0.message_date)
    }

    /// The business date in UTC.
    #[must_use]
    pub fn event_date(&self) -> NaiveDateTime {
        utc(&self.0.event_date)
    }
}

fn participant_v1(field: &'static str, id: &SedexId) -> Result<v1::ParticipantId, Error> {
    facet(field, v1::ParticipantId::new(id.as_str().to_owned()))
}

pub(crate) fn sedex_id(field: &'static str, s: &str) -> Result<SedexId, Error> {
    s.parse().map_err(|e: egov_core::Error| Error::Field {
        field,
        reason: e.to_string(),
    })
}

/// A receipt, read from eCH-0090 v2 (or v1 for old ones).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Receipt {
    /// When sedex issued it.
    pub event_date: NaiveDateTime,
    /// The status.
    pub status: ReceiptStatus,
    /// sedex's free text.
    pub status_info: String,
    /// The message it is about.
    pub message_id: MessageId,
    /// The message's type.
    pub message_type: i32,
    /// The message's class.
    pub message_class: i32,
    /// The message's sender.
    pub sender: SedexId,
    /// The recipient this receipt is about.
    pub recipient: SedexId,
    /// 1 or 2: the eCH-0090 major version it was read from.
    pub version: u8,
}

impl Receipt {
    /// Reads a receipt of eCH-0090 v2 or v1 (told apart by the root's namespace).
    ///
    /// # Errors
    /// [`Error::Xml`] when the document is neither, or breaks the schema.
    pub fn from_xml(bytes: &[u8]) -> Result<Self, Error> {
        let text = String::from_utf8_lossy(bytes);
        let xml_err = |e: egov_ech::read::ReadError| Error::Xml {
            what: "receipt",
            reason: e.to_string(),
        };
        if text.contains(v1::NAMESPACE) && !text.contains(v2::NAMESPACE) {
            let r: v1::Receipt =
                read_document(bytes, v1::NAMESPACE, "receipt", Limits::default()).map_err(xml_err)?;
            let code = r.status_code.as_str().parse::<u16>().unwrap_or_default();
            return Ok(Self {
                event_date: utc(&r.event_date),
                status: ReceiptStatus::from_code(code),
                status_info: r.status_info.get().clone(),
                message_id: r.message_id.get().parse()?,
                message_type: *r.message_type.get(),
                message_class: r.message_class,
                sender: sedex_id("senderId", r.sender_id.get())?,
                recipient: sedex_id("recipientId", r.recipient_id.get())?,
                version: 1,
            });
        }
        let r: v2::Receipt =
            read_document(bytes, v2::NAMESPACE, "receipt", Limits::default()).map_err(xml_err)?;
        let code = u16::try_from(*r.status_code.get()).unwrap_or_default();
        Ok(Self {
            event_date: utc(&r.event_date),
            status: ReceiptStatus::from_code(code),
            status_info: r.status_info.get().clone(),
            message_id: r.message_id.get().parse()?,
            message_type: *r.message_type.get(),
            message_class: r.message_class,
            sender: sedex_id("senderId", r.sender_id.get())?,
            recipient: sedex_id("recipientId", r.recipient_id.get())?,
            version: 2,
        })
    }

    /// The receipt as an eCH-0090 v2 document (as the sedex client writes them).
    ///
    /// # Errors
    /// [`Error::Field`] when a value breaks the v2 schema (e.g. a status info over 255 characters).
    pub fn to_xml(&self) -> Result<String, Error> {
        let r = v2::Receipt {
            event_date: datetime(self.event_date),
            status_code: facet("statusCode", v2::StatusCode::new(i32::from(self.status.code())))?,
            status_info: facet("statusInfo", v2::String255::new(self.status_info.clone()))?,
            message_id: facet("messageId", v2::MessageId::new(self.message_id.0.clone()))?,
            message_type: facet("messageType", v2::MessageType::new(self.message_type))?,
            message_class: self.message_class,
            sender_id: facet("senderId", v2::ParticipantId::new(self.sender.canonical()))?,
            recipient_id: facet("recipientId", v2::ParticipantId::new(self.recipient.canonical()))?,
            version: v2::ReceiptVersion::V20,
        };
        Ok(write_document(&r, v2::NAMESPACE, "receipt", None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> SedexId {
        s.parse().unwrap()
    }

    #[test]
    fn message_ids() {
        for _ in 0..100 {
            let g = MessageId::generate();
            assert!(g.as_str().parse::<MessageId>().is_ok());
            assert_eq!(g.as_str().as_bytes()[14], b'4');
        }
        assert_ne!(MessageId::generate(), MessageId::generate());
        assert!("x".repeat(36).parse::<MessageId>().is_ok());
        assert!("x".repeat(37).parse::<MessageId>().is_err());
        assert!("".parse::<MessageId>().is_err());
        assert!("a b".parse::<MessageId>().is_err());
    }

    #[test]
    fn envelope_rules() {
        let mut p = EnvelopeParams::new(id("T1-261-1"), vec![], 99);
        assert!(matches!(
            Envelope::build(p.clone()),
            Err(Error::Field {
                field: "recipientId",
                ..
            })
        ));
        p.recipients = vec![id("T2-ZH-1"), id("T2-ZH-1")];
        assert!(matches!(
            Envelope::build(p.clone()),
            Err(Error::Field {
                field: "recipientId",
                ..
            })
        ));
        p.recipients = vec![id("T2-ZH-1")];
        p.message_class = MessageClass::Response;
        assert!(matches!(
            Envelope::build(p.clone()),
            Err(Error::Field {
                field: "referenceMessageId",
                ..
            })
        ));
        p.reference_message_id = Some("abc".parse().unwrap());
        p.message_type = 2_700_000;
        assert!(matches!(
            Envelope::build(p.clone()),
            Err(Error::Field {
                field: "messageType",
                ..
            })
        ));
        p.message_type = 2_699_999;
        p.test_data = vec![("case".into(), "1".into())];
        p.loopback = Some(true);
        let env = Envelope::build(p).unwrap();
        let back = Envelope::from_xml(env.to_xml().as_bytes()).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.message_class(), MessageClass::Response);
        assert_eq!(back.recipients().unwrap(), vec![id("T2-ZH-1")]);
        assert!(env.to_xml().contains("version=\"1.0\""));
    }

    #[test]
    fn receipt_round_trip_v2() {
        let r = Receipt {
            event_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
                .unwrap()
                .and_hms_opt(3, 4, 5)
                .unwrap(),
            status: ReceiptStatus::UnknownRecipient,
            status_info: "nope".into(),
            message_id: "m-1".parse().unwrap(),
            message_type: 99,
            message_class: 0,
            sender: id("T1-261-1"),
            recipient: id("T2-ZH-9"),
            version: 2,
        };
        let xml = r.to_xml().unwrap();
        assert!(xml.contains("http://www.ech.ch/xmlns/eCH-0090/2"));
        assert_eq!(Receipt::from_xml(xml.as_bytes()).unwrap(), r);
        assert!(Receipt::from_xml(b"<receipt/>").is_err());
    }
}
