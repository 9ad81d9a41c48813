//! Property tests: nothing panics on arbitrary input, segment counts grow with the text,
//! lossy conversion always yields GSM-7, HTML never carries markup from values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egov_core::Language;
use egov_notify::sms::{SmsInfo, gsm_cost, is_gsm7, to_gsm_lossy};
use egov_notify::template::{Personalisation, RenderOptions, Template, TemplateSource};
use egov_notify::{EmailAddress, Error, PhoneNumber};
use proptest::prelude::*;

/// Text rich in the characters the template language and the SMS tables care about.
fn tricky_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('('),
            Just(')'),
            Just('?'),
            Just('\\'),
            Just('\n'),
            Just('€'),
            Just('ê'),
            Just('🙂'),
            Just('#'),
            Just('*'),
            Just(' '),
            any::<char>(),
            proptest::char::range('a', 'e'),
        ],
        0..120,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #[test]
    fn parsing_and_rendering_never_panic(body in tricky_text(), subject in tricky_text(), value in tricky_text()) {
        for source in [
            TemplateSource::sms("p", 1).sms_text(Language::Fr, &body),
            TemplateSource::email("p", 1).email_text(Language::Fr, &subject, &body),
        ] {
            match Template::new(source) {
                Ok(template) => {
                    let names = template.placeholders(Language::Fr).unwrap();
                    let data: Personalisation = names.iter().map(|n| (n.clone(), value.clone())).collect();
                    match template.render(Language::Rm, &data, &RenderOptions::default()) {
                        Ok(message) => prop_assert_eq!(message.language, Language::Fr),
                        Err(Error::EmptySms | Error::SmsTooLong { .. }) => {}
                        Err(other) => prop_assert!(false, "unexpected {other:?}"),
                    }
                    if !names.is_empty() {
                        let missing = template.render(Language::Fr, &Personalisation::new(), &RenderOptions::default());
                        let is_missing = matches!(missing, Err(Error::MissingPlaceholders { .. }));
                        prop_assert!(is_missing);
                    }
                }
                Err(Error::Syntax { errors }) => {
                    prop_assert!(!errors.is_empty());
                    for e in errors {
                        prop_assert!(e.line >= 1 && e.column >= 1);
                    }
                }
                Err(Error::InvalidVariant { .. }) => prop_assert!(subject.trim().is_empty()),
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn segments_grow_with_the_text(text in tricky_text(), cut in 0usize..120) {
        let chars: Vec<char> = text.chars().collect();
        let prefix: String = chars[..cut.min(chars.len())].iter().collect();
        let whole = SmsInfo::of(&text);
        let part = SmsInfo::of(&prefix);
        prop_assert!(part.segments <= whole.segments);
        prop_assert!(part.units <= whole.units);
        prop_assert_eq!(whole.segments == 0, text.is_empty());
        prop_assert_eq!(is_gsm7(&text), text.chars().all(|c| gsm_cost(c).is_some()));
    }

    #[test]
    fn segments_of_long_gsm_text(n in 0usize..2000) {
        let info = SmsInfo::of(&"a".repeat(n));
        let expected = match n { 0 => 0, 1..=160 => 1, _ => n.div_ceil(153) };
        prop_assert_eq!(info.segments, expected);
        let info = SmsInfo::of(&"ê".repeat(n));
        let expected = match n { 0 => 0, 1..=70 => 1, _ => n.div_ceil(67) };
        prop_assert_eq!(info.segments, expected);
    }

    #[test]
    fn lossy_is_gsm_and_keeps_gsm_text(text in tricky_text()) {
        let lossy = to_gsm_lossy(&text);
        prop_assert!(is_gsm7(&lossy));
        prop_assert_eq!(to_gsm_lossy(&lossy), lossy.clone());
        if is_gsm7(&text) {
            prop_assert_eq!(lossy, text);
        }
    }

    #[test]
    fn html_has_no_markup_from_values(value in "[^h\n\r]{0,80}") {
        let template = Template::new(
            TemplateSource::email("x", 1).email_text(Language::De, "Betreff ((v))", "Text ((v)) Ende"),
        ).unwrap();
        let render = |v: &str| {
            let data = Personalisation::new().with("v", v);
            template.render(Language::De, &data, &RenderOptions::default()).unwrap().content.as_email().unwrap().clone()
        };
        let plain = render("x");
        let email = render(&value);
        prop_assert_eq!(email.html.matches('<').count(), plain.html.matches('<').count());
        prop_assert!(!email.subject.contains('\n'));
        let expected = format!("Text {value} Ende");
        prop_assert_eq!(email.text.trim(), expected.trim());
    }

    #[test]
    fn phone_numbers_are_idempotent(input in "[+0-9 ()./-]{0,24}") {
        if let Ok(number) = PhoneNumber::parse(&input) {
            let again = PhoneNumber::parse(number.as_str()).unwrap();
            prop_assert_eq!(&again, &number);
            prop_assert!(number.as_str().starts_with('+'));
            prop_assert!(number.as_str()[1..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn email_parsing_never_panics(input in "\\PC{0,40}") {
        if let Ok(address) = input.parse::<EmailAddress>() {
            prop_assert_eq!(address.as_str().parse::<EmailAddress>().unwrap(), address);
        }
    }
}
