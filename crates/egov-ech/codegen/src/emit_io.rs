//! Writes the reading and writing code of the generated types.

use std::fmt::Write as _;

use crate::model::{Card, Field, FieldKind, RustType, Variant};

fn lit(s: &str) -> String {
    format!("{s:?}")
}

const R: &str = "crate::read";
const W: &str = "crate::write";

/// `accepts` of a struct: the element names its content can start with, recursively.
fn accepts_expr(fields: &[Field]) -> String {
    let mut names = Vec::new();
    let mut calls = Vec::new();
    for f in fields {
        match &f.kind {
            FieldKind::Element(q) => names.push(format!("({}, {})", lit(&q.ns), lit(&q.name))),
            FieldKind::Choice | FieldKind::Group | FieldKind::Base => {
                calls.push(format!("{}::accepts(ns, local)", f.ty));
            }
            FieldKind::Any => calls.push("!ns.is_empty()".to_owned()),
            FieldKind::Attribute(_) | FieldKind::Text => {}
        }
    }
    let mut parts = Vec::new();
    if !names.is_empty() {
        parts.push(format!("matches!((ns, local), {})", names.join(" | ")));
    }
    parts.extend(calls);
    if parts.is_empty() {
        "false".to_owned()
    } else {
        parts.join(" || ")
    }
}

fn is_text_struct(fields: &[Field]) -> bool {
    fields.iter().any(|f| f.kind == FieldKind::Text)
}

/// Reading and writing of a struct.
pub(crate) fn structure(s: &mut String, name: &str, fields: &[Field]) {
    let text = is_text_struct(fields);
    let _ = writeln!(s, "impl {name} {{");
    // accepts
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    #[must_use]\n    #[allow(unused_variables)]\n    pub fn accepts(ns: &str, local: &str) -> bool {{\n        {}\n    }}",
        accepts_expr(fields)
    );
    let own: Vec<Field> = fields
        .iter()
        .filter(|f| f.kind != FieldKind::Base)
        .cloned()
        .collect();
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    #[must_use]\n    #[allow(unused_variables)]\n    pub fn accepts_own(ns: &str, local: &str) -> bool {{\n        {}\n    }}",
        accepts_expr(&own)
    );
    // read_children
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    #[allow(unused_mut, unused_variables, clippy::too_many_lines, clippy::match_single_binding)]\n    pub fn read_children<R: std::io::BufRead>(r: &mut {R}::Reader<R>, start: &{R}::Start, stop: Option<fn(&str, &str) -> bool>) -> Result<Option<Self>, {R}::ReadError> {{"
    );
    let _ = writeln!(
        s,
        "        let mut ok = true;\n        let mut seen = [false; {}];",
        fields.len().max(1)
    );
    for (i, f) in fields.iter().enumerate() {
        let v = format!("f{i}");
        match (&f.kind, f.card) {
            (FieldKind::Base, _) => {
                let _ = writeln!(
                    s,
                    "        let {v} = {}::read_children(r, start, Some(Self::accepts_own))?;\n        ok &= {v}.is_some();",
                    f.ty
                );
            }
            (_, Card::Many { .. }) => {
                let _ = writeln!(s, "        let mut {v}: Vec<{}> = Vec::new();", f.ty);
            }
            _ => {
                let _ = writeln!(s, "        let mut {v}: Option<{}> = None;", f.ty);
            }
        }
    }
    // attributes
    let attrs: Vec<(usize, &Field, &String)> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            if let FieldKind::Attribute(a) = &f.kind {
                Some((i, f, a))
            } else {
                None
            }
        })
        .collect();
    if !attrs.is_empty() {
        s.push_str("        for (ans, alocal, avalue) in &start.attributes {\n            if !ans.is_empty() { continue; }\n            match alocal.as_str() {\n");
        for (i, f, a) in &attrs {
            let _ = writeln!(
                s,
                "                {} => {{ seen[{i}] = true; match <{} as {W}::XmlText>::parse_text(avalue) {{ Ok(v) => f{i} = Some(v), Err(e) => {{ r.error(Some({}), {R}::ContentError::Value(e)); ok = false; }} }} }}",
                lit(a),
                f.ty,
                lit(&format!("@{a}"))
            );
        }
        s.push_str("                _ => {}\n            }\n        }\n");
    }
    if text {
        // Simple content: the text of the element (this reads to its end).
        if let Some((i, f)) = fields.iter().enumerate().find(|(_, f)| f.kind == FieldKind::Text) {
            let _ = writeln!(
                s,
                "        seen[{i}] = true;\n        let text = r.text()?;\n        match <{} as {W}::XmlText>::parse_text(&text) {{ Ok(v) => f{i} = Some(v), Err(e) => {{ r.error(Some(&start.local), {R}::ContentError::Value(e)); ok = false; }} }}",
                f.ty
            );
        }
    } else {
        // Child elements, in any order (order errors are recorded), until one is not ours.
        let content: Vec<(usize, &Field)> = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                matches!(
                    f.kind,
                    FieldKind::Element(_) | FieldKind::Choice | FieldKind::Group | FieldKind::Any
                )
            })
            .collect();
        if !content.is_empty() {
            s.push_str("        let mut pos = 0usize;\n        while let Some(c) = r.peek_child()? {\n            let (ns, local) = (c.ns.as_str(), c.local.as_str());\n            let nil = c.is_nil();\n            let idx: usize = match (ns, local) {\n");
            for (k, (_, f)) in content.iter().enumerate() {
                match &f.kind {
                    FieldKind::Element(q) => {
                        let _ = writeln!(s, "                ({}, {}) => {k},", lit(&q.ns), lit(&q.name));
                    }
                    FieldKind::Choice | FieldKind::Group => {
                        let _ = writeln!(
                            s,
                            "                (ns, local) if {}::accepts(ns, local) => {k},",
                            f.ty
                        );
                    }
                    FieldKind::Any => {
                        let _ = writeln!(s, "                (ns, _) if !ns.is_empty() => {k},");
                    }
                    _ => {}
                }
            }
            s.push_str("                (ns, local) if stop.is_some_and(|f| f(ns, local)) => break,\n                _ => {\n                    // Not allowed here: report it, skip it, go on with the next one.\n                    let (q, l) = (c.qualified(), c.local.clone());\n                    r.error(Some(&l), crate::read::ContentError::UnexpectedElement { name: q });\n                    r.enter()?;\n                    r.skip()?;\n                    continue;\n                }\n            };\n            if idx < pos {\n                let l = local.to_owned();\n                r.error(Some(&l), crate::read::ContentError::OutOfOrder { name: Self::field_name(idx) });\n            }\n            pos = pos.max(idx);\n            match idx {\n");
            for (k, (i, f)) in content.iter().enumerate() {
                let v = format!("f{i}");
                let name = match &f.kind {
                    FieldKind::Element(q) => q.name.clone(),
                    _ => f.rust.clone(),
                };
                let read_one = match &f.kind {
                    FieldKind::Element(_) if f.card != Card::One => format!(
                        "{{ let c = r.enter()?; if nil {{ r.skip()?; None }} else {{ <{ty} as {R}::XmlValue>::read_element(r, &c)? }} }}",
                        ty = f.ty
                    ),
                    FieldKind::Element(_) => {
                        format!(
                            "{{ let c = r.enter()?; <{ty} as {R}::XmlValue>::read_element(r, &c)? }}",
                            ty = f.ty
                        )
                    }
                    FieldKind::Choice => format!("{}::read(r, start)?", f.ty),
                    FieldKind::Group => format!("{}::read_children(r, start, Some(|_, _| true))?", f.ty),
                    FieldKind::Any => "{ let c = r.enter()?; Some(r.any(c)?) }".to_owned(),
                    _ => "None".to_owned(),
                };
                match f.card {
                    Card::Many { .. } => {
                        let _ = writeln!(
                            s,
                            "                {k} => {{ seen[{i}] = true; let got = {read_one}; match got {{ Some(v) => {v}.push(v), None => ok = false }} }}"
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            s,
                            "                {k} => {{ seen[{i}] = true; let dup = {v}.is_some(); let got = {read_one}; match got {{ Some(v) => {v} = Some(v), None => ok = false }} if dup {{ r.error(None, {R}::ContentError::TooMany {{ name: {}, found: 2, max: 1 }}); }} }}",
                            lit(&name)
                        );
                    }
                }
            }
            s.push_str("                _ => {}\n            }\n        }\n");
        }
    }
    // cardinality checks and construction
    for (i, f) in fields.iter().enumerate() {
        let name = match &f.kind {
            FieldKind::Element(q) => q.name.clone(),
            FieldKind::Attribute(a) => a.clone(),
            _ => f.rust.clone(),
        };
        match (&f.kind, f.card) {
            (FieldKind::Base, _) | (_, Card::Optional) => {}
            (FieldKind::Attribute(_), Card::One) => {
                let _ = writeln!(
                    s,
                    "        if !seen[{i}] {{ r.error(None, {R}::ContentError::MissingAttribute {{ name: {} }}); ok = false; }}",
                    lit(&name)
                );
            }
            (_, Card::One) => {
                let _ = writeln!(
                    s,
                    "        if !seen[{i}] && f{i}.is_none() {{ r.error(None, {R}::ContentError::MissingElement {{ name: {} }}); ok = false; }}",
                    lit(&name)
                );
            }
            (_, Card::Many { min, max }) => {
                if min == 1 {
                    let _ = writeln!(
                        s,
                        "        if f{i}.is_empty() {{ r.error(None, {R}::ContentError::TooFew {{ name: {}, found: 0, min: 1 }}); }}",
                        lit(&name)
                    );
                } else if min > 0 {
                    let _ = writeln!(
                        s,
                        "        if f{i}.len() < {min} {{ r.error(None, {R}::ContentError::TooFew {{ name: {}, found: f{i}.len(), min: {min} }}); }}",
                        lit(&name)
                    );
                }
                if let Some(max) = max {
                    let _ = writeln!(
                        s,
                        "        if f{i}.len() > {max} {{ r.error(None, {R}::ContentError::TooMany {{ name: {}, found: f{i}.len(), max: {max} }}); }}",
                        lit(&name)
                    );
                }
            }
        }
    }
    s.push_str("        if !ok { return Ok(None); }\n");
    for (i, f) in fields.iter().enumerate() {
        if f.kind == FieldKind::Base || f.card == Card::One {
            let _ = writeln!(s, "        let Some(f{i}) = f{i} else {{ return Ok(None) }};");
        }
    }
    let inits: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{}: f{i}", f.rust))
        .collect();
    let _ = writeln!(s, "        Ok(Some(Self {{ {} }}))\n    }}", inits.join(", "));
    // field names for messages
    let names: Vec<String> = fields
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FieldKind::Element(_) | FieldKind::Choice | FieldKind::Group | FieldKind::Any
            )
        })
        .map(|f| match &f.kind {
            FieldKind::Element(q) => lit(&q.name),
            _ => lit(&f.rust),
        })
        .collect();
    let _ = writeln!(
        s,
        "    #[allow(dead_code)]\n    fn field_name(i: usize) -> &'static str {{\n        [{}].get(i).copied().unwrap_or(\"?\")\n    }}",
        names.join(", ")
    );
    // write_attributes
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    #[allow(unused_variables)]\n    pub fn write_attributes(&self, w: &mut {W}::Writer) {{"
    );
    for f in fields {
        match (&f.kind, f.card) {
            (FieldKind::Base, _) => {
                let _ = writeln!(s, "        self.base.write_attributes(w);");
            }
            (FieldKind::Attribute(a), Card::One) => {
                let _ = writeln!(
                    s,
                    "        w.attribute({}, &{W}::XmlText::to_text(&self.{}));",
                    lit(a),
                    f.rust
                );
            }
            (FieldKind::Attribute(a), _) => {
                let _ = writeln!(
                    s,
                    "        if let Some(v) = &self.{} {{ w.attribute({}, &{W}::XmlText::to_text(v)); }}",
                    f.rust,
                    lit(a)
                );
            }
            _ => {}
        }
    }
    s.push_str("    }\n");
    // write_children
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    #[allow(unused_variables)]\n    pub fn write_children(&self, w: &mut {W}::Writer) {{"
    );
    for f in fields {
        let one = match &f.kind {
            FieldKind::Element(q) => Some(format!(
                "{W}::XmlWrite::write_element(v, w, {}, {})",
                lit(&q.ns),
                lit(&q.name)
            )),
            FieldKind::Choice => Some("v.write(w)".to_owned()),
            FieldKind::Group | FieldKind::Base => Some("v.write_children(w)".to_owned()),
            FieldKind::Any => Some("w.any(v)".to_owned()),
            FieldKind::Text => {
                let _ = writeln!(s, "        w.text(&{W}::XmlText::to_text(&self.value));");
                None
            }
            FieldKind::Attribute(_) => None,
        };
        if let Some(one) = one {
            match f.card {
                Card::One => {
                    let _ = writeln!(s, "        {{ let v = &self.{}; {one}; }}", f.rust);
                }
                Card::Optional => {
                    let _ = writeln!(s, "        if let Some(v) = &self.{} {{ {one}; }}", f.rust);
                }
                Card::Many { .. } => {
                    let _ = writeln!(s, "        for v in &self.{} {{ {one}; }}", f.rust);
                }
            }
        }
    }
    s.push_str("    }\n}\n");
    // trait impls
    if text {
        let _ = writeln!(
            s,
            "impl {R}::XmlValue for {name} {{\n    fn read_element<R: std::io::BufRead>(r: &mut {R}::Reader<R>, start: &{R}::Start) -> Result<Option<Self>, {R}::ReadError> {{\n        Self::read_children(r, start, None)\n    }}\n}}"
        );
    } else {
        let _ = writeln!(
            s,
            "impl {R}::XmlValue for {name} {{\n    fn read_element<R: std::io::BufRead>(r: &mut {R}::Reader<R>, start: &{R}::Start) -> Result<Option<Self>, {R}::ReadError> {{\n        let v = Self::read_children(r, start, None)?;\n        r.finish()?;\n        Ok(v)\n    }}\n}}"
        );
    }
    let _ = writeln!(
        s,
        "impl {W}::XmlWrite for {name} {{\n    fn write_element(&self, w: &mut {W}::Writer, ns: &str, local: &str) {{\n        self.write_attributes(w);\n        w.start(ns, local);\n        self.write_children(w);\n        w.end(ns, local);\n    }}\n}}"
    );
}

/// Reading and writing of a choice enum.
pub(crate) fn choice(s: &mut String, name: &str, variants: &[Variant]) {
    let fields: Vec<Field> = variants.iter().map(|v| v.field.clone()).collect();
    let _ = writeln!(s, "impl {name} {{");
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    #[must_use]\n    #[allow(unused_variables)]\n    pub fn accepts(ns: &str, local: &str) -> bool {{\n        {}\n    }}",
        accepts_expr(&fields)
    );
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    #[allow(unused_variables, clippy::match_single_binding)]\n    pub fn read<R: std::io::BufRead>(r: &mut {R}::Reader<R>, start: &{R}::Start) -> Result<Option<Self>, {R}::ReadError> {{\n        let Some(c) = r.peek_child()? else {{ return Ok(None) }};\n        let (ns, local) = (c.ns.clone(), c.local.clone());\n        match (ns.as_str(), local.as_str()) {{"
    );
    for v in variants {
        let f = &v.field;
        let (pattern, read_one) = match &f.kind {
            FieldKind::Element(q) => (
                format!("({}, {})", lit(&q.ns), lit(&q.name)),
                format!(
                    "{{ let c = r.enter()?; <{} as {R}::XmlValue>::read_element(r, &c)? }}",
                    f.ty
                ),
            ),
            FieldKind::Group => (
                format!("(ns, local) if {}::accepts(ns, local)", f.ty),
                format!("{}::read_children(r, start, Some(|_, _| true))?", f.ty),
            ),
            FieldKind::Choice => (
                format!("(ns, local) if {}::accepts(ns, local)", f.ty),
                format!("{}::read(r, start)?", f.ty),
            ),
            FieldKind::Any => (
                "(ns, _) if !ns.is_empty()".to_owned(),
                "{ let c = r.enter()?; Some(r.any(c)?) }".to_owned(),
            ),
            _ => continue,
        };
        match f.card {
            Card::Many { .. } => {
                let _ = writeln!(
                    s,
                    "            {pattern} => {{\n                let mut all = Vec::new();\n                loop {{\n                    match {read_one} {{ Some(v) => all.push(v), None => return Ok(None) }}\n                    match r.peek_child()? {{ Some(c) if c.ns == ns && c.local == local => {{}} _ => break }}\n                }}\n                Ok(Some(Self::{}(all)))\n            }}",
                    v.rust
                );
            }
            Card::Optional => {
                let _ = writeln!(
                    s,
                    "            {pattern} => Ok({read_one}.map(|v| Self::{}(Some(v)))),",
                    v.rust
                );
            }
            Card::One => {
                let _ = writeln!(
                    s,
                    "            {pattern} => Ok({read_one}.map(Self::{})),",
                    v.rust
                );
            }
        }
    }
    s.push_str("            _ => Ok(None),\n        }\n    }\n");
    let _ = writeln!(
        s,
        "    #[doc(hidden)]\n    pub fn write(&self, w: &mut {W}::Writer) {{\n        match self {{"
    );
    for v in variants {
        let f = &v.field;
        let one = match &f.kind {
            FieldKind::Element(q) => format!(
                "{W}::XmlWrite::write_element(v, w, {}, {})",
                lit(&q.ns),
                lit(&q.name)
            ),
            FieldKind::Choice => "v.write(w)".to_owned(),
            FieldKind::Group => "v.write_children(w)".to_owned(),
            FieldKind::Any => "w.any(v)".to_owned(),
            _ => continue,
        };
        match f.card {
            Card::One => {
                let _ = writeln!(s, "            Self::{}(v) => {one},", v.rust);
            }
            Card::Optional => {
                let _ = writeln!(
                    s,
                    "            Self::{}(v) => {{ if let Some(v) = v {{ {one}; }} }}",
                    v.rust
                );
            }
            Card::Many { .. } => {
                let _ = writeln!(
                    s,
                    "            Self::{}(all) => {{ for v in all {{ {one}; }} }}",
                    v.rust
                );
            }
        }
    }
    s.push_str("        }\n    }\n}\n");
}

/// The code for every type of a module.
pub(crate) fn all(s: &mut String, types: &[RustType]) {
    for t in types {
        match t {
            RustType::Struct { name, fields, .. } => structure(s, name, fields),
            RustType::Choice { name, variants } => choice(s, name, variants),
            RustType::Newtype { .. } | RustType::Enum { .. } => {}
        }
    }
}
