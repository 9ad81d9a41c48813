//! The Swiss Payments Code payload: `SPC`, `0200`, `1`, then the elements of IG Table 8, one a
//! line.

use std::fmt;

use egov_core::{CreditorReference, Iban, QrReference};

use super::validate::{self, ErrorKind, Field, MAX_PAYLOAD_CHARS, ValidationError, ValidationWarning};
use super::{Address, AddressType, Amount, Currency, QrBill, Reference};

/// The line separator of an encoded payload. IG v2.3 §4.1.4 allows CR+LF and LF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Separator {
    /// CR+LF, the default (as in the guidelines' examples).
    #[default]
    CrLf,
    /// LF alone.
    Lf,
}

impl Separator {
    /// The separator's characters.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CrLf => "\r\n",
            Self::Lf => "\n",
        }
    }
}

/// Why [`QrBill::encode`] refused a bill: its violations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the QR-bill is not valid: {}", join(.0))]
pub struct EncodeError(pub Vec<ValidationError>);

/// Why a payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The text is empty.
    #[error("the QR-bill payload is empty")]
    Empty,
    /// The text starts with a UTF-8 byte order mark, which the payload must not have.
    #[error("line 1: the payload starts with a byte order mark (U+FEFF), which a QR-bill must not have")]
    ByteOrderMark,
    /// The lines are separated by different line endings.
    #[error("line {line}: the line separator differs from the one of line 1 (use CR+LF or LF throughout)")]
    MixedSeparators {
        /// The 1-based line whose end differs.
        line: usize,
    },
    /// Fewer than 31 or more than 34 lines.
    #[error("the payload has {found} lines; a QR-bill has 31 to 34")]
    LineCount {
        /// The number of lines found.
        found: usize,
    },
    /// The elements break the rules; every violation is listed.
    #[error("the QR-bill payload is not valid: {}", join(.0))]
    Invalid(Vec<ValidationError>),
}

fn join(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A decoded payload: the bill and the warnings about it (such as a deprecated `K` address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The bill.
    pub bill: QrBill,
    /// Deprecated or doubtful content, see [`QrBill::warnings`].
    pub warnings: Vec<ValidationWarning>,
    /// The separator the payload used; `None` for CR alone, which decoding tolerates although
    /// IG v2.3 §4.1.4 does not allow it.
    pub separator: Option<Separator>,
}

impl QrBill {
    /// Validates the bill and writes its payload with `separator` between the elements.
    ///
    /// Status-"A" elements at the end (billing information, alternative procedures) are left
    /// out when unused and nothing follows them (IG §4.1.4); an empty billing information is
    /// written when an alternative procedure follows. No separator after the last element, no
    /// byte order mark.
    ///
    /// # Errors
    /// [`EncodeError`] with all violations when [`QrBill::validate`] finds any.
    pub fn encode(&self, separator: Separator) -> Result<String, EncodeError> {
        let errors = self.validate();
        if errors.is_empty() {
            Ok(self.encode_unchecked(separator))
        } else {
            Err(EncodeError(errors))
        }
    }

    /// Writes the payload without validating (for tests and diagnostics).
    #[must_use]
    pub fn encode_unchecked(&self, separator: Separator) -> String {
        let mut lines: Vec<&str> = vec!["SPC", "0200", "1", self.account.as_str()];
        push_address(&mut lines, Some(&self.creditor));
        lines.extend(["", "", "", "", "", "", ""]);
        let amount = self.amount.map(|a| a.to_string()).unwrap_or_default();
        lines.push(&amount);
        lines.push(self.currency.code());
        push_address(&mut lines, self.ultimate_debtor.as_ref());
        lines.push(self.reference.type_code());
        lines.push(self.reference.as_str().unwrap_or_default());
        lines.push(self.unstructured_message.as_deref().unwrap_or_default());
        lines.push("EPD");
        let billing = self.billing_information.as_deref().unwrap_or_default();
        if !billing.is_empty() || !self.alternative_procedures.is_empty() {
            lines.push(billing);
        }
        lines.extend(self.alternative_procedures.iter().map(String::as_str));
        lines.join(separator.as_str())
    }

    /// Reads a payload and validates it like [`QrBill::validate`].
    ///
    /// Accepts CR+LF, LF or CR as separator (the same throughout), one separator after the
    /// last element, any version `02xx`, and the legacy combined address type `K` (reported in
    /// [`Decoded::warnings`]). The 997-character limit is checked on the text as given.
    ///
    /// # Errors
    /// [`DecodeError`]: a byte order mark, mixed separators or a wrong number of lines; or
    /// [`DecodeError::Invalid`] with every violation, each naming its field (and so its line).
    pub fn decode(text: &str) -> Result<Decoded, DecodeError> {
        if text.is_empty() {
            return Err(DecodeError::Empty);
        }
        if text.starts_with('\u{FEFF}') {
            return Err(DecodeError::ByteOrderMark);
        }
        let (lines, separator) = split_lines(text)?;
        if lines.first().copied() != Some("SPC") {
            return Err(DecodeError::Invalid(vec![ValidationError::new(
                Field::QrType,
                ErrorKind::Format { expected: "SPC" },
            )]));
        }
        if !(31..=34).contains(&lines.len()) {
            return Err(DecodeError::LineCount { found: lines.len() });
        }
        let mut errors = Vec::new();
        let bill = read(&lines, &mut errors);
        let found = lines.iter().map(|l| l.chars().count()).sum::<usize>()
            + (lines.len() - 1) * separator.map_or(1, |s| s.as_str().len());
        if found > MAX_PAYLOAD_CHARS {
            errors.push(ValidationError::new(
                Field::Payload,
                ErrorKind::PayloadTooLong { found },
            ));
        }
        match bill {
            Some(bill) if errors.is_empty() => Ok(Decoded {
                warnings: validate::warnings(&bill),
                bill,
                separator,
            }),
            _ => Err(DecodeError::Invalid(errors)),
        }
    }
}

fn push_address<'a>(lines: &mut Vec<&'a str>, address: Option<&'a Address>) {
    match address {
        Some(a) => lines.extend([
            a.address_type.code(),
            &a.name,
            a.street.as_deref().unwrap_or_default(),
            a.building_number.as_deref().unwrap_or_default(),
            &a.postal_code,
            &a.town,
            &a.country,
        ]),
        None => lines.extend(["", "", "", "", "", "", ""]),
    }
}

/// Splits at the separator of the first line; `None` for CR alone.
fn split_lines(text: &str) -> Result<(Vec<&str>, Option<Separator>), DecodeError> {
    let (sep, kind) = if text.contains("\r\n") {
        ("\r\n", Some(Separator::CrLf))
    } else if text.contains('\n') {
        ("\n", Some(Separator::Lf))
    } else {
        ("\r", None)
    };
    let body = text.strip_suffix(sep).unwrap_or(text);
    let lines: Vec<&str> = body.split(sep).collect();
    if sep != "\r" {
        for (i, line) in lines.iter().enumerate() {
            if line.contains(['\r', '\n']) {
                return Err(DecodeError::MixedSeparators { line: i + 1 });
            }
        }
    }
    Ok((lines, kind))
}

/// An element that must hold exactly `expected`.
fn fixed(errors: &mut Vec<ValidationError>, field: Field, value: &str, expected: &'static str) {
    if value != expected {
        errors.push(ValidationError::new(field, ErrorKind::Format { expected }));
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// Reads the address group at `lines[start..start + 7]`; `None` when it is empty.
fn read_address(
    errors: &mut Vec<ValidationError>,
    party: validate::Party,
    lines: &[&str],
    start: usize,
) -> Option<Address> {
    let g = &lines[start..start + 7];
    if party == validate::Party::UltimateDebtor && g.iter().all(|l| l.is_empty()) {
        return None;
    }
    let address_type = match g[0] {
        "S" => AddressType::Structured,
        "K" => AddressType::Combined,
        "" => {
            errors.push(ValidationError::new(Field::address(party, 0), ErrorKind::Missing));
            AddressType::Structured
        }
        _ => {
            errors.push(ValidationError::new(
                Field::address(party, 0),
                ErrorKind::Format { expected: "S" },
            ));
            AddressType::Structured
        }
    };
    Some(Address {
        address_type,
        name: g[1].to_owned(),
        street: opt(g[2]),
        building_number: opt(g[3]),
        postal_code: g[4].to_owned(),
        town: g[5].to_owned(),
        country: g[6].to_owned(),
    })
}

/// Reads all elements, pushing every violation; the bill when the typed elements could be read.
fn read(lines: &[&str], errors: &mut Vec<ValidationError>) -> Option<QrBill> {
    let line = |i: usize| lines.get(i - 1).copied().unwrap_or_default();
    if !(line(2).len() == 4 && line(2).starts_with("02") && line(2).bytes().all(|b| b.is_ascii_digit())) {
        errors.push(ValidationError::new(
            Field::Version,
            ErrorKind::Format { expected: "0200" },
        ));
    }
    fixed(errors, Field::Coding, line(3), "1");

    let account = read_account(errors, line(4));
    let creditor = read_address(errors, validate::Party::Creditor, lines, 4);
    if lines[11..18].iter().any(|l| !l.is_empty()) {
        errors.push(ValidationError::new(
            Field::UltimateCreditor,
            ErrorKind::MustBeEmpty,
        ));
    }
    let amount = read_amount(errors, line(19));
    let currency = match line(20) {
        "CHF" => Some(Currency::Chf),
        "EUR" => Some(Currency::Eur),
        "" => {
            errors.push(ValidationError::new(Field::Currency, ErrorKind::Missing));
            None
        }
        _ => {
            errors.push(ValidationError::new(
                Field::Currency,
                ErrorKind::Format {
                    expected: "CHF or EUR",
                },
            ));
            None
        }
    };
    let debtor = read_address(errors, validate::Party::UltimateDebtor, lines, 20);
    let reference = read_reference(errors, line(28), line(29));
    let message = opt(line(30));
    fixed(errors, Field::Trailer, line(31), "EPD");
    let billing = opt(line(32));
    let alternatives: Vec<String> = lines.iter().skip(32).filter_map(|l| opt(l)).collect();

    let creditor = creditor.unwrap_or_else(|| Address::new("", "", "", ""));
    validate::check_parts(
        errors,
        &creditor,
        debtor.as_ref(),
        message.as_deref(),
        billing.as_deref(),
        &alternatives,
    );
    let bill = QrBill {
        account: account?,
        creditor,
        amount: amount?,
        currency: currency?,
        ultimate_debtor: debtor,
        reference: reference?,
        unstructured_message: message,
        billing_information: billing,
        alternative_procedures: alternatives,
    };
    validate::check_account_reference(errors, &bill);
    Some(bill)
}

fn read_account(errors: &mut Vec<ValidationError>, value: &str) -> Option<Iban> {
    if value.is_empty() {
        errors.push(ValidationError::new(Field::Account, ErrorKind::Missing));
        return None;
    }
    if value.len() != 21 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        errors.push(ValidationError::new(
            Field::Account,
            ErrorKind::Format {
                expected: "21 letters and digits without spaces",
            },
        ));
        return None;
    }
    match value.parse::<Iban>() {
        Ok(iban) => Some(iban),
        Err(e) => {
            errors.push(ValidationError::new(Field::Account, ErrorKind::Iban(e)));
            None
        }
    }
}

/// `None` when unreadable, `Some(None)` when empty.
fn read_amount(errors: &mut Vec<ValidationError>, value: &str) -> Option<Option<Amount>> {
    if value.is_empty() {
        return Some(None);
    }
    let well_formed = value.split_once('.').is_some_and(|(int, frac)| {
        !int.is_empty()
            && (int == "0" || !int.starts_with('0'))
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.len() == 2
            && frac.bytes().all(|b| b.is_ascii_digit())
    });
    if !well_formed {
        errors.push(ValidationError::new(
            Field::Amount,
            ErrorKind::Format {
                expected: "digits, a point and two decimals without leading zeros, such as 50.00",
            },
        ));
        return None;
    }
    match value.parse::<Amount>() {
        Ok(a) => Some(Some(a)),
        Err(_) => {
            errors.push(ValidationError::new(Field::Amount, ErrorKind::AmountRange));
            None
        }
    }
}

fn read_reference(errors: &mut Vec<ValidationError>, tp: &str, value: &str) -> Option<Reference> {
    let missing_or = |errors: &mut Vec<ValidationError>| {
        if value.is_empty() {
            errors.push(ValidationError::new(Field::Reference, ErrorKind::Missing));
            true
        } else {
            false
        }
    };
    match tp {
        "QRR" => {
            if missing_or(errors) {
                return None;
            }
            if value.len() != 27 || !value.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(ValidationError::new(
                    Field::Reference,
                    ErrorKind::Format {
                        expected: "27 digits without spaces",
                    },
                ));
                return None;
            }
            value
                .parse::<QrReference>()
                .map(Reference::Qrr)
                .map_err(|e| errors.push(ValidationError::new(Field::Reference, ErrorKind::Reference(e))))
                .ok()
        }
        "SCOR" => {
            if missing_or(errors) {
                return None;
            }
            if !(5..=25).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.push(ValidationError::new(
                    Field::Reference,
                    ErrorKind::Format {
                        expected: "5 to 25 letters and digits without spaces",
                    },
                ));
                return None;
            }
            value
                .parse::<CreditorReference>()
                .map(Reference::Scor)
                .map_err(|e| errors.push(ValidationError::new(Field::Reference, ErrorKind::Reference(e))))
                .ok()
        }
        "NON" => {
            if !value.is_empty() {
                errors.push(ValidationError::new(Field::Reference, ErrorKind::MustBeEmpty));
            }
            Some(Reference::None)
        }
        "" => {
            errors.push(ValidationError::new(Field::ReferenceType, ErrorKind::Missing));
            None
        }
        _ => {
            errors.push(ValidationError::new(
                Field::ReferenceType,
                ErrorKind::Format {
                    expected: "QRR, SCOR or NON",
                },
            ));
            None
        }
    }
}

impl fmt::Display for Separator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CrLf => "CR+LF",
            Self::Lf => "LF",
        })
    }
}
