//! Reconciliation: match the credits of camt.053/camt.054 entries to open invoices by their
//! reference, and book each bank transaction exactly once.
//!
//! * Matching: QR references by their 27 digits, creditor references (SCOR) case-insensitive,
//!   whitespace ignored ([`reference_key`]); the currency must be the invoice's.
//! * Per transaction ([`TransactionStatus`]): paid, partly paid, overpaid, duplicate (the
//!   invoice was already paid in full), unknown reference, no reference, currency mismatch,
//!   reversed (a reversal entry cancels an earlier credit), pending, already imported.
//! * Per invoice ([`InvoiceStatus`]): open, partly paid, paid, overpaid; with the number of
//!   payments, whether a duplicate payment came in and how many credits were reversed.
//! * Idempotent: the [`Ledger`] keys every booking by the bank's entry reference and the
//!   transaction's index ([`BookingKey`]); importing the same file again books nothing twice.
//!   The ledger keeps its bookings in a [`LedgerStore`]; [`MemoryStore`] holds them in memory,
//!   a database can implement the trait.
//!
//! ```
//! use egov_pay::camt::parse_str;
//! use egov_pay::reconcile::{InvoiceStatus, Ledger, OpenInvoice, Reconciler, TransactionStatus};
//!
//! let xml = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
//!   <BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId></GrpHdr><Ntfctn><Id>N1</Id>
//!     <Ntry><Amt Ccy="CHF">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
//!       <AcctSvcrRef>E1</AcctSvcrRef><NtryDtls><TxDtls><Amt Ccy="CHF">100.00</Amt>
//!         <RmtInf><Strd><CdtrRefInf><Ref>RF18 5390 0754 7034</Ref></CdtrRefInf></Strd></RmtInf>
//!       </TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#;
//!
//! let invoices = vec![OpenInvoice::new("2026-17", "rf18539007547034", "100.00".parse()?, "CHF")];
//! let reconciler = Reconciler::new(invoices)?;
//! let mut ledger = Ledger::new();
//!
//! let report = reconciler.import(&mut ledger, parse_str(xml)?)?;
//! assert_eq!(report.transactions[0].status, TransactionStatus::Paid);
//! assert_eq!(report.invoices[0].status, InvoiceStatus::Paid);
//!
//! // The same file again: nothing is booked twice.
//! let again = reconciler.import(&mut ledger, parse_str(xml)?)?;
//! assert_eq!(again.transactions[0].status, TransactionStatus::AlreadyImported);
//! assert_eq!(again.invoices[0].status, InvoiceStatus::Paid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::camt::{CreditDebit, Entry, EntryStatus};

/// The matching form of a reference: whitespace removed, letters upper-cased. A QR reference
/// gives its 27 digits, a creditor reference its compact form (`RF18539007547034`).
///
/// ```
/// use egov_pay::reconcile::reference_key;
/// assert_eq!(reference_key("21 00000 00003 13947 14300 09017"), "210000000003139471430009017");
/// assert_eq!(reference_key("rf18 5390 0754 7034"), "RF18539007547034");
/// ```
#[must_use]
pub fn reference_key(reference: &str) -> String {
    reference
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Errors of reconciliation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// Two open invoices have the same reference.
    #[error("invoices {first} and {second} have the same reference {reference}")]
    DuplicateInvoiceReference {
        /// The reference (matching form).
        reference: String,
        /// The first invoice id.
        first: String,
        /// The second invoice id.
        second: String,
    },
    /// An invoice without a reference.
    #[error("invoice {id} has no reference")]
    EmptyReference {
        /// The invoice id.
        id: String,
    },
    /// The ledger store failed.
    #[error("ledger store: {0}")]
    Store(#[from] StoreError),
}

/// An error of a [`LedgerStore`] (a database error, for instance).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub Box<dyn std::error::Error + Send + Sync>);

/// An open invoice: what is expected to be paid under a reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenInvoice {
    /// The invoice id (the caller's).
    pub id: String,
    /// The QR or creditor reference on the bill (any spacing or case).
    pub reference: String,
    /// The amount due.
    pub amount: Decimal,
    /// The ISO 4217 currency code.
    pub currency: String,
}

impl OpenInvoice {
    /// An invoice.
    #[must_use]
    pub fn new(id: &str, reference: &str, amount: Decimal, currency: &str) -> Self {
        Self {
            id: id.to_owned(),
            reference: reference.to_owned(),
            amount,
            currency: currency.to_owned(),
        }
    }
}

/// What identifies one bank transaction across imports: the bank's entry reference
/// (`Ntry/AcctSvcrRef`; without one `NtryRef`; without both the statement id and the entry's
/// position) and the 0-based index of the transaction in the entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BookingKey {
    /// The bank's entry reference.
    pub entry: String,
    /// The transaction's index within the entry.
    pub transaction: u32,
}

impl fmt::Display for BookingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.entry, self.transaction)
    }
}

impl BookingKey {
    /// The key of transaction `index` of `entry`.
    #[must_use]
    pub fn of(entry: &Entry, index: u32) -> Self {
        let reference = entry
            .bank_reference
            .clone()
            .or_else(|| entry.entry_reference.clone())
            .unwrap_or_else(|| {
                format!(
                    "{}@{}",
                    entry.statement_id.as_deref().unwrap_or("-"),
                    entry.position
                )
            });
        Self {
            entry: reference,
            transaction: index,
        }
    }
}

/// A credit or reversal booked in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booking {
    /// Its key.
    pub key: BookingKey,
    /// The order of booking (0, 1, …), given by the ledger.
    pub sequence: u64,
    /// The reference in matching form ([`reference_key`]), if the transaction had one.
    pub reference: Option<String>,
    /// The amount.
    pub amount: Decimal,
    /// The currency.
    pub currency: String,
    /// The booking date.
    pub booking_date: Option<NaiveDate>,
    /// For a reversal: the booking it cancels (if found).
    pub cancels: Option<BookingKey>,
    /// Whether this booking is a reversal.
    pub reversal: bool,
    /// For a credit: the reversal that cancelled it.
    pub reversed_by: Option<BookingKey>,
}

/// Where a [`Ledger`] keeps its bookings. Implement it over a database to make the ledger
/// persistent; [`MemoryStore`] is the in-memory implementation.
pub trait LedgerStore {
    /// The booking with this key.
    ///
    /// # Errors
    /// When the store fails.
    fn get(&self, key: &BookingKey) -> Result<Option<Booking>, StoreError>;
    /// Adds or replaces a booking.
    ///
    /// # Errors
    /// When the store fails.
    fn put(&mut self, booking: Booking) -> Result<(), StoreError>;
    /// The bookings with this reference (matching form), in booking order.
    ///
    /// # Errors
    /// When the store fails.
    fn by_reference(&self, reference: &str) -> Result<Vec<Booking>, StoreError>;
    /// The number of bookings.
    ///
    /// # Errors
    /// When the store fails.
    fn len(&self) -> Result<u64, StoreError>;
    /// Whether the store is empty.
    ///
    /// # Errors
    /// When the store fails.
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }
}

/// Bookings in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    bookings: BTreeMap<BookingKey, Booking>,
    by_reference: HashMap<String, Vec<BookingKey>>,
}

impl LedgerStore for MemoryStore {
    fn get(&self, key: &BookingKey) -> Result<Option<Booking>, StoreError> {
        Ok(self.bookings.get(key).cloned())
    }

    fn put(&mut self, booking: Booking) -> Result<(), StoreError> {
        if !self.bookings.contains_key(&booking.key)
            && let Some(reference) = &booking.reference
        {
            self.by_reference
                .entry(reference.clone())
                .or_default()
                .push(booking.key.clone());
        }
        self.bookings.insert(booking.key.clone(), booking);
        Ok(())
    }

    fn by_reference(&self, reference: &str) -> Result<Vec<Booking>, StoreError> {
        let mut found: Vec<Booking> = self
            .by_reference
            .get(reference)
            .into_iter()
            .flatten()
            .filter_map(|k| self.bookings.get(k).cloned())
            .collect();
        found.sort_by_key(|b| b.sequence);
        Ok(found)
    }

    fn len(&self) -> Result<u64, StoreError> {
        Ok(self.bookings.len() as u64)
    }
}

/// The record of what has been booked, so that nothing is booked twice.
#[derive(Debug, Clone, Default)]
pub struct Ledger<S: LedgerStore = MemoryStore> {
    store: S,
}

impl Ledger<MemoryStore> {
    /// An empty in-memory ledger.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S: LedgerStore> Ledger<S> {
    /// A ledger over `store`.
    pub fn with_store(store: S) -> Self {
        Self { store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }
}

/// What happened to one credit (or reversal) of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransactionStatus {
    /// The invoice is now paid exactly.
    Paid,
    /// The invoice is still partly open.
    PartlyPaid {
        /// What is still due.
        outstanding: Decimal,
    },
    /// The credit pays more than was still due.
    Overpaid {
        /// The excess.
        excess: Decimal,
    },
    /// The invoice was already paid in full: the same reference paid twice.
    Duplicate,
    /// The reference matches no open invoice.
    UnknownReference,
    /// The credit carries no structured reference.
    NoReference,
    /// The reference matches, but the currency is not the invoice's.
    CurrencyMismatch {
        /// The invoice's currency.
        expected: String,
    },
    /// A reversal (`RvslInd` true): cancels an earlier credit of the same reference and amount.
    Reversed {
        /// The cancelled booking, if it was found in the ledger.
        cancels: Option<BookingKey>,
    },
    /// The entry is not booked yet (pending or information only); nothing was booked.
    Pending,
    /// This transaction was booked by an earlier import; nothing was booked now.
    AlreadyImported,
}

/// One transaction of an import and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionReport {
    /// The ledger key.
    pub key: BookingKey,
    /// The bank's booking date.
    pub booking_date: Option<NaiveDate>,
    /// The amount.
    pub amount: Decimal,
    /// The currency.
    pub currency: String,
    /// The reference as sent by the bank.
    pub reference: Option<String>,
    /// The debtor's name.
    pub debtor: Option<String>,
    /// The matched invoice.
    pub invoice: Option<String>,
    /// What happened.
    pub status: TransactionStatus,
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Nothing paid.
    Open,
    /// Paid in part.
    PartlyPaid,
    /// Paid exactly.
    Paid,
    /// Paid more than due.
    Overpaid,
}

/// An invoice after the import, from all bookings in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceReport {
    /// The invoice id.
    pub id: String,
    /// The reference (matching form).
    pub reference: String,
    /// The amount due.
    pub amount: Decimal,
    /// The currency.
    pub currency: String,
    /// The sum of the credits that count (in the invoice's currency, not reversed).
    pub paid: Decimal,
    /// Where it stands.
    pub status: InvoiceStatus,
    /// The number of credits that count.
    pub payments: usize,
    /// Whether a credit came in after the invoice was already paid in full.
    pub duplicate: bool,
    /// The number of credits cancelled by reversals.
    pub reversed: usize,
}

/// The result of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Every credit and reversal of credits of the import, in file order (plain debits are
    /// not listed).
    pub transactions: Vec<TransactionReport>,
    /// Every invoice, in the order given.
    pub invoices: Vec<InvoiceReport>,
}

/// Matches imports against a fixed set of open invoices.
#[derive(Debug, Clone)]
pub struct Reconciler {
    invoices: Vec<OpenInvoice>,
    index: HashMap<String, usize>,
}

impl Reconciler {
    /// Indexes the invoices by reference.
    ///
    /// # Errors
    /// When an invoice has no reference or two have the same one.
    pub fn new(invoices: Vec<OpenInvoice>) -> Result<Self, ReconcileError> {
        let mut index = HashMap::new();
        for (i, invoice) in invoices.iter().enumerate() {
            let key = reference_key(&invoice.reference);
            if key.is_empty() {
                return Err(ReconcileError::EmptyReference {
                    id: invoice.id.clone(),
                });
            }
            if let Some(&first) = index.get(&key) {
                let first: &OpenInvoice = &invoices[first];
                return Err(ReconcileError::DuplicateInvoiceReference {
                    reference: key,
                    first: first.id.clone(),
                    second: invoice.id.clone(),
                });
            }
            index.insert(key, i);
        }
        Ok(Self { invoices, index })
    }

    /// The invoices.
    #[must_use]
    pub fn invoices(&self) -> &[OpenInvoice] {
        &self.invoices
    }

    /// Books the credits of `entries` in `ledger` and reports on them and on every invoice.
    ///
    /// # Errors
    /// When the ledger's store fails.
    pub fn import<S: LedgerStore>(
        &self,
        ledger: &mut Ledger<S>,
        entries: impl IntoIterator<Item = Entry>,
    ) -> Result<Report, ReconcileError> {
        let mut transactions = Vec::new();
        for entry in entries {
            self.import_entry(ledger, &entry, &mut transactions)?;
        }
        let invoices = self.invoice_reports(ledger)?;
        Ok(Report {
            transactions,
            invoices,
        })
    }

    /// Books one entry; its transactions are appended to `out`.
    ///
    /// # Errors
    /// When the ledger's store fails.
    pub fn import_entry<S: LedgerStore>(
        &self,
        ledger: &mut Ledger<S>,
        entry: &Entry,
        out: &mut Vec<TransactionReport>,
    ) -> Result<(), ReconcileError> {
        for tx in &entry.transactions {
            // A credit, or the reversal of a credit (a debit with the reversal flag).
            let is_credit = tx.direction == CreditDebit::Credit && !entry.reversal;
            let is_credit_reversal = entry.reversal && tx.direction == CreditDebit::Debit;
            if !is_credit && !is_credit_reversal {
                continue;
            }
            let key = BookingKey::of(entry, tx.index);
            let reference = tx.reference.as_ref().map(crate::camt::RemittanceReference::key);
            let invoice = reference
                .as_ref()
                .and_then(|r| self.index.get(r))
                .map(|&i| &self.invoices[i]);
            let mut report = TransactionReport {
                key: key.clone(),
                booking_date: entry.booking_date,
                amount: tx.amount.value,
                currency: tx.amount.currency.clone(),
                reference: tx.reference.as_ref().map(ToString::to_string),
                debtor: tx.debtor.as_ref().and_then(|d| d.name.clone()),
                invoice: invoice.map(|i| i.id.clone()),
                status: TransactionStatus::Pending,
            };
            if entry.status != EntryStatus::Booked {
                out.push(report);
                continue;
            }
            if ledger.store.get(&key)?.is_some() {
                report.status = TransactionStatus::AlreadyImported;
                out.push(report);
                continue;
            }
            let mut booking = Booking {
                key: key.clone(),
                sequence: ledger.store.len()?,
                reference: reference.clone(),
                amount: tx.amount.value,
                currency: tx.amount.currency.clone(),
                booking_date: entry.booking_date,
                cancels: None,
                reversal: is_credit_reversal,
                reversed_by: None,
            };
            report.status = if is_credit_reversal {
                let cancelled = match &reference {
                    Some(r) => ledger.store.by_reference(r)?.into_iter().rev().find(|b| {
                        !b.reversal
                            && b.reversed_by.is_none()
                            && b.amount == booking.amount
                            && b.currency == booking.currency
                    }),
                    None => None,
                };
                if let Some(mut original) = cancelled {
                    original.reversed_by = Some(key.clone());
                    booking.cancels = Some(original.key.clone());
                    ledger.store.put(original)?;
                }
                TransactionStatus::Reversed {
                    cancels: booking.cancels.clone(),
                }
            } else {
                match (&reference, invoice) {
                    (None, _) => TransactionStatus::NoReference,
                    (Some(_), None) => TransactionStatus::UnknownReference,
                    (Some(_), Some(invoice)) if invoice.currency != booking.currency => {
                        TransactionStatus::CurrencyMismatch {
                            expected: invoice.currency.clone(),
                        }
                    }
                    (Some(r), Some(invoice)) => {
                        let before = paid_so_far(&ledger.store.by_reference(r)?, &invoice.currency);
                        let after = before + booking.amount;
                        if before >= invoice.amount {
                            TransactionStatus::Duplicate
                        } else if after == invoice.amount {
                            TransactionStatus::Paid
                        } else if after < invoice.amount {
                            TransactionStatus::PartlyPaid {
                                outstanding: invoice.amount - after,
                            }
                        } else {
                            TransactionStatus::Overpaid {
                                excess: after - invoice.amount,
                            }
                        }
                    }
                }
            };
            ledger.store.put(booking)?;
            out.push(report);
        }
        Ok(())
    }

    /// Where every invoice stands, from the ledger's bookings.
    ///
    /// # Errors
    /// When the ledger's store fails.
    pub fn invoice_reports<S: LedgerStore>(
        &self,
        ledger: &Ledger<S>,
    ) -> Result<Vec<InvoiceReport>, ReconcileError> {
        let mut reports = Vec::with_capacity(self.invoices.len());
        for invoice in &self.invoices {
            let reference = reference_key(&invoice.reference);
            let bookings = ledger.store.by_reference(&reference)?;
            let mut paid = Decimal::ZERO;
            let mut payments = 0;
            let mut duplicate = false;
            let mut reversed = 0;
            for b in bookings
                .iter()
                .filter(|b| !b.reversal && b.currency == invoice.currency)
            {
                if b.reversed_by.is_some() {
                    reversed += 1;
                    continue;
                }
                if paid >= invoice.amount {
                    duplicate = true;
                }
                paid += b.amount;
                payments += 1;
            }
            let status = if paid.is_zero() {
                InvoiceStatus::Open
            } else if paid < invoice.amount {
                InvoiceStatus::PartlyPaid
            } else if paid == invoice.amount {
                InvoiceStatus::Paid
            } else {
                InvoiceStatus::Overpaid
            };
            reports.push(InvoiceReport {
                id: invoice.id.clone(),
                reference,
                amount: invoice.amount,
                currency: invoice.currency.clone(),
                paid,
                status,
                payments,
                duplicate,
                reversed,
            });
        }
        Ok(reports)
    }
}

/// The credits that count for an invoice: not reversals, not reversed, in its currency.
fn paid_so_far(bookings: &[Booking], currency: &str) -> Decimal {
    bookings
        .iter()
        .filter(|b| !b.reversal && b.reversed_by.is_none() && b.currency == currency)
        .map(|b| b.amount)
        .sum()
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;
