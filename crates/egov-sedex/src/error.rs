//! The crate's error type.

use std::path::PathBuf;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A message id that breaks `[A-Za-z0-9-]{1,36}`.
    #[error("message id {id:?}: {reason}")]
    MessageId {
        /// The id (at most 40 characters of it).
        id: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A field with a value that breaks a rule.
    #[error("{field}: {reason}")]
    Field {
        /// The envelope or receipt field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A document that could not be read.
    #[error("{what}: {reason}")]
    Xml {
        /// "envelope" or "receipt".
        what: &'static str,
        /// The reader's message, with the location.
        reason: String,
    },
    /// The message id was already used by this sender.
    #[error("message id {0} was already used by this sender")]
    DuplicateMessageId(String),
    /// The eCH-0058 header and the envelope disagree.
    #[error("header and envelope disagree on {field}: header {header:?}, envelope {envelope:?}")]
    HeaderMismatch {
        /// The field.
        field: &'static str,
        /// The header's value.
        header: String,
        /// The envelope's value.
        envelope: String,
    },
    /// A payload file name that cannot be used.
    #[error("payload {0}: {1}")]
    Payload(PathBuf, &'static str),
    /// A file system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// The operation.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Building the ZIP bundle failed.
    #[error("zip: {0}")]
    Zip(String),
}

pub(crate) fn io(op: &'static str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { op, path, source }
}
