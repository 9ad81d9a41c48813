//! The outbox writer.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDateTime;
use egov_core::SedexId;

use crate::TEMP_PREFIX;
use crate::envelope::{Envelope, EnvelopeParams, MessageId};
use crate::error::{Error, io};
use crate::fsops::{FileOps, RealFs, put};

/// A message written to the outbox, as recorded in the sent journal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SentMessage {
    /// The message id.
    pub message_id: MessageId,
    /// The sender.
    pub sender: SedexId,
    /// The recipients.
    pub recipients: Vec<SedexId>,
    /// The message type.
    pub message_type: i32,
    /// The message class.
    pub message_class: i32,
    /// The payload file name (`data_<id>.<ext>`).
    pub payload_file: String,
    /// The envelope file name (`envl_<id>.xml`).
    pub envelope_file: String,
    /// The envelope's message date.
    pub message_date: NaiveDateTime,
}

/// Writes messages into a sedex outbox so that the client never sees half a message.
///
/// Each file is written to a hidden temporary name (`.egov-sedex-tmp-…`, which sedex ignores),
/// fsynced and renamed atomically: the payload `data_<id>.<ext>` first, the envelope `envl_<id>.xml`
/// last, with folder fsyncs in between. After the envelope, a record goes into the sent journal
/// (by default `<outbox>/../.egov-sedex/sent/`), which [`crate::Tracker`] and the
/// message-id uniqueness check read.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
    journal: PathBuf,
    fs: Arc<dyn FileOps>,
}

impl Outbox {
    /// An outbox in `dir` (created if missing), with the journal beside it.
    ///
    /// # Errors
    /// When the folders cannot be created.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, Error> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(io("create folder", &dir))?;
        let journal = default_journal(&dir);
        Ok(Self {
            dir,
            journal,
            fs: Arc::new(RealFs),
        })
    }

    /// Uses another journal folder.
    #[must_use]
    pub fn with_journal(mut self, dir: impl Into<PathBuf>) -> Self {
        self.journal = dir.into();
        self
    }

    /// Uses other file operations (tests inject failures this way).
    #[must_use]
    pub fn with_file_ops(mut self, fs: Arc<dyn FileOps>) -> Self {
        self.fs = fs;
        self
    }

    /// The outbox folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The sent journal folder.
    #[must_use]
    pub fn journal(&self) -> &Path {
        &self.journal
    }

    /// Cleans up after a crash: removes temporary files and payloads without an envelope.
    /// Call it at start-up, while no other writer uses this outbox. Returns how many files went.
    ///
    /// # Errors
    /// When the folder cannot be listed or a file cannot be removed.
    pub fn recover(&self) -> Result<usize, Error> {
        let names = list_names(&self.dir)?;
        let mut removed = 0;
        for name in &names {
            let orphan = variable_part(name, "data_")
                .is_some_and(|key| !names.iter().any(|n| *n == format!("envl_{key}.xml")));
            if name.starts_with(TEMP_PREFIX) || orphan {
                let p = self.dir.join(name);
                self.fs.remove(&p).map_err(io("remove", &p))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Sends the files at `payloads` (one is sent as is, several are bundled into one ZIP).
    ///
    /// # Errors
    /// See [`Outbox::send_bytes`]; also when a payload cannot be read.
    pub fn send(&self, payloads: &[PathBuf], params: EnvelopeParams) -> Result<SentMessage, Error> {
        let mut files = Vec::with_capacity(payloads.len());
        for p in payloads {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| Error::Payload(p.clone(), "has no usable file name"))?
                .to_owned();
            let bytes = fs::read(p).map_err(io("read", p))?;
            files.push((name, bytes));
        }
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        self.send_bytes(&refs, params)
    }

    /// Sends payload files given as (file name, content).
    ///
    /// # Errors
    /// [`Error::Field`]/[`Error::MessageId`] for a bad envelope, [`Error::DuplicateMessageId`] when
    /// the sender already used the id, [`Error::Payload`] for a missing extension or duplicate names,
    /// [`Error::Io`] when writing fails (after removing what it wrote, as far as possible).
    pub fn send_bytes(
        &self,
        payloads: &[(&str, &[u8])],
        params: EnvelopeParams,
    ) -> Result<SentMessage, Error> {
        let env = Envelope::build(params)?;
        self.send_envelope(payloads, &env)
    }

    /// Sends payload files with a ready envelope.
    ///
    /// # Errors
    /// As [`Outbox::send_bytes`].
    pub fn send_envelope(&self, payloads: &[(&str, &[u8])], env: &Envelope) -> Result<SentMessage, Error> {
        let id = env.message_id();
        let sender = env.sender()?;
        let (ext, bytes) = bundle(payloads)?;
        self.check_unique(&sender, &id)?;
        let data_name = format!("data_{id}.{ext}");
        let envl_name = format!("envl_{id}.xml");
        let sent = SentMessage {
            message_id: id.clone(),
            sender,
            recipients: env.recipients()?,
            message_type: env.message_type(),
            message_class: env.message_class().code(),
            payload_file: data_name.clone(),
            envelope_file: envl_name.clone(),
            message_date: env.message_date(),
        };
        let data = self.dir.join(&data_name);
        let tmp_data = self.dir.join(format!("{TEMP_PREFIX}{data_name}"));
        let tmp_envl = self.dir.join(format!("{TEMP_PREFIX}{envl_name}"));
        let result = (|| {
            // The payload is durably in place before the envelope, which sedex looks for, appears.
            put(&*self.fs, &self.dir, &data_name, &bytes)?;
            self.fs.sync_dir(&self.dir).map_err(io("sync", &self.dir))?;
            put(&*self.fs, &self.dir, &envl_name, env.to_xml().as_bytes())?;
            self.fs.sync_dir(&self.dir).map_err(io("sync", &self.dir))
        })();
        if let Err(e) = result {
            // Best effort: the envelope is absent, so nothing here is a message for sedex.
            for p in [&tmp_envl, &tmp_data, &data] {
                let _ = self.fs.remove(p);
            }
            return Err(e);
        }
        self.record(&sent)?;
        Ok(sent)
    }

    /// Every message in the sent journal, oldest first.
    ///
    /// # Errors
    /// When the journal cannot be read.
    pub fn sent(&self) -> Result<Vec<SentMessage>, Error> {
        read_journal(&self.journal)
    }

    fn check_unique(&self, sender: &SedexId, id: &MessageId) -> Result<(), Error> {
        let taken = self.journal.join(journal_name(sender, id)).exists()
            || list_names(&self.dir)?.iter().any(|n| {
                variable_part(n, "envl_").or_else(|| variable_part(n, "data_")) == Some(id.as_str())
            });
        if taken {
            return Err(Error::DuplicateMessageId(id.to_string()));
        }
        Ok(())
    }

    fn record(&self, sent: &SentMessage) -> Result<(), Error> {
        fs::create_dir_all(&self.journal).map_err(io("create folder", &self.journal))?;
        let name = journal_name(&sent.sender, &sent.message_id);
        let tmp = self.journal.join(format!("{TEMP_PREFIX}{name}"));
        let json = serde_json::to_vec_pretty(sent).map_err(|e| Error::Field {
            field: "journal",
            reason: e.to_string(),
        })?;
        let _ = self.fs.remove(&tmp);
        put(&*self.fs, &self.journal, &name, &json)?;
        self.fs.sync_dir(&self.journal).map_err(io("sync", &self.journal))
    }
}

pub(crate) fn default_journal(outbox: &Path) -> PathBuf {
    outbox
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(".egov-sedex")
        .join("sent")
}

fn journal_name(sender: &SedexId, id: &MessageId) -> String {
    format!("{sender}_{id}.json")
}

pub(crate) fn read_journal(dir: &Path) -> Result<Vec<SentMessage>, Error> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for name in list_names(dir)? {
        if name.starts_with(TEMP_PREFIX) || !name.ends_with(".json") {
            continue;
        }
        let p = dir.join(&name);
        let bytes = fs::read(&p).map_err(io("read", &p))?;
        let sent: SentMessage = serde_json::from_slice(&bytes).map_err(|e| Error::Field {
            field: "journal",
            reason: format!("{}: {e}", p.display()),
        })?;
        out.push(sent);
    }
    out.sort_by_key(|a| a.message_date);
    Ok(out)
}

/// The file names in a folder (files only), sorted.
pub(crate) fn list_names(dir: &Path) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io("list", dir))? {
        let entry = entry.map_err(io("list", dir))?;
        if entry.file_type().map_err(io("list", dir))?.is_file()
            && let Some(n) = entry.file_name().to_str()
        {
            names.push(n.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// `XXX` of `envl_XXX.xml` / `data_XXX.ext` (the part between the prefix and the last dot).
pub(crate) fn variable_part<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = name.strip_prefix(prefix)?;
    let (stem, ext) = rest.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() || (prefix == "envl_" && ext != "xml") {
        return None;
    }
    Some(stem)
}

/// One payload as is (its extension kept), several as one ZIP.
fn bundle(payloads: &[(&str, &[u8])]) -> Result<(String, Vec<u8>), Error> {
    match payloads {
        [] => Err(Error::Payload(
            PathBuf::new(),
            "at least one payload file is required",
        )),
        [(name, bytes)] => {
            let ext = Path::new(name)
                .extension()
                .and_then(|e| e.to_str())
                .filter(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()))
                .ok_or_else(|| Error::Payload(PathBuf::from(name), "needs an extension such as .xml"))?;
            Ok((ext.to_ascii_lowercase(), bytes.to_vec()))
        }
        many => {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let options =
                zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            for (i, (name, bytes)) in many.iter().enumerate() {
                if name.is_empty() || name.contains(['/', '\\']) {
                    return Err(Error::Payload(PathBuf::from(name), "must be a plain file name"));
                }
                if many[..i].iter().any(|(n, _)| n == name) {
                    return Err(Error::Payload(PathBuf::from(name), "is given twice"));
                }
                zip.start_file(*name, options)
                    .map_err(|e| Error::Zip(e.to_string()))?;
                zip.write_all(bytes).map_err(|e| Error::Zip(e.to_string()))?;
            }
            let cursor = zip.finish().map_err(|e| Error::Zip(e.to_string()))?;
            Ok(("zip".to_owned(), cursor.into_inner()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_parts() {
        assert_eq!(variable_part("envl_abc.xml", "envl_"), Some("abc"));
        assert_eq!(variable_part("data_abc.tar.gz", "data_"), Some("abc.tar"));
        assert_eq!(variable_part("envl_abc.json", "envl_"), None);
        assert_eq!(variable_part("data_.xml", "data_"), None);
        assert_eq!(variable_part("data_abc", "data_"), None);
    }

    #[test]
    fn bundles() {
        assert!(bundle(&[]).is_err());
        assert!(bundle(&[("noext", b"x")]).is_err());
        let (ext, b) = bundle(&[("a.XML", b"<a/>")]).unwrap();
        assert_eq!((ext.as_str(), b.as_slice()), ("xml", b"<a/>".as_slice()));
        assert!(bundle(&[("a.xml", b"1"), ("a.xml", b"2")]).is_err());
        let (ext, b) = bundle(&[("a.xml", b"<a/>"), ("b.pdf", b"%PDF")]).unwrap();
        assert_eq!(ext, "zip");
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(b)).unwrap();
        assert_eq!(z.len(), 2);
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("a.xml").unwrap(), &mut s).unwrap();
        assert_eq!(s, "<a/>");
    }
}
