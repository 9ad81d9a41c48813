//! A local sedex for tests and examples.

use std::fs;
use std::path::{Path, PathBuf};

use egov_core::SedexId;

use crate::envelope::{Envelope, MessageId, Receipt, now};
use crate::error::{Error, io};
use crate::fsops::RealFs;
use crate::outbox::{list_names, variable_part};
use crate::status::{ReceiptStatus, StatusClass};

/// What one simulator pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimulationReport {
    /// Messages taken from outboxes.
    pub messages: usize,
    /// The receipts written, in order.
    pub receipts: Vec<Receipt>,
}

/// A local sedex: participants are the folders `<root>/<sedex id>/` with `outbox/`, `inbox/`,
/// `receipts/` and `processed/`, as a sedex client's interface folder has them.
///
/// Each pass ([`Simulator::run_once`]) takes every complete message (`envl_*.xml` with its
/// `data_*`) from every outbox, delivers it to each recipient's inbox under a new file name (as
/// sedex does), writes one eCH-0090 v2 receipt per recipient into the sender's `receipts/`, and
/// moves the sent files to the sender's `processed/`. Receipt codes: 100 delivered, 200 envelope
/// unreadable, 201 message id already used by this sender, 202 no payload, 300 envelope sender is
/// not the outbox's participant, 301 recipient has no folder. Any other code (a transport error,
/// 311 not allowed to receive, 601 sent but not yet delivered, 701 expires soon …) is given for
/// one recipient with [`Simulator::set_outcome`].
///
/// ```
/// use egov_sedex::{EnvelopeParams, Outbox, Simulator, ReceiptStatus};
///
/// let root = tempfile::tempdir()?;
/// let sim = Simulator::new(root.path());
/// let (a, b) = ("T1-261-1".parse()?, "T2-ZH-1".parse()?);
/// sim.add_participant(&a)?;
/// sim.add_participant(&b)?;
/// let outbox = Outbox::new(sim.folder(&a, "outbox"))?;
/// outbox.send_bytes(&[("m.xml", b"<m/>".as_slice())], EnvelopeParams::new(a, vec![b], 99))?;
/// let report = sim.run_once()?;
/// assert_eq!(report.receipts[0].status, ReceiptStatus::Delivered);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Simulator {
    root: PathBuf,
    outcomes: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, ReceiptStatus>>>,
}

const FOLDERS: [&str; 4] = ["outbox", "inbox", "receipts", "processed"];

impl Simulator {
    /// A simulator over the participant folders under `root`.
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            outcomes: std::sync::Arc::default(),
        }
    }

    /// From now on, messages to `recipient` get a receipt with `status` instead of the normal
    /// outcome; `None` returns to normal. A warning (701) still delivers the message, as the real
    /// sedex does when it has not been fetched yet; every other status leaves it undelivered.
    pub fn set_outcome(&self, recipient: &SedexId, status: Option<ReceiptStatus>) {
        let mut outcomes = self
            .outcomes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match status {
            Some(s) => outcomes.insert(recipient.as_str().to_owned(), s),
            None => outcomes.remove(recipient.as_str()),
        };
    }

    fn outcome(&self, recipient: &SedexId) -> Option<ReceiptStatus> {
        self.outcomes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(recipient.as_str())
            .copied()
    }

    /// Creates a participant's folders.
    ///
    /// # Errors
    /// When a folder cannot be created.
    pub fn add_participant(&self, id: &SedexId) -> Result<PathBuf, Error> {
        let dir = self.root.join(id.as_str());
        for f in FOLDERS {
            let p = dir.join(f);
            fs::create_dir_all(&p).map_err(io("create folder", &p))?;
        }
        Ok(dir)
    }

    /// A participant's folder `name` (`outbox`, `inbox`, `receipts` or `processed`).
    #[must_use]
    pub fn folder(&self, id: &SedexId, name: &str) -> PathBuf {
        self.root.join(id.as_str()).join(name)
    }

    /// The participants: sub-folders of the root named like sedex ids.
    ///
    /// # Errors
    /// When the root cannot be listed.
    pub fn participants(&self) -> Result<Vec<SedexId>, Error> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.root).map_err(io("list", &self.root))? {
            let entry = entry.map_err(io("list", &self.root))?;
            let name = entry.file_name();
            if entry.path().is_dir()
                && let Some(name) = name.to_str()
                && let Ok(id) = name.parse::<SedexId>()
                && id.as_str() == name
            {
                out.push(id);
            }
        }
        out.sort();
        Ok(out)
    }

    /// One pass over every outbox.
    ///
    /// # Errors
    /// When a folder cannot be read or written.
    pub fn run_once(&self) -> Result<SimulationReport, Error> {
        let mut report = SimulationReport::default();
        for participant in self.participants()? {
            let outbox = self.folder(&participant, "outbox");
            if !outbox.is_dir() {
                continue;
            }
            let names = list_names(&outbox)?;
            for name in &names {
                let Some(key) = variable_part(name, "envl_") else {
                    continue;
                };
                report.messages += 1;
                let data = names
                    .iter()
                    .find(|n| variable_part(n, "data_") == Some(key))
                    .map(|n| outbox.join(n));
                let envl = outbox.join(name);
                let bytes = fs::read(&envl).map_err(io("read", &envl))?;
                let receipts = self.handle(&participant, key, &bytes, data.as_deref())?;
                let receipts_dir = self.folder(&participant, "receipts");
                fs::create_dir_all(&receipts_dir).map_err(io("create folder", &receipts_dir))?;
                for r in receipts {
                    let file = format!("receipt_{}_{}_{}.xml", r.message_id, r.recipient, r.status.code());
                    write_atomic(&receipts_dir, &file, r.to_xml()?.as_bytes())?;
                    report.receipts.push(r);
                }
                let processed = self.folder(&participant, "processed");
                fs::create_dir_all(&processed).map_err(io("create folder", &processed))?;
                for p in data.iter().chain([&envl]) {
                    if let Some(n) = p.file_name() {
                        fs::rename(p, processed.join(n)).map_err(io("move", p))?;
                    }
                }
            }
        }
        Ok(report)
    }

    fn handle(
        &self,
        participant: &SedexId,
        key: &str,
        bytes: &[u8],
        data: Option<&Path>,
    ) -> Result<Vec<Receipt>, Error> {
        let receipt = |status: ReceiptStatus, id: MessageId, t: i32, c: i32, recipient: SedexId| Receipt {
            event_date: now(),
            status,
            status_info: format!("simulated: {}", status.meaning()),
            message_id: id,
            message_type: t,
            message_class: c,
            sender: participant.clone(),
            recipient,
            version: 2,
        };
        let Ok(env) = Envelope::from_xml(bytes) else {
            let id = key.parse().unwrap_or_else(|_| MessageId::generate());
            return Ok(vec![receipt(
                ReceiptStatus::InvalidEnvelope,
                id,
                0,
                0,
                participant.clone(),
            )]);
        };
        let (id, t, c) = (env.message_id(), env.message_type(), env.message_class().code());
        let recipients = env.recipients()?;
        let all = |status| {
            recipients
                .iter()
                .map(|r| receipt(status, id.clone(), t, c, r.clone()))
                .collect()
        };
        if env.sender()? != *participant {
            return Ok(all(ReceiptStatus::UnknownSender));
        }
        let Some(data) = data else {
            return Ok(all(ReceiptStatus::NoPayload));
        };
        let seen_dir = self.root.join(".simulator").join("seen");
        fs::create_dir_all(&seen_dir).map_err(io("create folder", &seen_dir))?;
        let seen = seen_dir.join(format!("{participant}_{id}"));
        if seen.exists() {
            return Ok(all(ReceiptStatus::DuplicateMessageId));
        }
        fs::write(&seen, b"").map_err(io("write", &seen))?;
        let payload = fs::read(data).map_err(io("read", data))?;
        let ext = data.extension().and_then(|e| e.to_str()).unwrap_or("bin");
        let mut out = Vec::new();
        for r in &recipients {
            let forced = self.outcome(r);
            if let Some(status) = forced
                && status.class() != StatusClass::Warning
                && status != ReceiptStatus::Delivered
            {
                out.push(receipt(status, id.clone(), t, c, r.clone()));
                continue;
            }
            let inbox = self.folder(r, "inbox");
            if !inbox.is_dir() {
                out.push(receipt(
                    ReceiptStatus::UnknownRecipient,
                    id.clone(),
                    t,
                    c,
                    r.clone(),
                ));
                continue;
            }
            // sedex gives received messages names of its own.
            let new_key = format!("{}", fastrand::u64(1_000_000_000..u64::MAX / 2));
            write_atomic(&inbox, &format!("data_{new_key}.{ext}"), &payload)?;
            write_atomic(&inbox, &format!("envl_{new_key}.xml"), bytes)?;
            let status = forced.unwrap_or(ReceiptStatus::Delivered);
            out.push(receipt(status, id.clone(), t, c, r.clone()));
        }
        Ok(out)
    }
}

fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    crate::fsops::put(&RealFs, dir, name, bytes)
}
