//! Verifying PAdES signatures: ByteRange checks, CMS, and analysis of later incremental updates.

use std::collections::HashSet;
use std::time::SystemTime;

use der::{Decode, Reader};
use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

use super::DocMdpPermission;
use super::syntax::{self, dict_get, name_of, pdf_err, resolve_dict};
use crate::verify::verify_parts;
use crate::{Error, Trust, VerifyOptions};

/// Most modification entries listed per signature (the verdict counts all of them).
const MAX_LISTED_MODIFICATIONS: usize = 64;

/// The verdict on one signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignatureStatus {
    /// Intact, cryptographically valid, chained to an anchor (if anchors were given), no illegal later changes.
    Valid,
    /// Proven wrong: the content, the signature or the structure was tampered with.
    Invalid(String),
    /// Cannot be decided: no path to a trust anchor, an unsupported algorithm or format.
    Indeterminate(String),
}

impl SignatureStatus {
    /// Whether this is [`SignatureStatus::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, SignatureStatus::Valid)
    }
}

/// The PAdES baseline level a signature reaches (ETSI EN 319 142-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PadesLevel {
    /// `adbe.pkcs7.detached` or a CAdES signature without the B-B attributes: not PAdES.
    #[serde(rename = "none")]
    NotPades,
    /// B-B: `ETSI.CAdES.detached` with signing-certificate-v2.
    #[serde(rename = "B-B")]
    BB,
    /// B-T: plus a verified signature time-stamp.
    #[serde(rename = "B-T")]
    BT,
    /// B-LT: plus a DSS with validation data.
    #[serde(rename = "B-LT")]
    BLt,
    /// B-LTA: plus a document time-stamp after the DSS.
    #[serde(rename = "B-LTA")]
    BLta,
}

impl PadesLevel {
    /// The level's name as in reports: `B-B`, `B-T`, `B-LT`, `B-LTA`, or `none`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotPades => "none",
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLt => "B-LT",
            Self::BLta => "B-LTA",
        }
    }
}

impl std::fmt::Display for PadesLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Coverage {
    /// `whole_file` or `earlier_revision`, as in reports.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WholeFile => "whole_file",
            Self::EarlierRevision => "earlier_revision",
        }
    }
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the file a signature covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Coverage {
    /// The whole file except `/Contents`.
    WholeFile,
    /// An earlier revision; incremental updates were appended after signing.
    EarlierRevision,
}

/// How the updates after a signature are judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModificationLevel {
    /// No later updates.
    None,
    /// Only signature maintenance: new signature fields and dictionaries, AcroForm, DSS, document info.
    Allowed,
    /// Something that can change what the document shows or says.
    Illegal,
}

impl ModificationLevel {
    /// `none`, `allowed` or `illegal`, as in reports.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Allowed => "allowed",
            Self::Illegal => "illegal",
        }
    }
}

impl std::fmt::Display for ModificationLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object changed by a later update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Modification {
    /// Object number.
    pub object: u32,
    /// Generation number.
    pub generation: u16,
    /// What changed.
    pub what: String,
    /// Whether the change is allowed after this signature.
    pub allowed: bool,
}

/// What was established about one signature field.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct SignatureReport {
    /// The field name (`/T`).
    pub field: String,
    /// The verdict.
    #[serde(flatten)]
    pub status: SignatureStatus,
    /// `/SubFilter`, e.g. `ETSI.CAdES.detached`.
    pub sub_filter: Option<String>,
    /// The signer certificate's subject (RFC 4514), when the CMS could be read.
    pub signer_subject: Option<String>,
    /// The signer certificate's issuer.
    pub signer_issuer: Option<String>,
    /// The claimed signing time from `/M`, RFC 3339 UTC (the signer's clock, not a trusted time).
    pub signing_time: Option<String>,
    /// The verified signature time-stamp's time (B-T), RFC 3339 UTC: the signature existed then.
    pub timestamp: Option<String>,
    /// Subject of the time-stamp authority's certificate.
    pub timestamp_authority: Option<String>,
    /// Level reached (when the signature is intact).
    pub level: Option<PadesLevel>,
    /// `/ByteRange` as found.
    pub byte_range: Option<[u64; 4]>,
    /// What the signature covers.
    pub coverage: Option<Coverage>,
    /// Verdict on the later incremental updates.
    pub modification_level: ModificationLevel,
    /// The changed objects of later updates.
    pub modifications: Vec<Modification>,
    /// DocMDP permission if this is a certification signature.
    pub certification: Option<DocMdpPermission>,
    /// Certificate path, signer first, anchor last (empty when not checked).
    pub trust_path: Vec<String>,
}

/// The result of [`verify_pdf`].
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct PdfReport {
    /// One entry per signed signature field, in field order.
    pub signatures: Vec<SignatureReport>,
    /// Number of revisions (`%%EOF` markers ending an update) in the file.
    pub revisions: usize,
}

impl PdfReport {
    /// Whether there is at least one signature and every signature is valid.
    pub fn all_valid(&self) -> bool {
        !self.signatures.is_empty() && self.signatures.iter().all(|s| s.status.is_valid())
    }
}

/// A signature field found in the AcroForm.
pub(crate) struct SigField {
    pub(crate) name: String,
    pub(crate) field_id: Option<ObjectId>,
    /// `/V` as found (a reference or an inline dictionary).
    pub(crate) value: Option<Object>,
    pub(crate) signed: bool,
}

/// All signature fields of the AcroForm (terminal fields with `/FT /Sig`, inherited), bounded walk.
pub(crate) fn signature_fields(doc: &Document) -> Vec<SigField> {
    let mut out = Vec::new();
    let Ok((_, catalog)) = syntax::catalog(doc) else {
        return out;
    };
    let Some(acroform) = catalog.get(b"AcroForm").ok().and_then(|a| resolve_dict(doc, a)) else {
        return out;
    };
    let Some(fields) = dict_get(doc, acroform, b"Fields").and_then(|f| f.as_array().ok()) else {
        return out;
    };
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Object, usize, bool, String)> = fields
        .iter()
        .rev()
        .map(|f| (f, 0, false, String::new()))
        .collect();
    while let Some((obj, depth, inherited_sig, prefix)) = stack.pop() {
        if depth > syntax::MAX_TREE_DEPTH {
            continue;
        }
        let id = obj.as_reference().ok();
        if let Some(id) = id
            && !seen.insert(id)
        {
            continue;
        }
        let Some(dict) = resolve_dict(doc, obj) else {
            continue;
        };
        let is_sig = match name_of(doc, dict, b"FT") {
            Some(ft) => ft == b"Sig",
            None => inherited_sig,
        };
        let own = dict_get(doc, dict, b"T")
            .and_then(|t| t.as_str().ok())
            .map(syntax::decode_text);
        let name = match (&own, prefix.is_empty()) {
            (Some(o), true) => o.clone(),
            (Some(o), false) => format!("{prefix}.{o}"),
            (None, _) => prefix.clone(),
        };
        if let Some(kids) = dict_get(doc, dict, b"Kids").and_then(|k| k.as_array().ok())
            && kids
                .iter()
                .any(|k| resolve_dict(doc, k).is_some_and(|d| d.has(b"T")))
        {
            for k in kids.iter().rev() {
                stack.push((k, depth + 1, is_sig, name.clone()));
            }
            continue;
        }
        if is_sig {
            let value = dict
                .get(b"V")
                .ok()
                .filter(|v| !matches!(v, Object::Null))
                .cloned();
            out.push(SigField {
                name,
                field_id: id,
                signed: value.is_some(),
                value,
            });
        }
    }
    out
}

/// The DocMDP permission of a signature dictionary, if it is a certification signature.
pub(crate) fn docmdp_of(doc: &Document, sig: &Object) -> Option<DocMdpPermission> {
    let sig = resolve_dict(doc, sig)?;
    let refs = dict_get(doc, sig, b"Reference")?.as_array().ok()?;
    refs.iter().filter_map(|r| resolve_dict(doc, r)).find_map(|r| {
        if name_of(doc, r, b"TransformMethod") != Some(b"DocMDP") {
            return None;
        }
        let p = dict_get(doc, r, b"TransformParams")
            .and_then(|p| p.as_dict().ok())
            .and_then(|p| dict_get(doc, p, b"P"))
            .and_then(|p| p.as_i64().ok())
            .unwrap_or(2);
        DocMdpPermission::from_p(p)
    })
}

/// Verifies every signature of a PDF.
///
/// Per signed field: `/ByteRange` well-formed (starts at 0, the gap is exactly
/// the `/Contents` hex string of this signature dictionary, ends inside the
/// file at the end of a revision), the CMS (digest over the ranges, signature
/// value, signing-certificate-v2, key usage, chain to the anchors of
/// `options`), and, when updates were appended after signing, a comparison of
/// the signed revision with the final document: only signature maintenance
/// (new signature fields and widgets, AcroForm, DSS, document information) is
/// allowed; anything else (page content, page tree, other annotations, catalog
/// entries, replaced objects) makes the signature invalid.
///
/// Problems with one signature go into its [`SignatureReport`]; an error is
/// returned only when the file cannot be read as a PDF at all.
///
/// # Errors
/// [`Error::Pdf`] when the file cannot be parsed.
///
/// ```no_run
/// # fn demo(pdf: &[u8], root_pem: &[u8]) -> Result<(), egov_sign::Error> {
/// let options = egov_sign::VerifyOptions::new(egov_sign::Certificate::chain_from_pem(root_pem)?);
/// let report = egov_sign::verify_pdf(pdf, &options)?;
/// assert!(report.all_valid());
/// # Ok(()) }
/// ```
pub fn verify_pdf(pdf: &[u8], options: &VerifyOptions) -> Result<PdfReport, Error> {
    let doc = Document::load_mem(pdf).map_err(|e| pdf_err(format!("cannot parse the PDF: {e}")))?;
    let revisions = pdf
        .windows(5)
        .enumerate()
        .filter(|(i, w)| *w == b"%%EOF" && syntax::ends_revision(pdf, trailing_eol(pdf, i + 5)))
        .count();
    let signatures = signature_fields(&doc)
        .into_iter()
        .filter(|f| f.signed)
        .map(|f| verify_field(pdf, &doc, &f, options))
        .collect();
    Ok(PdfReport {
        signatures,
        revisions,
    })
}

fn trailing_eol(pdf: &[u8], mut end: usize) -> usize {
    for _ in 0..2 {
        if matches!(pdf.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
    }
    end
}

fn rfc3339(t: SystemTime) -> Option<String> {
    let dt = der::DateTime::from_system_time(t).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds()
    ))
}

fn verify_field(pdf: &[u8], doc: &Document, field: &SigField, options: &VerifyOptions) -> SignatureReport {
    let mut report = SignatureReport {
        field: field.name.clone(),
        status: SignatureStatus::Valid,
        sub_filter: None,
        signer_subject: None,
        signer_issuer: None,
        signing_time: None,
        timestamp: None,
        timestamp_authority: None,
        level: None,
        byte_range: None,
        coverage: None,
        modification_level: ModificationLevel::None,
        modifications: Vec::new(),
        certification: None,
        trust_path: Vec::new(),
    };
    if let Err(status) = check_field(pdf, doc, field, options, &mut report) {
        report.status = status;
    }
    report
}

fn invalid(reason: impl Into<String>) -> SignatureStatus {
    SignatureStatus::Invalid(reason.into())
}

fn check_field(
    pdf: &[u8],
    doc: &Document,
    field: &SigField,
    options: &VerifyOptions,
    report: &mut SignatureReport,
) -> Result<(), SignatureStatus> {
    let value = field
        .value
        .as_ref()
        .ok_or_else(|| invalid("the field has no /V"))?;
    let sig = resolve_dict(doc, value).ok_or_else(|| invalid("/V is not a signature dictionary"))?;
    // The object whose bytes hold /Contents: the signature dictionary, or the field for an inline /V.
    let holder = match value {
        Object::Reference(id) => Some(*id),
        _ => field.field_id,
    };
    report.sub_filter = name_of(doc, sig, b"SubFilter").map(|s| String::from_utf8_lossy(s).into_owned());
    report.signing_time = dict_get(doc, sig, b"M")
        .and_then(|m| m.as_str().ok())
        .and_then(syntax::parse_pdf_date)
        .and_then(rfc3339);
    report.certification = docmdp_of(doc, value);

    // /Contents
    let contents = match sig.get(b"Contents") {
        Ok(Object::String(s, _)) if !s.is_empty() => s.clone(),
        Ok(Object::String(..)) => return Err(invalid("/Contents is empty")),
        Ok(_) => return Err(invalid("/Contents is not a string")),
        Err(_) => return Err(invalid("/Contents is missing")),
    };
    // /ByteRange
    let br = match sig.get(b"ByteRange") {
        Ok(Object::Array(a)) if a.len() == 4 => {
            let mut v = [0u64; 4];
            for (slot, item) in v.iter_mut().zip(a) {
                *slot = item
                    .as_i64()
                    .ok()
                    .and_then(|i| u64::try_from(i).ok())
                    .ok_or_else(|| invalid("/ByteRange holds a value that is not a non-negative integer"))?;
            }
            v
        }
        Ok(_) => return Err(invalid("/ByteRange is not an array of four integers")),
        Err(_) => return Err(invalid("/ByteRange is missing")),
    };
    report.byte_range = Some(br);
    let to_usize = |v: u64| usize::try_from(v).map_err(|_| invalid("/ByteRange value too large"));
    let (a, b, c, d) = (
        to_usize(br[0])?,
        to_usize(br[1])?,
        to_usize(br[2])?,
        to_usize(br[3])?,
    );
    if a != 0 {
        return Err(invalid("/ByteRange does not start at byte 0"));
    }
    let end = c.checked_add(d).ok_or_else(|| invalid("/ByteRange overflows"))?;
    if b == 0 || c <= b || end > pdf.len() {
        return Err(invalid(format!(
            "/ByteRange [{a} {b} {c} {d}] overlaps or lies outside the file of {} bytes",
            pdf.len()
        )));
    }
    check_gap(pdf, doc, holder, b, c, &contents)?;
    report.coverage = Some(if end == pdf.len() {
        Coverage::WholeFile
    } else {
        Coverage::EarlierRevision
    });
    if end != pdf.len() && !syntax::ends_revision(pdf, end) {
        return Err(invalid(
            "the signed range does not end at the end of a revision (%%EOF)",
        ));
    }

    // CMS
    let p7s = der_prefix(&contents)?;
    let mut cms_options = options.clone();
    match report.sub_filter.as_deref() {
        Some("ETSI.CAdES.detached") => {}
        Some("adbe.pkcs7.detached") => cms_options = cms_options.allow_missing_signing_certificate(),
        other => {
            return Err(SignatureStatus::Indeterminate(format!(
                "unsupported /SubFilter {}",
                other.unwrap_or("(none)")
            )));
        }
    }
    let cms = verify_parts(p7s, &[&pdf[..b], &pdf[c..end]], &cms_options).map_err(|e| match e {
        Error::Untrusted { .. } | Error::UnsupportedAlgorithm { .. } => {
            SignatureStatus::Indeterminate(e.to_string())
        }
        other => invalid(other.to_string()),
    })?;
    let Some(signer) = cms.signers.first() else {
        return Err(invalid("the CMS has no signer"));
    };
    report.signer_subject = Some(signer.certificate.subject());
    report.signer_issuer = Some(signer.certificate.issuer());
    if let Some(ts) = &signer.signature_timestamp {
        report.timestamp = rfc3339(ts.time);
        report.timestamp_authority = Some(ts.tsa.subject());
    }
    if let Trust::Anchored { path } = &signer.trust {
        report.trust_path.clone_from(path);
    }
    let pades = report.sub_filter.as_deref() == Some("ETSI.CAdES.detached");
    report.level = Some(if pades && signer.signing_certificate_v2 {
        if signer.signature_timestamp.is_some() {
            PadesLevel::BT
        } else {
            PadesLevel::BB
        }
    } else {
        PadesLevel::NotPades
    });
    if pades && signer.claimed_signing_time.is_some() {
        return Err(invalid(
            "PAdES forbids the signing-time attribute (the time belongs in /M)",
        ));
    }

    // Later updates.
    if end != pdf.len() {
        let old = Document::load_mem(&pdf[..end])
            .map_err(|e| invalid(format!("the signed revision cannot be parsed: {e}")))?;
        let mods = analyse(&old, doc, report.certification);
        let illegal: Vec<String> = mods
            .iter()
            .filter(|m| !m.allowed)
            .map(|m| format!("object {} {}: {}", m.object, m.generation, m.what))
            .collect();
        report.modification_level = if illegal.is_empty() {
            ModificationLevel::Allowed
        } else {
            ModificationLevel::Illegal
        };
        report.modifications = mods.into_iter().take(MAX_LISTED_MODIFICATIONS).collect();
        if !illegal.is_empty() {
            return Err(invalid(format!(
                "illegal modifications after signing: {}",
                illegal.into_iter().take(5).collect::<Vec<_>>().join("; ")
            )));
        }
    }
    Ok(())
}

/// The gap must be exactly the `/Contents` hex string of the signature dictionary's own object.
fn check_gap(
    pdf: &[u8],
    doc: &Document,
    holder: Option<ObjectId>,
    b: usize,
    c: usize,
    contents: &[u8],
) -> Result<(), SignatureStatus> {
    let gap = &pdf[b..c];
    let inner = gap
        .strip_prefix(b"<")
        .and_then(|g| g.strip_suffix(b">"))
        .ok_or_else(|| invalid("the /ByteRange gap is not a hex string <...>"))?;
    let decoded =
        syntax::decode_hex(inner).ok_or_else(|| invalid("the /ByteRange gap is not hexadecimal"))?;
    if decoded != contents {
        return Err(invalid(
            "the /ByteRange gap is not the /Contents of this signature (signature wrapping)",
        ));
    }
    let before = pdf[..b].trim_ascii_end();
    if !before.ends_with(b"/Contents") {
        return Err(invalid("the /ByteRange gap is not preceded by /Contents"));
    }
    let id = holder.ok_or_else(|| invalid("the signature dictionary is not in an indirect object"))?;
    let offset = match doc.reference_table.get(id.0) {
        Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => usize::try_from(*offset).unwrap_or(usize::MAX),
        _ => return Err(invalid("the signature dictionary must be an uncompressed object")),
    };
    let header = format!("{} {} obj", id.0, id.1);
    let in_object = offset < b
        && pdf
            .get(offset..)
            .is_some_and(|s| s.starts_with(header.as_bytes()))
        && !pdf[offset..b].windows(6).any(|w| w == b"endobj");
    if !in_object {
        return Err(invalid(
            "the /ByteRange gap lies outside the signature dictionary's object (signature wrapping)",
        ));
    }
    Ok(())
}

/// The DER ContentInfo at the start of `/Contents`; the rest must be zero padding.
fn der_prefix(contents: &[u8]) -> Result<&[u8], SignatureStatus> {
    let bad = |e: der::Error| invalid(format!("/Contents is not a DER CMS: {e}"));
    let mut reader = der::SliceReader::new(contents).map_err(bad)?;
    let _ = der::Any::decode(&mut reader).map_err(bad)?;
    let used = usize::try_from(reader.position()).map_err(|_| invalid("/Contents too large"))?;
    let (cms, rest) = contents.split_at(used);
    if rest.iter().any(|&b| b != 0) {
        return Err(invalid("/Contents has data after the CMS"));
    }
    Ok(cms)
}

/// Catalog entries a later update may change: signature maintenance, and `/Version` (pyHanko
/// raises it when it adds a signature).
const CATALOG_ALLOWED: [&[u8]; 5] = [b"AcroForm", b"DSS", b"Perms", b"Extensions", b"Version"];
const ACROFORM_ALLOWED: [&[u8]; 4] = [b"Fields", b"SigFlags", b"DR", b"DA"];

fn without<'a>(d: &'a Dictionary, keys: &[&[u8]]) -> Vec<(&'a Vec<u8>, &'a Object)> {
    d.iter().filter(|(k, _)| !keys.contains(&k.as_slice())).collect()
}

fn is_sig_field(doc: &Document, obj: &Object) -> bool {
    let Some(d) = resolve_dict(doc, obj) else {
        return false;
    };
    if name_of(doc, d, b"FT") == Some(b"Sig") {
        return true;
    }
    // A widget whose parent field is a signature field.
    d.get(b"Parent")
        .ok()
        .and_then(|p| resolve_dict(doc, p))
        .is_some_and(|p| name_of(doc, p, b"FT") == Some(b"Sig"))
}

/// Checks that `new` keeps every entry of `old` and adds only signature fields/widgets.
fn only_sig_additions(old: &[Object], new: &[Object], new_doc: &Document) -> Result<(), String> {
    if !old.iter().all(|o| new.contains(o)) {
        return Err("entries were removed".into());
    }
    match new.iter().find(|n| !old.contains(n) && !is_sig_field(new_doc, n)) {
        Some(bad) => Err(format!(
            "an entry that is not a signature field was added ({bad:?})"
        )),
        None => Ok(()),
    }
}

fn array_of<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Vec<Object> {
    dict_get(doc, d, key)
        .and_then(|a| a.as_array().ok())
        .cloned()
        .unwrap_or_default()
}

/// Compares the signed revision with the final document.
fn analyse(old: &Document, new: &Document, certification: Option<DocMdpPermission>) -> Vec<Modification> {
    let mut mods = Vec::new();
    let mut push = |id: ObjectId, what: String, allowed: bool| {
        mods.push(Modification {
            object: id.0,
            generation: id.1,
            what,
            allowed,
        });
    };
    let (Ok((old_root, old_cat)), Ok((new_root, new_cat))) = (syntax::catalog(old), syntax::catalog(new))
    else {
        push((0, 0), "the catalog cannot be read".into(), false);
        return mods;
    };
    let mut handled: HashSet<ObjectId> = HashSet::new();
    handled.insert(new_root);

    // Catalog.
    if old_cat != new_cat {
        let changed: Vec<String> = old_cat
            .iter()
            .chain(new_cat.iter())
            .map(|(k, _)| k)
            .filter(|k| !CATALOG_ALLOWED.contains(&k.as_slice()))
            .filter(|k| old_cat.get(k).ok() != new_cat.get(k).ok())
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if changed.is_empty() {
            push(
                new_root,
                "catalog: AcroForm/DSS/Perms/Extensions updated".into(),
                true,
            );
        } else {
            push(
                new_root,
                format!("catalog entries changed: {}", changed.join(", ")),
                false,
            );
        }
        if old_root != new_root {
            push(new_root, "the catalog was replaced by a new object".into(), false);
        }
    }
    if certification == Some(DocMdpPermission::NoChanges) {
        push(
            new_root,
            "the document is certified with DocMDP P=1: no changes allowed".into(),
            false,
        );
    }

    // AcroForm (inline or indirect).
    let old_form = old_cat.get(b"AcroForm").ok().and_then(|a| resolve_dict(old, a));
    let new_form_obj = new_cat.get(b"AcroForm").ok();
    let new_form = new_form_obj.and_then(|a| resolve_dict(new, a));
    if let Some(Object::Reference(id)) = new_form_obj {
        handled.insert(*id);
    }
    if let Ok(Object::Reference(id)) = old_cat.get(b"AcroForm") {
        handled.insert(*id);
    }
    for form in [old_form, new_form].into_iter().flatten() {
        if let Ok(Object::Reference(id)) = form.get(b"Fields") {
            handled.insert(*id);
        }
    }
    let form_id = match new_form_obj {
        Some(Object::Reference(id)) => *id,
        _ => new_root,
    };
    if old_form != new_form {
        let empty = Dictionary::new();
        let (of, nf) = (old_form.unwrap_or(&empty), new_form.unwrap_or(&empty));
        let other_keys = without(of, &ACROFORM_ALLOWED) != without(nf, &ACROFORM_ALLOWED);
        let fields = only_sig_additions(&array_of(old, of, b"Fields"), &array_of(new, nf, b"Fields"), new);
        match (other_keys, fields) {
            (false, Ok(())) => push(form_id, "AcroForm: signature fields added".into(), true),
            (true, _) => push(
                form_id,
                "AcroForm entries other than the fields changed".into(),
                false,
            ),
            (false, Err(e)) => push(form_id, format!("AcroForm /Fields: {e}"), false),
        }
    }

    // Objects that pages use for /Annots.
    let mut annots_arrays: HashSet<ObjectId> = HashSet::new();
    for obj in old.objects.values() {
        if let Ok(d) = obj.as_dict()
            && name_of(old, d, b"Type") == Some(b"Page")
            && let Ok(Object::Reference(id)) = d.get(b"Annots")
        {
            annots_arrays.insert(*id);
        }
    }
    let info = old.trailer.get(b"Info").and_then(Object::as_reference).ok();

    for (id, old_obj) in &old.objects {
        if handled.contains(id) {
            continue;
        }
        let Some(new_obj) = new.objects.get(id) else {
            push(*id, "object deleted".into(), false);
            continue;
        };
        if old_obj == new_obj {
            continue;
        }
        let (what, allowed) = classify(old, new, *id, old_obj, new_obj, &annots_arrays, info);
        push(*id, what, allowed);
    }
    mods
}

fn classify(
    old: &Document,
    new: &Document,
    id: ObjectId,
    old_obj: &Object,
    new_obj: &Object,
    annots_arrays: &HashSet<ObjectId>,
    info: Option<ObjectId>,
) -> (String, bool) {
    if Some(id) == info {
        return ("document information dictionary updated".into(), true);
    }
    if annots_arrays.contains(&id) {
        return match (old_obj.as_array(), new_obj.as_array()) {
            (Ok(o), Ok(n)) => match only_sig_additions(o, n, new) {
                Ok(()) => ("page annotations: signature widget added".into(), true),
                Err(e) => (format!("page annotations: {e}"), false),
            },
            _ => ("page annotations array replaced".into(), false),
        };
    }
    let (Ok(od), Ok(nd)) = (old_obj.as_dict(), new_obj.as_dict()) else {
        let kind = match old_obj {
            Object::Stream(s) if s.dict.has(b"Subtype") || s.dict.has(b"Type") => "stream (XObject, font, …)",
            Object::Stream(_) => "stream (e.g. page content)",
            _ => "object",
        };
        return (format!("{kind} replaced"), false);
    };
    match name_of(old, od, b"Type") {
        Some(b"Page") => {
            if without(od, &[b"Annots"]) != without(nd, &[b"Annots"]) {
                return (
                    "page dictionary changed (content, resources or size)".into(),
                    false,
                );
            }
            match only_sig_additions(&array_of(old, od, b"Annots"), &array_of(new, nd, b"Annots"), new) {
                Ok(()) => ("page: signature widget added".into(), true),
                Err(e) => (format!("page annotations: {e}"), false),
            }
        }
        Some(b"Pages") => ("page tree changed".into(), false),
        Some(b"Annot") | None if name_of(old, od, b"FT") == Some(b"Sig") && !od.has(b"V") => {
            // An empty signature field being signed: only /V (and its appearance) may come in.
            if without(od, &[b"V", b"AP"]) == without(nd, &[b"V", b"AP"]) {
                ("empty signature field signed".into(), true)
            } else {
                ("signature field changed".into(), false)
            }
        }
        Some(b"Annot") => ("annotation changed".into(), false),
        Some(b"Sig") => ("an existing signature dictionary was replaced".into(), false),
        _ => (
            "an object of the signed revision was replaced (hide-and-replace)".into(),
            false,
        ),
    }
}

#[cfg(test)]
mod names {
    use super::{Coverage, ModificationLevel, PadesLevel};

    #[test]
    fn text_names_are_the_report_names() {
        let json = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        for l in [
            PadesLevel::NotPades,
            PadesLevel::BB,
            PadesLevel::BT,
            PadesLevel::BLt,
            PadesLevel::BLta,
        ] {
            assert_eq!(l.to_string(), json(serde_json::to_value(l).unwrap()));
        }
        for c in [Coverage::WholeFile, Coverage::EarlierRevision] {
            assert_eq!(c.to_string(), json(serde_json::to_value(c).unwrap()));
        }
        for m in [
            ModificationLevel::None,
            ModificationLevel::Allowed,
            ModificationLevel::Illegal,
        ] {
            assert_eq!(m.to_string(), json(serde_json::to_value(m).unwrap()));
        }
    }
}
