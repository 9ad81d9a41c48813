#![doc = include_str!("../README.md")]
//!
//! ## Overview
//!
//! * [`ReceiptStatus`]: every receipt status code with its meaning and [`StatusClass`].
//! * [`Envelope`] (eCH-0090 v1, as sedex requires for sending) and [`Receipt`] (v2, v1 read).
//! * [`Outbox`]: writes payload then envelope, each to a hidden temporary name, fsynced and
//!   renamed atomically, so the sedex client never sees half a message.
//! * [`Inbox`]: finds envelope/payload pairs, hands each message once, moves it to `processed/`.
//! * [`Tracker`]: correlates receipts with sent messages per recipient.
//! * [`Simulator`]: a local sedex for tests and examples.
//!
//! ```
//! use egov_sedex::{EnvelopeParams, Outbox};
//!
//! let dir = tempfile::tempdir()?;
//! let outbox = Outbox::new(dir.path().join("outbox"))?;
//! let params = EnvelopeParams::new("T1-261-1".parse()?, vec!["T2-ZH-1".parse()?], 99);
//! let sent = outbox.send_bytes(&[("report.xml", b"<report/>".as_slice())], params)?;
//! assert!(dir.path().join("outbox").join(format!("envl_{}.xml", sent.message_id)).exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod envelope;
mod error;
mod fsops;
mod header;
mod inbox;
mod outbox;
mod simulator;
mod status;
mod tracker;

pub use envelope::{Envelope, EnvelopeParams, MessageClass, MessageId, Receipt};
pub use error::Error;
pub use fsops::{FileOps, RealFs};
pub use header::{HeaderFields, envelope_for_header};
pub use inbox::{Inbox, InboxMessage, InboxProblem};
pub use outbox::{Outbox, SentMessage};
pub use simulator::{SimulationReport, Simulator};
pub use status::{ReceiptStatus, StatusClass};
pub use tracker::{MessageState, ReceiptFile, RecipientState, Tracker, read_receipts};

/// File name prefix of temporary files; sedex only picks up `envl_*`/`data_*`.
pub const TEMP_PREFIX: &str = ".egov-sedex-tmp-";
