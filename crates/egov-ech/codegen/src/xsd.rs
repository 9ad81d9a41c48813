//! A model of the XSD subset the eCH schemas use, loaded with roxmltree.
//!
//! The census of the 146 official XSDs: `element`, `sequence`, `choice`, `complexType`,
//! `simpleType` with `restriction` and facets, `complexContent`/`simpleContent` with
//! `extension`, `attribute`, `any`, `anyAttribute`, `import`, `annotation`, and a few identity
//! constraints (`unique`, `key`). No `group`, `attributeGroup`, `list`, `union` or `redefine`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The XML Schema namespace.
pub(crate) const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// A qualified name: namespace URI and local name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct QName {
    pub(crate) ns: String,
    pub(crate) name: String,
}

impl QName {
    pub(crate) fn is_builtin(&self) -> bool {
        self.ns == XS
    }
}

/// Facets of a restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facets {
    pub(crate) enumeration: Vec<(String, Option<String>)>,
    pub(crate) length: Option<u64>,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) patterns: Vec<String>,
    pub(crate) min_inclusive: Option<String>,
    pub(crate) max_inclusive: Option<String>,
    pub(crate) min_exclusive: Option<String>,
    pub(crate) max_exclusive: Option<String>,
    pub(crate) total_digits: Option<u64>,
    pub(crate) fraction_digits: Option<u64>,
    pub(crate) white_space: Option<String>,
}

/// A simple type: a restriction of a base type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SimpleType {
    pub(crate) base: QName,
    pub(crate) facets: Facets,
    pub(crate) doc: Option<String>,
}

/// Occurrence bounds; `max == None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Occurs {
    pub(crate) min: u64,
    pub(crate) max: Option<u64>,
}

/// The type of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeRef {
    Named(QName),
    Simple(Box<SimpleType>),
    Complex(Box<ComplexType>),
}

/// A local or referenced element declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: QName,
    pub(crate) ty: TypeRef,
    pub(crate) occurs: Occurs,
    pub(crate) nillable: bool,
    pub(crate) doc: Option<String>,
}

/// A content model particle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Particle {
    Element(Element),
    Sequence(Vec<Particle>, Occurs),
    Choice(Vec<Particle>, Occurs),
    Any(Occurs),
}

/// An attribute declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    pub(crate) name: String,
    pub(crate) ty: TypeRef,
    pub(crate) required: bool,
    pub(crate) fixed: Option<String>,
    pub(crate) default: Option<String>,
}

/// What a complex type contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// Child elements (possibly none), after the base type's if `base` is set.
    Elements {
        base: Option<QName>,
        particle: Option<Particle>,
    },
    /// Text of a simple type, with attributes.
    Simple { base: QName, facets: Facets },
}

/// A complex type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComplexType {
    pub(crate) content: Content,
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) any_attribute: bool,
    /// The named type this one restricts (its content model is restated here).
    pub(crate) restricts: Option<QName>,
    pub(crate) doc: Option<String>,
}

/// One schema document.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub(crate) file: String,
    pub(crate) target_ns: String,
    pub(crate) version: Option<String>,
    pub(crate) doc: Option<String>,
    pub(crate) simple_types: BTreeMap<String, SimpleType>,
    pub(crate) complex_types: BTreeMap<String, ComplexType>,
    pub(crate) elements: BTreeMap<String, Element>,
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) imports: Vec<String>,
}

fn xs_children<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(XS))
}

fn is(node: roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.tag_name().name() == name && node.tag_name().namespace() == Some(XS)
}

fn doc_of(node: roxmltree::Node<'_, '_>) -> Option<String> {
    let mut parts = Vec::new();
    for ann in xs_children(node).filter(|n| is(*n, "annotation")) {
        for d in xs_children(ann).filter(|n| is(*n, "documentation")) {
            let text: String = d
                .descendants()
                .filter(roxmltree::Node::is_text)
                .filter_map(|t| t.text())
                .collect::<Vec<_>>()
                .join("");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !text.is_empty() {
                let lang = d.attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
                parts.push(match lang {
                    Some(l) if !l.is_empty() => format!("[{l}] {text}"),
                    _ => text,
                });
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}

fn resolve(node: roxmltree::Node<'_, '_>, qname: &str) -> Result<QName> {
    let (prefix, name) = match qname.split_once(':') {
        Some((p, n)) => (Some(p), n),
        None => (None, qname),
    };
    let ns = node
        .lookup_namespace_uri(prefix)
        .with_context(|| format!("prefix of {qname:?} is not declared (line {})", line_of(node)))?;
    Ok(QName {
        ns: ns.to_owned(),
        name: name.to_owned(),
    })
}

fn line_of(node: roxmltree::Node<'_, '_>) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

fn occurs(node: roxmltree::Node<'_, '_>) -> Result<Occurs> {
    let min = node
        .attribute("minOccurs")
        .map_or(Ok(1), str::parse)
        .context("minOccurs")?;
    let max = match node.attribute("maxOccurs") {
        None => Some(1),
        Some("unbounded") => None,
        Some(v) => Some(v.parse().context("maxOccurs")?),
    };
    Ok(Occurs { min, max })
}

struct Loader<'s> {
    target_ns: &'s str,
    qualified: bool,
}

impl Loader<'_> {
    fn facets(&self, restriction: roxmltree::Node<'_, '_>) -> Result<Facets> {
        let mut f = Facets::default();
        for c in xs_children(restriction) {
            let value = c.attribute("value").unwrap_or_default().to_owned();
            let num = || {
                value
                    .parse::<u64>()
                    .with_context(|| format!("facet {} = {value:?}", c.tag_name().name()))
            };
            match c.tag_name().name() {
                "enumeration" => f.enumeration.push((value.clone(), doc_of(c))),
                "length" => f.length = Some(num()?),
                "minLength" => f.min_length = Some(num()?),
                "maxLength" => f.max_length = Some(num()?),
                "pattern" => f.patterns.push(value.clone()),
                "minInclusive" => f.min_inclusive = Some(value.clone()),
                "maxInclusive" => f.max_inclusive = Some(value.clone()),
                "minExclusive" => f.min_exclusive = Some(value.clone()),
                "maxExclusive" => f.max_exclusive = Some(value.clone()),
                "totalDigits" => f.total_digits = Some(num()?),
                "fractionDigits" => f.fraction_digits = Some(num()?),
                "whiteSpace" => f.white_space = Some(value.clone()),
                "annotation" | "simpleType" => {}
                other => bail!("unsupported facet {other} (line {})", line_of(c)),
            }
        }
        Ok(f)
    }

    fn simple_type(&self, node: roxmltree::Node<'_, '_>) -> Result<SimpleType> {
        let restriction = xs_children(node)
            .find(|n| is(*n, "restriction"))
            .with_context(|| format!("simpleType without restriction (line {})", line_of(node)))?;
        let base = match restriction.attribute("base") {
            Some(b) => resolve(restriction, b)?,
            None => {
                // An anonymous base: take its base and merge the facets (outer facets win).
                let inner = xs_children(restriction)
                    .find(|n| is(*n, "simpleType"))
                    .with_context(|| format!("restriction without base (line {})", line_of(node)))?;
                let inner = self.simple_type(inner)?;
                let mut facets = inner.facets;
                let outer = self.facets(restriction)?;
                merge_facets(&mut facets, outer);
                return Ok(SimpleType {
                    base: inner.base,
                    facets,
                    doc: doc_of(node),
                });
            }
        };
        Ok(SimpleType {
            base,
            facets: self.facets(restriction)?,
            doc: doc_of(node),
        })
    }

    fn element(&self, node: roxmltree::Node<'_, '_>, global: bool) -> Result<Element> {
        let occurs = occurs(node)?;
        if let Some(r) = node.attribute("ref") {
            let name = resolve(node, r)?;
            // Resolved against the global element later; the type is looked up by name.
            return Ok(Element {
                name: name.clone(),
                ty: TypeRef::Named(QName {
                    ns: String::new(),
                    name: format!("ref:{}", name.name),
                }),
                occurs,
                nillable: false,
                doc: doc_of(node),
            });
        }
        let local = node
            .attribute("name")
            .with_context(|| format!("element without name (line {})", line_of(node)))?;
        let ns = if global || self.qualified || node.attribute("form") == Some("qualified") {
            self.target_ns.to_owned()
        } else {
            String::new()
        };
        let ty = if let Some(t) = node.attribute("type") {
            TypeRef::Named(resolve(node, t)?)
        } else if let Some(st) = xs_children(node).find(|n| is(*n, "simpleType")) {
            TypeRef::Simple(Box::new(self.simple_type(st)?))
        } else if let Some(ct) = xs_children(node).find(|n| is(*n, "complexType")) {
            TypeRef::Complex(Box::new(self.complex_type(ct)?))
        } else {
            TypeRef::Named(QName {
                ns: XS.to_owned(),
                name: "anyType".to_owned(),
            })
        };
        Ok(Element {
            name: QName {
                ns,
                name: local.to_owned(),
            },
            ty,
            occurs,
            nillable: node.attribute("nillable") == Some("true"),
            doc: doc_of(node),
        })
    }

    fn particle(&self, node: roxmltree::Node<'_, '_>) -> Result<Option<Particle>> {
        Ok(Some(match node.tag_name().name() {
            "element" => Particle::Element(self.element(node, false)?),
            "sequence" => Particle::Sequence(self.particles(node)?, occurs(node)?),
            "choice" => Particle::Choice(self.particles(node)?, occurs(node)?),
            "any" => Particle::Any(occurs(node)?),
            "annotation" | "attribute" | "anyAttribute" | "unique" | "key" | "keyref" => return Ok(None),
            other => bail!("unsupported particle {other} (line {})", line_of(node)),
        }))
    }

    fn particles(&self, node: roxmltree::Node<'_, '_>) -> Result<Vec<Particle>> {
        let mut out = Vec::new();
        for c in xs_children(node) {
            if let Some(p) = self.particle(c)? {
                out.push(p);
            }
        }
        Ok(out)
    }

    fn attributes(
        &self,
        node: roxmltree::Node<'_, '_>,
        out: &mut Vec<Attribute>,
        any: &mut bool,
    ) -> Result<()> {
        for c in xs_children(node) {
            if is(c, "anyAttribute") {
                *any = true;
            } else if is(c, "attribute") {
                let name = match (c.attribute("name"), c.attribute("ref")) {
                    (Some(n), _) => n.to_owned(),
                    (None, Some(r)) => resolve(c, r)?.name,
                    (None, None) => bail!("attribute without name (line {})", line_of(c)),
                };
                let ty = if let Some(t) = c.attribute("type") {
                    TypeRef::Named(resolve(c, t)?)
                } else if let Some(st) = xs_children(c).find(|n| is(*n, "simpleType")) {
                    TypeRef::Simple(Box::new(self.simple_type(st)?))
                } else {
                    TypeRef::Named(QName {
                        ns: XS.to_owned(),
                        name: "string".to_owned(),
                    })
                };
                out.push(Attribute {
                    name,
                    ty,
                    required: c.attribute("use") == Some("required"),
                    fixed: c.attribute("fixed").map(str::to_owned),
                    default: c.attribute("default").map(str::to_owned),
                });
            }
        }
        Ok(())
    }

    fn complex_type(&self, node: roxmltree::Node<'_, '_>) -> Result<ComplexType> {
        let mut attributes = Vec::new();
        let mut any_attribute = false;
        let doc = doc_of(node);
        if let Some(cc) = xs_children(node).find(|n| is(*n, "complexContent")) {
            let ext = xs_children(cc)
                .find(|n| is(*n, "extension") || is(*n, "restriction"))
                .with_context(|| format!("complexContent without extension (line {})", line_of(cc)))?;
            let base = resolve(ext, ext.attribute("base").context("extension without base")?)?;
            let is_restriction = is(ext, "restriction");
            let particle = xs_children(ext)
                .find_map(|c| self.particle(c).transpose())
                .transpose()?;
            self.attributes(ext, &mut attributes, &mut any_attribute)?;
            // A restriction restates the whole content model (XSD 1.0 §3.4.2), so it is a plain
            // content model that remembers what it restricts.
            let (base, restricts) = if is_restriction {
                (None, Some(base))
            } else {
                (Some(base), None)
            };
            let restricts = restricts.filter(|b| !b.is_builtin());
            return Ok(ComplexType {
                content: Content::Elements { base, particle },
                attributes,
                any_attribute,
                restricts,
                doc,
            });
        }
        if let Some(sc) = xs_children(node).find(|n| is(*n, "simpleContent")) {
            let ext = xs_children(sc)
                .find(|n| is(*n, "extension") || is(*n, "restriction"))
                .with_context(|| format!("simpleContent without extension (line {})", line_of(sc)))?;
            let base = resolve(ext, ext.attribute("base").context("simpleContent without base")?)?;
            let facets = self.facets_if_restriction(ext)?;
            self.attributes(ext, &mut attributes, &mut any_attribute)?;
            return Ok(ComplexType {
                content: Content::Simple { base, facets },
                attributes,
                any_attribute,
                restricts: None,
                doc,
            });
        }
        let particle = xs_children(node)
            .find_map(|c| self.particle(c).transpose())
            .transpose()?;
        self.attributes(node, &mut attributes, &mut any_attribute)?;
        Ok(ComplexType {
            content: Content::Elements { base: None, particle },
            attributes,
            any_attribute,
            restricts: None,
            doc,
        })
    }

    fn facets_if_restriction(&self, node: roxmltree::Node<'_, '_>) -> Result<Facets> {
        if is(node, "restriction") {
            self.facets(node)
        } else {
            Ok(Facets::default())
        }
    }
}

fn merge_facets(into: &mut Facets, outer: Facets) {
    if !outer.enumeration.is_empty() {
        into.enumeration = outer.enumeration;
    }
    into.patterns.extend(outer.patterns);
    macro_rules! take {
        ($($f:ident),*) => { $( if outer.$f.is_some() { into.$f = outer.$f; } )* };
    }
    take!(
        length,
        min_length,
        max_length,
        min_inclusive,
        max_inclusive,
        min_exclusive,
        max_exclusive,
        total_digits,
        fraction_digits,
        white_space
    );
}

/// Loads one XSD file.
pub(crate) fn load(path: &Path) -> Result<Schema> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc = roxmltree::Document::parse_with_options(
        &text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .with_context(|| format!("parsing {}", path.display()))?;
    let root = doc.root_element();
    if !is(root, "schema") {
        bail!("{} is not an XML schema", path.display());
    }
    let target_ns = root.attribute("targetNamespace").unwrap_or_default().to_owned();
    let loader = Loader {
        target_ns: &target_ns,
        qualified: root.attribute("elementFormDefault") == Some("qualified"),
    };
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or_default()
        .to_owned();
    let mut schema = Schema {
        file,
        target_ns: target_ns.clone(),
        version: root.attribute("version").map(str::to_owned),
        doc: doc_of(root),
        simple_types: BTreeMap::new(),
        complex_types: BTreeMap::new(),
        elements: BTreeMap::new(),
        attributes: Vec::new(),
        imports: Vec::new(),
    };
    let ctx = |what: &str, node: roxmltree::Node<'_, '_>| {
        format!(
            "{} {what} {:?} (line {})",
            path.display(),
            node.attribute("name").unwrap_or("?"),
            line_of(node)
        )
    };
    for c in xs_children(root) {
        match c.tag_name().name() {
            "import" => schema.imports.extend(c.attribute("namespace").map(str::to_owned)),
            "simpleType" => {
                let st = loader.simple_type(c).with_context(|| ctx("simpleType", c))?;
                schema
                    .simple_types
                    .insert(c.attribute("name").unwrap_or_default().to_owned(), st);
            }
            "complexType" => {
                let ct = loader.complex_type(c).with_context(|| ctx("complexType", c))?;
                schema
                    .complex_types
                    .insert(c.attribute("name").unwrap_or_default().to_owned(), ct);
            }
            "element" => {
                let e = loader.element(c, true).with_context(|| ctx("element", c))?;
                schema.elements.insert(e.name.name.clone(), e);
            }
            "attribute" => {
                let mut any = false;
                let mut tmp = Vec::new();
                loader
                    .attributes(root, &mut tmp, &mut any)
                    .with_context(|| ctx("attribute", c))?;
                schema.attributes = tmp;
            }
            "annotation" | "include" => {}
            other => bail!("{}: unsupported top-level {other}", path.display()),
        }
    }
    Ok(schema)
}
