//! Layout and SVG checks of the QR-bill payment part and receipt.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use egov_core::Language;
use egov_pay::qrbill::{Address, Currency, QrBill, Reference};
use egov_pay::render::{
    self, A4, CORNER_MARK_ARM, Element, Label, Layout, OutputSize, PAYMENT_PART_WIDTH, Part, QR_CODE_SIZE,
    RECEIPT_WIDTH, Rect, RenderOptions, SLIP_HEIGHT, SLIP_WIDTH, SWISS_CROSS_SIZE, SeparatorStyle, TextRole,
    ascender_mm, descender_mm, label, text_width_mm,
};

const EPS: f64 = 1e-9;

fn full_bill() -> QrBill {
    let mut bill = QrBill::new(
        "CH44 3199 9123 0008 8901 2".parse().unwrap(),
        Address::new("Robert Schneider AG", "2501", "Biel", "CH").with_street("Rue du Lac", "1268"),
        Currency::Chf,
    );
    bill.amount = Some("1949.75".parse().unwrap());
    bill.ultimate_debtor = Some(
        Address::new("Pia-Maria Rutschmann-Schnyder", "9400", "Rorschach", "CH")
            .with_street("Grosse Marktgasse", "28"),
    );
    bill.reference = Reference::qr("", "21000000000313947143000901").unwrap();
    bill.unstructured_message = Some("Auftrag vom 15.06.2020".into());
    bill.billing_information =
        Some("//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/40/0:30".into());
    bill.alternative_procedures = vec!["eBill/B/peter@example.com".into()];
    bill
}

fn blank_bill() -> QrBill {
    let mut bill = QrBill::new(
        "CH58 0079 1123 0008 8901 2".parse().unwrap(),
        Address::new("Gemeinde Muster", "8000", "Seldwyla", "CH"),
        Currency::Eur,
    );
    bill.reference = Reference::None;
    bill
}

/// The longest allowed content: 70-character names and streets, 16-character building numbers and
/// postal codes, 35-character towns, a foreign debtor, 140 characters of messages, two 100-character
/// alternative procedures, the largest amount.
fn maximal_bill(wide: char) -> QrBill {
    let s = |n: usize| std::iter::repeat_n(wide, n).collect::<String>();
    let mut bill = QrBill::new(
        "CH44 3199 9123 0008 8901 2".parse().unwrap(),
        Address::new(&s(70), &s(16), &s(35), "CH").with_street(&s(70), &s(16)),
        Currency::Chf,
    );
    bill.amount = Some("999999999.99".parse().unwrap());
    bill.ultimate_debtor = Some(Address::new(&s(70), &s(16), &s(35), "DE").with_street(&s(70), &s(16)));
    bill.reference = Reference::qr("", "21000000000313947143000901").unwrap();
    bill.unstructured_message = Some(s(60));
    bill.billing_information = Some(format!("//{}", s(78)));
    bill.alternative_procedures = vec![format!("eBill/{}", s(94)), format!("X;{}", s(98))];
    bill
}

fn opts(language: Language, output: OutputSize) -> RenderOptions {
    RenderOptions::new(language, output)
}

fn corner_marks(l: &Layout) -> Vec<Rect> {
    l.elements
        .iter()
        .filter_map(|e| match e {
            Element::CornerMarks(r) => Some(*r),
            _ => None,
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn qr_code_is_46_mm_at_its_place_with_a_centred_7_mm_cross() {
    for (output, top) in [(OutputSize::Slip, 0.0), (OutputSize::A4, A4.1 - SLIP_HEIGHT)] {
        let l = render::layout(&full_bill(), &opts(Language::De, output)).unwrap();
        assert!(close(l.slip_top, top));
        let qr = l.qr_code().unwrap();
        assert!(close(qr.rect.width, 46.0) && close(qr.rect.height, 46.0) && close(QR_CODE_SIZE, 46.0));
        // 5 mm right of the receipt (62 mm), below the 5 mm margin, 7 mm title and 5 mm border.
        assert!(close(qr.rect.x, 67.0), "{}", qr.rect.x);
        assert!(close(qr.rect.y, top + 17.0), "{}", qr.rect.y);
        assert_eq!(qr.dark.len(), qr.width * qr.width);
        assert_eq!(qr.width, 17 + 4 * usize::try_from(qr.version).unwrap());
        let cross = l
            .elements
            .iter()
            .find_map(|e| match e {
                Element::SwissCross(r) => Some(*r),
                _ => None,
            })
            .unwrap();
        assert!(close(cross.width, SWISS_CROSS_SIZE) && close(cross.height, 7.0));
        let (qx, qy) = qr.rect.center();
        let (cx, cy) = cross.center();
        assert!(close(qx, cx) && close(qy, cy));
    }
}

#[test]
fn qr_code_uses_error_correction_m_and_the_smallest_version() {
    let bill = full_bill();
    let l = render::layout(&bill, &RenderOptions::default()).unwrap();
    let qr = l.qr_code().unwrap();
    let payload = bill.encode(egov_pay::Separator::CrLf).unwrap();
    assert_eq!(l.payload, payload);
    let m = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M).unwrap();
    assert_eq!(m.error_correction_level(), qrcode::EcLevel::M);
    assert_eq!(qr.width, m.width());
    // A code with level Q needs more modules for the same payload, so the matrix really is M.
    let q = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::Q).unwrap();
    assert!(q.width() > m.width());
}

#[test]
fn sections_have_the_prescribed_widths() {
    assert!(close(RECEIPT_WIDTH, 62.0) && close(PAYMENT_PART_WIDTH, 148.0));
    assert!(close(RECEIPT_WIDTH + PAYMENT_PART_WIDTH, SLIP_WIDTH));
    let l = render::layout(&full_bill(), &opts(Language::En, OutputSize::Slip)).unwrap();
    assert!(close(l.width, 210.0) && close(l.height, 105.0));
    for t in l.texts() {
        match t.part {
            // Receipt text stays within 5..57 mm, payment part text within 67..205 mm.
            Part::Receipt => assert!(t.x >= 5.0 - EPS && t.x + t.width() <= 57.0 + EPS, "{t:?}"),
            Part::PaymentPart => assert!(t.x >= 67.0 - EPS && t.x + t.width() <= 205.0 + EPS, "{t:?}"),
            _ => {}
        }
    }
    // The separator between receipt and payment part is at 62 mm.
    assert!(
        l.elements
            .iter()
            .any(|e| matches!(e, Element::Line { x1, x2, .. } if close(*x1, 62.0) && close(*x2, 62.0)))
    );
    assert!(l.elements.iter().any(|e| matches!(e, Element::Scissors { .. })));
    let a4 = render::layout(&full_bill(), &opts(Language::En, OutputSize::A4)).unwrap();
    assert!(close(a4.width, 210.0) && close(a4.height, 297.0));
    // On A4 a horizontal line marks the top of the slip.
    assert!(
        a4.elements
            .iter()
            .any(|e| matches!(e, Element::Line { y1, y2, x1, x2, .. }
        if close(*y1, 192.0) && close(*y2, 192.0) && (x2 - x1) > 100.0))
    );
}

#[test]
fn fonts_follow_the_style_guide() {
    let l = render::layout(&full_bill(), &opts(Language::En, OutputSize::Slip)).unwrap();
    for t in l.texts() {
        match (t.part, t.role) {
            (_, TextRole::Title) => assert!(close(t.size_pt, 11.0) && t.bold),
            (Part::Receipt, TextRole::Heading) => assert!(close(t.size_pt, 6.0) && t.bold),
            (Part::Receipt, TextRole::Value) => assert!(close(t.size_pt, 8.0) && !t.bold),
            (Part::PaymentPart, TextRole::Heading) => assert!(close(t.size_pt, 8.0) && t.bold),
            (Part::PaymentPart, TextRole::Value) => assert!(close(t.size_pt, 10.0) && !t.bold),
            (_, TextRole::ProcedureName | TextRole::ProcedureValue) => assert!(close(t.size_pt, 7.0)),
            _ => {}
        }
    }
    let values: Vec<&str> = l.texts().map(|t| t.text.as_str()).collect();
    assert!(values.contains(&"CH44 3199 9123 0008 8901 2"));
    assert!(values.contains(&"21 00000 00003 13947 14300 09017"));
    assert!(values.contains(&"1 949.75"));
    assert!(values.contains(&"Rue du Lac 1268"));
    assert!(values.contains(&"2501 Biel"));
    assert!(values.contains(&"eBill: "));
    assert!(!l.shortened);
    // Additional information only on the payment part.
    let info = l.texts().find(|t| t.text == "Additional information").unwrap();
    assert_eq!(info.part, Part::PaymentPart);
    assert_eq!(
        l.texts().filter(|t| t.text == "Auftrag vom 15.06.2020").count(),
        1
    );
}

#[test]
fn headings_in_every_language() {
    for lang in Language::ALL {
        let l = render::layout(&full_bill(), &opts(lang, OutputSize::Slip)).unwrap();
        let texts: Vec<&str> = l.texts().map(|t| t.text.as_str()).collect();
        for key in [
            Label::PaymentPart,
            Label::Receipt,
            Label::AccountPayableTo,
            Label::Reference,
            Label::AdditionalInformation,
            Label::PayableBy,
            Label::Currency,
            Label::Amount,
            Label::AcceptancePoint,
        ] {
            assert!(texts.contains(&label(key, lang)), "{lang:?} {key:?}");
        }
        assert!(!texts.contains(&label(Label::PayableByNameAddress, lang)));
        // The acceptance point is right-aligned at 57 mm.
        let acc = l
            .texts()
            .find(|t| t.text == label(Label::AcceptancePoint, lang))
            .unwrap();
        assert!(close(acc.x + acc.width(), 57.0));
    }
    assert_eq!(label(Label::PaymentPart, Language::Fr), "Section paiement");
    assert_eq!(
        label(Label::AcceptancePoint, Language::It),
        "Punto di accettazione"
    );
    assert_eq!(label(Label::Amount, Language::En), "Amount");
    assert_eq!(label(Label::Currency, Language::De), "Währung");
}

#[test]
fn blank_amount_and_debtor_get_corner_marks() {
    for lang in Language::ALL {
        let l = render::layout(&blank_bill(), &opts(lang, OutputSize::Slip)).unwrap();
        let marks = corner_marks(&l);
        let sizes: Vec<(i64, i64)> = marks
            .iter()
            .map(|r| ((r.width * 10.0).round() as i64, (r.height * 10.0).round() as i64))
            .collect();
        // Receipt: amount 30 × 10, debtor 52 × 20; payment part: amount 40 × 15, debtor 65 × 25.
        for size in [(300, 100), (520, 200), (400, 150), (650, 250)] {
            assert!(sizes.contains(&size), "{lang:?}: {sizes:?}");
        }
        assert_eq!(marks.len(), 4);
        let texts: Vec<&str> = l.texts().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts
                .iter()
                .filter(|t| **t == label(Label::PayableByNameAddress, lang))
                .count(),
            2
        );
        assert!(!texts.contains(&label(Label::PayableBy, lang)));
        assert!(
            !texts.contains(&label(Label::Reference, lang)),
            "no reference heading for NON"
        );
        for r in &marks {
            let receipt = r.x < 62.0;
            let (left, right) = if receipt { (5.0, 57.0) } else { (67.0, 205.0) };
            assert!(r.x >= left - EPS && r.x + r.width <= right + EPS, "{r:?}");
            assert!(r.y >= 5.0 && r.y + r.height <= 100.0 + EPS, "{r:?}");
            // No text inside a blank field.
            for t in l.texts() {
                let (tl, tr) = (t.x, t.x + t.width());
                let (tt, tb) = (
                    t.baseline - ascender_mm(t.size_pt),
                    t.baseline + descender_mm(t.size_pt),
                );
                let overlaps = tl < r.x + r.width && tr > r.x && tt < r.y + r.height && tb > r.y;
                assert!(!overlaps, "{lang:?}: {t:?} in {r:?}");
            }
            assert!(CORNER_MARK_ARM * 2.0 < r.height);
        }
    }
    // With amount and debtor there are no corner marks.
    let l = render::layout(&full_bill(), &RenderOptions::default()).unwrap();
    assert!(corner_marks(&l).is_empty());
}

#[test]
fn no_line_overflows_even_with_maximal_content() {
    for wide in ['W', 'm', 'i', '0'] {
        let bill = maximal_bill(wide);
        assert!(bill.validate().is_empty(), "{:?}", bill.validate());
        for lang in Language::ALL {
            for output in [OutputSize::Slip, OutputSize::A4] {
                let l = render::layout(&bill, &opts(lang, output)).unwrap();
                for t in l.texts() {
                    assert!(t.x + t.width() <= t.column_right + EPS, "{wide} {lang:?}: {t:?}");
                    assert!(t.size_pt >= 6.0, "{t:?}");
                    if t.part != Part::Page {
                        // Between the top and bottom margins of the slip.
                        let top = t.baseline - ascender_mm(t.size_pt) - l.slip_top;
                        assert!(
                            top >= 5.0 - EPS && t.baseline - l.slip_top <= 100.0 + EPS,
                            "{wide} {lang:?}: {t:?}"
                        );
                    }
                }
                // Text of the information sections stays above the amount and further-information sections.
                for t in l
                    .texts()
                    .filter(|t| t.role == TextRole::Value && t.part == Part::PaymentPart && t.x >= 118.0)
                {
                    assert!(t.baseline - l.slip_top <= 90.0 + EPS, "{t:?}");
                }
                if wide == 'W' {
                    assert!(l.shortened);
                    assert!(l.texts().any(|t| t.text.ends_with(render::ELLIPSIS)));
                }
            }
        }
    }
}

#[test]
fn lines_do_not_overlap_vertically_within_a_column() {
    let bill = maximal_bill('W');
    let l = render::layout(&bill, &opts(Language::Fr, OutputSize::Slip)).unwrap();
    let mut receipt: Vec<_> = l
        .texts()
        .filter(|t| t.part == Part::Receipt && t.baseline < 68.0)
        .collect();
    receipt.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    for pair in receipt.windows(2) {
        if close(pair[0].baseline, pair[1].baseline) {
            continue;
        }
        assert!(
            pair[1].baseline - pair[0].baseline >= pair[1].size_pt * 25.4 / 72.0,
            "{pair:?}"
        );
    }
}

#[test]
fn long_names_wrap_and_shorten_with_an_ellipsis() {
    let mut bill = full_bill();
    let name = "Verwaltungsgenossenschaft der Einwohnergemeinde Oberägeri-Unterägeri und Umgebung";
    bill.creditor.name = name.chars().take(70).collect();
    let l = render::layout(&bill, &opts(Language::De, OutputSize::Slip)).unwrap();
    let receipt_lines: Vec<&str> = l
        .texts()
        .filter(|t| t.part == Part::Receipt && t.role == TextRole::Value)
        .map(|t| t.text.as_str())
        .collect();
    assert!(
        receipt_lines.contains(&"Verwaltungsgenossenschaft der"),
        "{receipt_lines:?}"
    );
    for t in l.texts() {
        assert!(t.x + t.width() <= t.column_right + EPS);
    }
}

#[test]
fn amounts_are_grouped_by_thousands() {
    assert_eq!(
        render::format_amount("999999999.99".parse().unwrap()),
        "999 999 999.99"
    );
    assert_eq!(render::format_amount("1000".parse().unwrap()), "1 000.00");
    assert_eq!(render::format_amount("999".parse().unwrap()), "999.00");
    assert_eq!(render::format_amount("0.05".parse().unwrap()), "0.05");
}

#[test]
fn foreign_addresses_carry_the_country_code() {
    let mut bill = full_bill();
    bill.ultimate_debtor =
        Some(Address::new("Max Muster", "80331", "München", "DE").with_street("Marienplatz", "1"));
    let l = render::layout(&bill, &RenderOptions::default()).unwrap();
    assert!(l.texts().any(|t| t.text == "DE-80331 München"));
    assert!(l.texts().any(|t| t.text == "2501 Biel"));
}

#[test]
fn invalid_bills_are_refused_with_their_errors() {
    let mut bill = full_bill();
    bill.reference = Reference::None; // a QR-IBAN needs a QR reference
    match render::svg(&bill, &RenderOptions::default()) {
        Err(render::RenderError::Invalid(errors)) => assert!(!errors.is_empty()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn separator_styles() {
    let count = |l: &Layout, f: fn(&Element) -> bool| l.elements.iter().filter(|e| f(e)).count();
    let mut o = opts(Language::De, OutputSize::A4);
    o.separator = SeparatorStyle::None;
    let l = render::layout(&full_bill(), &o).unwrap();
    assert_eq!(
        count(&l, |e| matches!(
            e,
            Element::Line { .. } | Element::Scissors { .. }
        )),
        0
    );
    o.separator = SeparatorStyle::LineWithScissors;
    let l = render::layout(&full_bill(), &o).unwrap();
    assert_eq!(count(&l, |e| matches!(e, Element::Scissors { .. })), 2);
    o.separator = SeparatorStyle::LineWithNote;
    let l = render::layout(&full_bill(), &o).unwrap();
    let note = l.texts().find(|t| t.role == TextRole::SeparatorNote).unwrap();
    assert_eq!(note.text, "Vor der Einzahlung abzutrennen");
    assert!(note.baseline < 192.0, "above the line, outside the slip");
    o.output = OutputSize::Slip;
    let l = render::layout(&full_bill(), &o).unwrap();
    assert!(l.texts().all(|t| t.role != TextRole::SeparatorNote));
    // Romansh has no official note: scissors instead.
    let mut rm = opts(Language::Rm, OutputSize::A4);
    rm.separator = SeparatorStyle::LineWithNote;
    let l = render::layout(&full_bill(), &rm).unwrap();
    assert_eq!(count(&l, |e| matches!(e, Element::Scissors { .. })), 2);
}

#[test]
fn svg_is_well_formed_and_matches_the_layout() {
    let mut bill = full_bill();
    bill.creditor.name = "Müller & Söhne <AG> \"Zürich\"".into();
    for lang in Language::ALL {
        for output in [OutputSize::Slip, OutputSize::A4] {
            let o = opts(lang, output);
            let svg = render::svg(&bill, &o).unwrap();
            let doc = roxmltree::Document::parse(&svg).unwrap();
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "svg");
            let (w, h) = if output == OutputSize::A4 {
                ("210mm", "297mm")
            } else {
                ("210mm", "105mm")
            };
            assert_eq!(
                (root.attribute("width"), root.attribute("height")),
                (Some(w), Some(h))
            );
            let texts: Vec<String> = root
                .descendants()
                .filter(|n| n.has_tag_name("text"))
                .map(|n| n.text().unwrap_or_default().to_owned())
                .collect();
            let layout = render::layout(&bill, &o).unwrap();
            let expected: Vec<String> = layout.texts().map(|t| t.text.clone()).collect();
            assert_eq!(texts, expected);
            assert!(texts.iter().any(|t| t == "Müller & Söhne <AG> \"Zürich\""));
            // The QR code path spans exactly 46 mm.
            let qr = root
                .descendants()
                .find(|n| n.attribute("shape-rendering") == Some("crispEdges"))
                .unwrap();
            let d = qr.attribute("d").unwrap();
            assert!(
                d.starts_with(&format!(
                    "M67 {}",
                    if output == OutputSize::A4 { "209" } else { "17" }
                )),
                "{d}"
            );
        }
    }
}

#[test]
fn heading_widths_fit_their_columns_in_all_languages() {
    for lang in Language::ALL {
        // Payment-part headings at 8 pt in the 87 mm column, receipt headings at 6 pt in 52 mm.
        assert!(text_width_mm(label(Label::PayableByNameAddress, lang), 8.0, true) < 87.0);
        assert!(text_width_mm(label(Label::PayableByNameAddress, lang), 6.0, true) < 52.0);
        // "Currency" fits before the amount column (12 mm receipt, 15 mm payment part).
        assert!(text_width_mm(label(Label::Currency, lang), 6.0, true) < 12.0);
        assert!(text_width_mm(label(Label::Currency, lang), 8.0, true) < 15.0);
    }
}
