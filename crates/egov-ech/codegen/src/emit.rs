//! Writes the Rust source of one module.

use std::fmt::Write as _;

use anyhow::Result;

use crate::model::{Builtin, Card, Field, FieldKind, Module, RustType, Variant};
use crate::xsd::{Facets, SimpleType};

/// Turns documentation text into `///` lines (escaping what rustdoc would misread).
fn doc_lines(out: &mut String, indent: &str, doc: &str) {
    for line in doc.lines() {
        let line = line.trim();
        let escaped = line
            .replace('[', "\\[")
            .replace(']', "\\]")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let escaped = escaped
            .replace("\\[de\\]", "(de)")
            .replace("\\[fr\\]", "(fr)")
            .replace("\\[it\\]", "(it)")
            .replace("\\[en\\]", "(en)");
        if escaped.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {escaped}");
        }
    }
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

fn facets_expr(f: &Facets, collapse: bool) -> String {
    let mut parts = Vec::new();
    let mut num = |name: &str, v: Option<u64>| {
        if let Some(v) = v {
            parts.push(format!("{name}: Some({v})"));
        }
    };
    num("length", f.length);
    num("min_length", f.min_length);
    num("max_length", f.max_length);
    num("total_digits", f.total_digits);
    num("fraction_digits", f.fraction_digits);
    for (name, v) in [
        ("min_inclusive", &f.min_inclusive),
        ("max_inclusive", &f.max_inclusive),
        ("min_exclusive", &f.min_exclusive),
        ("max_exclusive", &f.max_exclusive),
    ] {
        if let Some(v) = v {
            parts.push(format!("{name}: Some({})", rust_str(v)));
        }
    }
    if !f.patterns.is_empty() {
        let patterns: Vec<String> = f.patterns.iter().map(|p| rust_str(p)).collect();
        parts.push(format!("patterns: &[{}]", patterns.join(", ")));
    }
    if !collapse {
        parts.push("collapse: false".into());
    }
    if parts.is_empty() {
        "xs::Facets::NONE".into()
    } else {
        format!("xs::Facets {{ {}, ..xs::Facets::NONE }}", parts.join(", "))
    }
}

fn facet_summary(f: &Facets) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = f.length {
        out.push(format!("length {v}"));
    }
    if let Some(v) = f.min_length {
        out.push(format!("min length {v}"));
    }
    if let Some(v) = f.max_length {
        out.push(format!("max length {v}"));
    }
    for p in &f.patterns {
        out.push(format!("pattern `{p}`"));
    }
    if let Some(v) = &f.min_inclusive {
        out.push(format!("≥ {v}"));
    }
    if let Some(v) = &f.max_inclusive {
        out.push(format!("≤ {v}"));
    }
    if let Some(v) = &f.min_exclusive {
        out.push(format!("> {v}"));
    }
    if let Some(v) = &f.max_exclusive {
        out.push(format!("< {v}"));
    }
    if let Some(v) = f.total_digits {
        out.push(format!("{v} digits in total"));
    }
    if let Some(v) = f.fraction_digits {
        out.push(format!("{v} fraction digits"));
    }
    out
}

fn field_type(f: &Field) -> String {
    match f.card {
        Card::One => f.ty.clone(),
        Card::Optional => format!("Option<{}>", f.ty),
        Card::Many { .. } => format!("Vec<{}>", f.ty),
    }
}

fn serde_attrs(f: &Field, xml_name: &str) -> String {
    let mut parts = vec![format!("rename = {}", rust_str(xml_name))];
    match f.card {
        Card::Optional => parts.push("default, skip_serializing_if = \"Option::is_none\"".into()),
        Card::Many { .. } => parts.push("default, skip_serializing_if = \"Vec::is_empty\"".into()),
        Card::One => {}
    }
    format!("#[serde({})]", parts.join(", "))
}

fn xml_name(f: &Field) -> String {
    match &f.kind {
        FieldKind::Element(q) => q.name.clone(),
        FieldKind::Attribute(a) => format!("@{a}"),
        FieldKind::Text => "$value".into(),
        FieldKind::Choice | FieldKind::Group | FieldKind::Any | FieldKind::Base => {
            f.rust.trim_end_matches('_').to_owned()
        }
    }
}

fn field_doc(f: &Field) -> String {
    let what = match &f.kind {
        FieldKind::Element(q) => format!("Element `{}`", q.name),
        FieldKind::Attribute(a) => format!("Attribute `{a}`"),
        FieldKind::Text => "The text content".into(),
        FieldKind::Choice => "One of the alternatives of the content model".into(),
        FieldKind::Group => "A repeated or optional group of the content model".into(),
        FieldKind::Any => "Elements of other namespaces, kept as read (`xs:any`)".into(),
        FieldKind::Base => format!(
            "The content of the base type `{}` this type extends",
            f.ty.rsplit("::").next().unwrap_or(&f.ty)
        ),
    };
    let nil = if f.nillable {
        ", may be nil (`xsi:nil`)"
    } else {
        ""
    };
    let card = match f.card {
        Card::One => String::new(),
        Card::Optional => ", optional".into(),
        Card::Many { min, max: Some(max) } => format!(", {min} to {max}"),
        Card::Many { min, max: None } => format!(", {min} or more"),
    };
    format!("{what}{card}{nil}.")
}

/// The source of one generated module.
pub(crate) fn module(m: &Module, types: &[RustType]) -> Result<String> {
    let mut s = String::new();
    let title = m.file.trim_end_matches(".xsd");
    let version = m
        .schema
        .version
        .as_deref()
        .map(|v| format!(", schema version {v}"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "//! `{}`: {} (generated from `{}`{version}).",
        m.ns, title, m.file
    );
    if let Some(d) = &m.schema.doc {
        s.push_str("//!\n");
        for line in d.lines() {
            let _ = writeln!(
                s,
                "//! {}",
                line.replace('[', "\\[")
                    .replace(']', "\\]")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            );
        }
    }
    s.push_str("\n#[allow(unused_imports)]\nuse crate::xs;\n\n");
    let _ = writeln!(
        s,
        "/// The XML namespace of this module.\npub const NAMESPACE: &str = {};\n",
        rust_str(&m.ns)
    );
    for t in types {
        match t {
            RustType::Newtype {
                name,
                base,
                collapse,
                st,
            } => newtype(&mut s, &m.ns, name, *base, *collapse, st),
            RustType::Enum { name, base, st } => enumeration(&mut s, name, *base, st),
            RustType::Struct { name, fields, ct } => structure(&mut s, name, fields, ct.doc.as_deref()),
            RustType::Choice { name, variants } => choice(&mut s, name, variants),
        }
        s.push('\n');
    }
    Ok(s)
}

/// The rule beyond the XSD that the standard demands of a type (see `xs::Semantic`).
fn semantic(ns: &str, name: &str) -> Option<&'static str> {
    let family = ns.strip_prefix("http://www.ech.ch/xmlns/")?.split('/').next()?;
    match (family.trim_end_matches('f'), name) {
        ("eCH-0044", "Vn") => Some("Ahvn13"),
        ("eCH-0007", "MunicipalityId") => Some("BfsMunicipality"),
        ("eCH-0097", "UidOrganisationId") => Some("UidNumber"),
        _ => None,
    }
}

fn newtype(s: &mut String, ns: &str, name: &str, base: Builtin, collapse: bool, st: &SimpleType) {
    match &st.doc {
        Some(d) => doc_lines(s, "", d),
        None => doc_lines(s, "", &format!("A restricted `xs:{}`.", st.base.name)),
    }
    let mut facets = facet_summary(&st.facets);
    let rule = semantic(ns, name);
    if let Some(rule) = rule {
        facets.push(format!("checked as `xs::Semantic::{rule}`"));
    }
    if !facets.is_empty() {
        s.push_str("///\n");
        doc_lines(s, "", &format!("Rules: {}.", facets.join("; ")));
    }
    let _ = writeln!(
        s,
        "#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub struct {name}({});",
        base.rust()
    );
    let _ = writeln!(
        s,
        "xs::restricted!({name}, {}, {});",
        base.rust(),
        match rule {
            Some(rule) => with_semantic(&facets_expr(&st.facets, collapse), rule),
            None => facets_expr(&st.facets, collapse),
        }
    );
}

fn with_semantic(facets: &str, rule: &str) -> String {
    let field = format!("semantic: Some(xs::Semantic::{rule})");
    match facets.strip_suffix(", ..xs::Facets::NONE }") {
        Some(head) => format!("{head}, {field}, ..xs::Facets::NONE }}"),
        None => format!("xs::Facets {{ {field}, ..xs::Facets::NONE }}"),
    }
}

fn enumeration(s: &mut String, name: &str, base: Builtin, st: &SimpleType) {
    match &st.doc {
        Some(d) => doc_lines(s, "", d),
        None => doc_lines(s, "", &format!("The values of `{name}`.")),
    }
    let _ = writeln!(
        s,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n#[non_exhaustive]\npub enum {name} {{"
    );
    let mut variants = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut values_seen = std::collections::BTreeSet::new();
    for (value, doc) in &st.facets.enumeration {
        if !values_seen.insert(value.clone()) {
            // Some schemas list a value twice; it is one value.
            continue;
        }
        let mut v = crate::model::pascal(value);
        if v.is_empty() {
            v = "Empty".into();
        }
        let base_v = v.clone();
        let mut k = 2;
        while !seen.insert(v.clone()) {
            v = format!("{base_v}{k}");
            k += 1;
        }
        match doc {
            Some(d) => doc_lines(s, "    ", &format!("`{value}`: {d}")),
            None => doc_lines(s, "    ", &format!("`{value}`")),
        }
        let _ = writeln!(s, "    {v},");
        variants.push((v, value.clone()));
    }
    s.push_str("}\n");
    let list: Vec<String> = variants
        .iter()
        .map(|(v, value)| format!("{v} => {}", rust_str(value)))
        .collect();
    let _ = writeln!(
        s,
        "xs::enumeration!({name}, {}, [{}]);",
        base.rust(),
        list.join(", ")
    );
}

fn structure(s: &mut String, name: &str, fields: &[Field], doc: Option<&str>) {
    match doc {
        Some(d) => doc_lines(s, "", d),
        None => doc_lines(s, "", &format!("The content of `{name}`.")),
    }
    let _ = writeln!(
        s,
        "#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]\npub struct {name} {{"
    );
    for f in fields {
        match &f.doc {
            Some(d) => {
                doc_lines(s, "    ", d);
                s.push_str("    ///\n");
                doc_lines(s, "    ", &field_doc(f));
            }
            None => doc_lines(s, "    ", &field_doc(f)),
        }
        if f.kind == FieldKind::Base
            || f.kind == FieldKind::Choice
            || f.kind == FieldKind::Group && f.card == Card::One
        {
            s.push_str("    #[serde(flatten)]\n");
        } else {
            let _ = writeln!(s, "    {}", serde_attrs(f, &xml_name(f)));
        }
        let _ = writeln!(s, "    pub {}: {},", f.rust, field_type(f));
    }
    s.push_str("}\n");
}

fn choice(s: &mut String, name: &str, variants: &[Variant]) {
    doc_lines(
        s,
        "",
        &format!("The alternatives of `{name}`: exactly one of them."),
    );
    let _ = writeln!(
        s,
        "#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]\npub enum {name} {{"
    );
    for v in variants {
        doc_lines(s, "    ", &field_doc(&v.field));
        let key = match v.field.kind {
            FieldKind::Element(_) => xml_name(&v.field),
            _ => {
                let mut c = v.rust.chars();
                c.next()
                    .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        };
        let _ = writeln!(s, "    #[serde(rename = {})]", rust_str(&key));
        let _ = writeln!(s, "    {}({}),", v.rust, field_type(&v.field));
    }
    s.push_str("}\n");
}
