//! PAdES (ETSI EN 319 142-1) signatures on PDF documents: signing as an
//! incremental update and verification with modification analysis.

mod syntax;
mod verify;

use std::time::SystemTime;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use crate::cades::{CadesOptions, SigningTime, sign_detached_digest};
use crate::digest::Sha256Digest;
use crate::{Error, Signer, TimeStamper};
use syntax::{pdf_err, resolve_dict};

pub use verify::{
    Coverage, Modification, ModificationLevel, PadesLevel, PdfReport, SignatureReport, SignatureStatus,
    verify_pdf,
};

/// Default size reserved for the CMS in `/Contents`, in bytes (hex doubles it in the file).
pub const DEFAULT_CONTENTS_SIZE: usize = 16 * 1024;

/// DocMDP permissions of a certification signature (ISO 32000-1 §12.8.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum DocMdpPermission {
    /// P=1: no changes at all (except DSS and document time-stamps, ISO 32000-2).
    NoChanges,
    /// P=2: filling in forms, instantiating page templates and signing.
    FormFillingAndSigning,
    /// P=3: as P=2, plus annotations.
    Annotations,
}

impl DocMdpPermission {
    /// The `/P` value.
    pub fn p_value(self) -> i64 {
        match self {
            DocMdpPermission::NoChanges => 1,
            DocMdpPermission::FormFillingAndSigning => 2,
            DocMdpPermission::Annotations => 3,
        }
    }

    /// From the `/P` value 1, 2 or 3.
    pub fn from_p(p: i64) -> Option<Self> {
        match p {
            1 => Some(DocMdpPermission::NoChanges),
            2 => Some(DocMdpPermission::FormFillingAndSigning),
            3 => Some(DocMdpPermission::Annotations),
            _ => None,
        }
    }
}

/// Options for [`sign_pdf`].
///
/// ```
/// let options = egov_sign::PadesOptions::new()
///     .reason("Verfügung Baugesuch 2026-17")
///     .location("Musterdorf")
///     .field_name("Siegel");
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default)]
pub struct PadesOptions {
    field_name: Option<String>,
    reason: Option<String>,
    location: Option<String>,
    name: Option<String>,
    contact_info: Option<String>,
    time: Option<SystemTime>,
    certify: Option<DocMdpPermission>,
    contents_size: Option<usize>,
    visible: Option<(usize, [f32; 4])>,
}

impl PadesOptions {
    /// An approval signature, invisible, on page 1, `/M` = now, 16 KiB reserved for the CMS.
    pub fn new() -> Self {
        Self::default()
    }

    /// The name of the new signature field (default `Signature1`, `Signature2`, … the first free one).
    #[must_use]
    pub fn field_name(mut self, name: impl Into<String>) -> Self {
        self.field_name = Some(name.into());
        self
    }

    /// `/Reason`.
    #[must_use]
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// `/Location`.
    #[must_use]
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// `/Name` (PAdES: informational; the certificate names the signer).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// `/ContactInfo`.
    #[must_use]
    pub fn contact_info(mut self, contact: impl Into<String>) -> Self {
        self.contact_info = Some(contact.into());
        self
    }

    /// The claimed signing time in `/M` (default now). The certificate must be valid then.
    #[must_use]
    pub fn time(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// Makes this a certification (author) signature with DocMDP permissions `/P`.
    /// It must be the first signature of the document.
    #[must_use]
    pub fn certify(mut self, permission: DocMdpPermission) -> Self {
        self.certify = Some(permission);
        self
    }

    /// A visible signature on page `page` (1-based) in the rectangle `[x1, y1, x2, y2]` (PDF
    /// points from the lower left): a framed box with the signer's common name, the time (UTC)
    /// and the reason and location, in the standard Helvetica font.
    #[must_use]
    pub fn visible(mut self, page: usize, rect: [f32; 4]) -> Self {
        self.visible = Some((page, rect));
        self
    }

    /// Bytes reserved for the CMS (default [`DEFAULT_CONTENTS_SIZE`]; 30 000 for Swisscom AIS).
    #[must_use]
    pub fn contents_size(mut self, bytes: usize) -> Self {
        self.contents_size = Some(bytes);
        self
    }
}

/// Signs a PDF with PAdES baseline B-B and returns the signed file.
///
/// The original bytes are kept unchanged as the prefix of the result; the
/// signature is an incremental update (new objects, updated catalog/AcroForm/page,
/// a new cross-reference section of the same kind as the last one: table or
/// stream), so signatures already in the file stay valid. The new field is an
/// invisible widget (`/Rect [0 0 0 0]`) on page 1. The CMS is a detached
/// CAdES signature over the two byte ranges around `/Contents` with
/// content-type, message-digest and signing-certificate-v2 and **no**
/// signing-time (the time is in `/M`), `/SubFilter /ETSI.CAdES.detached`.
///
/// # Errors
/// [`Error::Pdf`] for a PDF that cannot be read or signed (encrypted, damaged
/// cross-reference data, no pages, a DocMDP P=1 certification already present,
/// certification requested on an already signed file, CMS larger than the
/// reserved space), and the errors of [`sign_detached_digest`].
pub async fn sign_pdf(signer: &dyn Signer, pdf: &[u8], options: &PadesOptions) -> Result<Vec<u8>, Error> {
    sign_pdf_inner(signer, None, pdf, options).await
}

/// Like [`sign_pdf`], at level **B-T**: the CMS gets an RFC 3161 signature time-stamp
/// (unsigned attribute id-aa-signatureTimeStampToken over the signature value) from `tsa`.
/// The token is checked before it is embedded (imprint, nonce, TSA signature,
/// id-kp-timeStamping).
///
/// # Errors
/// As [`sign_pdf`], and [`Error::TimeStamp`] when the TSA fails or answers wrongly.
pub async fn sign_pdf_timestamped(
    signer: &dyn Signer,
    tsa: &dyn TimeStamper,
    pdf: &[u8],
    options: &PadesOptions,
) -> Result<Vec<u8>, Error> {
    sign_pdf_inner(signer, Some(tsa), pdf, options).await
}

async fn sign_pdf_inner(
    signer: &dyn Signer,
    tsa: Option<&dyn TimeStamper>,
    pdf: &[u8],
    options: &PadesOptions,
) -> Result<Vec<u8>, Error> {
    let time = options.time.unwrap_or_else(SystemTime::now);
    let prepared = prepare(pdf, options, time, &signer.certificate().subject())?;
    let digest = Sha256Digest::from_bytes(crate::digest::sha256_parts(&[
        &prepared.bytes[..prepared.gap.0],
        &prepared.bytes[prepared.gap.1..],
    ]));
    let cert = signer.certificate();
    if time < cert.not_before() || time > cert.not_after() {
        return Err(Error::Signing(format!(
            "certificate {} is not valid at the signing time /M",
            cert.subject()
        )));
    }
    let cms = sign_detached_digest(
        signer,
        &digest,
        &CadesOptions::new().signing_time(SigningTime::Omit),
    )
    .await?;
    let cms = match tsa {
        Some(tsa) => {
            crate::tsp::add_signature_timestamp(&cms, tsa, &crate::VerifyOptions::new(Vec::new())).await?
        }
        None => cms,
    };
    prepared.fill(&cms)
}

/// A file with the signature dictionary written and `/Contents` still zero.
struct Prepared {
    bytes: Vec<u8>,
    /// `/Contents` hex string including `<` and `>`: start, end (exclusive).
    gap: (usize, usize),
}

impl Prepared {
    fn fill(mut self, cms: &[u8]) -> Result<Vec<u8>, Error> {
        let hex = syntax::hex_upper(cms);
        let room = self.gap.1 - self.gap.0 - 2;
        if hex.len() > room {
            return Err(pdf_err(format!(
                "the CMS needs {} bytes but only {} are reserved (raise PadesOptions::contents_size)",
                cms.len(),
                room / 2
            )));
        }
        self.bytes[self.gap.0 + 1..self.gap.0 + 1 + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

const BYTE_RANGE_WIDTH: usize = 48;

/// Loads `pdf`, checks it can be signed, and writes the incremental update with an empty `/Contents`.
fn prepare(pdf: &[u8], options: &PadesOptions, time: SystemTime, subject: &str) -> Result<Prepared, Error> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(pdf_err("the file does not start with %PDF-"));
    }
    let doc = Document::load_mem(pdf).map_err(|e| pdf_err(format!("cannot parse the PDF: {e}")))?;
    if doc.xref_recovery.is_some() {
        return Err(pdf_err(
            "the cross-reference data is damaged; repair the file (e.g. qpdf) before signing",
        ));
    }
    if doc.trailer.has(b"Encrypt") {
        return Err(pdf_err("encrypted PDFs are not supported"));
    }
    let prev = syntax::last_startxref(pdf)?;
    let classic = syntax::is_classic_xref(pdf, prev);
    let (root_id, catalog) = syntax::catalog(&doc)?;
    let page_id = match options.visible {
        Some((page, _)) if page >= 1 => syntax::nth_page(&doc, catalog, page)?,
        Some(_) => return Err(pdf_err("page numbers start at 1")),
        None => syntax::first_page(&doc, catalog)?,
    };

    // Existing fields and signatures.
    let acroform_obj = catalog.get(b"AcroForm").ok();
    let acroform = acroform_obj.and_then(|o| resolve_dict(&doc, o));
    let mut fields: Vec<Object> = acroform
        .and_then(|a| syntax::dict_get(&doc, a, b"Fields"))
        .and_then(|f| f.as_array().ok())
        .cloned()
        .unwrap_or_default();
    let sigs = verify::signature_fields(&doc);
    if let Some(perms) = catalog.get(b"Perms").ok().and_then(|p| resolve_dict(&doc, p))
        && let Some(mdp) = perms.get(b"DocMDP").ok()
        && verify::docmdp_of(&doc, mdp) == Some(DocMdpPermission::NoChanges)
    {
        return Err(pdf_err(
            "the document is certified with DocMDP P=1 (no changes allowed); it cannot be signed again",
        ));
    }
    if options.certify.is_some() && sigs.iter().any(|s| s.signed) {
        return Err(pdf_err(
            "a certification signature must be the first signature; the document is already signed",
        ));
    }
    let names: Vec<String> = sigs.iter().map(|s| s.name.clone()).collect();
    let field_name = match &options.field_name {
        Some(n) if names.contains(n) => return Err(pdf_err(format!("a field named {n:?} exists already"))),
        Some(n) => n.clone(),
        None => (1..)
            .map(|i| format!("Signature{i}"))
            .find(|n| !names.contains(n))
            .unwrap_or_else(|| "Signature".into()),
    };

    // New object numbers.
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
        .max(doc.max_id.saturating_add(1));
    let mut next = size;
    let mut alloc = || {
        let id = (next, 0u16);
        next += 1;
        id
    };
    let sig_id = alloc();
    let field_id = alloc();
    let ap_id = alloc();

    let mut objects: Vec<(ObjectId, Object)> = Vec::new();

    // The field merged with its widget annotation.
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", syntax::text_string(&field_name));
    field.set("V", Object::Reference(sig_id));
    field.set("F", Object::Integer(132)); // Print + Locked
    let (rect, stream) = match options.visible {
        Some((_, r)) => {
            let (x1, x2) = (r[0].min(r[2]), r[0].max(r[2]));
            let (y1, y2) = (r[1].min(r[3]), r[1].max(r[3]));
            if !r.iter().all(|v| v.is_finite()) || x2 - x1 < 1.0 || y2 - y1 < 1.0 {
                return Err(pdf_err("the visible signature rectangle is empty or not finite"));
            }
            let text = appearance_lines(subject, time, options)?;
            ([x1, y1, x2, y2], appearance_stream(x2 - x1, y2 - y1, &text))
        }
        None => ([0.0; 4], lopdf::Stream::new(form_dict(0.0, 0.0), Vec::new())),
    };
    field.set(
        "Rect",
        Object::Array(rect.iter().map(|v| Object::Real(*v)).collect()),
    );
    field.set("P", Object::Reference(page_id));
    let mut ap = Dictionary::new();
    ap.set("N", Object::Reference(ap_id));
    field.set("AP", Object::Dictionary(ap));
    objects.push((field_id, Object::Dictionary(field)));

    objects.push((ap_id, Object::Stream(stream)));

    // Page 1: add the widget to /Annots.
    let page = doc
        .objects
        .get(&page_id)
        .and_then(|o| o.as_dict().ok())
        .ok_or_else(|| pdf_err("page 1 is not a dictionary"))?;
    match page.get(b"Annots") {
        Ok(Object::Reference(annots_id)) => {
            let mut annots = doc
                .objects
                .get(annots_id)
                .and_then(|o| o.as_array().ok())
                .cloned()
                .ok_or_else(|| pdf_err("the /Annots of page 1 is not an array"))?;
            annots.push(Object::Reference(field_id));
            objects.push((*annots_id, Object::Array(annots)));
        }
        other => {
            let mut annots = match other {
                Ok(Object::Array(a)) => a.clone(),
                Ok(_) => return Err(pdf_err("the /Annots of page 1 is not an array")),
                Err(_) => Vec::new(),
            };
            annots.push(Object::Reference(field_id));
            let mut page = page.clone();
            page.set("Annots", Object::Array(annots));
            objects.push((page_id, Object::Dictionary(page)));
        }
    }

    // AcroForm: /Fields gets the new field, /SigFlags 3.
    fields.push(Object::Reference(field_id));
    let mut new_acroform = acroform.cloned().unwrap_or_default();
    new_acroform.set("Fields", Object::Array(fields));
    new_acroform.set("SigFlags", Object::Integer(3));
    let mut new_catalog = None;
    match acroform_obj {
        Some(Object::Reference(id)) if acroform.is_some() => {
            objects.push((*id, Object::Dictionary(new_acroform)));
        }
        _ => {
            let id = alloc();
            objects.push((id, Object::Dictionary(new_acroform)));
            let mut c = catalog.clone();
            c.set("AcroForm", Object::Reference(id));
            new_catalog = Some(c);
        }
    }
    if options.certify.is_some() {
        let mut c = new_catalog.unwrap_or_else(|| catalog.clone());
        let mut perms = Dictionary::new();
        perms.set("DocMDP", Object::Reference(sig_id));
        c.set("Perms", Object::Dictionary(perms));
        new_catalog = Some(c);
    }
    if let Some(c) = new_catalog {
        objects.push((root_id, Object::Dictionary(c)));
    }

    // The signature dictionary is written by hand so that /ByteRange and /Contents have known places.
    let contents_size = options.contents_size.unwrap_or(DEFAULT_CONTENTS_SIZE);
    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
    sig.set(
        "M",
        Object::String(syntax::pdf_date(time)?.into_bytes(), StringFormat::Literal),
    );
    for (key, value) in [
        ("Reason", &options.reason),
        ("Location", &options.location),
        ("Name", &options.name),
        ("ContactInfo", &options.contact_info),
    ] {
        if let Some(v) = value {
            sig.set(key, syntax::text_string(v));
        }
    }
    if let Some(p) = options.certify {
        let mut params = Dictionary::new();
        params.set("Type", Object::Name(b"TransformParams".to_vec()));
        params.set("P", Object::Integer(p.p_value()));
        params.set("V", Object::Name(b"1.2".to_vec()));
        let mut sigref = Dictionary::new();
        sigref.set("Type", Object::Name(b"SigRef".to_vec()));
        sigref.set("TransformMethod", Object::Name(b"DocMDP".to_vec()));
        sigref.set("TransformParams", Object::Dictionary(params));
        sig.set("Reference", Object::Array(vec![Object::Dictionary(sigref)]));
    }

    // Write the update.
    let mut out = pdf.to_vec();
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    let mut byte_range_at = 0;
    let mut gap = (0, 0);
    offsets.push((sig_id, out.len()));
    out.extend_from_slice(format!("{} {} obj\n", sig_id.0, sig_id.1).as_bytes());
    let mut body = Vec::new();
    syntax::write_dict(&mut body, &sig);
    // Replace the closing ">>" with /ByteRange and /Contents.
    body.truncate(body.len() - 2);
    out.extend_from_slice(&body);
    out.extend_from_slice(b"/ByteRange [");
    byte_range_at += out.len();
    out.extend_from_slice(&[b' '; BYTE_RANGE_WIDTH]);
    out.extend_from_slice(b"]/Contents ");
    gap.0 = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', contents_size * 2));
    out.push(b'>');
    gap.1 = out.len();
    out.extend_from_slice(b">>\nendobj\n");
    for (id, obj) in &objects {
        offsets.push((*id, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        syntax::write_object(&mut out, obj);
        out.extend_from_slice(b"\nendobj\n");
    }

    // Trailer entries carried over.
    let mut trailer = Dictionary::new();
    trailer.set("Root", Object::Reference(root_id));
    for key in [&b"Info"[..], b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key.to_vec(), v.clone());
        }
    }
    trailer.set(
        "Prev",
        Object::Integer(i64::try_from(prev).map_err(|_| pdf_err("file too large"))?),
    );
    let xref_at = out.len();
    if classic {
        trailer.set("Size", Object::Integer(i64::from(next)));
        write_xref_table(&mut out, &mut offsets);
        out.extend_from_slice(b"trailer\n");
        syntax::write_dict(&mut out, &trailer);
        out.push(b'\n');
    } else {
        let xref_id = (next, 0u16);
        offsets.push((xref_id, xref_at));
        trailer.set("Size", Object::Integer(i64::from(next) + 1));
        write_xref_stream(&mut out, &mut offsets, trailer, xref_id)?;
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());

    // Fill /ByteRange.
    let len = out.len();
    let ranges = format!("0 {} {} {}", gap.0, gap.1, len - gap.1);
    if ranges.len() > BYTE_RANGE_WIDTH {
        return Err(pdf_err("file too large for the /ByteRange placeholder"));
    }
    out[byte_range_at..byte_range_at + ranges.len()].copy_from_slice(ranges.as_bytes());
    Ok(Prepared { bytes: out, gap })
}

/// Sorted runs of consecutive object numbers: (first, entries).
fn subsections(offsets: &mut [(ObjectId, usize)]) -> Vec<(u32, Vec<(ObjectId, usize)>)> {
    offsets.sort_by_key(|(id, _)| id.0);
    let mut runs: Vec<(u32, Vec<(ObjectId, usize)>)> = Vec::new();
    for &(id, off) in offsets.iter() {
        match runs.last_mut() {
            Some((first, entries)) if *first + u32::try_from(entries.len()).unwrap_or(u32::MAX) == id.0 => {
                entries.push((id, off));
            }
            _ => runs.push((id.0, vec![(id, off)])),
        }
    }
    runs
}

fn write_xref_table(out: &mut Vec<u8>, offsets: &mut [(ObjectId, usize)]) {
    out.extend_from_slice(b"xref\n");
    for (first, entries) in subsections(offsets) {
        out.extend_from_slice(format!("{first} {}\n", entries.len()).as_bytes());
        for ((_, generation), off) in entries {
            out.extend_from_slice(format!("{off:010} {generation:05} n\r\n").as_bytes());
        }
    }
}

fn write_xref_stream(
    out: &mut Vec<u8>,
    offsets: &mut [(ObjectId, usize)],
    mut dict: Dictionary,
    xref_id: ObjectId,
) -> Result<(), Error> {
    let runs = subsections(offsets);
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (first, entries) in &runs {
        index.push(Object::Integer(i64::from(*first)));
        index.push(Object::Integer(i64::try_from(entries.len()).unwrap_or(i64::MAX)));
        for ((_, generation), off) in entries {
            let off = u32::try_from(*off).map_err(|_| pdf_err("file larger than 4 GiB"))?;
            data.push(1u8);
            data.extend_from_slice(&off.to_be_bytes());
            data.extend_from_slice(&generation.to_be_bytes());
        }
    }
    dict.set("Type", Object::Name(b"XRef".to_vec()));
    dict.set(
        "W",
        Object::Array(vec![Object::Integer(1), Object::Integer(4), Object::Integer(2)]),
    );
    dict.set("Index", Object::Array(index));
    out.extend_from_slice(format!("{} {} obj\n", xref_id.0, xref_id.1).as_bytes());
    syntax::write_object(out, &Object::Stream(lopdf::Stream::new(dict, data)));
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

fn form_dict(w: f32, h: f32) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"XObject".to_vec()));
    d.set("Subtype", Object::Name(b"Form".to_vec()));
    d.set(
        "BBox",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(0),
            Object::Real(w),
            Object::Real(h),
        ]),
    );
    d
}

/// The text of a visible signature: common name (or whole subject), time, reason, location.
fn appearance_lines(subject: &str, time: SystemTime, options: &PadesOptions) -> Result<Vec<String>, Error> {
    let name = subject
        .split(',')
        .find_map(|rdn| rdn.strip_prefix("CN="))
        .unwrap_or(subject)
        .to_string();
    let dt = der::DateTime::from_system_time(time).map_err(|e| pdf_err(format!("signing time: {e}")))?;
    let mut lines = vec![
        name,
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minutes(),
            dt.seconds()
        ),
    ];
    lines.extend(options.reason.clone());
    lines.extend(options.location.clone());
    Ok(lines)
}

/// A framed box with the lines in Helvetica (WinAnsiEncoding; other characters become `?`).
fn appearance_stream(w: f32, h: f32, lines: &[String]) -> lopdf::Stream {
    let count = f32::from(u16::try_from(lines.len()).unwrap_or(u16::MAX));
    let size = ((h - 6.0) / (count * 1.25)).clamp(1.0, 10.0);
    let mut c = format!(
        "q 0.96 0.96 0.96 rg 0 0 {w} {h} re f 0.3 0.3 0.3 RG 0.75 w 0.5 0.5 {} {} re S Q\n\
         BT 0 0 0 rg /Helv {size} Tf {} TL 4 {} Td\n",
        w - 1.0,
        h - 1.0,
        size * 1.25,
        h - 3.0 - size
    )
    .into_bytes();
    for line in lines {
        let bytes: Vec<u8> = line
            .chars()
            .map(|ch| match u8::try_from(u32::from(ch)) {
                Ok(b) if !(0x80..0xA0).contains(&b) && b >= 0x20 => b,
                _ => b'?',
            })
            .collect();
        syntax::write_literal(&mut c, &bytes);
        c.extend_from_slice(b" Tj T*\n");
    }
    c.extend_from_slice(b"ET");
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let mut fonts = Dictionary::new();
    fonts.set("Helv", Object::Dictionary(font));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let mut dict = form_dict(w, h);
    dict.set("Resources", Object::Dictionary(resources));
    lopdf::Stream::new(dict, c)
}
