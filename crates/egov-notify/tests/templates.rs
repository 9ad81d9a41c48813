//! Templates in the five languages: rendering, fallback, missing values, escaping, syntax errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egov_core::{Fallback, Language, Localized};
use egov_notify::template::{
    Personalisation, RenderOptions, RenderedMessage, SyntaxErrorKind, Template, TemplateSource, Variant,
};
use egov_notify::{Error, Message, PhoneNumber};

const DE_BODY: &str = "Guten Tag ((first_name)) ((last_name))

Ihre Wohnsitzbestätigung (Bestellnummer ((order_number))) ist bereit.
((pickup??Sie können das Dokument am Schalter der Einwohnerkontrolle abholen.))
((by_post??Wir senden Ihnen das Dokument per Post zu.))

^ Gebühr: ((fee))

Öffnungszeiten:
* Montag bis Freitag, 08.00–11.30 Uhr
* Donnerstag bis 18.30 Uhr

Weitere Informationen: https://www.muster.ch/wohnsitz

Freundliche Grüsse
Einwohnerkontrolle ((municipality))";

fn residence() -> Template {
    Template::new(
        TemplateSource::email("wohnsitzbestaetigung-bereit", 3)
            .name("Wohnsitzbestätigung bereit")
            .email_text(Language::De, "Ihre Wohnsitzbestätigung ist bereit", DE_BODY)
            .email_text(
                Language::Fr,
                "Votre attestation de domicile est prête",
                "Bonjour ((first_name)) ((last_name))\n\n\
                 Votre attestation de domicile (commande ((order_number))) est prête.\n\
                 ((pickup??Vous pouvez la retirer au guichet du contrôle des habitants.))\n\
                 ((by_post??Nous vous l’envoyons par la poste.))\n\n\
                 ^ Émolument : ((fee))\n\n\
                 Meilleures salutations\nContrôle des habitants de ((municipality))",
            )
            .email_text(
                Language::It,
                "Il Suo certificato di domicilio è pronto",
                "Buongiorno ((first_name)) ((last_name))\n\n\
                 Il Suo certificato di domicilio (ordinazione ((order_number))) è pronto.\n\
                 ((pickup??Può ritirarlo allo sportello del controllo abitanti.))\n\
                 ((by_post??Glielo inviamo per posta.))\n\n\
                 ^ Emolumento: ((fee))\n\n\
                 Cordiali saluti\nControllo abitanti di ((municipality))",
            )
            .email_text(
                Language::Rm,
                "Vossa attestaziun da domicil è pronta",
                "Bun di ((first_name)) ((last_name))\n\n\
                 Vossa attestaziun da domicil (empustaziun ((order_number))) è pronta.\n\
                 ((pickup??Vus pudais prender ella al fanestrin da la controlla d'abitants.))\n\
                 ((by_post??Nus As tramettain ella per posta.))\n\n\
                 ^ Taxa: ((fee))\n\n\
                 Cordials salids\nControlla d'abitants ((municipality))",
            )
            .email_text(
                Language::En,
                "Your confirmation of residence is ready",
                "Hello ((first_name)) ((last_name))\n\n\
                 Your confirmation of residence (order ((order_number))) is ready.\n\
                 ((pickup??You can collect it at the residents' registration office.))\n\
                 ((by_post??We will send it to you by post.))\n\n\
                 ^ Fee: ((fee))\n\n\
                 Kind regards\nResidents' registration office ((municipality))",
            ),
    )
    .unwrap()
}

fn data() -> Personalisation {
    Personalisation::new()
        .with("first_name", "Gian")
        .with("last_name", "Caduff")
        .with("order_number", "WB-2026-0042")
        .with("fee", "CHF 20.00")
        .with("municipality", "Muster")
        .with("pickup", "yes")
        .with("by_post", false)
        .with("unused_extra", "allowed")
}

fn render(template: &Template, language: Language, data: &Personalisation) -> RenderedMessage {
    template
        .render(language, data, &RenderOptions::default())
        .unwrap()
}

#[test]
fn all_five_languages() {
    let template = residence();
    let expected = [
        (
            Language::De,
            "Ihre Wohnsitzbestätigung ist bereit",
            "Sie können das Dokument am Schalter",
        ),
        (
            Language::Fr,
            "Votre attestation de domicile est prête",
            "Vous pouvez la retirer au guichet",
        ),
        (
            Language::It,
            "Il Suo certificato di domicilio è pronto",
            "Può ritirarlo allo sportello",
        ),
        (
            Language::Rm,
            "Vossa attestaziun da domicil è pronta",
            "Vus pudais prender ella",
        ),
        (
            Language::En,
            "Your confirmation of residence is ready",
            "You can collect it",
        ),
    ];
    for (language, subject, pickup) in expected {
        let message = render(&template, language, &data());
        assert_eq!(message.template_id.as_str(), "wohnsitzbestaetigung-bereit");
        assert_eq!(message.template_version, 3);
        assert_eq!(message.requested_language, language);
        assert_eq!(message.language, language);
        let email = message.content.as_email().unwrap();
        assert_eq!(email.subject, subject);
        assert!(email.text.contains("Gian Caduff"), "{language}: {}", email.text);
        assert!(
            email.text.contains("(") && email.text.contains("WB-2026-0042)"),
            "{}",
            email.text
        );
        assert!(email.text.contains(pickup), "{language}: {}", email.text);
        assert!(email.text.contains("CHF 20.00"));
        assert!(
            email
                .html
                .contains(&format!("<html lang=\"{}\">", language.code()))
        );
        assert!(email.html.contains(&format!("<title>{subject}</title>")));
        assert!(email.html.contains(pickup));
    }
}

#[test]
fn german_body_markup() {
    let message = render(&residence(), Language::De, &data());
    let email = message.content.as_email().unwrap();
    assert_eq!(
        email.text,
        "Guten Tag Gian Caduff\n\n\
         Ihre Wohnsitzbestätigung (Bestellnummer WB-2026-0042) ist bereit.\n\
         Sie können das Dokument am Schalter der Einwohnerkontrolle abholen.\n\n\
         Gebühr: CHF 20.00\n\n\
         Öffnungszeiten:\n\n\
         • Montag bis Freitag, 08.00–11.30 Uhr\n\
         • Donnerstag bis 18.30 Uhr\n\n\
         Weitere Informationen: https://www.muster.ch/wohnsitz\n\n\
         Freundliche Grüsse\nEinwohnerkontrolle Muster"
    );
    let html = &email.html;
    assert!(html.contains("<p>Guten Tag Gian Caduff</p>"), "{html}");
    assert!(html.contains(
        "<p>Ihre Wohnsitzbestätigung (Bestellnummer WB-2026-0042) ist bereit.<br>\n\
         Sie können das Dokument am Schalter der Einwohnerkontrolle abholen.</p>"
    ));
    assert!(html.contains("<blockquote><p>Gebühr: CHF 20.00</p></blockquote>"));
    assert!(html.contains(
        "<ul>\n<li>Montag bis Freitag, 08.00–11.30 Uhr</li>\n<li>Donnerstag bis 18.30 Uhr</li>\n</ul>"
    ));
    assert!(html.contains("<a href=\"https://www.muster.ch/wohnsitz\">https://www.muster.ch/wohnsitz</a>"));
    assert!(html.contains("<p>Freundliche Grüsse<br>\nEinwohnerkontrolle Muster</p>"));
}

#[test]
fn conditionals_show_hide_and_leave_no_blank_line() {
    let template = residence();
    let both = data().with("pickup", "no").with("by_post", "Show");
    let email = render(&template, Language::De, &both)
        .content
        .as_email()
        .unwrap()
        .clone();
    assert!(!email.text.contains("abholen"));
    assert!(
        email
            .text
            .contains("ist bereit.\nWir senden Ihnen das Dokument per Post zu.\n\nGebühr"),
        "{}",
        email.text
    );
    let neither = data().with("pickup", "").with("by_post", 0);
    let email = render(&template, Language::De, &neither)
        .content
        .as_email()
        .unwrap()
        .clone();
    assert!(email.text.contains("ist bereit.\n\nGebühr"), "{}", email.text);
    // Inline conditional text within a sentence.
    let sms = Template::new(
        TemplateSource::sms("abholung", 1)
            .sms_text(Language::De, "Abholbereit((express??, per Express)). Danke."),
    )
    .unwrap();
    let text = |v: &str| {
        let data = Personalisation::new().with("Express", v);
        sms.render(Language::De, &data, &RenderOptions::default())
            .unwrap()
            .content
            .as_sms()
            .unwrap()
            .text
            .clone()
    };
    assert_eq!(text("true"), "Abholbereit, per Express. Danke.");
    assert_eq!(text("nein"), "Abholbereit. Danke.");
}

#[test]
fn missing_placeholders_are_all_named_with_the_language() {
    let template = residence();
    let data = Personalisation::new()
        .with("First Name", "Anna")
        .with("fee", "CHF 20.00");
    let error = template
        .render(Language::Fr, &data, &RenderOptions::default())
        .unwrap_err();
    let Error::MissingPlaceholders {
        template: id,
        version,
        language,
        names,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(id.as_str(), "wohnsitzbestaetigung-bereit");
    assert_eq!(*version, 3);
    assert_eq!(*language, Language::Fr);
    assert_eq!(
        names,
        &["last_name", "order_number", "pickup", "by_post", "municipality"]
    );
    let message = error.to_string();
    assert!(
        message.contains("(fr text)") && message.contains("last_name, order_number, pickup"),
        "{message}"
    );

    // The language named is the variant used after fallback.
    let error = template.render(Language::Rm, &Personalisation::new(), &RenderOptions::default());
    assert!(matches!(
        error,
        Err(Error::MissingPlaceholders {
            language: Language::Rm,
            ..
        })
    ));
    let without_rm = Template::new(
        TemplateSource::sms("x", 1).sms_text(Language::De, "Hallo ((name)), ((name)) und ((Name))"),
    )
    .unwrap();
    match without_rm.render(Language::Rm, &Personalisation::new(), &RenderOptions::default()) {
        Err(Error::MissingPlaceholders { language, names, .. }) => {
            assert_eq!(language, Language::De);
            assert_eq!(names, ["name"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn placeholder_names_ignore_case_spaces_and_separators() {
    let template = Template::new(
        TemplateSource::sms("t", 1).sms_text(Language::De, "((Vorname)) ((Datum der Geburt)) ((PLZ-Ort))"),
    )
    .unwrap();
    let data = Personalisation::new()
        .with("vorname", "Anna")
        .with("datum_der_geburt", "1.2.1990")
        .with("plz ort", "8000 Zürich");
    let message = template
        .render(Language::De, &data, &RenderOptions::default())
        .unwrap();
    assert_eq!(
        message.content.as_sms().unwrap().text,
        "Anna 1.2.1990 8000 Zürich"
    );
    assert_eq!(
        template.placeholders(Language::De).unwrap(),
        ["Vorname", "Datum der Geburt", "PLZ-Ort"]
    );
    assert_eq!(template.placeholders(Language::Fr), None);
}

#[test]
fn fallback_default_and_custom_chains() {
    let template = Template::new(
        TemplateSource::sms("frist", 1)
            .sms_text(Language::De, "Ihre Frist läuft am ((datum)) ab.")
            .sms_text(Language::It, "Il Suo termine scade il ((datum)).")
            .sms_text(Language::Fr, "Votre délai expire le ((datum))."),
    )
    .unwrap();
    let data = Personalisation::new().with("datum", "31.3.2026");
    let used =
        |language, options: &RenderOptions| template.render(language, &data, options).unwrap().language;

    let default = RenderOptions::default();
    assert_eq!(used(Language::Rm, &default), Language::De);
    assert_eq!(used(Language::En, &default), Language::De);
    assert_eq!(used(Language::It, &default), Language::It);

    // A Graubünden app that prefers Italian for Romansh speakers in the Val Müstair, then German.
    let custom = RenderOptions::default()
        .with_fallback(Fallback::default().with(Language::Rm, &[Language::It, Language::De]));
    let message = template.render(Language::Rm, &data, &custom).unwrap();
    assert_eq!(
        (message.requested_language, message.language),
        (Language::Rm, Language::It)
    );
    assert_eq!(
        message.content.as_sms().unwrap().text,
        "Il Suo termine scade il 31.3.2026."
    );

    // A chain that finds nothing.
    let only_en =
        RenderOptions::default().with_fallback(Fallback::default().with(Language::Rm, &[Language::En]));
    match template.render(Language::Rm, &data, &only_en) {
        Err(Error::NoVariant { requested, tried, .. }) => {
            assert_eq!(requested, Language::Rm);
            assert_eq!(tried, [Language::Rm, Language::En]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn html_escapes_values_and_template_text_but_plain_text_does_not() {
    let template = Template::new(TemplateSource::email("escape", 1).email_text(
        Language::De,
        "Gesuch von ((firma))",
        "Gesuch von ((firma)) <b>eingegangen</b>\n\n((bemerkung))",
    ))
    .unwrap();
    let data = Personalisation::new().with("firma", "Müller & Söhne <AG>").with(
        "bemerkung",
        "<script>alert(\"x\")</script>\n# keine Überschrift\nhttps://evil.example/\"onmouseover=\"x",
    );
    let email = template
        .render(Language::De, &data, &RenderOptions::default())
        .unwrap()
        .content
        .as_email()
        .unwrap()
        .clone();
    assert_eq!(email.subject, "Gesuch von Müller & Söhne <AG>");
    assert!(email.text.starts_with("Gesuch von Müller & Söhne <AG> <b>eingegangen</b>\n\n<script>alert(\"x\")</script>\n# keine Überschrift"));
    let html = &email.html;
    assert!(
        html.contains("<title>Gesuch von Müller &amp; Söhne &lt;AG&gt;</title>"),
        "{html}"
    );
    assert!(
        html.contains("<p>Gesuch von Müller &amp; Söhne &lt;AG&gt; &lt;b&gt;eingegangen&lt;/b&gt;</p>"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>\n# keine Überschrift<br>\n"),
        "{html}"
    );
    assert!(!html.contains("<script") && !html.contains("<h2>") && !html.contains("<b>"));
    assert!(
        html.contains("<a href=\"https://evil.example/\">https://evil.example/</a>&quot;onmouseover=&quot;x"),
        "{html}"
    );
}

#[test]
fn subject_values_cannot_add_headers() {
    let template =
        Template::new(TemplateSource::email("s", 1).email_text(Language::De, "Ihr Gesuch ((nr))", "Text"))
            .unwrap();
    let data = Personalisation::new().with("nr", "42\r\nBcc: alle@example.ch\n");
    let message = template
        .render(Language::De, &data, &RenderOptions::default())
        .unwrap();
    assert_eq!(
        message.content.as_email().unwrap().subject,
        "Ihr Gesuch 42 Bcc: alle@example.ch"
    );
}

#[test]
fn literal_double_parentheses() {
    let template = Template::new(TemplateSource::sms("lit", 1).sms_text(
        Language::De,
        r"Schreiben Sie \((Name)) nicht ab, ((name)). (((ref)))",
    ))
    .unwrap();
    let data = Personalisation::new().with("name", "Anna").with("ref", "R-1");
    let message = template
        .render(Language::De, &data, &RenderOptions::default())
        .unwrap();
    assert_eq!(
        message.content.as_sms().unwrap().text,
        "Schreiben Sie ((Name)) nicht ab, Anna. (R-1)"
    );
    assert_eq!(template.placeholders(Language::De).unwrap(), ["name", "ref"]);
}

#[test]
fn list_values() {
    let template = Template::new(TemplateSource::email("unterlagen", 1).email_text(
        Language::De,
        "Fehlende Unterlagen",
        "Bitte reichen Sie nach:\n((unterlagen))\n\nBetrifft: ((unterlagen))",
    ))
    .unwrap();
    let data = Personalisation::new().with("unterlagen", &["Pass", "Mietvertrag"][..]);
    let email = template
        .render(Language::De, &data, &RenderOptions::default())
        .unwrap()
        .content
        .as_email()
        .unwrap()
        .clone();
    assert_eq!(
        email.text,
        "Bitte reichen Sie nach:\n\n• Pass\n• Mietvertrag\n\nBetrifft: Pass, Mietvertrag"
    );
    assert!(
        email
            .html
            .contains("<ul>\n<li>Pass</li>\n<li>Mietvertrag</li>\n</ul>")
    );
}

#[test]
fn syntax_errors_name_language_part_line_and_column() {
    let source = TemplateSource::email("kaputt", 1)
        .email_text(
            Language::De,
            "Ihr Gesuch ((nummer",
            "Guten Tag ((name))\n\nIhr ((Gesuch ist da.",
        )
        .email_text(
            Language::Fr,
            "Votre demande",
            "Bonjour ((nom))\n\n((()) et ((a(b)))",
        );
    let Err(Error::Syntax { errors }) = Template::new(source) else {
        panic!("expected syntax errors");
    };
    let found: Vec<_> = errors
        .iter()
        .map(|e| (e.language, e.part.to_string(), e.line, e.column, e.kind))
        .collect();
    assert_eq!(
        found,
        [
            (Language::De, "subject".into(), 1, 12, SyntaxErrorKind::Unclosed),
            (Language::De, "body".into(), 3, 5, SyntaxErrorKind::Unclosed),
            (Language::Fr, "body".into(), 3, 2, SyntaxErrorKind::EmptyName),
            (
                Language::Fr,
                "body".into(),
                3,
                10,
                SyntaxErrorKind::ParenthesisInside
            ),
        ]
    );
    let message = Error::Syntax { errors }.to_string();
    assert!(
        message.contains("de subject, line 1, column 12: `((` is not closed"),
        "{message}"
    );

    let subject = TemplateSource::email("s", 1).email_text(Language::It, "Riga uno\nriga due", "x");
    let Err(Error::Syntax { errors }) = Template::new(subject) else {
        panic!()
    };
    assert_eq!(
        (errors[0].line, errors[0].kind),
        (2, SyntaxErrorKind::NewlineInSubject)
    );
}

#[test]
fn variants_must_fit_the_channel() {
    let no_subject = TemplateSource::email("a", 1).email_text(Language::De, "  ", "Text");
    assert!(matches!(
        Template::new(no_subject),
        Err(Error::InvalidVariant {
            language: Language::De,
            ..
        })
    ));
    let mut variants = Localized::new();
    variants.insert(Language::Fr, Variant::email("Sujet", "Texte"));
    let sms_with_subject = TemplateSource::new("b".parse().unwrap(), 1, egov_notify::Channel::Sms, variants);
    assert!(matches!(
        Template::new(sms_with_subject),
        Err(Error::InvalidVariant { .. })
    ));
    assert!(matches!(
        Template::new(TemplateSource::sms("c", 1)),
        Err(Error::NoVariants { .. })
    ));
    assert!(matches!(
        Template::new(TemplateSource::sms("mit leerzeichen", 1)),
        Err(Error::InvalidTemplateId { .. })
    ));
}

#[test]
fn templates_round_trip_through_json_and_are_checked_on_reading() {
    let template = residence();
    let json = serde_json::to_value(&template).unwrap();
    assert_eq!(json["id"], "wohnsitzbestaetigung-bereit");
    assert_eq!(json["version"], 3);
    assert_eq!(json["channel"], "email");
    assert_eq!(
        json["variants"]["fr"]["subject"],
        "Votre attestation de domicile est prête"
    );
    let back: Template = serde_json::from_value(json).unwrap();
    assert_eq!(back, template);

    let broken = r#"{"id":"t","version":1,"channel":"sms","variants":{"rm":{"body":"Bun di ((num"}}}"#;
    let error = serde_json::from_str::<Template>(broken).unwrap_err().to_string();
    assert!(error.contains("rm body, line 1, column 8"), "{error}");
}

#[test]
fn preview_is_what_is_sent() {
    let template = residence();
    let preview = render(&template, Language::It, &data());
    let json = serde_json::to_string(&preview).unwrap();
    let stored: RenderedMessage = serde_json::from_str(&json).unwrap();
    assert_eq!(stored, preview);
    let message = Message::new(
        "anna@muster.ch".parse::<egov_notify::EmailAddress>().unwrap(),
        stored,
    )
    .unwrap();
    assert_eq!(message.rendered(), &preview);
    let json = serde_json::to_value(&message).unwrap();
    assert_eq!(json["rendered"]["content"]["channel"], "email");
    assert_eq!(json["rendered"]["language"], "it");
    assert_eq!(serde_json::from_value::<Message>(json).unwrap(), message);
}

#[test]
fn messages_check_the_channel_and_reference() {
    let preview = render(&residence(), Language::De, &data());
    let phone = PhoneNumber::parse("079 123 45 67").unwrap();
    assert!(matches!(
        Message::new(phone, preview.clone()),
        Err(Error::ChannelMismatch { .. })
    ));
    let address: egov_notify::EmailAddress = "gian.caduff@example.ch".parse().unwrap();
    let message = Message::new(address.clone(), preview.clone()).unwrap();
    assert!(message.clone().with_reference("x".repeat(1001)).is_err());
    assert_eq!(
        message.with_reference("GS-2026-17").unwrap().reference(),
        Some("GS-2026-17")
    );
    // A stored message with a mismatched channel is refused when read back.
    let json = serde_json::json!({"recipient": {"sms": "+41791234567"}, "rendered": preview});
    assert!(serde_json::from_value::<Message>(json).is_err());
}

#[test]
fn revising_raises_the_version_and_keeps_the_old_one() {
    let v3 = residence();
    let mut texts = Localized::new();
    texts.insert(
        Language::De,
        Variant::email("Wohnsitzbestätigung", "Guten Tag ((first_name))"),
    );
    let v4 = v3.revise(texts).unwrap();
    assert_eq!((v4.id(), v4.version()), (v3.id(), 4));
    assert_eq!(v3.version(), 3);
    let message = v4
        .render(Language::Fr, &data(), &RenderOptions::default())
        .unwrap();
    assert_eq!((message.template_version, message.language), (4, Language::De));
}

#[test]
fn debug_output_hides_personal_data() {
    let message = render(&residence(), Language::De, &data());
    let debug = format!("{message:?}");
    assert!(!debug.contains("Caduff"), "{debug}");
    assert!(debug.contains("wohnsitzbestaetigung-bereit"));
}
