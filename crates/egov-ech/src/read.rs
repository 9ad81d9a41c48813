//! Reading eCH documents: a namespace-aware, prefix-agnostic pull reader over quick-xml that the
//! generated types read themselves with, collecting content errors with their XML path.

use std::fmt;
use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::xs::{AnyElement, AnyNode, FacetError};

/// Limits against hostile or broken input; the defaults fit real deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum element nesting depth.
    pub max_depth: usize,
    /// Maximum length of one text node or attribute value, in bytes.
    pub max_text: usize,
    /// Maximum number of attributes on one element.
    pub max_attributes: usize,
    /// Maximum number of content errors collected before reading stops.
    pub max_errors: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_text: 1 << 20,
            max_attributes: 64,
            max_errors: 1000,
        }
    }
}

/// Where something is in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Element path from the root, e.g. `/delivery/moveIn/moveInPerson/personIdentification/vn`.
    pub path: String,
    /// Byte offset in the input.
    pub offset: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte {})", self.path, self.offset)
    }
}

/// What is wrong with a document's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// An element the schema does not allow here.
    #[error("unexpected element {name}")]
    UnexpectedElement {
        /// `{namespace}local`
        name: String,
    },
    /// A required element is missing.
    #[error("missing element {name}")]
    MissingElement {
        /// Local name.
        name: &'static str,
    },
    /// An element occurs more often than allowed.
    #[error("{name} occurs {found} times, at most {max} allowed")]
    TooMany {
        /// Local name.
        name: &'static str,
        /// Occurrences found.
        found: usize,
        /// Maximum.
        max: u64,
    },
    /// An element occurs less often than required.
    #[error("{name} occurs {found} times, at least {min} required")]
    TooFew {
        /// Local name.
        name: &'static str,
        /// Occurrences found.
        found: usize,
        /// Minimum.
        min: u64,
    },
    /// An element appears after one that must follow it.
    #[error("element {name} is out of order")]
    OutOfOrder {
        /// Local name.
        name: &'static str,
    },
    /// An attribute the schema does not allow.
    #[error("unexpected attribute {name}")]
    UnexpectedAttribute {
        /// Attribute name.
        name: String,
    },
    /// A required attribute is missing.
    #[error("missing attribute {name}")]
    MissingAttribute {
        /// Attribute name.
        name: &'static str,
    },
    /// Child elements where only text is allowed.
    #[error("element content where text is expected")]
    ElementInText,
    /// Text where only child elements are allowed.
    #[error("text where only elements are allowed")]
    TextInElement,
    /// A value that breaks its type.
    #[error("{0}")]
    Value(#[from] FacetError),
    /// A rule beyond the XSD (check digits, official lists).
    #[error("{0}")]
    Rule(String),
}

/// A content error with its location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {error}")]
pub struct Located {
    /// Where.
    pub location: Location,
    /// What.
    pub error: ContentError,
}

/// Why reading stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The input is not well-formed XML, or could not be read.
    #[error("not well-formed XML at byte {offset}: {source}")]
    Xml {
        /// Byte offset.
        offset: u64,
        /// The parser's error.
        source: quick_xml::Error,
    },
    /// The document has a DOCTYPE; eCH documents never do, and DTDs are refused.
    #[error("a DOCTYPE is not allowed (byte {offset})")]
    Doctype {
        /// Byte offset.
        offset: u64,
    },
    /// An entity other than the five predefined ones or a character reference.
    #[error("entity &{name}; is not allowed (byte {offset})")]
    Entity {
        /// The entity name.
        name: String,
        /// Byte offset.
        offset: u64,
    },
    /// A limit was exceeded.
    #[error("{what} exceeds the limit of {limit} at {path} (byte {offset})")]
    Limit {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: usize,
        /// Element path.
        path: String,
        /// Byte offset.
        offset: u64,
    },
    /// The root element is not what the caller asked for.
    #[error("the root element is {found}, expected {expected}")]
    WrongRoot {
        /// `{namespace}local` expected.
        expected: String,
        /// `{namespace}local` found.
        found: String,
    },
    /// The document is well-formed but its content breaks the schema; every error found.
    #[error("{} content error(s), the first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<Located>),
}

/// A start tag, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// Namespace URI, empty when unqualified.
    pub ns: String,
    /// Local name.
    pub local: String,
    /// Attributes (namespace, local name, value), without namespace declarations.
    pub attributes: Vec<(String, String, String)>,
    /// Byte offset of the start tag.
    pub offset: u64,
}

impl Start {
    /// `{namespace}local`.
    #[must_use]
    pub fn qualified(&self) -> String {
        format!("{{{}}}{}", self.ns, self.local)
    }

    /// Whether `xsi:nil="true"`.
    #[must_use]
    pub fn is_nil(&self) -> bool {
        self.attributes
            .iter()
            .any(|(ns, l, v)| ns == XSI && l == "nil" && matches!(v.trim(), "true" | "1"))
    }

    /// The value of an unqualified attribute.
    #[must_use]
    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(ns, l, _)| ns.is_empty() && l == local)
            .map(|(_, _, v)| v.as_str())
    }
}

/// The XML Schema instance namespace.
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

enum Raw {
    Start(Start),
    End,
    Text(String),
}

/// The pull reader the generated code reads with.
///
/// The generated `read_*` functions call [`Reader::peek_child`] to see the next child element,
/// [`Reader::enter`] to consume it, and [`Reader::finish`], [`Reader::text`], [`Reader::skip`]
/// or [`Reader::any`] to read to the end of an entered element. Content errors are recorded
/// (with the element path) and reading goes on, so one pass reports them all; only malformed
/// XML and exceeded limits stop it.
pub struct Reader<R: BufRead> {
    inner: quick_xml::NsReader<R>,
    buf: Vec<u8>,
    path: Vec<String>,
    peeked: Option<Start>,
    /// The end tag of the current element has been read by `peek_child`.
    ended: bool,
    errors: Vec<Located>,
    limits: Limits,
}

impl<R: BufRead> fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.path_string())
            .field("errors", &self.errors.len())
            .finish()
    }
}

impl<R: BufRead> Reader<R> {
    /// A reader over `input` with the given limits.
    pub fn new(input: R, limits: Limits) -> Self {
        let mut inner = quick_xml::NsReader::from_reader(input);
        let config = inner.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Self {
            inner,
            buf: Vec::new(),
            path: Vec::new(),
            peeked: None,
            ended: false,
            errors: Vec::new(),
            limits,
        }
    }

    fn offset(&self) -> u64 {
        self.inner.buffer_position()
    }

    fn path_string(&self) -> String {
        if self.path.is_empty() {
            "/".to_owned()
        } else {
            format!("/{}", self.path.join("/"))
        }
    }

    /// The current location.
    #[must_use]
    pub fn location(&self) -> Location {
        Location {
            path: self.path_string(),
            offset: self.offset(),
        }
    }

    /// Records a content error at the current element, or at its child `child`.
    pub fn error(&mut self, child: Option<&str>, error: ContentError) {
        if self.errors.len() < self.limits.max_errors {
            let mut path = self.path_string();
            if let Some(c) = child {
                if !path.ends_with('/') {
                    path.push('/');
                }
                path.push_str(c);
            }
            self.errors.push(Located {
                location: Location {
                    path,
                    offset: self.offset(),
                },
                error,
            });
        }
    }

    /// The errors recorded so far.
    #[must_use]
    pub fn errors(&self) -> &[Located] {
        &self.errors
    }

    /// Takes the recorded errors.
    pub fn take_errors(&mut self) -> Vec<Located> {
        std::mem::take(&mut self.errors)
    }

    fn limit(&self, what: &'static str, limit: usize) -> ReadError {
        ReadError::Limit {
            what,
            limit,
            path: self.path_string(),
            offset: self.offset(),
        }
    }

    fn xml_error(offset: u64) -> impl FnOnce(quick_xml::Error) -> ReadError {
        move |source| ReadError::Xml { offset, source }
    }

    /// The next event that matters: start, end or text; `None` at the end of input.
    fn next_raw(&mut self) -> Result<Option<Raw>, ReadError> {
        loop {
            self.buf.clear();
            let offset = self.offset();
            let (resolved, event) = self
                .inner
                .read_resolved_event_into(&mut self.buf)
                .map_err(Self::xml_error(offset))?;
            let ns = match resolved {
                ResolveResult::Bound(ns) => ns.into_inner().to_owned(),
                _ => String::new(),
            };
            match event {
                Event::Start(e) => {
                    let local = e.local_name().as_ref().to_owned();
                    let mut attributes = Vec::new();
                    for a in e.attributes() {
                        let a = a.map_err(|err| ReadError::Xml {
                            offset,
                            source: quick_xml::Error::InvalidAttr(err),
                        })?;
                        if a.key.as_namespace_binding().is_some() {
                            continue;
                        }
                        if attributes.len() >= self.limits.max_attributes {
                            return Err(self.limit("number of attributes", self.limits.max_attributes));
                        }
                        let (res, name) = self.inner.resolver().resolve_attribute(a.key);
                        let ans = match res {
                            ResolveResult::Bound(n) => n.into_inner().to_owned(),
                            _ => String::new(),
                        };
                        let local = name.as_ref().to_owned();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(Self::xml_error(offset))?
                            .into_owned();
                        if value.len() > self.limits.max_text {
                            return Err(self.limit("attribute length", self.limits.max_text));
                        }
                        attributes.push((ans, local, value));
                    }
                    return Ok(Some(Raw::Start(Start {
                        ns,
                        local,
                        attributes,
                        offset,
                    })));
                }
                Event::End(_) => return Ok(Some(Raw::End)),
                Event::Text(t) => {
                    let text = t.xml_content(quick_xml::XmlVersion::Implicit1_0).into_owned();
                    return Ok(Some(Raw::Text(text)));
                }
                Event::CData(t) => return Ok(Some(Raw::Text(t.into_inner().into_owned()))),
                Event::GeneralRef(r) => {
                    if let Some(c) = r.resolve_char_ref().map_err(Self::xml_error(offset))? {
                        return Ok(Some(Raw::Text(c.to_string())));
                    }
                    let text = match r.into_inner().as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "apos" => "'",
                        "quot" => "\"",
                        other => {
                            return Err(ReadError::Entity {
                                name: other.to_owned(),
                                offset,
                            });
                        }
                    };
                    return Ok(Some(Raw::Text(text.to_owned())));
                }
                Event::DocType(_) => return Err(ReadError::Doctype { offset }),
                Event::Eof => return Ok(None),
                _ => {}
            }
        }
    }

    fn push(&mut self, start: &Start) -> Result<(), ReadError> {
        if self.path.len() >= self.limits.max_depth {
            return Err(self.limit("element depth", self.limits.max_depth));
        }
        self.path.push(start.local.clone());
        Ok(())
    }

    /// Reads the root element's start tag (skipping the prolog) and enters it.
    ///
    /// # Errors
    /// Malformed XML, a DOCTYPE, or no element at all.
    pub fn root(&mut self) -> Result<Start, ReadError> {
        loop {
            match self.next_raw()? {
                Some(Raw::Start(s)) => {
                    self.push(&s)?;
                    return Ok(s);
                }
                Some(Raw::Text(_)) => {}
                Some(Raw::End) | None => {
                    return Err(ReadError::WrongRoot {
                        expected: "an element".into(),
                        found: "nothing".into(),
                    });
                }
            }
        }
    }

    /// The next child element of the current element, without consuming it; `None` when the
    /// current element has no more children. Text between child elements is ignored if it is
    /// whitespace and recorded as an error otherwise.
    ///
    /// # Errors
    /// Malformed XML or exceeded limits.
    pub fn peek_child(&mut self) -> Result<Option<&Start>, ReadError> {
        if self.peeked.is_none() && !self.ended {
            loop {
                match self.next_raw()? {
                    Some(Raw::Start(s)) => {
                        self.peeked = Some(s);
                        break;
                    }
                    Some(Raw::End) => {
                        self.ended = true;
                        break;
                    }
                    Some(Raw::Text(t)) => {
                        if !t.trim().is_empty() {
                            self.error(None, ContentError::TextInElement);
                        }
                    }
                    None => {
                        let offset = self.offset();
                        return Err(ReadError::Xml {
                            offset,
                            source: quick_xml::Error::Syntax(quick_xml::errors::SyntaxError::UnclosedTag),
                        });
                    }
                }
            }
        }
        Ok(self.peeked.as_ref())
    }

    /// Consumes the peeked child element and makes it the current element.
    ///
    /// # Errors
    /// When nothing was peeked (a bug in the caller) or the depth limit is reached.
    pub fn enter(&mut self) -> Result<Start, ReadError> {
        let start = self
            .peeked
            .take()
            .ok_or_else(|| self.limit("enter without a peeked element", 0))?;
        self.push(&start)?;
        Ok(start)
    }

    fn leave(&mut self) {
        self.path.pop();
        self.ended = false;
    }

    /// Reads to the end of the current element: remaining children are recorded as unexpected
    /// and skipped.
    ///
    /// # Errors
    /// Malformed XML or exceeded limits.
    pub fn finish(&mut self) -> Result<(), ReadError> {
        while let Some(c) = self.peek_child()? {
            let name = c.qualified();
            let local = c.local.clone();
            self.error(Some(&local), ContentError::UnexpectedElement { name });
            self.enter()?;
            self.skip()?;
        }
        self.leave();
        Ok(())
    }

    /// Reads the text content of the current element to its end. Child elements are recorded as
    /// errors and skipped.
    ///
    /// # Errors
    /// Malformed XML or exceeded limits.
    pub fn text(&mut self) -> Result<String, ReadError> {
        let mut text = String::new();
        loop {
            match self.next_raw()? {
                Some(Raw::Text(t)) => {
                    text.push_str(&t);
                    if text.len() > self.limits.max_text {
                        return Err(self.limit("text length", self.limits.max_text));
                    }
                }
                Some(Raw::End) => break,
                Some(Raw::Start(s)) => {
                    self.error(Some(&s.local.clone()), ContentError::ElementInText);
                    self.push(&s)?;
                    self.skip()?;
                }
                None => {
                    return Err(ReadError::Xml {
                        offset: self.offset(),
                        source: quick_xml::Error::Syntax(quick_xml::errors::SyntaxError::UnclosedTag),
                    });
                }
            }
        }
        self.leave();
        Ok(text)
    }

    /// Skips the rest of the current element.
    ///
    /// # Errors
    /// Malformed XML or exceeded limits.
    pub fn skip(&mut self) -> Result<(), ReadError> {
        if self.ended {
            self.leave();
            return Ok(());
        }
        self.peeked = None;
        let mut depth = 0usize;
        loop {
            match self.next_raw()? {
                Some(Raw::Start(_)) => {
                    depth += 1;
                    if self.path.len() + depth > self.limits.max_depth {
                        return Err(self.limit("element depth", self.limits.max_depth));
                    }
                }
                Some(Raw::End) if depth == 0 => break,
                Some(Raw::End) => depth -= 1,
                Some(Raw::Text(_)) => {}
                None => {
                    return Err(ReadError::Xml {
                        offset: self.offset(),
                        source: quick_xml::Error::Syntax(quick_xml::errors::SyntaxError::UnclosedTag),
                    });
                }
            }
        }
        self.leave();
        Ok(())
    }

    /// Reads the current element, entered as `start`, into an [`AnyElement`].
    ///
    /// # Errors
    /// Malformed XML or exceeded limits.
    pub fn any(&mut self, start: Start) -> Result<AnyElement, ReadError> {
        let mut element = AnyElement {
            namespace: start.ns,
            name: start.local,
            attributes: start.attributes,
            children: Vec::new(),
        };
        loop {
            match self.next_raw()? {
                Some(Raw::Text(t)) => match element.children.last_mut() {
                    Some(AnyNode::Text(prev)) => prev.push_str(&t),
                    _ => element.children.push(AnyNode::Text(t)),
                },
                Some(Raw::Start(s)) => {
                    self.push(&s)?;
                    let child = self.any(s)?;
                    element.children.push(AnyNode::Element(child));
                }
                Some(Raw::End) => break,
                None => {
                    return Err(ReadError::Xml {
                        offset: self.offset(),
                        source: quick_xml::Error::Syntax(quick_xml::errors::SyntaxError::UnclosedTag),
                    });
                }
            }
        }
        self.leave();
        Ok(element)
    }
}

/// A type that can be read from (and written to) an XML element.
pub trait XmlValue: Sized {
    /// Reads the content of the current element (entered as `start`) to its end. `None` when the
    /// content has errors (they are recorded in the reader).
    ///
    /// # Errors
    /// Malformed XML or exceeded limits.
    fn read_element<R: BufRead>(r: &mut Reader<R>, start: &Start) -> Result<Option<Self>, ReadError>;
}

impl<T: crate::write::XmlText> XmlValue for T {
    fn read_element<R: BufRead>(r: &mut Reader<R>, start: &Start) -> Result<Option<Self>, ReadError> {
        let text = r.text()?;
        if text.len() > r.limits.max_text {
            return Err(r.limit("text length", r.limits.max_text));
        }
        match T::parse_text(&text) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                r.error(Some(&start.local), ContentError::Value(e));
                Ok(None)
            }
        }
    }
}

impl XmlValue for AnyElement {
    fn read_element<R: BufRead>(r: &mut Reader<R>, start: &Start) -> Result<Option<Self>, ReadError> {
        Ok(Some(r.any(start.clone())?))
    }
}

/// Reads a document whose root element is `T` in namespace `ns` with local name `local`.
///
/// # Errors
/// Malformed XML, a wrong root, exceeded limits, or content errors (all of them, with paths).
pub fn read_document<T: XmlValue, R: BufRead>(
    input: R,
    ns: &str,
    local: &str,
    limits: Limits,
) -> Result<T, ReadError> {
    let mut r = Reader::new(input, limits);
    let start = r.root()?;
    if start.ns != ns || start.local != local {
        return Err(ReadError::WrongRoot {
            expected: format!("{{{ns}}}{local}"),
            found: start.qualified(),
        });
    }
    let value = T::read_element(&mut r, &start)?;
    let errors = r.take_errors();
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(ReadError::Invalid(errors)),
    }
}
