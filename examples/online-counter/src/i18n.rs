//! The texts of the pages in German, French, Italian, Romansh and English.

use egov_core::Language;

/// Texts: key, then de, fr, it, rm, en.
const TEXTS: &[(&str, [&str; 5])] = &[
    (
        "site",
        [
            "Online-Schalter",
            "Guichet en ligne",
            "Sportello online",
            "Fanestrigl online",
            "Online counter",
        ],
    ),
    (
        "skip",
        [
            "Zum Inhalt springen",
            "Aller au contenu",
            "Vai al contenuto",
            "Ir al cuntegn",
            "Skip to content",
        ],
    ),
    ("language", ["Sprache", "Langue", "Lingua", "Lingua", "Language"]),
    (
        "certificate",
        [
            "Wohnsitzbestätigung",
            "Attestation de domicile",
            "Certificato di domicilio",
            "Attestaziun da domicil",
            "Residence certificate",
        ],
    ),
    (
        "home_intro",
        [
            "Bestellen Sie Ihre Wohnsitzbestätigung online. Sie melden sich mit verifizierter AHV-Nummer an, bezahlen die Gebühr von CHF 20.00 online oder mit QR-Rechnung und erhalten die Bestätigung als PDF per E-Mail.",
            "Commandez votre attestation de domicile en ligne. Vous vous connectez avec un numéro AVS vérifié, payez l'émolument de CHF 20.00 en ligne ou par QR-facture et recevez l'attestation en PDF par e-mail.",
            "Ordinate il vostro certificato di domicilio online. Accedete con un numero AVS verificato, pagate l'emolumento di CHF 20.00 online o con la QR-fattura e ricevete il certificato in PDF per e-mail.",
            "Empustai Vossa attestaziun da domicil online. Vus As annunziais cun in numer AVS verifitgà, pajais la taxa da CHF 20.00 online u cun il quint QR e retschavais l'attestaziun sco PDF per e-mail.",
            "Order your residence certificate online. You log in with a verified AHV number, pay the fee of CHF 20.00 online or by QR-bill and receive the certificate as a PDF by e-mail.",
        ],
    ),
    (
        "start",
        [
            "Jetzt bestellen",
            "Commander maintenant",
            "Ordinare ora",
            "Empustar ussa",
            "Order now",
        ],
    ),
    (
        "my_orders",
        [
            "Meine Bestellungen",
            "Mes commandes",
            "I miei ordini",
            "Mias empustaziuns",
            "My orders",
        ],
    ),
    (
        "orders",
        ["Bestellungen", "Commandes", "Ordini", "Empustaziuns", "Orders"],
    ),
    (
        "no_orders",
        [
            "Sie haben noch keine Bestellungen.",
            "Vous n'avez pas encore de commandes.",
            "Non avete ancora ordini.",
            "Vus n'avais anc naginas empustaziuns.",
            "You have no orders yet.",
        ],
    ),
    (
        "logout",
        ["Abmelden", "Se déconnecter", "Esci", "Sortir", "Log out"],
    ),
    (
        "demo_links",
        [
            "Für die Demo",
            "Pour la démonstration",
            "Per la dimostrazione",
            "Per la demonstraziun",
            "For the demo",
        ],
    ),
    (
        "admin",
        [
            "Verwaltung: Zahlungen",
            "Administration : paiements",
            "Amministrazione: pagamenti",
            "Administraziun: pajaments",
            "Administration: payments",
        ],
    ),
    (
        "sent_mail",
        [
            "Gesendete E-Mails",
            "E-mails envoyés",
            "E-mail inviate",
            "E-mails tramess",
            "Sent mail",
        ],
    ),
    (
        "order_title",
        [
            "Wohnsitzbestätigung bestellen",
            "Commander une attestation de domicile",
            "Ordinare un certificato di domicilio",
            "Empustar in'attestaziun da domicil",
            "Order a residence certificate",
        ],
    ),
    (
        "order_intro",
        [
            "Die Angaben aus Ihrem Login sind vorausgefüllt. Pflichtfelder sind mit * markiert.",
            "Les données de votre connexion sont préremplies. Les champs obligatoires sont marqués d'un *.",
            "I dati del vostro login sono precompilati. I campi obbligatori sono contrassegnati con *.",
            "Las datas da Vossa annunzia èn gia emplenidas. Ils champs obligatorics èn marcads cun *.",
            "The details from your login are filled in. Required fields are marked with *.",
        ],
    ),
    (
        "given_name",
        ["Vorname", "Prénom", "Nome", "Prenum", "Given name"],
    ),
    (
        "family_name",
        ["Nachname", "Nom", "Cognome", "Num da famiglia", "Family name"],
    ),
    (
        "birth_date",
        [
            "Geburtsdatum",
            "Date de naissance",
            "Data di nascita",
            "Data da naschientscha",
            "Date of birth",
        ],
    ),
    (
        "birth_date_hint",
        [
            "Format JJJJ-MM-TT",
            "Format AAAA-MM-JJ",
            "Formato AAAA-MM-GG",
            "Format AAAA-MM-DD",
            "Format YYYY-MM-DD",
        ],
    ),
    (
        "ahvn13",
        [
            "AHV-Nummer",
            "Numéro AVS",
            "Numero AVS",
            "Numer AVS",
            "AHV number",
        ],
    ),
    ("email", ["E-Mail", "E-mail", "E-mail", "E-mail", "E-mail"]),
    ("street", ["Strasse", "Rue", "Via", "Via", "Street"]),
    (
        "house_number",
        [
            "Hausnummer",
            "Numéro",
            "Numero civico",
            "Numer da chasa",
            "House number",
        ],
    ),
    (
        "postal_code",
        [
            "Postleitzahl",
            "Numéro postal",
            "Numero postale",
            "Numer postal",
            "Postcode",
        ],
    ),
    ("town", ["Ort", "Localité", "Località", "Lieu", "Town"]),
    (
        "address",
        [
            "Wohnadresse",
            "Adresse de domicile",
            "Indirizzo di domicilio",
            "Adressa da domicil",
            "Home address",
        ],
    ),
    ("person", ["Person", "Personne", "Persona", "Persuna", "Person"]),
    (
        "purpose",
        ["Verwendungszweck", "Usage prévu", "Scopo", "Intent", "Purpose"],
    ),
    (
        "purpose_employer",
        [
            "Arbeitgeber",
            "Employeur",
            "Datore di lavoro",
            "Patrun",
            "Employer",
        ],
    ),
    (
        "purpose_authority",
        ["Behörde", "Autorité", "Autorità", "Autoritad", "Authority"],
    ),
    ("purpose_bank", ["Bank", "Banque", "Banca", "Banca", "Bank"]),
    ("purpose_other", ["Anderes", "Autre", "Altro", "Auter", "Other"]),
    (
        "choose",
        [
            "Bitte wählen",
            "Veuillez choisir",
            "Scegliere",
            "Tscherni per plaschair",
            "Please choose",
        ],
    ),
    (
        "fee_note",
        [
            "Gebühr: CHF 20.00, zahlbar mit QR-Rechnung.",
            "Émolument : CHF 20.00, payable par QR-facture.",
            "Emolumento: CHF 20.00, pagabile con QR-fattura.",
            "Taxa: CHF 20.00, da pajar cun il quint QR.",
            "Fee: CHF 20.00, payable by QR-bill.",
        ],
    ),
    (
        "submit",
        [
            "Kostenpflichtig bestellen",
            "Commander avec obligation de payer",
            "Ordinare con obbligo di pagamento",
            "Empustar cun obligaziun da pajar",
            "Order and pay",
        ],
    ),
    (
        "errors_title",
        [
            "Bitte korrigieren Sie folgende Angaben:",
            "Veuillez corriger les indications suivantes :",
            "Correggete i dati seguenti:",
            "Curregi per plaschair las suandantas indicaziuns:",
            "Please correct the following:",
        ],
    ),
    (
        "err_required",
        [
            "ist erforderlich.",
            "est obligatoire.",
            "è obbligatorio.",
            "è obligatoric.",
            "is required.",
        ],
    ),
    (
        "err_too_long",
        [
            "ist zu lang (höchstens 70 Zeichen).",
            "est trop long (70 caractères au plus).",
            "è troppo lungo (al massimo 70 caratteri).",
            "è memia lung (maximalmain 70 caracters).",
            "is too long (at most 70 characters).",
        ],
    ),
    (
        "err_date",
        [
            "ist kein gültiges Datum in der Vergangenheit (JJJJ-MM-TT).",
            "n'est pas une date passée valable (AAAA-MM-JJ).",
            "non è una data passata valida (AAAA-MM-GG).",
            "n'è betg ina data valaivla en il passà (AAAA-MM-DD).",
            "is not a valid date in the past (YYYY-MM-DD).",
        ],
    ),
    (
        "err_email",
        [
            "ist keine gültige E-Mail-Adresse.",
            "n'est pas une adresse e-mail valable.",
            "non è un indirizzo e-mail valido.",
            "n'è betg ina adressa d'e-mail valaivla.",
            "is not a valid e-mail address.",
        ],
    ),
    (
        "err_postal_code",
        [
            "ist keine Schweizer Postleitzahl (vier Ziffern).",
            "n'est pas un numéro postal suisse (quatre chiffres).",
            "non è un numero postale svizzero (quattro cifre).",
            "n'è betg in numer postal svizzer (quatter cifras).",
            "is not a Swiss postcode (four digits).",
        ],
    ),
    (
        "err_choice",
        [
            "ist keine der angebotenen Möglichkeiten.",
            "n'est pas l'une des options proposées.",
            "non è una delle opzioni proposte.",
            "n'è betg ina da las pussaivladads purschidas.",
            "is not one of the options offered.",
        ],
    ),
    (
        "order",
        ["Bestellung", "Commande", "Ordine", "Empustaziun", "Order"],
    ),
    ("status", ["Status", "Statut", "Stato", "Status", "Status"]),
    (
        "status_open",
        [
            "Wartet auf Zahlung",
            "En attente de paiement",
            "In attesa di pagamento",
            "Spetga il pajament",
            "Awaiting payment",
        ],
    ),
    ("status_paid", ["Bezahlt", "Payée", "Pagato", "Pajà", "Paid"]),
    (
        "payment",
        ["Zahlung", "Paiement", "Pagamento", "Pajament", "Payment"],
    ),
    ("amount", ["Betrag", "Montant", "Importo", "Import", "Amount"]),
    (
        "reference",
        ["Referenz", "Référence", "Riferimento", "Referenza", "Reference"],
    ),
    (
        "download_bill",
        [
            "QR-Rechnung herunterladen (PDF)",
            "Télécharger la QR-facture (PDF)",
            "Scaricare la QR-fattura (PDF)",
            "Telechargiar il quint QR (PDF)",
            "Download the QR-bill (PDF)",
        ],
    ),
    (
        "pay_online",
        [
            "Online bezahlen",
            "Payer en ligne",
            "Pagare online",
            "Pajar online",
            "Pay online",
        ],
    ),
    (
        "pay_online_note",
        [
            "Sie bezahlen beim Zahlungsdienstleister und kehren danach hierher zurück; die Bestätigung folgt gleich nach der Zahlung.",
            "Vous payez auprès du prestataire de paiement puis revenez ici ; l'attestation suit dès le paiement.",
            "Pagate presso il fornitore di servizi di pagamento e poi tornate qui; il certificato segue subito dopo il pagamento.",
            "Vus pajais tar il purschider da pajaments e turnais suenter qua; l'attestaziun suonda directamain suenter il pajament.",
            "You pay at the payment service provider and then come back here; the certificate follows right after the payment.",
        ],
    ),
    (
        "pay_by_bill",
        [
            "Oder mit QR-Rechnung bezahlen",
            "Ou payer par QR-facture",
            "Oppure pagare con la QR-fattura",
            "U pajar cun il quint QR",
            "Or pay by QR-bill",
        ],
    ),
    (
        "online_paid",
        [
            "Ihre Online-Zahlung ist eingegangen. Vielen Dank!",
            "Votre paiement en ligne a été reçu. Merci !",
            "Il vostro pagamento online è stato ricevuto. Grazie!",
            "Voss pajament online è arrivà. Grazia fitg!",
            "Your online payment has been received. Thank you!",
        ],
    ),
    (
        "online_canceled",
        [
            "Sie haben die Online-Zahlung abgebrochen; es wurde nichts belastet. Sie können es noch einmal versuchen oder mit der QR-Rechnung bezahlen.",
            "Vous avez annulé le paiement en ligne ; rien n'a été débité. Vous pouvez réessayer ou payer par QR-facture.",
            "Avete annullato il pagamento online; non è stato addebitato nulla. Potete riprovare o pagare con la QR-fattura.",
            "Vus avais interrut il pajament online; nagut n'è vegnì debità. Vus pudais empruvar anc ina giada u pajar cun il quint QR.",
            "You canceled the online payment; nothing was charged. You can try again or pay by QR-bill.",
        ],
    ),
    (
        "online_failed",
        [
            "Die Online-Zahlung ist fehlgeschlagen; es wurde nichts belastet. Sie können es noch einmal versuchen oder mit der QR-Rechnung bezahlen.",
            "Le paiement en ligne a échoué ; rien n'a été débité. Vous pouvez réessayer ou payer par QR-facture.",
            "Il pagamento online non è riuscito; non è stato addebitato nulla. Potete riprovare o pagare con la QR-fattura.",
            "Il pajament online n'è betg reussì; nagut n'è vegnì debità. Vus pudais empruvar anc ina giada u pajar cun il quint QR.",
            "The online payment failed; nothing was charged. You can try again or pay by QR-bill.",
        ],
    ),
    (
        "online_pending",
        [
            "Die Online-Zahlung ist noch nicht abgeschlossen. Laden Sie diese Seite in einem Moment neu.",
            "Le paiement en ligne n'est pas encore terminé. Rechargez cette page dans un instant.",
            "Il pagamento online non è ancora concluso. Ricaricate questa pagina tra un momento.",
            "Il pajament online n'è anc betg terminà. Chargiai danovamain questa pagina en in mument.",
            "The online payment is not completed yet. Reload this page in a moment.",
        ],
    ),
    (
        "online_error",
        [
            "Der Zahlungsdienst ist im Moment nicht erreichbar. Bitte versuchen Sie es später noch einmal oder bezahlen Sie mit der QR-Rechnung.",
            "Le service de paiement n'est pas joignable pour le moment. Veuillez réessayer plus tard ou payer par QR-facture.",
            "Il servizio di pagamento non è raggiungibile al momento. Riprovate più tardi o pagate con la QR-fattura.",
            "Il servetsch da pajament n'è betg cuntanschibel per il mument. Empruvai per plaschair pli tard anc ina giada u pajai cun il quint QR.",
            "The payment service cannot be reached at the moment. Please try again later or pay by QR-bill.",
        ],
    ),
    (
        "pay_note",
        [
            "Die Bestellung wird bearbeitet, sobald die Zahlung bei der Gemeinde eingegangen ist.",
            "La commande est traitée dès que le paiement est parvenu à la commune.",
            "L'ordine viene elaborato non appena il pagamento è giunto al comune.",
            "L'empustaziun vegn elavurada uschespert ch'il pajament è arrivà tar la vischnanca.",
            "The order is processed as soon as the payment has reached the municipality.",
        ],
    ),
    (
        "download_certificate",
        [
            "Wohnsitzbestätigung herunterladen (PDF)",
            "Télécharger l'attestation de domicile (PDF)",
            "Scaricare il certificato di domicilio (PDF)",
            "Telechargiar l'attestaziun da domicil (PDF)",
            "Download the residence certificate (PDF)",
        ],
    ),
    (
        "seal_note",
        [
            "Hinweis: Die Bestätigung trägt das elektronische Siegel der Gemeinde (PAdES, Demo-Schlüssel; prüfbar mit egov sign verify und /seal-ca.pem).",
            "Remarque : l'attestation porte le sceau électronique de la commune (PAdES, clé de démonstration ; vérifiable avec egov sign verify et /seal-ca.pem).",
            "Nota: il certificato porta il sigillo elettronico del comune (PAdES, chiave dimostrativa; verificabile con egov sign verify e /seal-ca.pem).",
            "Remartga: l'attestaziun porta il sigil electronic da la vischnanca (PAdES, clav da demonstraziun; verifitgabla cun egov sign verify e /seal-ca.pem).",
            "Note: the certificate carries the municipality's electronic seal (PAdES, demo key; check it with egov sign verify and /seal-ca.pem).",
        ],
    ),
    ("mail", ["E-Mail", "E-mail", "E-mail", "E-mail", "E-mail"]),
    (
        "mail_status",
        [
            "Versandstatus der E-Mail",
            "Statut d'envoi de l'e-mail",
            "Stato d'invio dell'e-mail",
            "Status da spediziun da l'e-mail",
            "E-mail delivery status",
        ],
    ),
    (
        "register",
        [
            "Meldung an das kantonale Register (sedex)",
            "Annonce au registre cantonal (sedex)",
            "Notifica al registro cantonale (sedex)",
            "Annunzia al register chantunal (sedex)",
            "Report to the cantonal register (sedex)",
        ],
    ),
    (
        "message_id",
        [
            "Nachrichten-ID",
            "ID du message",
            "ID del messaggio",
            "ID dal messadi",
            "Message id",
        ],
    ),
    (
        "receipt",
        ["Quittung", "Quittance", "Ricevuta", "Quittanza", "Receipt"],
    ),
    (
        "receipt_waiting",
        [
            "noch keine Quittung",
            "pas encore de quittance",
            "ancora nessuna ricevuta",
            "anc nagina quittanza",
            "no receipt yet",
        ],
    ),
    (
        "not_yet",
        [
            "Folgt nach der Zahlung.",
            "Suit après le paiement.",
            "Segue dopo il pagamento.",
            "Suonda suenter il pajament.",
            "Follows after the payment.",
        ],
    ),
    (
        "created",
        [
            "Bestellt am",
            "Commandée le",
            "Ordinato il",
            "Empustà ils",
            "Ordered on",
        ],
    ),
    (
        "not_found",
        [
            "Diese Seite gibt es nicht.",
            "Cette page n'existe pas.",
            "Questa pagina non esiste.",
            "Questa pagina n'exista betg.",
            "This page does not exist.",
        ],
    ),
    (
        "error",
        [
            "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal.",
            "Une erreur s'est produite. Veuillez réessayer plus tard.",
            "Si è verificato un errore. Riprovate più tardi.",
            "I è succedida ina errur. Empruvai per plaschair pli tard anc ina giada.",
            "Something went wrong. Please try again later.",
        ],
    ),
    (
        "cert_confirms",
        [
            "Die Gemeinde Muster bestätigt, dass",
            "La commune de Muster atteste que",
            "Il Comune di Muster certifica che",
            "La vischnanca da Muster conferma che",
            "The municipality of Muster confirms that",
        ],
    ),
    (
        "cert_born",
        ["geboren am", "né(e) le", "nato/a il", "naschì/da ils", "born on"],
    ),
    (
        "cert_resides",
        [
            "in der Gemeinde Muster wohnhaft ist, an folgender Adresse:",
            "est domicilié(e) dans la commune de Muster, à l'adresse suivante :",
            "è domiciliato/a nel Comune di Muster, al seguente indirizzo:",
            "abita en la vischnanca da Muster, a la suandanta adressa:",
            "is resident in the municipality of Muster at the following address:",
        ],
    ),
    (
        "cert_issued",
        [
            "Ausgestellt am",
            "Délivrée le",
            "Rilasciato il",
            "Emess ils",
            "Issued on",
        ],
    ),
    (
        "back",
        [
            "Zurück zur Startseite",
            "Retour à l'accueil",
            "Torna alla pagina iniziale",
            "Enavos a la pagina da partenza",
            "Back to the start page",
        ],
    ),
];

/// The text `key` in `lang` (the key itself when unknown, which the tests rule out).
pub(crate) fn t(lang: Language, key: &str) -> &'static str {
    let index = match lang {
        Language::Fr => 1,
        Language::It => 2,
        Language::Rm => 3,
        Language::En => 4,
        _ => 0,
    };
    TEXTS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("?", |(_, texts)| texts[index])
}

/// Whether a key exists (for tests).
#[cfg(test)]
pub(crate) fn has(key: &str) -> bool {
    TEXTS.iter().any(|(k, _)| *k == key)
}

/// Picks the language: `?lang=` first, then the `lang` cookie, then `Accept-Language`, then German.
pub(crate) fn choose(query_lang: Option<&str>, cookie_lang: Option<&str>, accept: Option<&str>) -> Language {
    let parse = |code: &str| Language::ALL.into_iter().find(|l| l.code() == code);
    query_lang
        .and_then(parse)
        .or_else(|| cookie_lang.and_then(parse))
        .or_else(|| accept.and_then(|a| Language::negotiate(a, &Language::ALL)))
        .unwrap_or(Language::De)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_texts_not_empty() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before, "duplicate text key");
        for (key, texts) in TEXTS {
            assert!(texts.iter().all(|t| !t.trim().is_empty()), "{key}");
        }
        assert!(has("certificate"));
        assert_eq!(t(Language::Fr, "certificate"), "Attestation de domicile");
    }

    #[test]
    fn query_beats_cookie_beats_header() {
        assert_eq!(choose(Some("it"), Some("fr"), Some("en")), Language::It);
        assert_eq!(choose(Some("xx"), Some("fr"), Some("en")), Language::Fr);
        assert_eq!(choose(None, None, Some("rm-CH, de;q=0.5")), Language::Rm);
        assert_eq!(choose(None, None, Some("es")), Language::De);
        assert_eq!(choose(None, None, None), Language::De);
    }
}
