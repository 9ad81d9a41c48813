//! GSM-7 / UCS-2 detection, segment counts at the boundaries, the accented letters of the
//! national languages, SMS templates and limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egov_core::Language;
use egov_notify::Error;
use egov_notify::sms::{Encoding, SmsInfo, SmsLimits, gsm_cost, is_gsm7, to_gsm_lossy};
use egov_notify::template::{Personalisation, RenderOptions, Template, TemplateSource};

fn count(text: &str) -> (Encoding, usize, usize) {
    let info = SmsInfo::of(text);
    (info.encoding, info.units, info.segments)
}

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

#[test]
fn gsm7_boundaries() {
    use Encoding::Gsm7;
    assert_eq!(count(""), (Gsm7, 0, 0));
    assert_eq!(count("a"), (Gsm7, 1, 1));
    assert_eq!(count(&rep("a", 160)), (Gsm7, 160, 1));
    assert_eq!(count(&rep("a", 161)), (Gsm7, 161, 2));
    assert_eq!(count(&rep("a", 153 * 2)), (Gsm7, 306, 2));
    assert_eq!(count(&rep("a", 153 * 2 + 1)), (Gsm7, 307, 3));
    assert_eq!(count(&rep("a", 153 * 3)), (Gsm7, 459, 3));
    assert_eq!(count(&rep("a", 153 * 3 + 1)), (Gsm7, 460, 4));
    assert_eq!(count(&rep("a", 918)), (Gsm7, 918, 6));
    assert_eq!(count(&rep("a", 919)), (Gsm7, 919, 7));
    let info = SmsInfo::of(&rep("a", 150));
    assert_eq!(info.remaining, 10);
    let info = SmsInfo::of(&rep("a", 200));
    assert_eq!(info.remaining, 153 * 2 - 200);
}

#[test]
fn ucs2_boundaries() {
    use Encoding::Ucs2;
    assert_eq!(count(&rep("ê", 70)), (Ucs2, 70, 1));
    assert_eq!(count(&rep("ê", 71)), (Ucs2, 71, 2));
    assert_eq!(count(&rep("ê", 67 * 2)), (Ucs2, 134, 2));
    assert_eq!(count(&rep("ê", 67 * 2 + 1)), (Ucs2, 135, 3));
    assert_eq!(count(&(rep("a", 69) + "ç")), (Ucs2, 70, 1));
    assert_eq!(count(&(rep("a", 70) + "ç")), (Ucs2, 71, 2));
}

#[test]
fn extension_characters_count_twice() {
    use Encoding::Gsm7;
    for c in ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\u{0c}'] {
        assert_eq!(gsm_cost(c), Some(2), "{c:?}");
    }
    assert_eq!(count(&rep("€", 80)), (Gsm7, 160, 1));
    assert_eq!(count(&rep("€", 81)), (Gsm7, 162, 2));
    assert_eq!(count(&(rep("a", 158) + "€")), (Gsm7, 160, 1));
    assert_eq!(count(&(rep("a", 159) + "€")), (Gsm7, 161, 2));
    assert_eq!(count("Gebühr: 20 € [bar] {Karte}"), (Gsm7, 31, 1));
    // An escape pair is not split: with 152 characters in the first part, the € opens the second.
    assert_eq!(count(&(rep("a", 152) + "€" + &rep("a", 151))), (Gsm7, 305, 2));
    assert_eq!(count(&(rep("a", 152) + "€" + &rep("a", 152))), (Gsm7, 306, 3));
}

#[test]
fn emoji_take_two_ucs2_units() {
    use Encoding::Ucs2;
    assert_eq!(count("🙂"), (Ucs2, 2, 1));
    assert_eq!(count(&rep("🙂", 35)), (Ucs2, 70, 1));
    assert_eq!(count(&rep("🙂", 36)), (Ucs2, 72, 2));
    assert_eq!(count(&(rep("a", 68) + "🙂")), (Ucs2, 70, 1));
    // A surrogate pair is not split across parts.
    assert_eq!(count(&(rep("a", 66) + "🙂" + &rep("a", 66))), (Ucs2, 134, 3));
    assert_eq!(count(&(rep("a", 67) + "🙂" + &rep("a", 65))), (Ucs2, 134, 2));
}

/// Every accented letter that German, French, Italian and Romansh texts use, pinned to the
/// GSM 03.38 default alphabet (3GPP TS 23.038): `Some(1)` is in the basic table, `None` forces UCS-2.
#[test]
fn accented_letters_of_the_national_languages() {
    let table: &[(char, Option<usize>)] = &[
        // German
        ('ä', Some(1)),
        ('ö', Some(1)),
        ('ü', Some(1)),
        ('Ä', Some(1)),
        ('Ö', Some(1)),
        ('Ü', Some(1)),
        ('ß', Some(1)),
        // French
        ('é', Some(1)),
        ('è', Some(1)),
        ('à', Some(1)),
        ('ù', Some(1)),
        ('É', Some(1)),
        ('Ç', Some(1)),
        ('ê', None),
        ('â', None),
        ('î', None),
        ('ô', None),
        ('û', None),
        ('ë', None),
        ('ï', None),
        ('ÿ', None),
        ('ç', None),
        ('œ', None),
        ('æ', Some(1)),
        ('È', None),
        ('Ê', None),
        ('À', None),
        ('Â', None),
        ('Î', None),
        ('Ô', None),
        ('Û', None),
        ('Œ', None),
        ('«', None),
        ('»', None),
        ('’', None),
        ('\u{a0}', None),
        ('\u{202f}', None),
        // Italian
        ('ì', Some(1)),
        ('ò', Some(1)),
        ('Ì', None),
        ('Ò', None),
        ('Ù', None),
        ('í', None),
        ('ó', None),
        ('ú', None),
        ('á', None),
        // Romansh (Rumantsch Grischun and the idioms use ä ö ü é è à ì ò ù, Puter/Vallader also ê ô)
        // are all covered above; others from names in the registers:
        ('ñ', Some(1)),
        ('Ñ', Some(1)),
        ('Å', Some(1)),
        ('å', Some(1)),
        ('Ø', Some(1)),
        ('ø', Some(1)),
        ('Æ', Some(1)),
        ('š', None),
        ('ć', None),
        ('č', None),
        ('ž', None),
        // Currency and punctuation
        ('£', Some(1)),
        ('¥', Some(1)),
        ('§', Some(1)),
        ('¤', Some(1)),
        ('€', Some(2)),
        ('$', Some(1)),
        ('@', Some(1)),
        ('_', Some(1)),
        ('\'', Some(1)),
        ('"', Some(1)),
        ('`', None),
        ('–', None),
    ];
    for (c, expected) in table {
        assert_eq!(gsm_cost(*c), *expected, "{c:?} (U+{:04X})", u32::from(*c));
    }
}

#[test]
fn typical_sentences() {
    let cases = [
        (
            "Ihre Wohnsitzbestätigung ist bereit. Gebühr: CHF 20.00",
            Encoding::Gsm7,
        ),
        ("Votre attestation de domicile est prête.", Encoding::Ucs2),
        ("Votre demande a été acceptée.", Encoding::Gsm7),
        ("Votre demande a été reçue.", Encoding::Ucs2),
        ("Votre demande l’a été.", Encoding::Ucs2),
        ("Il Suo certificato di domicilio è pronto.", Encoding::Gsm7),
        ("È pronto il Suo certificato.", Encoding::Ucs2),
        ("Vossa attestaziun da domicil è pronta.", Encoding::Gsm7),
        ("Your confirmation of residence is ready.", Encoding::Gsm7),
    ];
    for (text, encoding) in cases {
        assert_eq!(SmsInfo::of(text).encoding, encoding, "{text}");
        assert_eq!(is_gsm7(text), encoding == Encoding::Gsm7, "{text}");
    }
}

#[test]
fn lossy_conversion_only_when_asked() {
    let fr = "Votre attestation de domicile est prête : « retrait au guichet » – l’équipe.";
    assert_eq!(SmsInfo::of(fr).encoding, Encoding::Ucs2);
    let lossy = to_gsm_lossy(fr);
    assert_eq!(
        lossy,
        "Votre attestation de domicile est prete : \" retrait au guichet \" - l'équipe."
    );
    assert_eq!(SmsInfo::of(&lossy).encoding, Encoding::Gsm7);
    assert_eq!(to_gsm_lossy("È già pronta"), "E già pronta");
    assert_eq!(to_gsm_lossy("Façade"), "FaÇade");
    // Text already in GSM-7 is unchanged.
    let de = "Grüezi! Ihre Bestätigung ist bereit {Nr. 5} €";
    assert_eq!(to_gsm_lossy(de), de);
}

#[test]
fn limits() {
    let limits = SmsLimits { max_segments: 2 };
    assert_eq!(limits.check(&rep("a", 306)).unwrap().segments, 2);
    assert_eq!(
        limits.check(&rep("a", 307)),
        Err(Error::SmsTooLong {
            encoding: Encoding::Gsm7,
            units: 307,
            segments: 3,
            max_segments: 2
        })
    );
    assert_eq!(limits.check(" \n "), Err(Error::EmptySms));
    assert_eq!(SmsLimits::default().max_segments, 6);
}

fn sms_template() -> Template {
    Template::new(
        TemplateSource::sms("termin-erinnerung", 2)
            .sms_text(Language::De, "Erinnerung: Ihr Termin beim Passbüro ist am ((datum)) um ((zeit)). ((ort))")
            .sms_text(Language::Fr, "Rappel : votre rendez-vous au bureau des passeports est le ((datum)) à ((zeit)). ((ort))")
            .sms_text(Language::It, "Promemoria: il Suo appuntamento all'ufficio passaporti è il ((datum)) alle ((zeit)). ((ort))")
            .sms_text(Language::Rm, "Promemoria: Voss termin al biro da passaports è ils ((datum)) a las ((zeit)). ((ort))")
            .sms_text(Language::En, "Reminder: your passport office appointment is on ((datum)) at ((zeit)). ((ort))"),
    )
    .unwrap()
}

#[test]
fn sms_templates_record_encoding_and_segments() {
    let template = sms_template();
    let data = Personalisation::new()
        .with("datum", "12.03.2026")
        .with("zeit", "10:15")
        .with("ort", "Chur");
    let expected = [
        (Language::De, Encoding::Gsm7),
        (Language::Fr, Encoding::Gsm7),
        (Language::It, Encoding::Gsm7),
        (Language::Rm, Encoding::Gsm7),
        (Language::En, Encoding::Gsm7),
    ];
    for (language, encoding) in expected {
        let message = template
            .render(language, &data, &RenderOptions::default())
            .unwrap();
        let sms = message.content.as_sms().unwrap();
        assert_eq!(sms.info, SmsInfo::of(&sms.text));
        assert_eq!(
            (sms.info.encoding, sms.info.segments),
            (encoding, 1),
            "{language}: {}",
            sms.text
        );
        assert!(sms.text.contains("12.03.2026") && sms.text.ends_with("Chur"));
        assert_eq!(message.language, language);
    }
    // A value with a circumflex switches the French message to UCS-2: 132 UTF-16 units, two parts.
    let data = data.with("ort", "Hôtel de ville, 1er étage, guichet 3, entrée côté rue");
    let sms = template
        .render(Language::Fr, &data, &RenderOptions::default())
        .unwrap();
    let info = sms.content.as_sms().unwrap().info;
    assert_eq!(
        (info.encoding, info.units, info.segments),
        (Encoding::Ucs2, 132, 2)
    );
    let limited = RenderOptions::default().with_sms_limits(SmsLimits { max_segments: 1 });
    assert!(matches!(
        template.render(Language::Fr, &data, &limited),
        Err(Error::SmsTooLong {
            encoding: Encoding::Ucs2,
            segments: 2,
            max_segments: 1,
            ..
        })
    ));
    // The same value in German stays GSM-7 apart from the ô.
    let de = template
        .render(Language::De, &data, &RenderOptions::default())
        .unwrap();
    assert_eq!(de.content.as_sms().unwrap().info.encoding, Encoding::Ucs2);
}

#[test]
fn empty_sms_is_refused() {
    let template = Template::new(TemplateSource::sms("leer", 1).sms_text(Language::De, "((text))")).unwrap();
    let data = Personalisation::new().with("text", "  ");
    assert_eq!(
        template.render(Language::De, &data, &RenderOptions::default()),
        Err(Error::EmptySms)
    );
}
