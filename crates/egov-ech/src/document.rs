//! Whole documents of any enabled standard: recognise the standard from the root's namespace,
//! validate, convert between XML and JSON. This is what `egov ech` uses.

use std::io::BufRead;

use serde::{Deserialize, Serialize};

use crate::read::{Limits, ReadError, Reader, Start, XmlValue};
use crate::write::{XmlWrite, write_document};

/// What a document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The root element's namespace.
    pub namespace: String,
    /// The root element's local name.
    pub root: String,
    /// `eCH-0020`, when the namespace is an eCH one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
    /// The major version from the namespace (`3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl DocumentInfo {
    pub(crate) fn new(namespace: &str, root: &str) -> Self {
        let rest = namespace.strip_prefix("http://www.ech.ch/xmlns/");
        let (standard, version) = match rest.map(|r| r.rsplit_once('/')) {
            Some(Some((std, ver))) => (Some(std.to_owned()), Some(ver.to_owned())),
            _ => (None, None),
        };
        Self {
            namespace: namespace.to_owned(),
            root: root.to_owned(),
            standard,
            version,
        }
    }
}

impl std::fmt::Display for DocumentInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.standard, &self.version) {
            (Some(s), Some(v)) => write!(f, "{s} v{v} {}", self.root),
            _ => write!(f, "{{{}}}{}", self.namespace, self.root),
        }
    }
}

/// Why a document could not be handled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Reading failed or the content is invalid.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The root's namespace is not one of the enabled standards.
    #[error("{info}: not a standard this build knows (namespace {}); enable its cargo feature", info.namespace)]
    Unknown {
        /// What the root is.
        info: DocumentInfo,
    },
    /// JSON that does not fit the standard's types.
    #[error("JSON does not fit {info}: {source}")]
    Json {
        /// The document kind.
        info: DocumentInfo,
        /// The serde error (with its JSON path).
        source: serde_json::Error,
    },
}

/// A document as JSON: which standard and root, and the content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonDocument {
    /// What the document is.
    #[serde(flatten)]
    pub info: DocumentInfo,
    /// The root element's content.
    pub content: serde_json::Value,
}

pub(crate) fn read_json<T: XmlValue + Serialize, R: BufRead>(
    r: &mut Reader<R>,
    start: &Start,
) -> Result<Option<serde_json::Value>, ReadError> {
    Ok(T::read_element(r, start)?.and_then(|v| serde_json::to_value(&v).ok()))
}

pub(crate) fn write_json<T: XmlWrite + for<'de> Deserialize<'de>>(
    value: serde_json::Value,
    ns: &str,
    local: &str,
) -> Result<String, serde_json::Error> {
    let v: T = serde_json::from_value(value)?;
    Ok(write_document(&v, ns, local, None))
}

/// Reads a document of any enabled standard and returns it as JSON; every content error is
/// reported with its path.
///
/// # Errors
/// Malformed XML, hostile input, content errors, or a namespace no enabled feature covers.
pub fn read_any<R: BufRead>(input: R, limits: Limits) -> Result<JsonDocument, DocumentError> {
    let mut r = Reader::new(input, limits);
    let start = r.root()?;
    let info = DocumentInfo::new(&start.ns, &start.local);
    let Some(result) = crate::generated::read_root_json(&start.ns, &mut r, &start) else {
        return Err(DocumentError::Unknown { info });
    };
    let value = result?;
    let errors = r.take_errors();
    match value {
        Some(content) if errors.is_empty() => Ok(JsonDocument { info, content }),
        _ => Err(ReadError::Invalid(errors).into()),
    }
}

/// Validates a document of any enabled standard.
///
/// # Errors
/// As [`read_any`].
pub fn validate<R: BufRead>(input: R, limits: Limits) -> Result<DocumentInfo, DocumentError> {
    read_any(input, limits).map(|d| d.info)
}

/// Writes a JSON document back as XML.
///
/// # Errors
/// When the namespace is not enabled or the JSON does not fit the types.
pub fn write_any(doc: JsonDocument) -> Result<String, DocumentError> {
    let JsonDocument { info, content } = doc;
    match crate::generated::write_root_json(&info.namespace, &info.root, content) {
        None => Err(DocumentError::Unknown { info }),
        Some(Err(source)) => Err(DocumentError::Json { info, source }),
        Some(Ok(xml)) => Ok(xml),
    }
}
