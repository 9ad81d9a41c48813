//! Writing eCH documents with the conventional `eCH-NNNN` prefixes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::xs::{AnyElement, AnyNode, FacetError, Lexical};

/// A simple value's text form in XML.
pub trait XmlText: Sized {
    /// Parses the element or attribute text (whitespace handling per the type).
    ///
    /// # Errors
    /// When the text is not a valid value of the type.
    fn parse_text(text: &str) -> Result<Self, FacetError>;

    /// The text to write.
    fn to_text(&self) -> Cow<'_, str>;
}

macro_rules! builtin_text {
    ($($t:ty => $collapse:expr),*) => {$(
        impl XmlText for $t {
            fn parse_text(text: &str) -> Result<Self, FacetError> {
                <$t as Lexical>::parse_lexical(&crate::xs::normalize(text, $collapse))
            }
            fn to_text(&self) -> Cow<'_, str> {
                Lexical::to_lexical(self)
            }
        }
    )*};
}
builtin_text!(String => false, bool => true, i32 => true, i64 => true, u16 => true, u32 => true, u64 => true,
    crate::xs::Decimal => true, crate::xs::Date => true, crate::xs::DateTime => true, crate::xs::Time => true,
    crate::xs::GYear => true, crate::xs::GYearMonth => true, crate::xs::Base64 => true);

/// Escapes text for element content or attribute values.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

/// The conventional prefix of an eCH namespace: `http://www.ech.ch/xmlns/eCH-0020/3` → `eCH-0020`.
#[must_use]
pub fn conventional_prefix(ns: &str) -> String {
    let rest = ns
        .strip_prefix("http://www.ech.ch/xmlns/")
        .or_else(|| ns.strip_prefix("http://www.abraxas.ch/xmlns/"));
    match rest.and_then(|r| r.split('/').next()) {
        Some(p) if !p.is_empty() => p.to_owned(),
        _ => "ns".to_owned(),
    }
}

/// Builds the text of a document. Namespaces get their conventional prefixes; they are declared
/// on the root element.
#[derive(Debug, Default)]
pub struct Writer {
    body: String,
    prefixes: BTreeMap<String, String>,
    used: BTreeMap<String, String>,
    pending_attributes: Vec<(String, String)>,
}

impl Writer {
    /// An empty writer.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn prefix(&mut self, ns: &str) -> String {
        if ns.is_empty() {
            return String::new();
        }
        if let Some(p) = self.prefixes.get(ns) {
            return p.clone();
        }
        let base = conventional_prefix(ns);
        let mut candidate = base.clone();
        let major = ns.rsplit('/').next().unwrap_or("x");
        let mut n = 1;
        while self.used.contains_key(&candidate) {
            candidate = if n == 1 {
                format!("{base}-v{major}")
            } else {
                format!("{base}-{n}")
            };
            n += 1;
        }
        self.used.insert(candidate.clone(), ns.to_owned());
        self.prefixes.insert(ns.to_owned(), candidate.clone());
        candidate
    }

    fn name(&mut self, ns: &str, local: &str) -> String {
        let p = self.prefix(ns);
        if p.is_empty() {
            local.to_owned()
        } else {
            format!("{p}:{local}")
        }
    }

    /// Adds an attribute to the next start tag.
    pub fn attribute(&mut self, local: &str, value: &str) {
        self.pending_attributes.push((local.to_owned(), value.to_owned()));
    }

    /// Writes a start tag with the pending attributes.
    pub fn start(&mut self, ns: &str, local: &str) {
        let name = self.name(ns, local);
        self.body.push('<');
        self.body.push_str(&name);
        for (k, v) in std::mem::take(&mut self.pending_attributes) {
            self.body.push(' ');
            self.body.push_str(&k);
            self.body.push_str("=\"");
            escape(&v, &mut self.body);
            self.body.push('"');
        }
        self.body.push('>');
    }

    /// Writes an end tag.
    pub fn end(&mut self, ns: &str, local: &str) {
        let name = self.name(ns, local);
        self.body.push_str("</");
        self.body.push_str(&name);
        self.body.push('>');
    }

    /// Writes text.
    pub fn text(&mut self, text: &str) {
        escape(text, &mut self.body);
    }

    /// Writes an element with text content.
    pub fn text_element(&mut self, ns: &str, local: &str, text: &str) {
        self.start(ns, local);
        self.text(text);
        self.end(ns, local);
    }

    /// Writes an element kept as read.
    pub fn any(&mut self, e: &AnyElement) {
        for (ans, local, value) in &e.attributes {
            let name = if ans.is_empty() {
                local.clone()
            } else {
                self.name(ans, local)
            };
            self.pending_attributes.push((name, value.clone()));
        }
        self.start(&e.namespace, &e.name);
        for c in &e.children {
            match c {
                AnyNode::Text(t) => self.text(t),
                AnyNode::Element(child) => self.any(child),
            }
        }
        self.end(&e.namespace, &e.name);
    }

    /// Gives `ns` its prefix now, so that it is declared on the root element even if the part
    /// that uses it is written later (see [`Writer::take_head`]).
    pub fn declare(&mut self, ns: &str) {
        let _ = self.prefix(ns);
    }

    fn declarations(&self, skip: Option<&BTreeMap<String, String>>, schema_location: Option<&str>) -> String {
        let mut decls = String::new();
        for (ns, prefix) in &self.prefixes {
            if skip.is_some_and(|s| s.contains_key(ns)) {
                continue;
            }
            decls.push_str(&format!(" xmlns:{prefix}=\""));
            escape(ns, &mut decls);
            decls.push('"');
        }
        if let Some(loc) = schema_location {
            decls.push_str(&format!(
                " xmlns:xsi=\"{}\" xsi:schemaLocation=\"",
                crate::read::XSI
            ));
            escape(loc, &mut decls);
            decls.push('"');
        }
        decls
    }

    /// Inserts `decls` into the first start tag of `body`.
    fn with_declarations(body: &str, decls: &str, out: &mut String) {
        let split = body.find([' ', '>']).unwrap_or(body.len());
        out.push_str(&body[..split]);
        out.push_str(decls);
        out.push_str(&body[split..]);
    }

    /// For streaming output: takes what was written so far (the XML declaration, the root start
    /// tag with every namespace known now, and the body) and returns it with the namespaces it
    /// declared; the writer stays usable for the rest of the document.
    pub fn take_head(&mut self, schema_location: Option<&str>) -> (String, BTreeMap<String, String>) {
        let decls = self.declarations(None, schema_location);
        let body = std::mem::take(&mut self.body);
        let mut out = String::with_capacity(body.len() + decls.len() + 40);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Self::with_declarations(&body, &decls, &mut out);
        (out, self.prefixes.clone())
    }

    /// For streaming output: takes the body written since the last take. Namespaces that are not
    /// among `declared` (those of the root element) are declared on its first start tag.
    pub fn take_chunk(&mut self, declared: &BTreeMap<String, String>) -> String {
        let body = std::mem::take(&mut self.body);
        let decls = self.declarations(Some(declared), None);
        if decls.is_empty() || !body.starts_with('<') || body.starts_with("</") {
            return body;
        }
        let mut out = String::with_capacity(body.len() + decls.len());
        Self::with_declarations(&body, &decls, &mut out);
        out
    }

    /// The document: XML declaration, the root start tag with all namespace declarations, the
    /// body. `schema_location` adds `xsi:schemaLocation` when given.
    #[must_use]
    pub fn finish(mut self, schema_location: Option<&str>) -> String {
        let (mut out, _) = self.take_head(schema_location);
        out.push('\n');
        out
    }
}

/// A type that writes itself as an element.
pub trait XmlWrite {
    /// Writes `self` as the element `{ns}local`.
    fn write_element(&self, w: &mut Writer, ns: &str, local: &str);
}

impl<T: XmlText> XmlWrite for T {
    fn write_element(&self, w: &mut Writer, ns: &str, local: &str) {
        let text = self.to_text();
        w.text_element(ns, local, &text);
    }
}

impl XmlWrite for AnyElement {
    fn write_element(&self, w: &mut Writer, ns: &str, local: &str) {
        let _ = (ns, local);
        w.any(self);
    }
}

/// Writes a document with root `{ns}local`.
#[must_use]
pub fn write_document<T: XmlWrite>(
    value: &T,
    ns: &str,
    local: &str,
    schema_location: Option<&str>,
) -> String {
    let mut w = Writer::new();
    value.write_element(&mut w, ns, local);
    w.finish(schema_location)
}
