//! Writing PDF objects and finding things in the raw file: the byte-exact part of PAdES.

use std::time::SystemTime;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use crate::Error;

/// Deepest page tree / field tree that is followed (attack surface: cycles and deep nesting).
pub(crate) const MAX_TREE_DEPTH: usize = 32;

pub(crate) fn pdf_err(msg: impl Into<String>) -> Error {
    Error::Pdf(msg.into())
}

/// Appends the PDF syntax of `obj` to `out`.
pub(crate) fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            // Rust's Display never uses an exponent; PDF reals must not have one.
            let s = if r.is_finite() { format!("{r}") } else { "0".into() };
            out.extend_from_slice(s.as_bytes());
        }
        Object::Name(n) => write_name(out, n),
        Object::String(s, StringFormat::Hexadecimal) => {
            out.push(b'<');
            out.extend_from_slice(hex_upper(s).as_bytes());
            out.push(b'>');
        }
        Object::String(s, StringFormat::Literal) => write_literal(out, s),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(out, d),
        Object::Stream(s) => {
            let mut dict = s.dict.clone();
            dict.set(
                "Length",
                Object::Integer(i64::try_from(s.content.len()).unwrap_or(i64::MAX)),
            );
            write_dict(out, &dict);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((num, generation)) => {
            out.extend_from_slice(format!("{num} {generation} R").as_bytes());
        }
    }
}

pub(crate) fn write_dict(out: &mut Vec<u8>, d: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        let regular = b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

pub(crate) fn write_literal(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'(');
    for &b in s {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
    out.push(b')');
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// A text string for /Reason, /Location, /Name: PDFDocEncoding for ASCII, UTF-16BE with BOM otherwise.
pub(crate) fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding read as Latin-1).
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// `D:YYYYMMDDHHmmSS+00'00'` (PDF date, UTC).
pub(crate) fn pdf_date(t: SystemTime) -> Result<String, Error> {
    let dt = der::DateTime::from_system_time(t).map_err(|e| pdf_err(format!("signing time: {e}")))?;
    Ok(format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds()
    ))
}

/// Parses a PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, later parts optional) into a time.
pub(crate) fn parse_pdf_date(s: &[u8]) -> Option<SystemTime> {
    let s = s.strip_prefix(b"D:").unwrap_or(s);
    let num = |from: usize, len: usize, default: u32| -> Option<u32> {
        match s.get(from..from + len) {
            Some(d) if d.iter().all(u8::is_ascii_digit) => std::str::from_utf8(d).ok()?.parse().ok(),
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = u16::try_from(num(0, 4, 0)?).ok()?;
    let dt = der::DateTime::new(
        year,
        u8::try_from(num(4, 2, 1)?).ok()?,
        u8::try_from(num(6, 2, 1)?).ok()?,
        u8::try_from(num(8, 2, 0)?).ok()?,
        u8::try_from(num(10, 2, 0)?).ok()?,
        u8::try_from(num(12, 2, 0)?).ok()?,
    )
    .ok()?;
    let local = dt.to_system_time();
    // Offset: Z, +HH'mm' or -HH'mm'.
    let offset_secs = match s.get(14) {
        Some(sign @ (b'+' | b'-')) => {
            let hh = u64::from(num(15, 2, 0)?);
            let mm = match s.get(17) {
                Some(b'\'') => u64::from(num(18, 2, 0)?),
                _ => u64::from(num(17, 2, 0)?),
            };
            let secs = std::time::Duration::from_secs(hh * 3600 + mm * 60);
            return if *sign == b'+' {
                local.checked_sub(secs)
            } else {
                local.checked_add(secs)
            };
        }
        _ => 0,
    };
    local.checked_add(std::time::Duration::from_secs(offset_secs))
}

/// Resolves a reference (one level; PDF forbids chains of references to references).
pub(crate) fn resolve<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    match obj {
        Object::Reference(id) => doc.objects.get(id),
        other => Some(other),
    }
}

pub(crate) fn resolve_dict<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Dictionary> {
    match resolve(doc, obj)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn dict_get<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    d.get(key).ok().and_then(|o| resolve(doc, o))
}

pub(crate) fn name_of<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match dict_get(doc, d, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

/// The object id and dictionary of the catalog.
pub(crate) fn catalog(doc: &Document) -> Result<(ObjectId, &Dictionary), Error> {
    let id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| pdf_err("the trailer has no /Root reference"))?;
    let dict = doc
        .objects
        .get(&id)
        .and_then(|o| o.as_dict().ok())
        .ok_or_else(|| {
            pdf_err(format!(
                "catalog object {} {} is missing or not a dictionary",
                id.0, id.1
            ))
        })?;
    Ok((id, dict))
}

/// The object id of the first page (walks /Kids depth-first, bounded).
pub(crate) fn first_page(doc: &Document, catalog: &Dictionary) -> Result<ObjectId, Error> {
    let mut node = catalog
        .get(b"Pages")
        .and_then(Object::as_reference)
        .map_err(|_| pdf_err("the catalog has no /Pages reference"))?;
    for _ in 0..MAX_TREE_DEPTH {
        let dict = doc
            .objects
            .get(&node)
            .and_then(|o| o.as_dict().ok())
            .ok_or_else(|| pdf_err(format!("page tree node {} {} is missing", node.0, node.1)))?;
        if name_of(doc, dict, b"Type") == Some(b"Page") {
            return Ok(node);
        }
        let kids = dict_get(doc, dict, b"Kids")
            .and_then(|k| k.as_array().ok())
            .ok_or_else(|| pdf_err(format!("page tree node {} {} has no /Kids", node.0, node.1)))?;
        node = kids
            .first()
            .and_then(|k| k.as_reference().ok())
            .ok_or_else(|| pdf_err("the document has no pages"))?;
    }
    Err(pdf_err(format!("page tree deeper than {MAX_TREE_DEPTH} levels")))
}

/// Most page tree nodes visited when looking for a page.
const MAX_PAGE_NODES: usize = 1_000_000;

/// The object id of page `n` (1-based), walking the page tree in order (bounded, cycle-safe).
pub(crate) fn nth_page(doc: &Document, catalog: &Dictionary, n: usize) -> Result<ObjectId, Error> {
    let root = catalog
        .get(b"Pages")
        .and_then(Object::as_reference)
        .map_err(|_| pdf_err("the catalog has no /Pages reference"))?;
    let mut stack = vec![(root, 0usize)];
    let mut seen = std::collections::HashSet::new();
    let mut count = 0;
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_TREE_DEPTH || !seen.insert(node) || seen.len() > MAX_PAGE_NODES {
            return Err(pdf_err("the page tree is cyclic or too deep"));
        }
        let dict = doc
            .objects
            .get(&node)
            .and_then(|o| o.as_dict().ok())
            .ok_or_else(|| pdf_err(format!("page tree node {} {} is missing", node.0, node.1)))?;
        if name_of(doc, dict, b"Type") == Some(b"Page") {
            count += 1;
            if count == n {
                return Ok(node);
            }
            continue;
        }
        let kids = dict_get(doc, dict, b"Kids")
            .and_then(|k| k.as_array().ok())
            .ok_or_else(|| pdf_err(format!("page tree node {} {} has no /Kids", node.0, node.1)))?;
        for kid in kids.iter().rev() {
            if let Ok(id) = kid.as_reference() {
                stack.push((id, depth + 1));
            }
        }
    }
    Err(pdf_err(format!("the document has no page {n}")))
}

/// Offset named by the last `startxref` of `pdf`.
pub(crate) fn last_startxref(pdf: &[u8]) -> Result<usize, Error> {
    let tail_start = pdf.len().saturating_sub(1024);
    let tail = &pdf[tail_start..];
    let pos = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| pdf_err("no startxref in the last 1024 bytes"))?;
    let digits: Vec<u8> = tail[pos + 9..]
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&o: &usize| o < pdf.len())
        .ok_or_else(|| pdf_err("startxref offset is not a number inside the file"))
}

/// Whether the xref section at `offset` is a classic table (`xref` keyword) rather than a stream.
pub(crate) fn is_classic_xref(pdf: &[u8], offset: usize) -> bool {
    pdf.get(offset..)
        .map(|s| {
            let s = &s[s.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(s.len())..];
            s.starts_with(b"xref")
        })
        .unwrap_or(false)
}

/// Whether `pdf[..end]` ends at the end of a revision (`%%EOF` plus optional line end).
pub(crate) fn ends_revision(pdf: &[u8], end: usize) -> bool {
    let Some(prefix) = pdf.get(..end) else {
        return false;
    };
    let trimmed_len = prefix
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |p| p + 1);
    end - trimmed_len <= 2 && prefix[..trimmed_len].ends_with(b"%%EOF")
}

/// Decodes hexadecimal digits (whitespace ignored, odd final digit padded with 0 as PDF says).
pub(crate) fn decode_hex(hex: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(hex.len() / 2);
    let mut high: Option<u8> = None;
    for &c in hex {
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = char::from(c).to_digit(16)?;
        let v = u8::try_from(v).ok()?;
        match high.take() {
            None => high = Some(v),
            Some(h) => out.push((h << 4) | v),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_strings_are_escaped() {
        let mut out = Vec::new();
        let mut d = Dictionary::new();
        d.set(
            "A B",
            Object::String(b"x(y)\\z\n".to_vec(), StringFormat::Literal),
        );
        d.set("H", Object::String(vec![0xAB, 0x01], StringFormat::Hexadecimal));
        d.set("R", Object::Reference((12, 0)));
        d.set(
            "L",
            Object::Array(vec![Object::Integer(-3), Object::Boolean(true), Object::Null]),
        );
        write_dict(&mut out, &d);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<</A#20B (x\\(y\\)\\\\z\\n)/H <AB01>/R 12 0 R/L [-3 true null]>>"
        );
    }

    #[test]
    fn pdf_dates_round_trip_and_honour_offsets() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_780_000_000);
        let s = pdf_date(t).unwrap();
        assert_eq!(parse_pdf_date(s.as_bytes()), Some(t));
        assert_eq!(s, "D:20260528202640+00'00'");
        // 2026-05-28 20:26:40 UTC written as +02'00' local time, and as -05'30'
        assert_eq!(parse_pdf_date(b"D:20260528222640+02'00'"), Some(t));
        assert_eq!(parse_pdf_date(b"D:20260528145640-05'30'"), Some(t));
        assert_eq!(parse_pdf_date(b"D:2026xx"), None);
    }

    #[test]
    fn revision_ends_and_hex() {
        assert!(ends_revision(b"abc%%EOF\n", 9));
        assert!(ends_revision(b"abc%%EOF\r\nmore", 10));
        assert!(!ends_revision(b"abc%%EOF\nX", 10));
        assert!(!ends_revision(b"abc", 7));
        assert_eq!(decode_hex(b"0a F"), Some(vec![0x0a, 0xf0]));
        assert_eq!(decode_hex(b"0g"), None);
        assert_eq!(decode_text(&[0xFE, 0xFF, 0, b'Z', 0, 0xFC]), "Zü");
    }
}
