//! The inbox reader.

use std::fs;
use std::path::{Path, PathBuf};

use egov_core::SedexId;

use crate::TEMP_PREFIX;
use crate::envelope::{Envelope, MessageId};
use crate::error::{Error, io};
use crate::outbox::{list_names, variable_part};

/// A received message: its envelope and payload file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxMessage {
    /// The variable part `XXX` of `envl_XXX.xml` (assigned by sedex).
    pub key: String,
    /// The envelope.
    pub envelope: Envelope,
    /// The message id from the envelope.
    pub message_id: MessageId,
    /// The sender from the envelope.
    pub sender: SedexId,
    /// The envelope file.
    pub envelope_path: PathBuf,
    /// The payload file.
    pub payload_path: PathBuf,
}

/// A file in the inbox that is not (yet) a complete message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InboxProblem {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

/// Reads a sedex inbox: pairs `envl_XXX.xml` with `data_XXX.*` (or, when sedex named the payload
/// differently, with `data_<messageId>.*`), hands each message to the application once and moves
/// it to `<inbox>/processed/` when the application confirms it.
///
/// The state lives in the folder: before moving, [`Inbox::confirm`] writes a marker
/// `processed/.done-<sender>-<messageId>`; a message with a marker is never handed out again, and a
/// move that a crash interrupted is finished on the next scan. A message that arrives again with
/// the same sender and id is moved to `processed/` without being handed out.
#[derive(Debug, Clone)]
pub struct Inbox {
    dir: PathBuf,
    processed: PathBuf,
}

impl Inbox {
    /// An inbox in `dir`, with `dir/processed/` for handled messages.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let processed = dir.join("processed");
        Self { dir, processed }
    }

    /// The folder handled messages go to.
    #[must_use]
    pub fn processed_dir(&self) -> &Path {
        &self.processed
    }

    /// The messages waiting to be handled, in file name order, and the files that are not
    /// (yet) complete messages. Finishes moves interrupted by a crash.
    ///
    /// # Errors
    /// When the folder cannot be listed or an interrupted move cannot be finished.
    pub fn scan(&self) -> Result<(Vec<InboxMessage>, Vec<InboxProblem>), Error> {
        let names = list_names(&self.dir)?;
        let mut messages = Vec::new();
        let mut problems = Vec::new();
        let mut used_payloads: Vec<&str> = Vec::new();
        for name in &names {
            let Some(key) = variable_part(name, "envl_") else {
                continue;
            };
            let envelope_path = self.dir.join(name);
            let bytes = fs::read(&envelope_path).map_err(io("read", &envelope_path))?;
            let envelope = match Envelope::from_xml(&bytes) {
                Ok(e) => e,
                Err(e) => {
                    problems.push(InboxProblem {
                        path: envelope_path,
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            let message_id = envelope.message_id();
            let sender = envelope.sender()?;
            let payload = names
                .iter()
                .find(|n| variable_part(n, "data_") == Some(key))
                .or_else(|| {
                    names
                        .iter()
                        .find(|n| variable_part(n, "data_") == Some(message_id.as_str()))
                });
            let done = self.marker_for(&sender, &message_id).exists();
            let Some(payload) = payload else {
                if done {
                    self.move_files(&[&envelope_path])?;
                    continue;
                }
                problems.push(InboxProblem {
                    path: envelope_path,
                    reason: "no payload data_* file (yet)".into(),
                });
                continue;
            };
            used_payloads.push(payload);
            let msg = InboxMessage {
                key: key.to_owned(),
                envelope,
                message_id,
                sender,
                envelope_path,
                payload_path: self.dir.join(payload),
            };
            if done {
                self.move_to_processed(&msg)?;
            } else {
                messages.push(msg);
            }
        }
        for name in &names {
            if variable_part(name, "data_").is_some() && !used_payloads.contains(&name.as_str()) {
                problems.push(InboxProblem {
                    path: self.dir.join(name),
                    reason: "payload without envelope".into(),
                });
            }
        }
        Ok((messages, problems))
    }

    /// The messages waiting to be handled (see [`Inbox::scan`]).
    ///
    /// # Errors
    /// As [`Inbox::scan`].
    pub fn pending(&self) -> Result<Vec<InboxMessage>, Error> {
        Ok(self.scan()?.0)
    }

    /// Marks a message as handled and moves its files to `processed/`.
    ///
    /// # Errors
    /// When the marker cannot be written or the files cannot be moved.
    pub fn confirm(&self, msg: &InboxMessage) -> Result<(), Error> {
        fs::create_dir_all(&self.processed).map_err(io("create folder", &self.processed))?;
        let marker = self.marker(msg);
        if !marker.exists() {
            let tmp = self.processed.join(format!("{TEMP_PREFIX}done"));
            fs::write(&tmp, msg.key.as_bytes()).map_err(io("write", &tmp))?;
            fs::rename(&tmp, &marker).map_err(io("rename", &tmp))?;
        }
        self.move_to_processed(msg)
    }

    /// Hands each waiting message to `handle`; those it accepts (`Ok`) are confirmed. Stops at the
    /// first error of `handle`, leaving that message waiting. Returns how many were handled.
    ///
    /// # Errors
    /// [`Error`] from the inbox, or the handler's error converted.
    pub fn receive<E, F>(&self, mut handle: F) -> Result<usize, E>
    where
        F: FnMut(&InboxMessage) -> Result<(), E>,
        E: From<Error>,
    {
        let mut n = 0;
        for msg in self.pending()? {
            handle(&msg)?;
            self.confirm(&msg)?;
            n += 1;
        }
        Ok(n)
    }

    fn marker(&self, msg: &InboxMessage) -> PathBuf {
        self.marker_for(&msg.sender, &msg.message_id)
    }

    fn marker_for(&self, sender: &SedexId, id: &MessageId) -> PathBuf {
        self.processed.join(format!(".done-{sender}-{id}"))
    }

    fn move_to_processed(&self, msg: &InboxMessage) -> Result<(), Error> {
        // Payload first: while the envelope is still in the inbox, the message is found again.
        self.move_files(&[&msg.payload_path, &msg.envelope_path])
    }

    fn move_files(&self, paths: &[&PathBuf]) -> Result<(), Error> {
        fs::create_dir_all(&self.processed).map_err(io("create folder", &self.processed))?;
        for p in paths {
            if let Some(name) = p.file_name() {
                let to = self.processed.join(name);
                if p.exists() {
                    fs::rename(p, &to).map_err(io("move", p))?;
                }
            }
        }
        Ok(())
    }
}
