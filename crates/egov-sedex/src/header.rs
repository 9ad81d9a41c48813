//! Sending an eCH message: the envelope from its eCH-0058 header.

use chrono::{NaiveDate, NaiveDateTime};
use egov_core::SedexId;
use egov_ech::ech0058::v5::Header;

use crate::envelope::{Envelope, EnvelopeParams, MessageId, sedex_id, utc};
use crate::error::Error;
use crate::outbox::{Outbox, SentMessage};

/// The eCH-0058 header fields the envelope repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderFields {
    /// `senderId`.
    pub sender: SedexId,
    /// `recipientId`s (may be empty).
    pub recipients: Vec<SedexId>,
    /// `messageId`.
    pub message_id: MessageId,
    /// `messageType` (an URI or a number).
    pub message_type: String,
    /// `messageDate`, in UTC.
    pub message_date: NaiveDateTime,
    /// `eventDate`.
    pub event_date: Option<NaiveDate>,
}

impl HeaderFields {
    /// Takes the fields from an eCH-0058 v5 header.
    ///
    /// # Errors
    /// When the sender or a recipient is not a sedex id, or the message id breaks the sedex rule
    /// (eCH-0058 allows any 1–36 characters, sedex only `[A-Za-z0-9-]`).
    pub fn from_header(h: &Header) -> Result<Self, Error> {
        Ok(Self {
            sender: sedex_id("header senderId", h.sender_id.get())?,
            recipients: h
                .recipient_id
                .iter()
                .map(|r| sedex_id("header recipientId", r.get()))
                .collect::<Result<_, _>>()?,
            message_id: h.message_id.get().parse()?,
            message_type: h.message_type.get().clone(),
            message_date: utc(h.message_date.get()),
            event_date: h.event_date.as_ref().map(|d| d.get().value),
        })
    }

    /// Checks that an envelope agrees with the header: sender, message id, message type (when the
    /// header's is a number), message date, and the recipients (when the header lists any).
    ///
    /// # Errors
    /// [`Error::HeaderMismatch`] naming the first field that differs.
    pub fn check(&self, env: &Envelope) -> Result<(), Error> {
        let mismatch = |field, header: String, envelope: String| {
            Err(Error::HeaderMismatch {
                field,
                header,
                envelope,
            })
        };
        let sender = env.sender()?;
        if sender != self.sender {
            return mismatch("senderId", self.sender.to_string(), sender.to_string());
        }
        if env.message_id() != self.message_id {
            return mismatch(
                "messageId",
                self.message_id.to_string(),
                env.message_id().to_string(),
            );
        }
        if let Ok(t) = self.message_type.trim().parse::<i32>()
            && t != env.message_type()
        {
            return mismatch(
                "messageType",
                self.message_type.clone(),
                env.message_type().to_string(),
            );
        }
        if env.message_date() != self.message_date {
            return mismatch(
                "messageDate",
                self.message_date.to_string(),
                env.message_date().to_string(),
            );
        }
        let recipients = env.recipients()?;
        if !self.recipients.is_empty() {
            let same = recipients.len() == self.recipients.len()
                && recipients.iter().all(|r| self.recipients.contains(r));
            if !same {
                let list = |v: &[SedexId]| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
                return mismatch("recipientId", list(&self.recipients), list(&recipients));
            }
        }
        Ok(())
    }
}

/// Envelope parameters filled from an eCH-0058 header: sender, message id, dates (event date at
/// midnight, or the message date), and the message type, taken from `message_type` or else from
/// the header when that is a number.
///
/// # Errors
/// [`Error::Field`] when neither gives a numeric message type; [`Error::HeaderMismatch`] when
/// `message_type` differs from a numeric header type.
pub fn envelope_for_header(
    h: &HeaderFields,
    recipients: &[SedexId],
    message_type: Option<u32>,
) -> Result<EnvelopeParams, Error> {
    let header_type = h.message_type.trim().parse::<u32>().ok();
    let message_type = match (message_type, header_type) {
        (Some(given), Some(header)) if given != header => {
            return Err(Error::HeaderMismatch {
                field: "messageType",
                header: h.message_type.clone(),
                envelope: given.to_string(),
            });
        }
        (Some(t), _) | (None, Some(t)) => t,
        (None, None) => {
            return Err(Error::Field {
                field: "messageType",
                reason: format!(
                    "the header's messageType {:?} is not a number; give the sedex message type",
                    h.message_type
                ),
            });
        }
    };
    let mut p = EnvelopeParams::new(h.sender.clone(), recipients.to_vec(), message_type);
    p.message_id = Some(h.message_id.clone());
    p.message_date = Some(h.message_date);
    p.event_date = h
        .event_date
        .map_or(h.message_date, |d| d.and_time(chrono::NaiveTime::MIN));
    Ok(p)
}

impl Outbox {
    /// Sends an eCH message (`payload`, e.g. the XML document, written as `data_<id>.xml`) whose
    /// eCH-0058 header is `header`: the envelope is filled from the header and checked against it.
    ///
    /// # Errors
    /// As [`HeaderFields::from_header`], [`envelope_for_header`], [`HeaderFields::check`] and
    /// [`Outbox::send_envelope`].
    pub fn send_message(
        &self,
        payload: &[u8],
        header: &Header,
        recipients: &[SedexId],
        message_type: Option<u32>,
    ) -> Result<SentMessage, Error> {
        let fields = HeaderFields::from_header(header)?;
        let env = Envelope::build(envelope_for_header(&fields, recipients, message_type)?)?;
        fields.check(&env)?;
        self.send_envelope(&[("message.xml", payload)], &env)
    }
}
