//! From the XSD model to the Rust model: which schema is the latest minor of each namespace,
//! which module it becomes, and the Rust name and shape of every type.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};

use crate::xsd::{
    self, ComplexType, Content, Element, Occurs, Particle, QName, Schema, SimpleType, TypeRef, XS,
};

/// A generated module: one namespace, latest minor version.
#[derive(Debug, Clone)]
pub(crate) struct Module {
    pub(crate) ns: String,
    /// `ech0020`
    pub(crate) family: String,
    /// `v3`
    pub(crate) version: String,
    /// The file it is generated from.
    pub(crate) file: String,
    pub(crate) schema: Schema,
}

impl Module {
    pub(crate) fn path(&self) -> String {
        format!("{}::{}", self.family, self.version)
    }
}

/// Parses `eCH-0020-3-0.xsd`, `eCH-0007-5-0f.xsd`, `eCH-0084-commons-1-3.xsd`,
/// `eCH-0147T0.xsd`, `ABX-Voting-1-5.xsd` into a sortable minor key.
fn minor_key(file: &str) -> (u32, u32) {
    let stem = file.trim_end_matches(".xsd").trim_end_matches('f');
    let nums: Vec<u32> = stem.rsplit('-').take(2).filter_map(|p| p.parse().ok()).collect();
    match nums.as_slice() {
        [minor, major] => (*major, *minor),
        _ => (0, 0),
    }
}

/// `http://www.ech.ch/xmlns/eCH-0020/3` → (`ech0020`, `v3`).
pub(crate) fn module_name(ns: &str) -> Option<(String, String)> {
    let rest = ns
        .strip_prefix("http://www.ech.ch/xmlns/")
        .or_else(|| ns.strip_prefix("http://www.abraxas.ch/xmlns/"))?;
    let parts: Vec<&str> = rest.split('/').collect();
    let version = parts.last()?;
    let family = parts[..parts.len() - 1].join("_");
    let family: String = family
        .to_ascii_lowercase()
        .replace("ech-", "ech")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let family = family
        .replace("ech0007_f", "ech0007f")
        .replace("ech0008_f", "ech0008f");
    let family = family.replace("_f_", "f_").trim_end_matches("_f").to_owned()
        + if rest.contains("-f/") { "f" } else { "" };
    let family = family.replace("ff", "f");
    Some((family, format!("v{}", version.to_ascii_lowercase())))
}

/// Chooses the latest minor file of every namespace.
pub(crate) fn modules(schemas: Vec<Schema>) -> Result<BTreeMap<String, Module>> {
    // Newest minor first within each namespace; older minors only add what the newest lacks
    // (eCH-0071 1.1 dropped a type that eCH-0084 still imports from 1.0).
    let mut grouped: BTreeMap<String, Vec<Schema>> = BTreeMap::new();
    for s in schemas {
        grouped.entry(s.target_ns.clone()).or_default().push(s);
    }
    let mut by_ns: BTreeMap<String, Schema> = BTreeMap::new();
    for (ns, mut list) in grouped {
        list.sort_by_key(|s| std::cmp::Reverse(minor_key(&s.file)));
        let mut iter = list.into_iter();
        let Some(mut newest) = iter.next() else { continue };
        for older in iter {
            for (k, v) in older.simple_types {
                if !newest.complex_types.contains_key(&k) {
                    newest.simple_types.entry(k).or_insert(v);
                }
            }
            for (k, v) in older.complex_types {
                if !newest.simple_types.contains_key(&k) {
                    newest.complex_types.entry(k).or_insert(v);
                }
            }
            for (k, v) in older.elements {
                newest.elements.entry(k).or_insert(v);
            }
            for i in older.imports {
                if !newest.imports.contains(&i) {
                    newest.imports.push(i);
                }
            }
        }
        by_ns.insert(ns, newest);
    }
    let mut out = BTreeMap::new();
    let mut paths = BTreeSet::new();
    for (ns, schema) in by_ns {
        let (family, version) = module_name(&ns).with_context(|| format!("no module name for {ns}"))?;
        let m = Module {
            ns: ns.clone(),
            family,
            version,
            file: schema.file.clone(),
            schema,
        };
        if !paths.insert(m.path()) {
            bail!("two namespaces map to module {}", m.path());
        }
        out.insert(ns, m);
    }
    Ok(out)
}

/// `deliveryType` → `DeliveryType`; `event-date` → `EventDate`.
pub(crate) fn pascal(s: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `localPersonId` → `local_person_id`; keywords get a trailing underscore.
pub(crate) fn snake(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if i > 0 && (prev_lower || (next_lower && chars[i - 1].is_ascii_uppercase())) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(*c);
        } else {
            out.push('_');
        }
    }
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if",
        "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "static",
        "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await",
        "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
        "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&out.as_str()) || out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        out.push('_');
    }
    out
}

/// The built-in XSD types the eCH schemas use, and their Rust form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    String,
    Bool,
    I32,
    I64,
    U16,
    U32,
    U64,
    Decimal,
    Date,
    DateTime,
    Time,
    GYear,
    GYearMonth,
    Base64,
    AnyType,
}

impl Builtin {
    pub(crate) fn of(name: &str) -> Result<Self> {
        Ok(match name {
            "string" | "token" | "normalizedString" | "anyURI" | "language" | "ID" | "IDREF" | "NMTOKEN"
            | "Name" | "NCName" | "anySimpleType" => Self::String,
            "boolean" => Self::Bool,
            "int" => Self::I32,
            "integer" | "long" => Self::I64,
            "unsignedShort" => Self::U16,
            "unsignedInt" => Self::U32,
            "nonNegativeInteger" | "positiveInteger" | "unsignedLong" => Self::U64,
            "decimal" => Self::Decimal,
            "date" => Self::Date,
            "dateTime" => Self::DateTime,
            "time" => Self::Time,
            "gYear" => Self::GYear,
            "gYearMonth" => Self::GYearMonth,
            "base64Binary" => Self::Base64,
            "anyType" => Self::AnyType,
            other => bail!("unsupported built-in type xs:{other}"),
        })
    }

    pub(crate) fn rust(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Bool => "bool",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::U16 => "u16",
            Self::U32 => "u32",
            Self::U64 => "u64",
            Self::Decimal => "xs::Decimal",
            Self::Date => "xs::Date",
            Self::DateTime => "xs::DateTime",
            Self::Time => "xs::Time",
            Self::GYear => "xs::GYear",
            Self::GYearMonth => "xs::GYearMonth",
            Self::Base64 => "xs::Base64",
            Self::AnyType => "xs::AnyElement",
        }
    }

    /// Whether a value is whitespace-collapsed before checks (everything but xs:string).
    pub(crate) fn is_string(self) -> bool {
        self == Self::String
    }
}

/// What one named or anonymous type becomes.
#[derive(Debug, Clone)]
pub(crate) enum RustType {
    /// A newtype over a built-in with facets.
    Newtype {
        name: String,
        base: Builtin,
        collapse: bool,
        st: SimpleType,
    },
    /// An enumeration.
    Enum {
        name: String,
        base: Builtin,
        st: SimpleType,
    },
    /// A struct of fields.
    Struct {
        name: String,
        fields: Vec<Field>,
        ct: ComplexType,
    },
    /// A choice between elements (or groups).
    Choice { name: String, variants: Vec<Variant> },
}

/// How many of a field there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Card {
    One,
    Optional,
    Many { min: u64, max: Option<u64> },
}

impl Card {
    pub(crate) fn of(o: Occurs) -> Self {
        match (o.min, o.max) {
            (1, Some(1)) => Self::One,
            (0, Some(1)) => Self::Optional,
            (min, max) => Self::Many { min, max },
        }
    }
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// A child element with this qualified name.
    Element(QName),
    /// An attribute.
    Attribute(String),
    /// The text content of a simple-content type.
    Text,
    /// A choice (the type is a generated enum).
    Choice,
    /// A nested sequence group (the type is a generated struct).
    Group,
    /// `xs:any`: elements kept as they are.
    Any,
    /// The content of the base type this one extends (first, as XSD extension demands).
    Base,
}

/// A field of a generated struct.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) rust: String,
    pub(crate) kind: FieldKind,
    pub(crate) ty: String,
    pub(crate) card: Card,
    pub(crate) nillable: bool,
    pub(crate) doc: Option<String>,
}

/// A variant of a generated choice enum.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub(crate) rust: String,
    pub(crate) field: Field,
}

/// Builds the Rust types of one module.
pub(crate) struct Builder<'a> {
    pub(crate) modules: &'a BTreeMap<String, Module>,
    pub(crate) module: &'a Module,
    pub(crate) out: Vec<RustType>,
    used: BTreeSet<String>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(modules: &'a BTreeMap<String, Module>, module: &'a Module) -> Self {
        let mut used = BTreeSet::new();
        for name in module
            .schema
            .simple_types
            .keys()
            .chain(module.schema.complex_types.keys())
        {
            used.insert(type_name(&module.schema, name));
        }
        Self {
            modules,
            module,
            out: Vec::new(),
            used,
        }
    }

    fn fresh(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.used.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        name
    }

    /// The Rust path of a named type, from inside this module.
    pub(crate) fn type_path(&self, q: &QName) -> Result<String> {
        if q.ns == XS {
            return Ok(Builtin::of(&q.name)?.rust().to_owned());
        }
        let m = self
            .modules
            .get(&q.ns)
            .with_context(|| format!("unknown namespace {} (type {})", q.ns, q.name))?;
        let known =
            m.schema.simple_types.contains_key(&q.name) || m.schema.complex_types.contains_key(&q.name);
        if !known {
            bail!("type {} not found in {} ({})", q.name, q.ns, m.file);
        }
        if m.ns == self.module.ns {
            Ok(type_name(&m.schema, &q.name))
        } else {
            Ok(format!("crate::{}::{}", m.path(), type_name(&m.schema, &q.name)))
        }
    }

    /// Resolves a simple type chain down to its built-in base, merging facets.
    pub(crate) fn flatten_simple(&self, st: &SimpleType) -> Result<(Builtin, SimpleType)> {
        let mut facets = st.facets.clone();
        let mut base = st.base.clone();
        let mut guard = 0;
        while base.ns != XS {
            let m = self
                .modules
                .get(&base.ns)
                .with_context(|| format!("unknown namespace {}", base.ns))?;
            let parent = m
                .schema
                .simple_types
                .get(&base.name)
                .with_context(|| format!("simple type {} not found in {}", base.name, m.file))?;
            merge_under(&mut facets, &parent.facets);
            base = parent.base.clone();
            guard += 1;
            if guard > 20 {
                bail!("simple type chain too long at {}", base.name);
            }
        }
        Ok((
            Builtin::of(&base.name)?,
            SimpleType {
                base,
                facets,
                doc: st.doc.clone(),
            },
        ))
    }

    /// Registers a simple type under `name`.
    pub(crate) fn simple(&mut self, name: String, st: &SimpleType) -> Result<()> {
        let (base, flat) = self.flatten_simple(st)?;
        let collapse = !base.is_string()
            || st.base.name == "token"
            || flat.facets.white_space.as_deref() == Some("collapse");
        if flat.facets.enumeration.is_empty() {
            self.out.push(RustType::Newtype {
                name,
                base,
                collapse,
                st: flat,
            });
        } else {
            self.out.push(RustType::Enum { name, base, st: flat });
        }
        Ok(())
    }

    /// The Rust type of an element's type, creating anonymous types under `owner_hint`.
    fn element_type(&mut self, owner_hint: &str, e: &Element) -> Result<String> {
        Ok(match &e.ty {
            TypeRef::Named(q) if q.name.starts_with("ref:") => {
                // A reference to a global element: its type.
                let m = self
                    .modules
                    .get(&e.name.ns)
                    .with_context(|| format!("ref to unknown ns {}", e.name.ns))?;
                let global = m
                    .schema
                    .elements
                    .get(&e.name.name)
                    .with_context(|| format!("ref to unknown element {}", e.name.name))?;
                match &global.ty {
                    TypeRef::Named(q) => self.type_path(q)?,
                    _ => {
                        let path = if m.ns == self.module.ns {
                            String::new()
                        } else {
                            format!("crate::{}::", m.path())
                        };
                        format!("{path}{}", pascal(&e.name.name))
                    }
                }
            }
            TypeRef::Named(q) => self.type_path(q)?,
            TypeRef::Simple(st) => {
                let name = self.fresh(&format!("{owner_hint}{}", pascal(&e.name.name)));
                self.simple(name.clone(), st)?;
                name
            }
            TypeRef::Complex(ct) => {
                let name = self.fresh(&format!("{owner_hint}{}", pascal(&e.name.name)));
                self.complex(name.clone(), ct)?;
                name
            }
        })
    }

    /// Registers a complex type under `name`.
    pub(crate) fn complex(&mut self, name: String, ct: &ComplexType) -> Result<()> {
        let mut fields = Vec::new();
        let mut counter = 0;
        self.complex_fields(&name, ct, &mut fields, &mut counter)?;
        dedupe_fields(&mut fields);
        self.out.push(RustType::Struct {
            name,
            fields,
            ct: ct.clone(),
        });
        Ok(())
    }

    fn complex_fields(
        &mut self,
        name: &str,
        ct: &ComplexType,
        fields: &mut Vec<Field>,
        counter: &mut usize,
    ) -> Result<()> {
        match &ct.content {
            Content::Elements { base, particle } => {
                if let Some(b) = base.as_ref().filter(|b| b.is_builtin()) {
                    // An extension of xs:anyType: any content, then the extension's own.
                    if b.name != "anyType" {
                        bail!("complexContent extension of xs:{} is not supported", b.name);
                    }
                    fields.push(Field {
                        rust: "any".into(),
                        kind: FieldKind::Any,
                        ty: "xs::AnyElement".into(),
                        card: Card::Many { min: 0, max: None },
                        nillable: false,
                        doc: None,
                    });
                } else if let Some(b) = base {
                    // The base type's content comes first: kept as one field of the base type, so
                    // that a type extending another standard's type reuses that type as it is.
                    fields.push(Field {
                        rust: "base".into(),
                        kind: FieldKind::Base,
                        ty: self.type_path(b)?,
                        card: Card::One,
                        nillable: false,
                        doc: None,
                    });
                }
                if let Some(p) = particle {
                    self.particle_fields(name, p, Card::One, fields, counter)?;
                }
            }
            Content::Simple { base, facets } => {
                let st = SimpleType {
                    base: base.clone(),
                    facets: facets.clone(),
                    doc: None,
                };
                let ty = if base.ns != XS
                    && self
                        .modules
                        .get(&base.ns)
                        .is_some_and(|m| m.schema.complex_types.contains_key(&base.name))
                {
                    // simpleContent extending a complex type with simple content: take its value type.
                    bail!(
                        "simpleContent based on complex type {} is not supported",
                        base.name
                    );
                } else if facets == &xsd::Facets::default() {
                    self.type_path(base)?
                } else {
                    let n = self.fresh(&format!("{name}Value"));
                    self.simple(n.clone(), &st)?;
                    n
                };
                fields.push(Field {
                    rust: "value".into(),
                    kind: FieldKind::Text,
                    ty,
                    card: Card::One,
                    nillable: false,
                    doc: Some("The text content.".into()),
                });
            }
        }
        for a in &ct.attributes {
            let ty = match &a.ty {
                TypeRef::Named(q) => self.type_path(q)?,
                TypeRef::Simple(st) => {
                    let n = self.fresh(&format!("{name}{}", pascal(&a.name)));
                    self.simple(n.clone(), st)?;
                    n
                }
                TypeRef::Complex(_) => bail!("complex attribute type"),
            };
            let card = if a.required || a.fixed.is_some() {
                Card::One
            } else {
                Card::Optional
            };
            fields.push(Field {
                rust: snake(&a.name),
                kind: FieldKind::Attribute(a.name.clone()),
                ty,
                card,
                nillable: false,
                doc: None,
            });
        }
        Ok(())
    }

    fn particle_fields(
        &mut self,
        owner: &str,
        p: &Particle,
        outer: Card,
        fields: &mut Vec<Field>,
        counter: &mut usize,
    ) -> Result<()> {
        match p {
            Particle::Element(e) => {
                let ty = self.element_type(owner, e)?;
                let card = combine(outer, Card::of(e.occurs));
                fields.push(Field {
                    rust: snake(&e.name.name),
                    kind: FieldKind::Element(e.name.clone()),
                    ty,
                    card,
                    nillable: e.nillable,
                    doc: e.doc.clone(),
                });
            }
            Particle::Sequence(items, occurs) => {
                let card = combine(outer, Card::of(*occurs));
                if card == Card::One || (card == Card::Optional && items.iter().all(is_optional)) {
                    for i in items {
                        self.particle_fields(owner, i, card, fields, counter)?;
                    }
                } else {
                    // A repeated or optional group: its own struct.
                    *counter += 1;
                    let name = self.fresh(&format!("{owner}Group{counter}"));
                    let mut inner = Vec::new();
                    for i in items {
                        self.particle_fields(&name, i, Card::One, &mut inner, counter)?;
                    }
                    dedupe_fields(&mut inner);
                    let ct = ComplexType {
                        content: Content::Elements {
                            base: None,
                            particle: None,
                        },
                        attributes: vec![],
                        any_attribute: false,
                        restricts: None,
                        doc: None,
                    };
                    self.out.push(RustType::Struct {
                        name: name.clone(),
                        fields: inner,
                        ct,
                    });
                    fields.push(Field {
                        rust: format!("group{counter}"),
                        kind: FieldKind::Group,
                        ty: name,
                        card,
                        nillable: false,
                        doc: None,
                    });
                }
            }
            Particle::Choice(items, occurs) => {
                let card = combine(outer, Card::of(*occurs));
                // A choice with an optional alternative may match nothing: the field is optional
                // and that alternative, when present, is there once.
                let card = if card == Card::One && items.iter().any(is_optional) {
                    Card::Optional
                } else {
                    card
                };
                *counter += 1;
                let name = self.fresh(&format!(
                    "{owner}Choice{}",
                    if *counter == 1 {
                        String::new()
                    } else {
                        counter.to_string()
                    }
                ));
                let mut variants = Vec::new();
                for i in items {
                    let mut vf = Vec::new();
                    match i {
                        Particle::Element(e) => {
                            self.particle_fields(&name, i, Card::One, &mut vf, counter)?;
                            let mut f = vf.remove(0);
                            // A repeated element inside a choice keeps its cardinality; an optional
                            // one made the whole choice optional above.
                            f.card = match Card::of(e.occurs) {
                                Card::Optional => Card::One,
                                c => c,
                            };
                            variants.push(Variant {
                                rust: pascal(&e.name.name),
                                field: f,
                            });
                        }
                        Particle::Sequence(..) | Particle::Choice(..) => {
                            *counter += 1;
                            let gname = self.fresh(&format!("{name}Option{}", variants.len() + 1));
                            let mut inner = Vec::new();
                            match i {
                                Particle::Sequence(seq, o) => {
                                    let c = Card::of(*o);
                                    if c != Card::One {
                                        // Rare in eCH: keep it as a repeated inner group.
                                        self.particle_fields(&gname, i, Card::One, &mut inner, counter)?;
                                    } else {
                                        for s in seq {
                                            self.particle_fields(&gname, s, Card::One, &mut inner, counter)?;
                                        }
                                    }
                                }
                                _ => self.particle_fields(&gname, i, Card::One, &mut inner, counter)?,
                            }
                            dedupe_fields(&mut inner);
                            let firsts = first_names(i);
                            let ct = ComplexType {
                                content: Content::Elements {
                                    base: None,
                                    particle: None,
                                },
                                attributes: vec![],
                                any_attribute: false,
                                restricts: None,
                                doc: None,
                            };
                            self.out.push(RustType::Struct {
                                name: gname.clone(),
                                fields: inner,
                                ct,
                            });
                            let vname = firsts
                                .first()
                                .map_or_else(|| format!("Option{}", variants.len() + 1), |q| pascal(&q.name));
                            variants.push(Variant {
                                rust: vname,
                                field: Field {
                                    rust: "group".into(),
                                    kind: FieldKind::Group,
                                    ty: gname,
                                    card: Card::One,
                                    nillable: false,
                                    doc: None,
                                },
                            });
                        }
                        Particle::Any(o) => {
                            variants.push(Variant {
                                rust: "Other".into(),
                                field: Field {
                                    rust: "any".into(),
                                    kind: FieldKind::Any,
                                    ty: "xs::AnyElement".into(),
                                    card: Card::of(*o),
                                    nillable: false,
                                    doc: None,
                                },
                            });
                        }
                    }
                }
                // Variant names must be unique.
                let mut seen = BTreeSet::new();
                for v in &mut variants {
                    let mut n = v.rust.clone();
                    let mut k = 2;
                    while !seen.insert(n.clone()) {
                        n = format!("{}{k}", v.rust);
                        k += 1;
                    }
                    v.rust = n;
                }
                self.out.push(RustType::Choice {
                    name: name.clone(),
                    variants,
                });
                fields.push(Field {
                    rust: format!(
                        "choice{}",
                        if *counter == 1 {
                            String::new()
                        } else {
                            counter.to_string()
                        }
                    ),
                    kind: FieldKind::Choice,
                    ty: name,
                    card,
                    nillable: false,
                    doc: None,
                });
            }
            Particle::Any(o) => {
                fields.push(Field {
                    rust: "any".into(),
                    kind: FieldKind::Any,
                    ty: "xs::AnyElement".into(),
                    card: Card::Many {
                        min: o.min,
                        max: o.max,
                    },
                    nillable: false,
                    doc: Some("Elements of other namespaces, kept as they are (`xs:any`).".into()),
                });
            }
        }
        Ok(())
    }
}

fn is_optional(p: &Particle) -> bool {
    match p {
        Particle::Element(e) => e.occurs.min == 0,
        Particle::Sequence(items, o) => o.min == 0 || items.iter().all(is_optional),
        Particle::Choice(items, o) => o.min == 0 || items.iter().any(is_optional),
        Particle::Any(o) => o.min == 0,
    }
}

/// The element names a particle can start with.
pub(crate) fn first_names(p: &Particle) -> Vec<QName> {
    match p {
        Particle::Element(e) => vec![e.name.clone()],
        Particle::Sequence(items, _) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(first_names(i));
                if !is_optional(i) {
                    break;
                }
            }
            out
        }
        Particle::Choice(items, _) => items.iter().flat_map(first_names).collect(),
        Particle::Any(_) => Vec::new(),
    }
}

fn combine(outer: Card, inner: Card) -> Card {
    match (outer, inner) {
        (Card::One, c) | (c, Card::One) => c,
        (Card::Optional, Card::Optional) => Card::Optional,
        (Card::Optional, Card::Many { max, .. }) | (Card::Many { max, .. }, Card::Optional) => {
            Card::Many { min: 0, max }
        }
        (Card::Many { min: a, max: x }, Card::Many { min: b, max: y }) => Card::Many {
            min: a * b,
            max: x.zip(y).map(|(x, y)| x * y),
        },
    }
}

/// Two fields of one struct may not share a Rust name (the same element in two branches).
fn dedupe_fields(fields: &mut [Field]) {
    let mut seen = BTreeMap::<String, usize>::new();
    for f in fields.iter_mut() {
        let n = seen.entry(f.rust.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            f.rust = format!("{}_{}", f.rust, n);
        }
    }
}

/// Outer facets (of the derived type) win; base facets fill what is missing.
fn merge_under(facets: &mut xsd::Facets, base: &xsd::Facets) {
    if facets.enumeration.is_empty() {
        facets.enumeration.clone_from(&base.enumeration);
    }
    // Patterns of base and derived types must all match.
    facets.patterns.extend(base.patterns.iter().cloned());
    macro_rules! fill {
        ($($f:ident),*) => { $( if facets.$f.is_none() { facets.$f.clone_from(&base.$f); } )* };
    }
    fill!(
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

/// The Rust name of a named XSD type of `schema`: PascalCase, without the `Type` suffix that
/// most eCH type names carry, unless that would clash with another type of the schema.
pub(crate) fn type_name(schema: &Schema, xsd_name: &str) -> String {
    if let Some(stem) = xsd_name.strip_suffix("Type").filter(|s| !s.is_empty()) {
        let clash = schema.simple_types.contains_key(stem)
            || schema.complex_types.contains_key(stem)
            || schema
                .elements
                .get(stem)
                .is_some_and(|e| !matches!(e.ty, TypeRef::Named(_)));
        if !clash {
            return pascal(stem);
        }
    }
    pascal(xsd_name)
}
