//! Large deliveries record by record, reading and writing, in memory bounded by one record.
//!
//! A canton's voter register (eCH-0045 `voterDelivery` with a `voterList`) or a population
//! register's base delivery (eCH-0020 `delivery` with a `baseDelivery`) holds up to a million
//! records. Reading such a document whole would hold them all; [`Records`] instead reads the
//! delivery's header once, typed and validated, and then yields one typed record at a time.
//! Every record is validated as it is read; a record with content errors is reported with its
//! number and paths and reading goes on with the next one, so one pass reports everything.
//! [`RecordWriter`] writes such a delivery record by record.
//!
//! The shapes are described by [`DeliveryKind`]; this crate implements it for
//! [`VoterList`] (eCH-0045 v6, feature `ech0045`) and [`BaseDelivery`] (eCH-0020 v3, feature
//! `ech0020`).
//!
//! ```
//! # #[cfg(feature = "ech0020")] {
//! use egov_ech::read::Limits;
//! use egov_ech::stream::{BaseDelivery, Records};
//!
//! let xml = r#"<eCH-0020:delivery xmlns:eCH-0020="http://www.ech.ch/xmlns/eCH-0020/3" version="3.0">
//!   <eCH-0020:deliveryHeader/></eCH-0020:delivery>"#;
//! // The header above lacks its content, and the delivery is not a base delivery.
//! let records = Records::<_, BaseDelivery>::open(xml.as_bytes(), Limits::default()).unwrap();
//! let report = records.validate();
//! assert_eq!(report.records, 0);
//! assert!(!report.errors.is_empty());
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, Write};
use std::marker::PhantomData;

use crate::read::{ContentError, Limits, Located, Location, ReadError, Reader, Start, XmlValue};
use crate::write::{Writer, XmlWrite};
use crate::xs::AnyElement;

/// The parts of a delivery around its records, as read, before they are made typed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HeaderParts {
    /// The root element's start tag (with its attributes).
    pub root: Start,
    /// The root's children before the record container, e.g. `deliveryHeader`.
    pub before: Vec<AnyElement>,
    /// The record container's start tag, e.g. `voterList`.
    pub container: Start,
    /// The container's children before the first record, e.g. `reportingAuthority`.
    pub inside: Vec<AnyElement>,
}

impl HeaderParts {
    /// Reads the element `local` among `parts` as `T`; errors carry the full path below `parent`.
    ///
    /// # Errors
    /// The element's content errors, or a missing-element error when it is not there.
    pub fn typed<T: XmlValue>(
        parts: &[AnyElement],
        parent: &str,
        local: &'static str,
        limits: Limits,
        errors: &mut Vec<Located>,
    ) -> Option<T> {
        let mut found = parts.iter().filter(|e| e.name == local);
        let Some(e) = found.next() else {
            errors.push(Located {
                location: Location {
                    path: parent.to_owned(),
                    offset: 0,
                },
                error: ContentError::MissingElement { name: local },
            });
            return None;
        };
        let extra = found.count();
        if extra > 0 {
            errors.push(Located {
                location: Location {
                    path: format!("{parent}/{local}"),
                    offset: 0,
                },
                error: ContentError::TooMany {
                    name: local,
                    found: extra + 1,
                    max: 1,
                },
            });
        }
        let mut w = Writer::new();
        w.any(e);
        let xml = w.finish(None);
        match crate::read::read_document::<T, _>(xml.as_bytes(), &e.namespace, &e.name, limits) {
            Ok(v) => Some(v),
            Err(ReadError::Invalid(list)) => {
                errors.extend(list.into_iter().map(|mut l| {
                    l.location.path = format!("{parent}{}", l.location.path);
                    l.location.offset = 0;
                    l
                }));
                None
            }
            Err(other) => {
                errors.push(Located {
                    location: Location {
                        path: format!("{parent}/{local}"),
                        offset: 0,
                    },
                    error: ContentError::Rule(format!("cannot be read: {other}")),
                });
                None
            }
        }
    }

    /// Optional variant of [`HeaderParts::typed`]: `None` without an error when absent.
    pub fn optional<T: XmlValue>(
        parts: &[AnyElement],
        parent: &str,
        local: &'static str,
        limits: Limits,
        errors: &mut Vec<Located>,
    ) -> Option<T> {
        if parts.iter().any(|e| e.name == local) {
            Self::typed(parts, parent, local, limits, errors)
        } else {
            None
        }
    }
}

/// A kind of delivery that holds many records of one type in one container element.
pub trait DeliveryKind {
    /// Everything of the delivery except the records, typed.
    type Header;
    /// One record.
    type Record: XmlValue + XmlWrite;
    /// The namespace of the root, container and record elements.
    const NAMESPACE: &'static str;
    /// The root element's local name.
    const ROOT: &'static str;
    /// The record container's local name (a child of the root).
    const CONTAINER: &'static str;
    /// The record element's local name (a child of the container).
    const RECORD: &'static str;
    /// How many records the schema requires at least.
    const MIN_RECORDS: u64;
    /// The local names allowed before the container (in the root) and before the records (in
    /// the container).
    const BEFORE: &'static [&'static str];
    /// The local names allowed in the container before the records.
    const INSIDE: &'static [&'static str];

    /// Makes the header typed; errors go to `errors` with their paths.
    fn header(parts: &HeaderParts, limits: Limits, errors: &mut Vec<Located>) -> Option<Self::Header>;

    /// Checks the record count against the header (e.g. eCH-0045 `numberOfVoters`).
    fn check_count(header: &Self::Header, count: u64) -> Option<ContentError>;

    /// Writes the root start tag (with its attributes), the header elements, the container's start
    /// tag and the container's elements before the records.
    fn write_head(header: &Self::Header, w: &mut Writer);
}

/// Why a stream item is not a record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// Reading cannot go on (malformed XML, a limit, hostile input); the stream ends.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The record number `index` (from 1) has content errors; the stream goes on.
    #[error("{record} number {index}: {} content error(s), the first: {}", errors.len(),
        errors.first().map(ToString::to_string).unwrap_or_default())]
    Record {
        /// The record element's name.
        record: &'static str,
        /// Its number, from 1.
        index: u64,
        /// Every error in it, with paths.
        errors: Vec<Located>,
    },
    /// The document is not of the expected kind.
    #[error("the root element is {found}, expected {expected}")]
    WrongRoot {
        /// `{namespace}local` expected.
        expected: String,
        /// `{namespace}local` found.
        found: String,
    },
    /// The document is of the root type but holds another alternative than the record container
    /// (e.g. an eCH-0045 `addVoter` event instead of a `voterList`); read it whole instead.
    #[error("the document holds {found}, not a list of records")]
    NotRecords {
        /// The element found instead of the container.
        found: String,
    },
    /// Writing failed.
    #[error("writing failed: {0}")]
    Io(#[from] std::io::Error),
    /// The records written do not agree with the header.
    #[error("{0}")]
    Count(ContentError),
}

/// What validating a whole delivery found.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct StreamReport {
    /// Records read.
    pub records: u64,
    /// Records with content errors.
    pub invalid_records: u64,
    /// Every error with its path (up to the reader's error limit), in document order, the
    /// header's first.
    pub errors: Vec<Located>,
    /// Why reading stopped early, if it did.
    pub fatal: Option<ReadError>,
}

impl StreamReport {
    /// Whether the delivery is valid.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty() && self.fatal.is_none()
    }
}

enum State {
    Records,
    Done,
}

/// Reads a delivery record by record. An [`Iterator`] of records; see the module docs.
pub struct Records<R: BufRead, K: DeliveryKind> {
    r: Reader<R>,
    header: Option<K::Header>,
    /// Errors outside the records (header, container, count).
    document_errors: Vec<Located>,
    count: u64,
    state: State,
    limits: Limits,
    kind: PhantomData<K>,
}

impl<R: BufRead, K: DeliveryKind> fmt::Debug for Records<R, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Records")
            .field("kind", &K::ROOT)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

const MAX_HEADER_PARTS: usize = 64;

impl<R: BufRead, K: DeliveryKind> Records<R, K> {
    /// Reads the root, the header and the container's start, up to the first record.
    ///
    /// # Errors
    /// Malformed or hostile input, or a root that is not `K`'s. Content errors of the header do
    /// not stop reading; they are in [`Records::document_errors`] and the final report.
    pub fn open(input: R, limits: Limits) -> Result<Self, StreamError> {
        let mut r = Reader::new(input, limits);
        let root = r.root()?;
        if root.ns != K::NAMESPACE || root.local != K::ROOT {
            return Err(StreamError::WrongRoot {
                expected: format!("{{{}}}{}", K::NAMESPACE, K::ROOT),
                found: root.qualified(),
            });
        }
        Self::from_root(r, root, limits)
    }

    /// Goes on from the root's start tag, read already.
    fn from_root(mut r: Reader<R>, root: Start, limits: Limits) -> Result<Self, StreamError> {
        let root_path = format!("/{}", K::ROOT);
        let mut document_errors = Vec::new();
        let mut before = Vec::new();
        let mut container = None;
        while let Some(c) = r.peek_child()? {
            let (ns, local) = (c.ns.clone(), c.local.clone());
            if ns == K::NAMESPACE && local == K::CONTAINER {
                container = Some(r.enter()?);
                break;
            }
            if ns == K::NAMESPACE && !K::BEFORE.contains(&local.as_str()) {
                // Another alternative of the root's content (e.g. `addVoter`): not a delivery of
                // records; read it whole.
                return Err(StreamError::NotRecords { found: local });
            }
            let start = r.enter()?;
            if ns == K::NAMESPACE && before.len() < MAX_HEADER_PARTS {
                before.push(r.any(start)?);
            } else {
                r.skip()?;
                document_errors.push(Located {
                    location: Location {
                        path: format!("{root_path}/{local}"),
                        offset: start.offset,
                    },
                    error: ContentError::UnexpectedElement {
                        name: start.qualified(),
                    },
                });
            }
        }
        let Some(container) = container else {
            document_errors.push(Located {
                location: Location {
                    path: root_path,
                    offset: r.location().offset,
                },
                error: ContentError::MissingElement { name: K::CONTAINER },
            });
            document_errors.append(&mut r.take_errors());
            let mut parts_errors = Vec::new();
            let _ = K::header(
                &HeaderParts {
                    root: root.clone(),
                    before,
                    container: root,
                    inside: Vec::new(),
                },
                limits,
                &mut parts_errors,
            );
            let container_path = format!("/{}/{}", K::ROOT, K::CONTAINER);
            document_errors.extend(
                parts_errors
                    .into_iter()
                    .filter(|e| !e.location.path.starts_with(&container_path)),
            );
            return Ok(Self {
                r,
                header: None,
                document_errors,
                count: 0,
                state: State::Done,
                limits,
                kind: PhantomData,
            });
        };
        let container_path = format!("{root_path}/{}", K::CONTAINER);
        let mut inside = Vec::new();
        while let Some(c) = r.peek_child()? {
            let (ns, local) = (c.ns.clone(), c.local.clone());
            if ns == K::NAMESPACE && local == K::RECORD {
                break;
            }
            let start = r.enter()?;
            if ns == K::NAMESPACE && K::INSIDE.contains(&local.as_str()) && inside.len() < MAX_HEADER_PARTS {
                inside.push(r.any(start)?);
            } else {
                r.skip()?;
                document_errors.push(Located {
                    location: Location {
                        path: format!("{container_path}/{local}"),
                        offset: start.offset,
                    },
                    error: ContentError::UnexpectedElement {
                        name: start.qualified(),
                    },
                });
            }
        }
        document_errors.append(&mut r.take_errors());
        let parts = HeaderParts {
            root,
            before,
            container,
            inside,
        };
        let header = K::header(&parts, limits, &mut document_errors);
        Ok(Self {
            r,
            header,
            document_errors,
            count: 0,
            state: State::Records,
            limits,
            kind: PhantomData,
        })
    }

    /// The typed header; `None` when it has content errors.
    #[must_use]
    pub fn header(&self) -> Option<&K::Header> {
        self.header.as_ref()
    }

    /// Errors outside the records found so far: the header's, elements out of place, and after
    /// the last record the count check.
    #[must_use]
    pub fn document_errors(&self) -> &[Located] {
        &self.document_errors
    }

    /// Records read so far (valid or not).
    #[must_use]
    pub fn records_read(&self) -> u64 {
        self.count
    }

    fn end(&mut self) -> Result<(), ReadError> {
        self.state = State::Done;
        // The container has ended; anything after it in the root is out of place.
        self.r.finish()?;
        self.r.finish()?;
        self.document_errors.append(&mut self.r.take_errors());
        if self.count < K::MIN_RECORDS {
            self.document_errors.push(Located {
                location: Location {
                    path: format!("/{}/{}", K::ROOT, K::CONTAINER),
                    offset: self.r.location().offset,
                },
                error: ContentError::TooFew {
                    name: K::RECORD,
                    found: usize::try_from(self.count).unwrap_or(usize::MAX),
                    min: K::MIN_RECORDS,
                },
            });
        }
        if let Some(e) = self.header.as_ref().and_then(|h| K::check_count(h, self.count)) {
            self.document_errors.push(Located {
                location: Location {
                    path: format!("/{}/{}", K::ROOT, K::CONTAINER),
                    offset: self.r.location().offset,
                },
                error: e,
            });
        }
        Ok(())
    }

    fn next_record(&mut self) -> Result<Option<Result<K::Record, StreamError>>, ReadError> {
        loop {
            let Some(c) = self.r.peek_child()? else {
                self.end()?;
                return Ok(None);
            };
            if c.ns == K::NAMESPACE && c.local == K::RECORD {
                let start = self.r.enter()?;
                self.count += 1;
                let value = K::Record::read_element(&mut self.r, &start)?;
                let errors = self.r.take_errors();
                return Ok(Some(match value {
                    Some(v) if errors.is_empty() => Ok(v),
                    _ => Err(StreamError::Record {
                        record: K::RECORD,
                        index: self.count,
                        errors,
                    }),
                }));
            }
            // Something other than a record after the first record.
            let name = c.qualified();
            let local = c.local.clone();
            self.r
                .error(Some(&local), ContentError::UnexpectedElement { name });
            self.r.enter()?;
            self.r.skip()?;
            self.document_errors.append(&mut self.r.take_errors());
        }
    }

    /// Reads every remaining record and reports everything found, the header's errors first.
    /// Memory stays bounded by one record and the error limit.
    #[must_use]
    pub fn validate(mut self) -> StreamReport {
        let mut report = StreamReport::default();
        let max = self.limits.max_errors;
        let mut record_errors = Vec::new();
        for item in self.by_ref() {
            match item {
                Err(StreamError::Record { errors, .. }) => {
                    report.invalid_records += 1;
                    let room = max.saturating_sub(record_errors.len());
                    record_errors.extend(errors.into_iter().take(room));
                }
                Err(StreamError::Read(e)) => report.fatal = Some(e),
                Ok(_) | Err(_) => {}
            }
        }
        report.records = self.count;
        report.errors = std::mem::take(&mut self.document_errors);
        report.errors.extend(record_errors);
        report.errors.truncate(max);
        report
    }
}

impl<R: BufRead, K: DeliveryKind> Iterator for Records<R, K> {
    type Item = Result<K::Record, StreamError>;

    fn next(&mut self) -> Option<Self::Item> {
        if matches!(self.state, State::Done) {
            return None;
        }
        match self.next_record() {
            Ok(item) => item,
            Err(e) => {
                self.state = State::Done;
                Some(Err(StreamError::Read(e)))
            }
        }
    }
}

/// Writes a delivery record by record: the head when the first record comes, each record as it
/// comes, the closing tags at [`RecordWriter::finish`].
pub struct RecordWriter<W: Write, K: DeliveryKind> {
    out: W,
    w: Writer,
    header: K::Header,
    schema_location: Option<String>,
    declared: Option<BTreeMap<String, String>>,
    count: u64,
}

impl<W: Write, K: DeliveryKind> fmt::Debug for RecordWriter<W, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordWriter")
            .field("kind", &K::ROOT)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl<W: Write, K: DeliveryKind> RecordWriter<W, K> {
    /// A writer of a delivery with `header` into `out`; `schema_location` adds
    /// `xsi:schemaLocation` to the root.
    pub fn new(out: W, header: K::Header, schema_location: Option<&str>) -> Self {
        Self {
            out,
            w: Writer::new(),
            header,
            schema_location: schema_location.map(str::to_owned),
            declared: None,
            count: 0,
        }
    }

    fn head(&mut self) -> std::io::Result<()> {
        if self.declared.is_none() {
            K::write_head(&self.header, &mut self.w);
            let (head, declared) = self.w.take_head(self.schema_location.as_deref());
            self.out.write_all(head.as_bytes())?;
            self.declared = Some(declared);
        }
        Ok(())
    }

    /// Writes one record.
    ///
    /// # Errors
    /// When the output cannot be written.
    pub fn write(&mut self, record: &K::Record) -> Result<(), StreamError> {
        if self.declared.is_none() {
            // The first record's namespaces are declared on the root with the header's.
            K::write_head(&self.header, &mut self.w);
            record.write_element(&mut self.w, K::NAMESPACE, K::RECORD);
            let (head, declared) = self.w.take_head(self.schema_location.as_deref());
            self.out.write_all(head.as_bytes())?;
            self.declared = Some(declared);
        } else {
            record.write_element(&mut self.w, K::NAMESPACE, K::RECORD);
            let chunk = self
                .w
                .take_chunk(self.declared.as_ref().unwrap_or(&BTreeMap::new()));
            self.out.write_all(chunk.as_bytes())?;
        }
        self.out.write_all(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Closes the container and the root and returns the output.
    ///
    /// # Errors
    /// When the output cannot be written, or the number of records disagrees with the header
    /// or the schema's minimum (the document is complete but invalid then).
    pub fn finish(mut self) -> Result<W, StreamError> {
        self.head()?;
        self.w.end(K::NAMESPACE, K::CONTAINER);
        self.w.end(K::NAMESPACE, K::ROOT);
        let tail = self
            .w
            .take_chunk(self.declared.as_ref().unwrap_or(&BTreeMap::new()));
        self.out.write_all(tail.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        if self.count < K::MIN_RECORDS {
            return Err(StreamError::Count(ContentError::TooFew {
                name: K::RECORD,
                found: usize::try_from(self.count).unwrap_or(usize::MAX),
                min: K::MIN_RECORDS,
            }));
        }
        if let Some(e) = K::check_count(&self.header, self.count) {
            return Err(StreamError::Count(e));
        }
        Ok(self.out)
    }
}

/// Validates a delivery of records of any kind this build knows, streaming: `Ok(None)` when the
/// document is not such a delivery (then read it whole with [`crate::document::validate`]).
///
/// # Errors
/// Malformed or hostile input before the first record.
pub fn validate_any<R: BufRead>(
    input: R,
    limits: Limits,
) -> Result<Option<(crate::document::DocumentInfo, StreamReport)>, ReadError> {
    let mut r = Reader::new(input, limits);
    let root = r.root()?;
    let info = crate::document::DocumentInfo::new(&root.ns, &root.local);
    #[cfg(feature = "ech0045")]
    if root.ns == VoterList::NAMESPACE && root.local == VoterList::ROOT {
        return finish_any::<R, VoterList>(r, root, limits, info);
    }
    #[cfg(feature = "ech0020")]
    if root.ns == BaseDelivery::NAMESPACE && root.local == BaseDelivery::ROOT {
        return finish_any::<R, BaseDelivery>(r, root, limits, info);
    }
    let _ = (r, root, limits, info);
    Ok(None)
}

#[allow(dead_code)]
fn finish_any<R: BufRead, K: DeliveryKind>(
    r: Reader<R>,
    root: Start,
    limits: Limits,
    info: crate::document::DocumentInfo,
) -> Result<Option<(crate::document::DocumentInfo, StreamReport)>, ReadError> {
    match Records::<R, K>::from_root(r, root, limits) {
        Ok(records) => Ok(Some((info, records.validate()))),
        Err(StreamError::Read(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// eCH-0045 v6 `voterDelivery` with a `voterList`: one `voter` at a time.
#[cfg(feature = "ech0045")]
#[derive(Debug, Clone, Copy)]
pub struct VoterList;

/// Everything of a voter list but its voters.
#[cfg(feature = "ech0045")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VoterListHeader {
    /// `deliveryHeader`.
    pub delivery_header: crate::ech0058::v5::Header,
    /// `voterList/reportingAuthority`.
    pub reporting_authority: crate::ech0045::v6::Authority,
    /// `voterList/contest`.
    pub contest: Option<crate::ech0045::v6::Contest>,
    /// `voterList/numberOfVoters`: must equal the number of `voter` elements.
    pub number_of_voters: crate::ech0045::v6::NumberOfVoters,
}

#[cfg(feature = "ech0045")]
impl VoterListHeader {
    /// A header from its parts.
    #[must_use]
    pub fn new(
        delivery_header: crate::ech0058::v5::Header,
        reporting_authority: crate::ech0045::v6::Authority,
        contest: Option<crate::ech0045::v6::Contest>,
        number_of_voters: crate::ech0045::v6::NumberOfVoters,
    ) -> Self {
        Self {
            delivery_header,
            reporting_authority,
            contest,
            number_of_voters,
        }
    }
}

#[cfg(feature = "ech0045")]
impl DeliveryKind for VoterList {
    type Header = VoterListHeader;
    type Record = crate::ech0045::v6::VotingPerson;
    const NAMESPACE: &'static str = crate::ech0045::v6::NAMESPACE;
    const ROOT: &'static str = "voterDelivery";
    const CONTAINER: &'static str = "voterList";
    const RECORD: &'static str = "voter";
    const MIN_RECORDS: u64 = 1;
    const BEFORE: &'static [&'static str] = &["deliveryHeader"];
    const INSIDE: &'static [&'static str] = &["reportingAuthority", "contest", "numberOfVoters"];

    fn header(parts: &HeaderParts, limits: Limits, errors: &mut Vec<Located>) -> Option<Self::Header> {
        let root = "/voterDelivery";
        let list = "/voterDelivery/voterList";
        let delivery_header = HeaderParts::typed(&parts.before, root, "deliveryHeader", limits, errors);
        let reporting_authority =
            HeaderParts::typed(&parts.inside, list, "reportingAuthority", limits, errors);
        let contest = HeaderParts::optional(&parts.inside, list, "contest", limits, errors);
        let number_of_voters = HeaderParts::typed(&parts.inside, list, "numberOfVoters", limits, errors);
        Some(VoterListHeader {
            delivery_header: delivery_header?,
            reporting_authority: reporting_authority?,
            contest,
            number_of_voters: number_of_voters?,
        })
    }

    fn check_count(header: &Self::Header, count: u64) -> Option<ContentError> {
        let stated = *header.number_of_voters.get();
        (stated != count).then(|| {
            ContentError::Rule(format!(
                "numberOfVoters is {stated} but the list has {count} voter element(s); they must be equal"
            ))
        })
    }

    fn write_head(header: &Self::Header, w: &mut Writer) {
        let ns = Self::NAMESPACE;
        w.start(ns, Self::ROOT);
        header.delivery_header.write_element(w, ns, "deliveryHeader");
        w.start(ns, Self::CONTAINER);
        header
            .reporting_authority
            .write_element(w, ns, "reportingAuthority");
        if let Some(c) = &header.contest {
            c.write_element(w, ns, "contest");
        }
        header.number_of_voters.write_element(w, ns, "numberOfVoters");
    }
}

/// eCH-0020 v3 `delivery` with a `baseDelivery`: one `messages` element (a person) at a time.
#[cfg(feature = "ech0020")]
#[derive(Debug, Clone, Copy)]
pub struct BaseDelivery;

#[cfg(feature = "ech0020")]
impl DeliveryKind for BaseDelivery {
    type Header = crate::ech0020::v3::Header;
    type Record = crate::ech0020::v3::EventBaseDelivery;
    const NAMESPACE: &'static str = crate::ech0020::v3::NAMESPACE;
    const ROOT: &'static str = "delivery";
    const CONTAINER: &'static str = "baseDelivery";
    const RECORD: &'static str = "messages";
    const MIN_RECORDS: u64 = 1;
    const BEFORE: &'static [&'static str] = &["deliveryHeader"];
    const INSIDE: &'static [&'static str] = &[];

    fn header(parts: &HeaderParts, limits: Limits, errors: &mut Vec<Located>) -> Option<Self::Header> {
        let version = parts.root.attribute("version");
        if version.map(str::trim) != Some("3.0") {
            errors.push(Located {
                location: Location {
                    path: "/delivery/@version".to_owned(),
                    offset: parts.root.offset,
                },
                error: match version {
                    None => ContentError::MissingAttribute { name: "version" },
                    Some(v) => ContentError::Value(crate::xs::FacetError::Enumeration {
                        value: v.chars().take(64).collect(),
                        allowed: &["3.0"],
                    }),
                },
            });
        }
        HeaderParts::typed(&parts.before, "/delivery", "deliveryHeader", limits, errors)
    }

    fn check_count(_header: &Self::Header, _count: u64) -> Option<ContentError> {
        None
    }

    fn write_head(header: &Self::Header, w: &mut Writer) {
        let ns = Self::NAMESPACE;
        w.attribute("version", "3.0");
        w.start(ns, Self::ROOT);
        header.write_element(w, ns, "deliveryHeader");
        w.start(ns, Self::CONTAINER);
    }
}
