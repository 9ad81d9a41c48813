//! Receipt tracking.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use egov_core::SedexId;

use crate::envelope::Receipt;
use crate::error::{Error, io};
use crate::outbox::{SentMessage, list_names, read_journal};
use crate::status::{ReceiptStatus, StatusClass};

/// A receipt file and what reading it gave.
pub type ReceiptFile = (PathBuf, Result<Receipt, Error>);

/// Every `*.xml` receipt in `dir` with its file, in file name order; unreadable ones as `Err`.
///
/// # Errors
/// When the folder cannot be listed or a file cannot be read.
pub fn read_receipts(dir: &Path) -> Result<Vec<ReceiptFile>, Error> {
    let mut out = Vec::new();
    for name in list_names(dir)? {
        if name.starts_with('.') || !name.ends_with(".xml") {
            continue;
        }
        let p = dir.join(&name);
        let bytes = fs::read(&p).map_err(io("read", &p))?;
        out.push((p, Receipt::from_xml(&bytes)));
    }
    Ok(out)
}

/// Where a message stands for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RecipientState {
    /// Written to the outbox; no receipt yet.
    Sent,
    /// sedex sent it, not yet delivered (601).
    InProgress {
        /// When.
        at: NaiveDateTime,
    },
    /// The recipient has not fetched it and it expires soon (701).
    ExpiringSoon {
        /// When the warning came.
        at: NaiveDateTime,
    },
    /// Delivered (100).
    Delivered {
        /// When.
        at: NaiveDateTime,
    },
    /// Not delivered: a final error (2xx/3xx) or a transport error that may pass on a resend (4xx/5xx).
    Failed {
        /// The status code.
        status: ReceiptStatus,
        /// Its meaning.
        meaning: &'static str,
        /// Whether sending again may work.
        retryable: bool,
        /// sedex's text.
        info: String,
        /// When.
        at: NaiveDateTime,
    },
}

impl RecipientState {
    /// The state a receipt puts the recipient in.
    #[must_use]
    pub fn from_receipt(r: &Receipt) -> Self {
        let at = r.event_date;
        match r.status.class() {
            StatusClass::Delivered => Self::Delivered { at },
            StatusClass::Intermediate => Self::InProgress { at },
            StatusClass::Warning => Self::ExpiringSoon { at },
            class => Self::Failed {
                status: r.status,
                meaning: r.status.meaning(),
                retryable: class == StatusClass::Retryable,
                info: r.status_info.clone(),
                at,
            },
        }
    }

    /// Whether the message did not reach this recipient.
    #[must_use]
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed { .. })
    }
}

/// A sent message and its state per recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MessageState {
    /// The message as sent.
    pub message: SentMessage,
    /// Each recipient's state, in the order of the envelope.
    pub recipients: Vec<(SedexId, RecipientState)>,
}

impl MessageState {
    /// Whether every recipient got it.
    #[must_use]
    pub fn all_delivered(&self) -> bool {
        self.recipients
            .iter()
            .all(|(_, s)| matches!(s, RecipientState::Delivered { .. }))
    }

    /// Whether any recipient failed.
    #[must_use]
    pub fn any_failed(&self) -> bool {
        self.recipients.iter().any(|(_, s)| s.is_failure())
    }
}

/// Correlates receipts (by sender, message id and recipient) with the sent journal.
///
/// A final receipt (100, 2xx–5xx) outranks 601 and 701; among receipts of the same rank the latest
/// wins.
#[derive(Debug, Clone)]
pub struct Tracker {
    journal: PathBuf,
    receipts: PathBuf,
}

impl Tracker {
    /// A tracker over a journal folder (see [`crate::Outbox::journal`]) and a receipts folder.
    #[must_use]
    pub fn new(journal: impl Into<PathBuf>, receipts: impl Into<PathBuf>) -> Self {
        Self {
            journal: journal.into(),
            receipts: receipts.into(),
        }
    }

    /// The state of every sent message.
    ///
    /// # Errors
    /// When the journal or receipts folder cannot be read. Unreadable receipts are skipped.
    pub fn states(&self) -> Result<Vec<MessageState>, Error> {
        let sent = read_journal(&self.journal)?;
        let receipts: Vec<Receipt> = if self.receipts.exists() {
            read_receipts(&self.receipts)?
                .into_iter()
                .filter_map(|(_, r)| r.ok())
                .collect()
        } else {
            Vec::new()
        };
        Ok(sent
            .into_iter()
            .map(|message| {
                let recipients = message
                    .recipients
                    .iter()
                    .map(|rcpt| {
                        let best = receipts
                            .iter()
                            .filter(|r| {
                                r.message_id == message.message_id
                                    && r.sender == message.sender
                                    && r.recipient == *rcpt
                            })
                            .max_by_key(|r| (r.status.class().is_final(), r.event_date));
                        (
                            rcpt.clone(),
                            best.map_or(RecipientState::Sent, RecipientState::from_receipt),
                        )
                    })
                    .collect();
                MessageState { message, recipients }
            })
            .collect())
    }

    /// The state of one message, if it is in the journal.
    ///
    /// # Errors
    /// As [`Tracker::states`].
    pub fn state(&self, id: &crate::MessageId) -> Result<Option<MessageState>, Error> {
        Ok(self.states()?.into_iter().find(|s| s.message.message_id == *id))
    }
}
