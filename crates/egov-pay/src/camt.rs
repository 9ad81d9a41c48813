//! ISO 20022 bank-to-customer messages: a streaming reader for **camt.053** (statement) and
//! **camt.054** (debit/credit notification), versions **001.04** (Swiss Payment Standards 2009,
//! accepted until November 2026) and **001.08** (SPS 2022+), including the Swiss `.ch.NN`
//! namespaces.
//!
//! [`CamtReader`] reads the document event by event with `quick-xml` and yields one [`Entry`]
//! (`Ntry`) at a time: it never builds a tree, so memory is bounded by one entry however large
//! the file. Names are matched by namespace and local name, so `<Ntry>` in the default
//! namespace and `<ns2:Ntry>` read the same; elements of other namespaces are skipped.
//!
//! Hostile input: a `<!DOCTYPE>` is refused (no DTD, no entities beyond the five predefined
//! ones and character references), and [`Limits`] caps the nesting depth, the length of a
//! text and the transactions of one entry. Every error says where: the element path and the
//! byte offset.
//!
//! ```
//! use egov_pay::camt::{CamtReader, CreditDebit, RemittanceReference};
//!
//! let xml = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
//!   <BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId></GrpHdr><Ntfctn><Id>N1</Id>
//!     <Acct><Id><IBAN>CH4431999123000889012</IBAN></Id></Acct>
//!     <Ntry><Amt Ccy="CHF">1949.75</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
//!       <BookgDt><Dt>2026-01-15</Dt></BookgDt><AcctSvcrRef>E1</AcctSvcrRef>
//!       <NtryDtls><TxDtls><Amt Ccy="CHF">1949.75</Amt><CdtDbtInd>CRDT</CdtDbtInd>
//!         <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>QRR</Prtry></CdOrPrtry></Tp>
//!           <Ref>210000000003139471430009017</Ref></CdtrRefInf></Strd></RmtInf>
//!       </TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#;
//!
//! let entries = CamtReader::new(xml.as_bytes()).collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(entries.len(), 1);
//! let entry = &entries[0];
//! assert_eq!(entry.direction, CreditDebit::Credit);
//! assert_eq!(entry.amount.value.to_string(), "1949.75");
//! let tx = &entry.transactions[0];
//! assert!(matches!(tx.reference, Some(RemittanceReference::Qr(_))));
//! # Ok::<(), egov_pay::camt::CamtError>(())
//! ```

use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use egov_core::{CreditorReference, Iban, QrReference};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use rust_decimal::Decimal;
use serde::Serialize;

/// Why a camt document could not be read. Every variant that concerns the document says
/// where: the element path (`Document/BkToCstmrStmt/Stmt/Ntry/Amt`) and the byte offset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CamtError {
    /// The file could not be opened or read.
    #[error("cannot read the camt document: {0}")]
    Io(#[from] std::io::Error),
    /// The XML is not well-formed (or not UTF-8).
    #[error("malformed XML at {path} (byte {offset}): {message}")]
    Xml {
        /// The element path where the error occurred.
        path: String,
        /// The byte offset.
        offset: u64,
        /// What the XML parser reported.
        message: String,
    },
    /// The document has a `<!DOCTYPE>`; bank files never do, and DTDs are refused.
    #[error("the document has a DOCTYPE declaration (byte {offset}); DTDs and entities are refused")]
    Doctype {
        /// The byte offset.
        offset: u64,
    },
    /// An entity reference other than the five predefined ones.
    #[error("unknown entity &{entity}; at {path} (byte {offset})")]
    UnknownEntity {
        /// The element path.
        path: String,
        /// The byte offset.
        offset: u64,
        /// The entity name.
        entity: String,
    },
    /// The root element is not a camt.053 or camt.054 `Document`.
    #[error("not a camt.053 or camt.054 document: root <{root}> in namespace {namespace:?}")]
    NotCamt {
        /// The local name of the root element.
        root: String,
        /// Its namespace, if any.
        namespace: Option<String>,
    },
    /// A camt.053/054 in a version this reader does not support (only 001.04 and 001.08).
    #[error(
        "unsupported camt version: namespace {namespace} (supported: camt.053/camt.054 001.04 and 001.08)"
    )]
    UnsupportedVersion {
        /// The namespace of the document.
        namespace: String,
    },
    /// The document ends before its elements are closed.
    #[error("the document is truncated: it ends inside {path} (byte {offset})")]
    Truncated {
        /// The open elements.
        path: String,
        /// The byte offset of the end.
        offset: u64,
    },
    /// The document has no root element, or the root has no statement/notification body.
    #[error("the document is empty or has no {expected} element")]
    Missing {
        /// What was expected.
        expected: &'static str,
    },
    /// A limit of [`Limits`] was exceeded.
    #[error("limit exceeded at {path} (byte {offset}): {what} larger than {limit}")]
    Limit {
        /// The element path.
        path: String,
        /// The byte offset.
        offset: u64,
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// An element has a value that breaks its format.
    #[error("invalid value at {path} (byte {offset}): {value:?} is not {expected}")]
    Invalid {
        /// The element path.
        path: String,
        /// The byte offset.
        offset: u64,
        /// The value found (shortened to 40 characters).
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A mandatory element of an entry is missing.
    #[error("entry ending at byte {offset} ({path}) has no {element}")]
    MissingElement {
        /// The path of the entry.
        path: String,
        /// The byte offset of the entry's end.
        offset: u64,
        /// The missing element.
        element: &'static str,
    },
}

/// Caps against hostile or broken input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The deepest element nesting accepted (default 64; camt needs about 15).
    pub max_depth: usize,
    /// The longest text of one element in bytes (default 16 384).
    pub max_text: usize,
    /// The most transaction details (`TxDtls`) of one entry (default 100 000).
    pub max_transactions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_text: 16 * 1024,
            max_transactions: 100_000,
        }
    }
}

/// The message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum MessageKind {
    /// camt.053, the bank-to-customer statement (`BkToCstmrStmt/Stmt`).
    #[serde(rename = "camt.053")]
    Camt053,
    /// camt.054, the debit/credit notification (`BkToCstmrDbtCdtNtfctn/Ntfctn`).
    #[serde(rename = "camt.054")]
    Camt054,
}

/// The message version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Version {
    /// 001.04, the Swiss Payment Standards 2009 version.
    #[serde(rename = "001.04")]
    V04,
    /// 001.08, the SPS 2022+ version.
    #[serde(rename = "001.08")]
    V08,
}

/// What the document is, from its namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageInfo {
    /// camt.053 or camt.054.
    pub kind: MessageKind,
    /// 001.04 or 001.08.
    pub version: Version,
    /// The namespace as written (ISO `urn:iso:std:iso:20022:tech:xsd:camt.054.001.08`, or a
    /// Swiss `.ch.NN` one).
    pub namespace: String,
    /// `GrpHdr/MsgId`, once read.
    pub message_id: Option<String>,
}

impl MessageInfo {
    /// Recognises a camt.053/054 namespace: `…camt.05[34].001.0[48]` with an optional
    /// `.ch.NN` and an optional `.xsd`.
    fn from_namespace(namespace: &str) -> Result<Self, CamtError> {
        let trimmed = namespace.strip_suffix(".xsd").unwrap_or(namespace);
        let Some(start) = trimmed.rfind("camt.05") else {
            return Err(CamtError::NotCamt {
                root: "Document".into(),
                namespace: Some(namespace.into()),
            });
        };
        let tail = &trimmed[start..];
        let mut parts = tail.split('.');
        let (_, kind, variant, version) = (parts.next(), parts.next(), parts.next(), parts.next());
        let rest: Vec<&str> = parts.collect();
        let kind = match kind {
            Some("053") => MessageKind::Camt053,
            Some("054") => MessageKind::Camt054,
            _ => {
                return Err(CamtError::NotCamt {
                    root: "Document".into(),
                    namespace: Some(namespace.into()),
                });
            }
        };
        let swiss_suffix_ok = rest.is_empty()
            || (rest.len() == 2 && rest[0] == "ch" && rest[1].bytes().all(|b| b.is_ascii_digit()));
        let version = match (variant, version) {
            (Some("001"), Some("04")) if swiss_suffix_ok => Version::V04,
            (Some("001"), Some("08")) if swiss_suffix_ok => Version::V08,
            _ => {
                return Err(CamtError::UnsupportedVersion {
                    namespace: namespace.into(),
                });
            }
        };
        Ok(Self {
            kind,
            version,
            namespace: namespace.into(),
            message_id: None,
        })
    }
}

/// Credit or debit (`CdtDbtInd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CreditDebit {
    /// `CRDT`: money in.
    #[serde(rename = "CRDT")]
    Credit,
    /// `DBIT`: money out.
    #[serde(rename = "DBIT")]
    Debit,
}

/// The status of an entry (`Sts`, `Sts/Cd` from 001.08 on).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum EntryStatus {
    /// `BOOK`: booked.
    Booked,
    /// `PDNG`: pending.
    Pending,
    /// `INFO`: for information only.
    Information,
    /// Another code, as written.
    Other(String),
}

/// An amount with its currency (`Amt Ccy="CHF"`). The value is a decimal, never a float.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Money {
    /// The amount, not negative (the direction is [`CreditDebit`]).
    pub value: Decimal,
    /// The ISO 4217 code, three capital letters.
    pub currency: String,
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.currency)
    }
}

/// A structured creditor reference (`RmtInf/Strd/CdtrRefInf`): typed when it is a valid QR
/// or ISO 11649 reference, raw otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "reference")]
#[non_exhaustive]
pub enum RemittanceReference {
    /// A valid 27-digit QR reference (type `QRR`, or the legacy ESR/ISR reference, or untyped).
    #[serde(rename = "QRR")]
    Qr(QrReference),
    /// A valid ISO 11649 creditor reference (type `SCOR`, or untyped starting with `RF`).
    #[serde(rename = "SCOR")]
    Creditor(CreditorReference),
    /// Anything else, or a QRR/SCOR with wrong check digits: the declared type and the text.
    #[serde(rename = "OTHER")]
    Other {
        /// The type code (`Cd` or `Prtry`), if any.
        kind: Option<String>,
        /// The reference as written.
        text: String,
    },
}

impl RemittanceReference {
    /// Types a reference from its declared kind and text.
    #[must_use]
    pub fn classify(kind: Option<&str>, text: &str) -> Self {
        let upper = kind.map(str::to_ascii_uppercase);
        let as_qr = || text.parse::<QrReference>().ok().map(Self::Qr);
        let as_scor = || text.parse::<CreditorReference>().ok().map(Self::Creditor);
        let typed = match upper.as_deref() {
            Some("QRR" | "ISR REFERENCE" | "ESR" | "ISR") => as_qr(),
            Some("SCOR") => as_scor(),
            None => as_qr().or_else(as_scor),
            Some(_) => None,
        };
        typed.unwrap_or_else(|| Self::Other {
            kind: kind.map(str::to_owned),
            text: text.to_owned(),
        })
    }

    /// The matching key: whitespace removed, upper case (QR: the 27 digits; SCOR: the compact
    /// form). See [`crate::reconcile::reference_key`].
    #[must_use]
    pub fn key(&self) -> String {
        match self {
            Self::Qr(r) => r.canonical(),
            Self::Creditor(r) => r.canonical(),
            Self::Other { text, .. } => crate::reconcile::reference_key(text),
        }
    }
}

impl fmt::Display for RemittanceReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Qr(r) => f.write_str(r.as_str()),
            Self::Creditor(r) => f.write_str(r.as_str()),
            Self::Other { text, .. } => f.write_str(text),
        }
    }
}

/// A postal address as banks send it: structured parts and/or address lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PostalAddress {
    /// `StrtNm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// `BldgNb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    /// `PstCd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `TwnNm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// `Ctry`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `AdrLine` (unstructured lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
}

/// A party: name and address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    /// `Nm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `PstlAdr`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
}

/// An account: typed when it is a valid IBAN. Bank files carry accounts as they were given
/// (test files even carry made-up ones), so an invalid one does not stop the import: it is kept
/// as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum AccountId {
    /// A valid IBAN.
    Iban(Iban),
    /// Anything else (`Othr/Id`, or an IBAN with a wrong check), as written.
    Other(String),
}

impl AccountId {
    fn parse(text: &str) -> Self {
        text.parse()
            .map_or_else(|_| Self::Other(text.to_owned()), Self::Iban)
    }

    /// The IBAN, if it is one.
    #[must_use]
    pub fn iban(&self) -> Option<&Iban> {
        match self {
            Self::Iban(iban) => Some(iban),
            Self::Other(_) => None,
        }
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Iban(iban) => f.write_str(iban.as_str()),
            Self::Other(text) => f.write_str(text),
        }
    }
}

/// One charge record (`Chrgs/Rcrd`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChargeRecord {
    /// The charge.
    pub amount: Money,
    /// Whether it is debited or credited, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<CreditDebit>,
    /// `ChrgInclInd`: whether the charge is included in the entry amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub included: Option<bool>,
    /// The charge type (`Tp/Cd` or `Tp/Prtry/Id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Charges of an entry or transaction (`Chrgs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Charges {
    /// `TtlChrgsAndTaxAmt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    /// The single records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<ChargeRecord>,
}

impl Charges {
    /// Whether nothing was given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.total.is_none() && self.records.is_empty()
    }
}

/// One transaction of an entry (`NtryDtls/TxDtls`); a batch booking has several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// The 0-based position in the entry; with the entry's bank reference it identifies the
    /// transaction (see [`crate::reconcile::BookingKey`]).
    pub index: u32,
    /// Whether the bank sent details (`false`: the entry had no `TxDtls`, and this transaction
    /// only repeats the entry's amount).
    pub details: bool,
    /// `Refs/AcctSvcrRef`: the bank's transaction reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_reference: Option<String>,
    /// `Refs/EndToEndId` (`NOTPROVIDED` is kept as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_to_end_id: Option<String>,
    /// `Refs/InstrId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction_id: Option<String>,
    /// The amount (`Amt`, or `AmtDtls/TxAmt/Amt`; for a single transaction without one, the
    /// entry's amount).
    pub amount: Money,
    /// Credit or debit (the entry's, when the transaction does not say).
    pub direction: CreditDebit,
    /// `RmtInf/Strd/CdtrRefInf`: the QR or creditor reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<RemittanceReference>,
    /// `RmtInf/Ustrd`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unstructured: Vec<String>,
    /// `RmtInf/Strd/AddtlRmtInf` (PostFinance: `?REJECT?0`, `?ERROR?000`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_remittance: Vec<String>,
    /// `RltdPties/Dbtr` (`Dbtr/Pty` from 001.08 on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debtor: Option<Party>,
    /// `RltdPties/DbtrAcct/Id/IBAN` (or `Othr/Id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debtor_account: Option<AccountId>,
    /// `RltdPties/CdtrAcct/Id/IBAN` (or `Othr/Id`; for QR payments the QR-IBAN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creditor_account: Option<AccountId>,
    /// `Chrgs` of this transaction.
    #[serde(skip_serializing_if = "Charges::is_empty")]
    pub charges: Charges,
}

/// One entry (`Ntry`) of a statement or notification, with its transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The 0-based position of the entry in the document.
    pub position: u64,
    /// `Stmt/Id` or `Ntfctn/Id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_id: Option<String>,
    /// The account of the statement or notification (`Acct/Id/IBAN` or `Acct/Id/Othr/Id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// `NtryRef`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_reference: Option<String>,
    /// `AcctSvcrRef`: the bank's reference of the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_reference: Option<String>,
    /// `Amt` with `Ccy`.
    pub amount: Money,
    /// `CdtDbtInd`.
    pub direction: CreditDebit,
    /// `RvslInd`: this entry reverses an earlier one (a returned credit comes as a debit with
    /// the reversal flag).
    pub reversal: bool,
    /// `Sts` / `Sts/Cd`.
    pub status: EntryStatus,
    /// `BookgDt/Dt` (or the date of `BookgDt/DtTm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_date: Option<NaiveDate>,
    /// `ValDt/Dt` (or the date of `ValDt/DtTm`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_date: Option<NaiveDate>,
    /// `BkTxCd/Domn`: domain, family and sub-family codes joined by `/` (`PMNT/RCDT/VCOM`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_transaction_code: Option<String>,
    /// `NtryDtls/Btch/NbOfTxs`, when the bank marks a batch booking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_count: Option<u32>,
    /// `AddtlNtryInf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
    /// `Chrgs` of the entry.
    #[serde(skip_serializing_if = "Charges::is_empty")]
    pub charges: Charges,
    /// The transactions: one per `TxDtls`, or a single one without details (see
    /// [`Transaction::details`]). Never empty.
    pub transactions: Vec<Transaction>,
}

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

/// A streaming camt.053/camt.054 reader: an iterator of entries.
///
/// After the first error the iterator ends.
#[derive(Debug)]
pub struct CamtReader<R: BufRead> {
    reader: NsReader<R>,
    buf: Vec<u8>,
    limits: Limits,
    /// Local names of the open elements; elements of foreign namespaces are marked with `#`.
    stack: Vec<String>,
    text: String,
    info: Option<MessageInfo>,
    statement_id: Option<String>,
    account: Option<AccountId>,
    entry: Option<EntryBuilder>,
    tx: Option<TxBuilder>,
    charge: Option<ChargeBuilder>,
    /// The `Ccy` attribute of the `Amt`-like element being read.
    currency: Option<String>,
    entries: u64,
    done: bool,
}

#[derive(Debug, Default)]
struct ChargeBuilder {
    amount: Option<Money>,
    direction: Option<CreditDebit>,
    included: Option<bool>,
    kind: Option<String>,
}

#[derive(Debug, Default)]
struct TxBuilder {
    bank_reference: Option<String>,
    end_to_end_id: Option<String>,
    instruction_id: Option<String>,
    amount: Option<Money>,
    fallback_amount: Option<Money>,
    direction: Option<CreditDebit>,
    ref_kind: Option<String>,
    ref_text: Option<String>,
    unstructured: Vec<String>,
    additional_remittance: Vec<String>,
    debtor: Option<Party>,
    debtor_account: Option<AccountId>,
    creditor_account: Option<AccountId>,
    charges: Charges,
}

#[derive(Debug, Default)]
struct EntryBuilder {
    entry_reference: Option<String>,
    bank_reference: Option<String>,
    amount: Option<Money>,
    direction: Option<CreditDebit>,
    reversal: bool,
    status: Option<EntryStatus>,
    booking_date: Option<NaiveDate>,
    value_date: Option<NaiveDate>,
    domain: Option<String>,
    family: Option<String>,
    sub_family: Option<String>,
    batch_count: Option<u32>,
    additional_info: Option<String>,
    charges: Charges,
    transactions: Vec<Transaction>,
}

/// Positions in the element stack: 0 `Document`, 1 `BkToCstmr…`, 2 `Stmt`/`Ntfctn`, 3 `Ntry`,
/// 4 `NtryDtls`, 5 `TxDtls`.
const NTRY_DEPTH: usize = 3;
const TX_DEPTH: usize = 5;

fn is(path: &[String], pattern: &[&str]) -> bool {
    path.len() == pattern.len() && path.iter().zip(pattern).all(|(a, b)| a == b)
}

fn shorten(value: &str) -> String {
    if value.chars().count() > 40 {
        let mut s: String = value.chars().take(40).collect();
        s.push('…');
        s
    } else {
        value.to_owned()
    }
}

impl CamtReader<std::io::BufReader<std::fs::File>> {
    /// Opens a file.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CamtError> {
        let file = std::fs::File::open(path)?;
        Ok(Self::new(std::io::BufReader::new(file)))
    }
}

impl<R: BufRead> CamtReader<R> {
    /// A reader with the default [`Limits`].
    pub fn new(input: R) -> Self {
        let mut reader = NsReader::from_reader(input);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Self {
            reader,
            buf: Vec::with_capacity(1024),
            limits: Limits::default(),
            stack: Vec::new(),
            text: String::new(),
            info: None,
            statement_id: None,
            account: None,
            entry: None,
            tx: None,
            charge: None,
            currency: None,
            entries: 0,
            done: false,
        }
    }

    /// Sets other limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// What the document is (known once its root element has been read, that is after the
    /// first call of `next`).
    #[must_use]
    pub fn message(&self) -> Option<&MessageInfo> {
        self.info.as_ref()
    }

    fn path(&self) -> String {
        if self.stack.is_empty() {
            "/".to_owned()
        } else {
            self.stack.join("/")
        }
    }

    fn offset(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn invalid(&self, value: &str, expected: &'static str) -> CamtError {
        CamtError::Invalid {
            path: self.path(),
            offset: self.offset(),
            value: shorten(value),
            expected,
        }
    }

    fn limit(&self, what: &'static str, limit: usize) -> CamtError {
        CamtError::Limit {
            path: self.path(),
            offset: self.offset(),
            what,
            limit,
        }
    }

    fn push_text(&mut self, s: &str) -> Result<(), CamtError> {
        if self.text.len() + s.len() > self.limits.max_text {
            return Err(self.limit("element text", self.limits.max_text));
        }
        self.text.push_str(s);
        Ok(())
    }

    /// Reads events until an entry is complete (`Some`) or the document ends (`None`).
    fn advance(&mut self) -> Result<Option<Entry>, CamtError> {
        loop {
            self.buf.clear();
            let (ns, event) = match self.reader.read_resolved_event_into(&mut self.buf) {
                Ok((ns, event)) => (resolved(&ns), event.into_owned()),
                Err(e) => {
                    return Err(CamtError::Xml {
                        path: self.path(),
                        offset: self.reader.error_position(),
                        message: e.to_string(),
                    });
                }
            };
            match event {
                Event::DocType(_) => {
                    return Err(CamtError::Doctype {
                        offset: self.offset(),
                    });
                }
                Event::Start(start) => self.start(ns, &start)?,
                Event::Empty(start) => {
                    self.start(ns, &start)?;
                    if let Some(entry) = self.end()? {
                        return Ok(Some(entry));
                    }
                }
                Event::End(_) => {
                    if let Some(entry) = self.end()? {
                        return Ok(Some(entry));
                    }
                }
                Event::Text(t) => {
                    let content = t.xml10_content();
                    self.push_text(&content)?;
                }
                Event::CData(t) => {
                    let content = t.xml10_content();
                    self.push_text(&content)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match &*r {
                            "amp" => "&".to_owned(),
                            "lt" => "<".to_owned(),
                            "gt" => ">".to_owned(),
                            "quot" => "\"".to_owned(),
                            "apos" => "'".to_owned(),
                            other => {
                                return Err(CamtError::UnknownEntity {
                                    path: self.path(),
                                    offset: self.offset(),
                                    entity: shorten(other),
                                });
                            }
                        },
                        Err(e) => {
                            return Err(CamtError::Xml {
                                path: self.path(),
                                offset: self.offset(),
                                message: e.to_string(),
                            });
                        }
                    };
                    self.push_text(&resolved)?;
                }
                Event::Eof => {
                    if !self.stack.is_empty() {
                        return Err(CamtError::Truncated {
                            path: self.path(),
                            offset: self.offset(),
                        });
                    }
                    if self.info.is_none() {
                        return Err(CamtError::Missing {
                            expected: "Document root",
                        });
                    }
                    return Ok(None);
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            }
        }
    }

    fn start(&mut self, ns: Option<String>, start: &BytesStart<'_>) -> Result<(), CamtError> {
        let local = start.local_name().as_ref().to_owned();
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.limit("element depth", self.limits.max_depth));
        }
        self.text.clear();
        if self.stack.is_empty() {
            if self.info.is_some() {
                return Err(CamtError::Xml {
                    path: "/".into(),
                    offset: self.offset(),
                    message: "a second root element".into(),
                });
            }
            let Some(namespace) = ns.filter(|_| local == "Document") else {
                return Err(CamtError::NotCamt {
                    root: local,
                    namespace: None,
                });
            };
            self.info = Some(MessageInfo::from_namespace(&namespace)?);
            self.stack.push(local);
            return Ok(());
        }
        let in_doc = match (&ns, &self.info) {
            (Some(ns), Some(info)) => *ns == info.namespace,
            _ => false,
        };
        self.stack.push(if in_doc { local } else { format!("#{local}") });
        let depth = self.stack.len();
        if depth == NTRY_DEPTH + 1 && self.stack[NTRY_DEPTH] == "Ntry" && self.is_body() {
            self.entry = Some(EntryBuilder::default());
        } else if depth == TX_DEPTH + 1
            && self.entry.is_some()
            && is(&self.stack[NTRY_DEPTH + 1..], &["NtryDtls", "TxDtls"])
        {
            let count = self.entry.as_ref().map_or(0, |e| e.transactions.len());
            if count >= self.limits.max_transactions {
                return Err(self.limit("transactions in one entry", self.limits.max_transactions));
            }
            self.tx = Some(TxBuilder::default());
        } else if self.stack.last().is_some_and(|n| n == "Rcrd") && self.charges_path().is_some() {
            self.charge = Some(ChargeBuilder::default());
        }
        if matches!(
            self.stack.last().map(String::as_str),
            Some("Amt" | "TtlChrgsAndTaxAmt")
        ) {
            self.currency = None;
            for attr in start.attributes() {
                let attr = attr.map_err(|e| CamtError::Xml {
                    path: self.path(),
                    offset: self.offset(),
                    message: e.to_string(),
                })?;
                if attr.key.local_name().as_ref() == "Ccy" {
                    let value = attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| CamtError::Xml {
                            path: self.path(),
                            offset: self.offset(),
                            message: e.to_string(),
                        })?;
                    self.currency = Some(value.into_owned());
                }
            }
        }
        Ok(())
    }

    /// Whether the stack is inside the statement or notification body (`Stmt`/`Ntfctn`).
    fn is_body(&self) -> bool {
        self.stack.len() > 2
            && matches!(
                (&self.info, self.stack[1].as_str(), self.stack[2].as_str()),
                (
                    Some(MessageInfo {
                        kind: MessageKind::Camt053,
                        ..
                    }),
                    "BkToCstmrStmt",
                    "Stmt"
                ) | (
                    Some(MessageInfo {
                        kind: MessageKind::Camt054,
                        ..
                    }),
                    "BkToCstmrDbtCdtNtfctn",
                    "Ntfctn"
                )
            )
    }

    /// When the current element is inside `Ntry/Chrgs` or `TxDtls/Chrgs`: the path below
    /// `Chrgs` and whether it belongs to a transaction.
    fn charges_path(&self) -> Option<(&[String], bool)> {
        if self.tx.is_some() && self.stack.len() > TX_DEPTH + 1 && self.stack[TX_DEPTH + 1] == "Chrgs" {
            return Some((&self.stack[TX_DEPTH + 2..], true));
        }
        if self.entry.is_some() && self.stack.len() > NTRY_DEPTH + 1 && self.stack[NTRY_DEPTH + 1] == "Chrgs"
        {
            return Some((&self.stack[NTRY_DEPTH + 2..], false));
        }
        None
    }

    fn money(&self, text: &str) -> Result<Money, CamtError> {
        let value = parse_amount(text).ok_or_else(|| self.invalid(text, "an amount like 1949.75"))?;
        let currency = self.currency.clone().unwrap_or_default();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(self.invalid(&currency, "a currency code (Ccy attribute) like CHF"));
        }
        Ok(Money { value, currency })
    }

    fn direction(&self, text: &str) -> Result<CreditDebit, CamtError> {
        match text {
            "CRDT" => Ok(CreditDebit::Credit),
            "DBIT" => Ok(CreditDebit::Debit),
            _ => Err(self.invalid(text, "CRDT or DBIT")),
        }
    }

    fn boolean(&self, text: &str) -> Result<bool, CamtError> {
        match text {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(self.invalid(text, "true or false")),
        }
    }

    fn date(&self, text: &str) -> Result<NaiveDate, CamtError> {
        let day = text.get(..10).unwrap_or(text);
        NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| self.invalid(text, "a date YYYY-MM-DD"))
    }

    fn end(&mut self) -> Result<Option<Entry>, CamtError> {
        let text = std::mem::take(&mut self.text);
        let value = text.trim();
        let result = self.end_element(value);
        self.text = text;
        self.text.clear();
        let entry = result?;
        self.stack.pop();
        Ok(entry)
    }

    fn end_element(&mut self, value: &str) -> Result<Option<Entry>, CamtError> {
        let depth = self.stack.len();
        // Group header and statement level.
        if depth == 4 && self.stack[2] == "GrpHdr" && self.stack[3] == "MsgId" {
            if let Some(info) = &mut self.info {
                info.message_id = Some(value.to_owned());
            }
            return Ok(None);
        }
        if depth == 3 && self.is_body() {
            self.statement_id = None;
            self.account = None;
            return Ok(None);
        }
        if depth == 4 && self.is_body() && self.stack[3] == "Id" {
            self.statement_id = Some(value.to_owned());
            return Ok(None);
        }
        if self.is_body()
            && (is(&self.stack[3..], &["Acct", "Id", "IBAN"])
                || is(&self.stack[3..], &["Acct", "Id", "Othr", "Id"]))
        {
            self.account = Some(AccountId::parse(value));
            return Ok(None);
        }
        if self.entry.is_none() {
            return Ok(None);
        }
        if depth == NTRY_DEPTH + 1 {
            return self.finish_entry().map(Some);
        }
        if self.charge.is_some() {
            self.charge_element(value)?;
            return Ok(None);
        }
        if self.tx.is_some() {
            if depth == TX_DEPTH + 1 {
                self.finish_tx()?;
            } else {
                self.tx_element(value)?;
            }
            return Ok(None);
        }
        self.entry_element(value)?;
        Ok(None)
    }

    fn entry_element(&mut self, value: &str) -> Result<(), CamtError> {
        let rel: Vec<&str> = self.stack[NTRY_DEPTH + 1..].iter().map(String::as_str).collect();
        let parsed_status = |v: &str| match v {
            "BOOK" => EntryStatus::Booked,
            "PDNG" => EntryStatus::Pending,
            "INFO" => EntryStatus::Information,
            other => EntryStatus::Other(other.to_owned()),
        };
        match rel.as_slice() {
            ["Amt"] => {
                let money = self.money(value)?;
                self.entry_mut().amount = Some(money);
            }
            ["CdtDbtInd"] => {
                let d = self.direction(value)?;
                self.entry_mut().direction = Some(d);
            }
            ["RvslInd"] => {
                let b = self.boolean(value)?;
                self.entry_mut().reversal = b;
            }
            ["Sts"] if !value.is_empty() => self.entry_mut().status = Some(parsed_status(value)),
            ["Sts", "Cd" | "Prtry"] => self.entry_mut().status = Some(parsed_status(value)),
            ["BookgDt", "Dt" | "DtTm"] => {
                let d = self.date(value)?;
                self.entry_mut().booking_date = Some(d);
            }
            ["ValDt", "Dt" | "DtTm"] => {
                let d = self.date(value)?;
                self.entry_mut().value_date = Some(d);
            }
            ["NtryRef"] => self.entry_mut().entry_reference = Some(value.to_owned()),
            ["AcctSvcrRef"] => self.entry_mut().bank_reference = Some(value.to_owned()),
            ["BkTxCd", "Domn", "Cd"] => self.entry_mut().domain = Some(value.to_owned()),
            ["BkTxCd", "Domn", "Fmly", "Cd"] => self.entry_mut().family = Some(value.to_owned()),
            ["BkTxCd", "Domn", "Fmly", "SubFmlyCd"] => self.entry_mut().sub_family = Some(value.to_owned()),
            ["NtryDtls", "Btch", "NbOfTxs"] => {
                let n = value
                    .parse::<u32>()
                    .map_err(|_| self.invalid(value, "a number of transactions"))?;
                self.entry_mut().batch_count = Some(n);
            }
            ["AddtlNtryInf"] => self.entry_mut().additional_info = Some(value.to_owned()),
            ["Chrgs", "TtlChrgsAndTaxAmt"] => {
                let money = self.money(value)?;
                self.entry_mut().charges.total = Some(money);
            }
            _ => {}
        }
        Ok(())
    }

    fn entry_mut(&mut self) -> &mut EntryBuilder {
        self.entry.get_or_insert_with(EntryBuilder::default)
    }

    fn tx_mut(&mut self) -> &mut TxBuilder {
        self.tx.get_or_insert_with(TxBuilder::default)
    }

    fn tx_element(&mut self, value: &str) -> Result<(), CamtError> {
        let rel: Vec<&str> = self.stack[TX_DEPTH + 1..].iter().map(String::as_str).collect();
        // The debtor is `Dbtr` (001.04) or `Dbtr/Pty` (001.08).
        let debtor_rel: Option<Vec<&str>> = match rel.as_slice() {
            ["RltdPties", "Dbtr", "Pty", rest @ ..] | ["RltdPties", "Dbtr", rest @ ..]
                if !rest.is_empty() =>
            {
                Some(rest.to_vec())
            }
            _ => None,
        };
        if let Some(d) = debtor_rel {
            // 0 name, 1 street, 2 building number, 3 postal code, 4 town, 5 country, 6 line.
            let field = match d.as_slice() {
                ["Nm"] => 0,
                ["PstlAdr", "StrtNm"] => 1,
                ["PstlAdr", "BldgNb"] => 2,
                ["PstlAdr", "PstCd"] => 3,
                ["PstlAdr", "TwnNm"] => 4,
                ["PstlAdr", "Ctry"] => 5,
                ["PstlAdr", "AdrLine"] => 6,
                _ => return Ok(()),
            };
            let debtor = self.tx_mut().debtor.get_or_insert_with(Party::default);
            if field == 0 {
                debtor.name = Some(value.to_owned());
                return Ok(());
            }
            let address = debtor.address.get_or_insert_with(PostalAddress::default);
            let v = Some(value.to_owned());
            match field {
                1 => address.street = v,
                2 => address.building_number = v,
                3 => address.postal_code = v,
                4 => address.town = v,
                5 => address.country = v,
                _ => address.lines.push(value.to_owned()),
            }
            return Ok(());
        }
        match rel.as_slice() {
            ["Refs", "AcctSvcrRef"] => self.tx_mut().bank_reference = Some(value.to_owned()),
            ["Refs", "EndToEndId"] => self.tx_mut().end_to_end_id = Some(value.to_owned()),
            ["Refs", "InstrId"] => self.tx_mut().instruction_id = Some(value.to_owned()),
            ["Amt"] => {
                let money = self.money(value)?;
                self.tx_mut().amount = Some(money);
            }
            ["AmtDtls", kind @ ("TxAmt" | "InstdAmt"), "Amt"] => {
                let is_tx_amount = *kind == "TxAmt";
                let money = self.money(value)?;
                let tx = self.tx_mut();
                if tx.fallback_amount.is_none() || is_tx_amount {
                    tx.fallback_amount = Some(money);
                }
            }
            ["CdtDbtInd"] => {
                let d = self.direction(value)?;
                self.tx_mut().direction = Some(d);
            }
            ["RltdPties", "DbtrAcct", "Id", "IBAN"] | ["RltdPties", "DbtrAcct", "Id", "Othr", "Id"] => {
                self.tx_mut().debtor_account = Some(AccountId::parse(value));
            }
            ["RltdPties", "CdtrAcct", "Id", "IBAN"] | ["RltdPties", "CdtrAcct", "Id", "Othr", "Id"] => {
                self.tx_mut().creditor_account = Some(AccountId::parse(value));
            }
            ["RmtInf", "Ustrd"] => self.tx_mut().unstructured.push(value.to_owned()),
            ["RmtInf", "Strd", "CdtrRefInf", "Tp", "CdOrPrtry", "Cd" | "Prtry"] => {
                self.tx_mut().ref_kind = Some(value.to_owned());
            }
            ["RmtInf", "Strd", "CdtrRefInf", "Ref"] => self.tx_mut().ref_text = Some(value.to_owned()),
            ["RmtInf", "Strd", "AddtlRmtInf"] => self.tx_mut().additional_remittance.push(value.to_owned()),
            ["Chrgs", "TtlChrgsAndTaxAmt"] => {
                let money = self.money(value)?;
                self.tx_mut().charges.total = Some(money);
            }
            _ => {}
        }
        Ok(())
    }

    fn charge_element(&mut self, value: &str) -> Result<(), CamtError> {
        let Some((rel, in_tx)) = self.charges_path() else {
            return Ok(());
        };
        let rel: Vec<&str> = rel.iter().map(String::as_str).collect();
        match rel.as_slice() {
            ["Rcrd"] => {
                let charge = self.charge.take().unwrap_or_default();
                let Some(amount) = charge.amount else {
                    return Err(CamtError::MissingElement {
                        path: self.path(),
                        offset: self.offset(),
                        element: "Amt",
                    });
                };
                let record = ChargeRecord {
                    amount,
                    direction: charge.direction,
                    included: charge.included,
                    kind: charge.kind,
                };
                if in_tx {
                    self.tx_mut().charges.records.push(record);
                } else {
                    self.entry_mut().charges.records.push(record);
                }
            }
            ["Rcrd", "Amt"] => {
                let money = self.money(value)?;
                self.charge.get_or_insert_with(ChargeBuilder::default).amount = Some(money);
            }
            ["Rcrd", "CdtDbtInd"] => {
                let d = self.direction(value)?;
                self.charge.get_or_insert_with(ChargeBuilder::default).direction = Some(d);
            }
            ["Rcrd", "ChrgInclInd"] => {
                let b = self.boolean(value)?;
                self.charge.get_or_insert_with(ChargeBuilder::default).included = Some(b);
            }
            ["Rcrd", "Tp", "Cd"] | ["Rcrd", "Tp", "Prtry", "Id"] => {
                self.charge.get_or_insert_with(ChargeBuilder::default).kind = Some(value.to_owned());
            }
            _ => {}
        }
        Ok(())
    }

    fn finish_tx(&mut self) -> Result<(), CamtError> {
        let tx = self.tx.take().unwrap_or_default();
        let entry = self.entry_mut();
        let index = u32::try_from(entry.transactions.len()).unwrap_or(u32::MAX);
        let reference = tx
            .ref_text
            .as_deref()
            .map(|text| RemittanceReference::classify(tx.ref_kind.as_deref(), text));
        // A missing amount is taken from the entry in `finish_entry` (single transaction only);
        // the empty currency marks it.
        let amount = tx.amount.or(tx.fallback_amount).unwrap_or(Money {
            value: Decimal::ZERO,
            currency: String::new(),
        });
        let direction = tx.direction.or(entry.direction).unwrap_or(CreditDebit::Credit);
        entry.transactions.push(Transaction {
            index,
            details: true,
            bank_reference: tx.bank_reference,
            end_to_end_id: tx.end_to_end_id,
            instruction_id: tx.instruction_id,
            amount,
            direction,
            reference,
            unstructured: tx.unstructured,
            additional_remittance: tx.additional_remittance,
            debtor: tx.debtor,
            debtor_account: tx.debtor_account,
            creditor_account: tx.creditor_account,
            charges: tx.charges,
        });
        Ok(())
    }

    fn finish_entry(&mut self) -> Result<Entry, CamtError> {
        let e = self.entry.take().unwrap_or_default();
        let missing = |element| CamtError::MissingElement {
            path: self.path(),
            offset: self.offset(),
            element,
        };
        let amount = e.amount.ok_or_else(|| missing("Amt"))?;
        let direction = e.direction.ok_or_else(|| missing("CdtDbtInd"))?;
        let status = e.status.ok_or_else(|| missing("Sts"))?;
        let single = e.transactions.len() == 1;
        let mut transactions = e.transactions;
        for t in &mut transactions {
            if t.amount.currency.is_empty() {
                if !single {
                    return Err(CamtError::MissingElement {
                        path: format!("{}/NtryDtls/TxDtls[{}]", self.path(), t.index + 1),
                        offset: self.offset(),
                        element: "Amt (required for each transaction of a batch)",
                    });
                }
                t.amount = amount.clone();
                t.direction = direction;
            }
        }
        if transactions.is_empty() {
            transactions.push(Transaction {
                index: 0,
                details: false,
                bank_reference: None,
                end_to_end_id: None,
                instruction_id: None,
                amount: amount.clone(),
                direction,
                reference: None,
                unstructured: Vec::new(),
                additional_remittance: Vec::new(),
                debtor: None,
                debtor_account: None,
                creditor_account: None,
                charges: Charges::default(),
            });
        }
        let code = match (e.domain, e.family, e.sub_family) {
            (Some(d), Some(f), Some(s)) => Some(format!("{d}/{f}/{s}")),
            (Some(d), Some(f), None) => Some(format!("{d}/{f}")),
            (Some(d), None, _) => Some(d),
            _ => None,
        };
        let position = self.entries;
        self.entries += 1;
        Ok(Entry {
            position,
            statement_id: self.statement_id.clone(),
            account: self.account.clone(),
            entry_reference: e.entry_reference,
            bank_reference: e.bank_reference,
            amount,
            direction,
            reversal: e.reversal,
            status,
            booking_date: e.booking_date,
            value_date: e.value_date,
            bank_transaction_code: code,
            batch_count: e.batch_count,
            additional_info: e.additional_info,
            charges: e.charges,
            transactions,
        })
    }
}

fn resolved(ns: &ResolveResult<'_>) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) => Some(n.0.to_owned()),
        _ => None,
    }
}

/// An ISO 20022 amount: digits with an optional fraction, no sign, no exponent.
fn parse_amount(text: &str) -> Option<Decimal> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && frac.is_empty())
    {
        return None;
    }
    Decimal::from_str(text).ok()
}

impl<R: BufRead> Iterator for CamtReader<R> {
    type Item = Result<Entry, CamtError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.advance() {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Reads all entries of a document held in memory.
///
/// # Errors
/// The first [`CamtError`].
pub fn parse_str(xml: &str) -> Result<Vec<Entry>, CamtError> {
    CamtReader::new(xml.as_bytes()).collect()
}

#[cfg(test)]
#[path = "camt_tests.rs"]
mod tests;
