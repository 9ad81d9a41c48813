//! Unit tests of the rules, built from constructed bills.

use egov_core::Language;
use proptest::prelude::*;

use super::*;

fn qr_bill() -> QrBill {
    let mut bill = QrBill::new(
        "CH4431999123000889012".parse().unwrap(),
        Address::new("Robert Schneider AG", "2501", "Biel", "CH").with_street("Rue du Lac", "1268"),
        Currency::Chf,
    );
    bill.amount = Some("1949.75".parse().unwrap());
    bill.reference = Reference::qr("", "21000000000313947143000901").unwrap();
    bill
}

fn scor_bill() -> QrBill {
    let mut bill = QrBill::new(
        "CH5800791123000889012".parse().unwrap(),
        Address::new("Muster Krankenkasse", "8000", "Seldwyla", "CH").with_street("Musterstrasse", "12"),
        Currency::Eur,
    );
    bill.set_creditor_reference("539007547034").unwrap();
    bill
}

fn kinds(bill: &QrBill) -> Vec<(Field, ErrorKind)> {
    bill.validate().into_iter().map(|e| (e.field, e.kind)).collect()
}

#[test]
fn valid_bills() {
    assert_eq!(kinds(&qr_bill()), vec![]);
    assert_eq!(kinds(&scor_bill()), vec![]);
    let mut non = scor_bill();
    non.reference = Reference::None;
    non.ultimate_debtor = Some(Address::new("Pia Rutschmann", "9400", "Rorschach", "CH"));
    assert_eq!(kinds(&non), vec![]);
}

#[test]
fn iban_and_reference_pairing() {
    let mut b = qr_bill();
    b.reference = Reference::None;
    assert_eq!(
        kinds(&b),
        vec![(Field::ReferenceType, ErrorKind::QrIbanNeedsQrReference)]
    );
    b.set_creditor_reference("1").unwrap();
    assert_eq!(
        kinds(&b),
        vec![(Field::ReferenceType, ErrorKind::QrIbanNeedsQrReference)]
    );
    let mut s = scor_bill();
    s.set_qr_reference("12", "34").unwrap();
    assert_eq!(
        kinds(&s),
        vec![(Field::ReferenceType, ErrorKind::QrReferenceNeedsQrIban)]
    );
    s.account = "FR7630066100410001057380116".parse().unwrap();
    assert_eq!(kinds(&s), vec![(Field::Account, ErrorKind::IbanCountry)]);
    s.account = "LI21088100002324013AA".parse().unwrap();
    s.reference = Reference::None;
    assert_eq!(kinds(&s), vec![]);
}

#[test]
fn address_rules_collect_all_violations() {
    let mut b = qr_bill();
    b.creditor = Address {
        address_type: AddressType::Structured,
        name: String::new(),
        street: Some("x".repeat(71)),
        building_number: Some("12345678901234567".into()),
        postal_code: String::new(),
        town: "T".repeat(36),
        country: "ch".into(),
    };
    assert_eq!(
        kinds(&b),
        vec![
            (Field::CreditorName, ErrorKind::Missing),
            (Field::CreditorStreet, ErrorKind::TooLong { max: 70, found: 71 }),
            (
                Field::CreditorBuildingNumber,
                ErrorKind::TooLong { max: 16, found: 17 }
            ),
            (Field::CreditorPostalCode, ErrorKind::Missing),
            (Field::CreditorTown, ErrorKind::TooLong { max: 35, found: 36 }),
            (
                Field::CreditorCountry,
                ErrorKind::Format {
                    expected: "two capital letters (ISO 3166-1 alpha-2)"
                }
            ),
        ]
    );
    let mut d = qr_bill();
    d.ultimate_debtor = Some(Address::new("Pia", "CH-9400", "Rorschach", "QQ"));
    assert_eq!(
        kinds(&d),
        vec![(Field::UltimateDebtorCountry, ErrorKind::UnknownCountry)]
    );
    d.ultimate_debtor = Some(Address::new("Pia", "CH-9400", "", "CH"));
    assert_eq!(
        kinds(&d),
        vec![
            (Field::UltimateDebtorTown, ErrorKind::Missing),
            (Field::UltimateDebtorPostalCode, ErrorKind::PostalCodeWithCountry),
        ]
    );
    // Exactly at the limits is fine.
    let mut e = qr_bill();
    e.creditor = Address::new(&"N".repeat(70), &"1".repeat(16), &"T".repeat(35), "LI")
        .with_street(&"S".repeat(70), &"2".repeat(16));
    assert_eq!(kinds(&e), vec![]);
}

#[test]
fn character_set_and_blanks() {
    let mut b = qr_bill();
    b.creditor.name = "Ștefan Țurcanu € Łódź ÿ".into();
    assert_eq!(kinds(&b), vec![]);
    b.creditor.name = "Müller 😀".into();
    assert_eq!(
        kinds(&b),
        vec![(
            Field::CreditorName,
            ErrorKind::Character {
                position: 8,
                found: '😀'
            }
        )]
    );
    for bad in [
        '\n', '\u{7F}', '\u{9F}', '\u{180}', '\u{217}', '\u{21C}', '\u{20AB}',
    ] {
        b.unstructured_message = Some(format!("a{bad}b"));
        b.creditor.name = "Muster".into();
        assert_eq!(
            kinds(&b),
            vec![(
                Field::UnstructuredMessage,
                ErrorKind::Character {
                    position: 2,
                    found: bad
                }
            )],
            "{bad:?}"
        );
    }
    b.unstructured_message = Some(" padded".into());
    assert_eq!(kinds(&b), vec![(Field::UnstructuredMessage, ErrorKind::Blank)]);
    b.unstructured_message = Some("padded ".into());
    assert_eq!(kinds(&b), vec![(Field::UnstructuredMessage, ErrorKind::Blank)]);
}

#[test]
fn additional_information_rules() {
    let mut b = qr_bill();
    b.billing_information = Some("S1/10/123".into());
    assert_eq!(
        kinds(&b),
        vec![(Field::BillingInformation, ErrorKind::BillingInformationPrefix)]
    );
    b.billing_information = Some(format!("//{}", "x".repeat(68)));
    b.unstructured_message = Some("m".repeat(70));
    assert_eq!(kinds(&b), vec![]);
    b.unstructured_message = Some("m".repeat(71));
    assert_eq!(
        kinds(&b),
        vec![(
            Field::AdditionalInformation,
            ErrorKind::AdditionalInformationTooLong { found: 141 }
        )]
    );
    b.billing_information = None;
    b.unstructured_message = Some("m".repeat(141));
    assert_eq!(
        kinds(&b),
        vec![(
            Field::UnstructuredMessage,
            ErrorKind::TooLong { max: 140, found: 141 }
        )]
    );
}

#[test]
fn alternative_procedures() {
    let mut b = qr_bill();
    b.alternative_procedures = vec!["eBill/B/peter@example.com".into(), "a".repeat(100)];
    assert_eq!(kinds(&b), vec![]);
    b.alternative_procedures = vec![String::new(), "a".repeat(101), "third".into()];
    assert_eq!(
        kinds(&b),
        vec![
            (
                Field::AlternativeProcedures,
                ErrorKind::TooManyAlternativeProcedures { found: 3 }
            ),
            (Field::AlternativeProcedure1, ErrorKind::Missing),
            (
                Field::AlternativeProcedure2,
                ErrorKind::TooLong { max: 100, found: 101 }
            ),
        ]
    );
}

#[test]
fn payload_limit() {
    // With every field at its maximum the payload stays below 997 characters (about 903 with
    // CR+LF), so only over-long fields can exceed it.
    let mut b = qr_bill();
    b.creditor = Address::new(&"N".repeat(70), &"1".repeat(16), &"T".repeat(35), "CH")
        .with_street(&"S".repeat(70), &"2".repeat(16));
    b.ultimate_debtor = Some(b.creditor.clone());
    b.unstructured_message = Some("m".repeat(140));
    b.alternative_procedures = vec!["a".repeat(100), "b".repeat(100)];
    assert_eq!(kinds(&b), vec![]);
    assert!(b.encode_unchecked(Separator::CrLf).chars().count() <= 997);
    b.unstructured_message = Some("m".repeat(240));
    let found = b.encode_unchecked(Separator::CrLf).chars().count();
    assert_eq!(
        kinds(&b),
        vec![
            (
                Field::UnstructuredMessage,
                ErrorKind::TooLong { max: 140, found: 240 }
            ),
            (Field::Payload, ErrorKind::PayloadTooLong { found }),
        ]
    );
    let text = b.encode_unchecked(Separator::CrLf);
    let Err(DecodeError::Invalid(errors)) = QrBill::decode(&text) else {
        panic!("must fail")
    };
    assert_eq!(
        errors.last().map(|e| &e.kind),
        Some(&ErrorKind::PayloadTooLong {
            found: text.chars().count()
        })
    );
}

#[test]
fn zero_amount_and_combined_address_are_warnings() {
    let mut b = qr_bill();
    b.amount = Some(Amount::ZERO);
    assert!(b.validate().is_empty());
    assert_eq!(b.warnings().len(), 1);
    assert_eq!(b.warnings()[0].kind, WarningKind::ZeroAmountWithoutNotice);
    b.unstructured_message = Some("NICHT ZUR ZAHLUNG VERWENDEN".into());
    assert!(b.is_notification());
    assert!(b.warnings().is_empty());
    b.ultimate_debtor = Some(Address::combined(
        "Pia",
        "Grosse Marktgasse 28",
        "9400 Rorschach",
        "CH",
    ));
    assert!(b.validate().is_empty());
    assert_eq!(
        b.warnings(),
        vec![ValidationWarning {
            field: Field::UltimateDebtorAddressType,
            kind: WarningKind::CombinedAddress
        }]
    );
    let mut k = b.ultimate_debtor.clone().unwrap();
    k.building_number = None;
    k.town = "Rorschach".into();
    b.ultimate_debtor = Some(k);
    assert_eq!(
        kinds(&b),
        vec![
            (Field::UltimateDebtorBuildingNumber, ErrorKind::Missing),
            (Field::UltimateDebtorTown, ErrorKind::MustBeEmpty),
        ]
    );
}

#[test]
fn messages_in_five_languages() {
    let e = ValidationError {
        field: Field::UltimateDebtorTown,
        kind: ErrorKind::TooLong { max: 35, found: 40 },
    };
    let all: Vec<String> = Language::ALL.iter().map(|l| e.message(*l)).collect();
    assert_eq!(
        all[0],
        "Ort (Zahlungspflichtiger): höchstens 35 Zeichen erlaubt, 40 angegeben"
    );
    assert_eq!(
        all[1],
        "localité (débiteur final): 35 caractères au maximum, 40 indiqués"
    );
    assert_eq!(
        all[2],
        "località (debitore finale): al massimo 35 caratteri, 40 indicati"
    );
    assert_eq!(
        all[3],
        "lieu (debitur final): maximalmain 35 caracters, 40 indicads"
    );
    assert_eq!(
        all[4],
        "town (ultimate debtor): at most 35 characters allowed, 40 given"
    );
    assert_eq!(
        e.to_string(),
        "line 26 (UltmtDbtr/TwnNm): at most 35 characters allowed, 40 given"
    );
    // Every kind and field has five distinct-language texts (no language silently missing).
    let w = ValidationWarning {
        field: Field::CreditorAddressType,
        kind: WarningKind::CombinedAddress,
    };
    let texts: std::collections::BTreeSet<String> = Language::ALL.iter().map(|l| w.message(*l)).collect();
    assert_eq!(texts.len(), 5);
}

#[test]
fn encode_layout_and_trailing_elements() {
    let b = scor_bill();
    let text = b.encode(Separator::Lf).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(lines.len(), 31);
    assert_eq!(&lines[..5], ["SPC", "0200", "1", "CH5800791123000889012", "S"]);
    assert_eq!(lines[10], "CH");
    assert!(lines[11..18].iter().all(|l| l.is_empty()));
    assert_eq!((lines[18], lines[19]), ("", "EUR"));
    assert_eq!(
        (lines[27], lines[28], lines[30]),
        ("SCOR", "RF18539007547034", "EPD")
    );
    assert!(!text.ends_with('\n'));

    let mut alt = b.clone();
    alt.alternative_procedures = vec!["eBill/B/x@example.com".into()];
    let text = alt.encode(Separator::CrLf).unwrap();
    assert!(text.ends_with("\r\nEPD\r\n\r\neBill/B/x@example.com"), "{text:?}");
    let mut bkg = b.clone();
    bkg.billing_information = Some("//S1/10/1".into());
    assert!(bkg.encode(Separator::Lf).unwrap().ends_with("\nEPD\n//S1/10/1"));

    let mut bad = b;
    bad.creditor.town.clear();
    assert_eq!(
        bad.encode(Separator::Lf),
        Err(EncodeError(vec![ValidationError {
            field: Field::CreditorTown,
            kind: ErrorKind::Missing
        }]))
    );
}

fn lines_of(bill: &QrBill) -> Vec<String> {
    bill.encode_unchecked(Separator::Lf)
        .split('\n')
        .map(str::to_owned)
        .collect()
}

fn decode_lines(lines: &[String]) -> Result<Decoded, DecodeError> {
    QrBill::decode(&lines.join("\n"))
}

fn decode_errors(lines: &[String]) -> Vec<(Field, ErrorKind)> {
    match decode_lines(lines) {
        Err(DecodeError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.kind)).collect(),
        other => panic!("expected validation errors, got {other:?}"),
    }
}

#[test]
fn decode_separators_and_structure() {
    let b = qr_bill();
    for sep in ["\r\n", "\n", "\r"] {
        let text = b.encode_unchecked(Separator::Lf).replace('\n', sep);
        assert_eq!(QrBill::decode(&text).unwrap().bill, b, "{sep:?}");
        assert_eq!(
            QrBill::decode(&format!("{text}{sep}")).unwrap().bill,
            b,
            "one trailing {sep:?}"
        );
    }
    let crlf = b.encode_unchecked(Separator::CrLf);
    assert_eq!(
        QrBill::decode(&format!("{crlf}\n")),
        Err(DecodeError::MixedSeparators { line: 31 })
    );
    assert_eq!(
        QrBill::decode(&crlf.replacen("\r\n", "\n", 3)),
        Err(DecodeError::MixedSeparators { line: 1 })
    );
    assert_eq!(
        QrBill::decode(&format!("\u{FEFF}{crlf}")),
        Err(DecodeError::ByteOrderMark)
    );
    assert_eq!(QrBill::decode(""), Err(DecodeError::Empty));
    let short: Vec<String> = lines_of(&b)[..28].to_vec();
    assert_eq!(decode_lines(&short), Err(DecodeError::LineCount { found: 28 }));
    assert!(QrBill::decode("https://example.com").is_err());
}

#[test]
fn decode_reports_every_element_error_with_its_line() {
    let mut l = lines_of(&qr_bill());
    l[1] = "0300".into();
    l[2] = "2".into();
    l[3] = "CH44 3199 9123 0008 8901".into();
    l[8] = String::new();
    l[13] = "x".into();
    l[18] = "12.5".into();
    l[19] = "USD".into();
    l[27] = "QRR".into();
    l[28] = "210000000003139471430009016".into();
    l[30] = "END".into();
    let errors = decode_errors(&l);
    let fields: Vec<Field> = errors.iter().map(|e| e.0).collect();
    assert_eq!(
        fields,
        vec![
            Field::Version,
            Field::Coding,
            Field::Account,
            Field::UltimateCreditor,
            Field::Amount,
            Field::Currency,
            Field::Reference,
            Field::Trailer,
            Field::CreditorPostalCode,
        ]
    );
    assert!(matches!(
        errors[6].1,
        ErrorKind::Reference(egov_core::Error::CheckDigit { .. })
    ));
    let msg = decode_lines(&l).unwrap_err().to_string();
    assert!(msg.contains("line 2 (Header/Version)"), "{msg}");
    assert!(msg.contains("line 29 (RmtInf/Ref)"), "{msg}");
}

#[test]
fn decode_typed_element_rules() {
    let base = lines_of(&scor_bill());
    let with = |i: usize, v: &str| {
        let mut l = base.clone();
        l[i] = v.into();
        l
    };
    assert!(decode_lines(&with(1, "0201")).is_ok(), "any 02xx version");
    assert!(matches!(
        decode_errors(&with(3, "CH5800791123000889013"))[..],
        [(
            Field::Account,
            ErrorKind::Iban(egov_core::Error::CheckDigit { .. })
        )]
    ));
    assert!(matches!(
        decode_errors(&with(3, "CH58 0079 1123 0008 8901"))[..],
        [(Field::Account, ErrorKind::Format { .. })]
    ));
    for amount in ["01.00", "1", "1.0", "1,00", "-1.00", "1.000"] {
        assert!(
            matches!(
                decode_errors(&with(18, amount))[..],
                [(Field::Amount, ErrorKind::Format { .. })]
            ),
            "{amount}"
        );
    }
    assert_eq!(
        decode_errors(&with(18, "1000000000.00")),
        vec![(Field::Amount, ErrorKind::AmountRange)]
    );
    assert!(decode_lines(&with(18, "0.00")).is_ok());
    assert_eq!(
        decode_errors(&with(27, "")),
        vec![(Field::ReferenceType, ErrorKind::Missing)]
    );
    assert_eq!(
        decode_errors(&with(28, "")),
        vec![(Field::Reference, ErrorKind::Missing)]
    );
    assert!(matches!(
        decode_errors(&with(28, "RF18 5390 0754 7034"))[..],
        [(Field::Reference, ErrorKind::Format { .. })]
    ));
    let mut non = with(27, "NON");
    assert_eq!(
        decode_errors(&non),
        vec![(Field::Reference, ErrorKind::MustBeEmpty)]
    );
    non[28].clear();
    assert_eq!(decode_lines(&non).unwrap().bill.reference, Reference::None);
    assert_eq!(
        decode_errors(&with(4, "X")),
        vec![(Field::CreditorAddressType, ErrorKind::Format { expected: "S" })]
    );
}

#[test]
fn decode_combined_address_is_a_warning() {
    let mut l = lines_of(&scor_bill());
    let k = [
        "K",
        "Pia-Maria Rutschmann-Schnyder",
        "Grosse Marktgasse 28",
        "9400 Rorschach",
        "",
        "",
        "CH",
    ];
    for (i, v) in k.iter().enumerate() {
        l[20 + i] = (*v).into();
    }
    let decoded = decode_lines(&l).unwrap();
    let debtor = decoded.bill.ultimate_debtor.clone().unwrap();
    assert_eq!(debtor.address_type, AddressType::Combined);
    assert_eq!(debtor.building_number.as_deref(), Some("9400 Rorschach"));
    assert_eq!(decoded.warnings.len(), 1);
    assert_eq!(decoded.warnings[0].kind, WarningKind::CombinedAddress);
    assert!(decoded.warnings[0].message(Language::Fr).contains("type K"));
    assert_eq!(decoded.bill.encode_unchecked(Separator::Lf), l.join("\n"));
}

fn text() -> impl Strategy<Value = String> {
    // Characters of the extended set, no blank at either end.
    "[A-Za-z0-9äöüÄÖÜéèàçÿŁłŞşȘșȚț€'.,&()+-]([A-Za-z0-9 äöüéàçŁłȘș€.,-]{0,20}[A-Za-z0-9äöüéŁ€])?"
}

fn address() -> impl Strategy<Value = Address> {
    (
        text(),
        proptest::option::of(text()),
        "[0-9]{4}",
        text(),
        prop::sample::select(vec!["CH", "LI", "DE", "FR"]),
    )
        .prop_map(|(name, street, postal, town, country)| {
            let mut a = Address::new(&name, &postal, &town, country);
            a.street = street;
            a
        })
}

proptest! {
    #[test]
    fn encode_decode_round_trip(
        creditor in address(),
        debtor in proptest::option::of(address()),
        amount in proptest::option::of(1u64..=99_999_999_999),
        qr in any::<bool>(),
        number in "[0-9]{1,20}",
        body in "[A-Z0-9]{1,21}",
        message in proptest::option::of(text()),
        billing in proptest::option::of("//[A-Z0-9/]{1,40}"),
        alternatives in proptest::collection::vec(text(), 0..=2),
        lf in any::<bool>(),
    ) {
        let mut bill = QrBill::new(
            if qr { "CH4431999123000889012" } else { "CH5800791123000889012" }.parse().unwrap(),
            creditor,
            if lf { Currency::Eur } else { Currency::Chf },
        );
        bill.ultimate_debtor = debtor;
        bill.amount = amount.map(|a| Amount::from_minor_units(a).unwrap());
        bill.reference = if qr {
            Reference::qr("1", &number).unwrap_or_else(|_| Reference::qr("", "1").unwrap())
        } else if number.len() % 2 == 0 {
            Reference::creditor(&body).unwrap()
        } else {
            Reference::None
        };
        bill.unstructured_message = message;
        bill.billing_information = billing;
        bill.alternative_procedures = alternatives;
        prop_assert_eq!(bill.validate(), vec![]);
        let text = bill.encode(if lf { Separator::Lf } else { Separator::CrLf }).unwrap();
        let decoded = QrBill::decode(&text).unwrap();
        prop_assert_eq!(&decoded.bill, &bill);
        prop_assert!(decoded.warnings.is_empty());
        prop_assert_eq!(decoded.bill.encode(if lf { Separator::Lf } else { Separator::CrLf }).unwrap(), text);
    }
}
