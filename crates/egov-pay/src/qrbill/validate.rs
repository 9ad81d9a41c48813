//! The rules of IG QR-bill v2.3 (chapter 4), the typed violations and their messages.

use std::fmt;

use egov_core::{CountryId, Language};

use super::{Address, AddressType, Amount, QrBill, Reference};

/// Maximum length of the whole payload, separators included (IG §6).
pub(crate) const MAX_PAYLOAD_CHARS: usize = 997;

/// Which element of the QR-bill a violation is about.
///
/// [`Field::line`] gives its line in the payload, [`Field::element`] the element path of the
/// guidelines (Table 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// `Header/QRType` (`SPC`).
    QrType,
    /// `Header/Version` (`0200`).
    Version,
    /// `Header/Coding` (`1`).
    Coding,
    /// `CdtrInf/IBAN`.
    Account,
    /// `CdtrInf/Cdtr/AdrTp`.
    CreditorAddressType,
    /// `CdtrInf/Cdtr/Name`.
    CreditorName,
    /// `CdtrInf/Cdtr/StrtNmOrAdrLine1`.
    CreditorStreet,
    /// `CdtrInf/Cdtr/BldgNbOrAdrLine2`.
    CreditorBuildingNumber,
    /// `CdtrInf/Cdtr/PstCd`.
    CreditorPostalCode,
    /// `CdtrInf/Cdtr/TwnNm`.
    CreditorTown,
    /// `CdtrInf/Cdtr/Ctry`.
    CreditorCountry,
    /// `UltmtCdtr` (lines 12–18, must stay empty).
    UltimateCreditor,
    /// `CcyAmt/Amt`.
    Amount,
    /// `CcyAmt/Ccy`.
    Currency,
    /// `UltmtDbtr/AdrTp`.
    UltimateDebtorAddressType,
    /// `UltmtDbtr/Name`.
    UltimateDebtorName,
    /// `UltmtDbtr/StrtNmOrAdrLine1`.
    UltimateDebtorStreet,
    /// `UltmtDbtr/BldgNbOrAdrLine2`.
    UltimateDebtorBuildingNumber,
    /// `UltmtDbtr/PstCd`.
    UltimateDebtorPostalCode,
    /// `UltmtDbtr/TwnNm`.
    UltimateDebtorTown,
    /// `UltmtDbtr/Ctry`.
    UltimateDebtorCountry,
    /// `RmtInf/Tp`.
    ReferenceType,
    /// `RmtInf/Ref`.
    Reference,
    /// `RmtInf/AddInf/Ustrd`.
    UnstructuredMessage,
    /// `RmtInf/AddInf/Trailer` (`EPD`).
    Trailer,
    /// `RmtInf/AddInf/StrdBkgInf`.
    BillingInformation,
    /// `RmtInf/AddInf`: unstructured message and billing information together.
    AdditionalInformation,
    /// The first `AltPmtInf/AltPmt`.
    AlternativeProcedure1,
    /// The second `AltPmtInf/AltPmt`.
    AlternativeProcedure2,
    /// `AltPmtInf`: the alternative procedures as a group.
    AlternativeProcedures,
    /// The payload as a whole.
    Payload,
}

/// The party an address field belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Party {
    Creditor,
    UltimateDebtor,
}

/// The part of an address.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AddressPart {
    Type,
    Name,
    Street,
    Building,
    PostalCode,
    Town,
    Country,
}

impl Field {
    pub(crate) const fn address(party: Party, part: usize) -> Self {
        match (party, part) {
            (Party::Creditor, 0) => Self::CreditorAddressType,
            (Party::Creditor, 1) => Self::CreditorName,
            (Party::Creditor, 2) => Self::CreditorStreet,
            (Party::Creditor, 3) => Self::CreditorBuildingNumber,
            (Party::Creditor, 4) => Self::CreditorPostalCode,
            (Party::Creditor, 5) => Self::CreditorTown,
            (Party::Creditor, _) => Self::CreditorCountry,
            (Party::UltimateDebtor, 0) => Self::UltimateDebtorAddressType,
            (Party::UltimateDebtor, 1) => Self::UltimateDebtorName,
            (Party::UltimateDebtor, 2) => Self::UltimateDebtorStreet,
            (Party::UltimateDebtor, 3) => Self::UltimateDebtorBuildingNumber,
            (Party::UltimateDebtor, 4) => Self::UltimateDebtorPostalCode,
            (Party::UltimateDebtor, 5) => Self::UltimateDebtorTown,
            (Party::UltimateDebtor, _) => Self::UltimateDebtorCountry,
        }
    }

    fn party_part(self) -> Option<(Party, AddressPart)> {
        use AddressPart as P;
        Some(match self {
            Self::CreditorAddressType => (Party::Creditor, P::Type),
            Self::CreditorName => (Party::Creditor, P::Name),
            Self::CreditorStreet => (Party::Creditor, P::Street),
            Self::CreditorBuildingNumber => (Party::Creditor, P::Building),
            Self::CreditorPostalCode => (Party::Creditor, P::PostalCode),
            Self::CreditorTown => (Party::Creditor, P::Town),
            Self::CreditorCountry => (Party::Creditor, P::Country),
            Self::UltimateDebtorAddressType => (Party::UltimateDebtor, P::Type),
            Self::UltimateDebtorName => (Party::UltimateDebtor, P::Name),
            Self::UltimateDebtorStreet => (Party::UltimateDebtor, P::Street),
            Self::UltimateDebtorBuildingNumber => (Party::UltimateDebtor, P::Building),
            Self::UltimateDebtorPostalCode => (Party::UltimateDebtor, P::PostalCode),
            Self::UltimateDebtorTown => (Party::UltimateDebtor, P::Town),
            Self::UltimateDebtorCountry => (Party::UltimateDebtor, P::Country),
            _ => return None,
        })
    }

    /// The 1-based line of the element in the payload (the first line of a group).
    #[must_use]
    pub const fn line(self) -> Option<usize> {
        Some(match self {
            Self::QrType => 1,
            Self::Version => 2,
            Self::Coding => 3,
            Self::Account => 4,
            Self::CreditorAddressType => 5,
            Self::CreditorName => 6,
            Self::CreditorStreet => 7,
            Self::CreditorBuildingNumber => 8,
            Self::CreditorPostalCode => 9,
            Self::CreditorTown => 10,
            Self::CreditorCountry => 11,
            Self::UltimateCreditor => 12,
            Self::Amount => 19,
            Self::Currency => 20,
            Self::UltimateDebtorAddressType => 21,
            Self::UltimateDebtorName => 22,
            Self::UltimateDebtorStreet => 23,
            Self::UltimateDebtorBuildingNumber => 24,
            Self::UltimateDebtorPostalCode => 25,
            Self::UltimateDebtorTown => 26,
            Self::UltimateDebtorCountry => 27,
            Self::ReferenceType => 28,
            Self::Reference => 29,
            Self::UnstructuredMessage | Self::AdditionalInformation => 30,
            Self::Trailer => 31,
            Self::BillingInformation => 32,
            Self::AlternativeProcedure1 | Self::AlternativeProcedures => 33,
            Self::AlternativeProcedure2 => 34,
            Self::Payload => return None,
        })
    }

    /// The element path of IG Table 8, such as `CdtrInf/Cdtr/PstCd`.
    #[must_use]
    pub const fn element(self) -> &'static str {
        match self {
            Self::QrType => "Header/QRType",
            Self::Version => "Header/Version",
            Self::Coding => "Header/Coding",
            Self::Account => "CdtrInf/IBAN",
            Self::CreditorAddressType => "CdtrInf/Cdtr/AdrTp",
            Self::CreditorName => "CdtrInf/Cdtr/Name",
            Self::CreditorStreet => "CdtrInf/Cdtr/StrtNmOrAdrLine1",
            Self::CreditorBuildingNumber => "CdtrInf/Cdtr/BldgNbOrAdrLine2",
            Self::CreditorPostalCode => "CdtrInf/Cdtr/PstCd",
            Self::CreditorTown => "CdtrInf/Cdtr/TwnNm",
            Self::CreditorCountry => "CdtrInf/Cdtr/Ctry",
            Self::UltimateCreditor => "UltmtCdtr",
            Self::Amount => "CcyAmt/Amt",
            Self::Currency => "CcyAmt/Ccy",
            Self::UltimateDebtorAddressType => "UltmtDbtr/AdrTp",
            Self::UltimateDebtorName => "UltmtDbtr/Name",
            Self::UltimateDebtorStreet => "UltmtDbtr/StrtNmOrAdrLine1",
            Self::UltimateDebtorBuildingNumber => "UltmtDbtr/BldgNbOrAdrLine2",
            Self::UltimateDebtorPostalCode => "UltmtDbtr/PstCd",
            Self::UltimateDebtorTown => "UltmtDbtr/TwnNm",
            Self::UltimateDebtorCountry => "UltmtDbtr/Ctry",
            Self::ReferenceType => "RmtInf/Tp",
            Self::Reference => "RmtInf/Ref",
            Self::UnstructuredMessage => "RmtInf/AddInf/Ustrd",
            Self::Trailer => "RmtInf/AddInf/Trailer",
            Self::BillingInformation => "RmtInf/AddInf/StrdBkgInf",
            Self::AdditionalInformation => "RmtInf/AddInf",
            Self::AlternativeProcedure1 | Self::AlternativeProcedure2 => "AltPmtInf/AltPmt",
            Self::AlternativeProcedures => "AltPmtInf",
            Self::Payload => "QRCH",
        }
    }

    /// The name of the field in `lang`, for messages.
    #[must_use]
    pub fn label(self, lang: Language) -> String {
        if let Some((party, part)) = self.party_part() {
            let part = match part {
                AddressPart::Type => [
                    "Adresstyp",
                    "type d'adresse",
                    "tipo di indirizzo",
                    "tip d'adressa",
                    "address type",
                ],
                AddressPart::Name => ["Name", "nom", "nome", "num", "name"],
                AddressPart::Street => ["Strasse", "rue", "via", "via", "street"],
                AddressPart::Building => [
                    "Hausnummer",
                    "numéro de maison",
                    "numero civico",
                    "numer da chasa",
                    "building number",
                ],
                AddressPart::PostalCode => [
                    "Postleitzahl",
                    "numéro postal",
                    "numero postale",
                    "numer postal",
                    "postal code",
                ],
                AddressPart::Town => ["Ort", "localité", "località", "lieu", "town"],
                AddressPart::Country => ["Land", "pays", "paese", "pajais", "country"],
            };
            let party = match party {
                Party::Creditor => [
                    "Zahlungsempfänger",
                    "bénéficiaire",
                    "beneficiario",
                    "retschavider dal pajament",
                    "creditor",
                ],
                Party::UltimateDebtor => [
                    "Zahlungspflichtiger",
                    "débiteur final",
                    "debitore finale",
                    "debitur final",
                    "ultimate debtor",
                ],
            };
            return format!("{} ({})", pick(lang, part), pick(lang, party));
        }
        let texts = match self {
            Self::QrType => ["QR-Typ", "type de QR", "tipo di QR", "tip da QR", "QR type"],
            Self::Version => ["Version", "version", "versione", "versiun", "version"],
            Self::Coding => [
                "Zeichensatz",
                "jeu de caractères",
                "set di caratteri",
                "set da caracters",
                "coding",
            ],
            Self::Account => ["Konto", "compte", "conto", "conto", "account"],
            Self::UltimateCreditor => [
                "Endgültiger Zahlungsempfänger",
                "bénéficiaire final",
                "beneficiario finale",
                "retschavider final",
                "ultimate creditor",
            ],
            Self::Amount => ["Betrag", "montant", "importo", "import", "amount"],
            Self::Currency => ["Währung", "monnaie", "valuta", "valuta", "currency"],
            Self::ReferenceType => [
                "Referenztyp",
                "type de référence",
                "tipo di riferimento",
                "tip da referenza",
                "reference type",
            ],
            Self::Reference => ["Referenz", "référence", "riferimento", "referenza", "reference"],
            Self::UnstructuredMessage => [
                "Mitteilung",
                "communication",
                "comunicazione",
                "communicaziun",
                "unstructured message",
            ],
            Self::Trailer => [
                "Endkennung",
                "fin des données",
                "fine dei dati",
                "fin da las datas",
                "trailer",
            ],
            Self::BillingInformation => [
                "Rechnungsinformationen",
                "informations de facturation",
                "informazioni di fatturazione",
                "infurmaziuns da facturaziun",
                "billing information",
            ],
            Self::AdditionalInformation => [
                "Zusätzliche Informationen",
                "informations supplémentaires",
                "informazioni supplementari",
                "infurmaziuns supplementaras",
                "additional information",
            ],
            Self::AlternativeProcedure1 => [
                "Alternatives Verfahren 1",
                "procédure alternative 1",
                "procedura alternativa 1",
                "procedura alternativa 1",
                "alternative procedure 1",
            ],
            Self::AlternativeProcedure2 => [
                "Alternatives Verfahren 2",
                "procédure alternative 2",
                "procedura alternativa 2",
                "procedura alternativa 2",
                "alternative procedure 2",
            ],
            Self::AlternativeProcedures => [
                "Alternative Verfahren",
                "procédures alternatives",
                "procedure alternative",
                "proceduras alternativas",
                "alternative procedures",
            ],
            _ => [
                "Zahlteil-Daten",
                "données du QR-code",
                "dati del codice QR",
                "datas dal code QR",
                "payload",
            ],
        };
        pick(lang, texts).to_owned()
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line() {
            Some(line) => write!(f, "line {line} ({})", self.element()),
            None => f.write_str(self.element()),
        }
    }
}

/// The text for `lang` out of `[de, fr, it, rm, en]`.
fn pick(lang: Language, texts: [&str; 5]) -> &str {
    match lang {
        Language::De => texts[0],
        Language::Fr => texts[1],
        Language::It => texts[2],
        Language::Rm => texts[3],
        _ => texts[4],
    }
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A mandatory or dependent element is empty.
    Missing,
    /// More characters than allowed.
    TooLong {
        /// The maximum.
        max: usize,
        /// The number of characters found.
        found: usize,
    },
    /// A character outside the character set of IG v2.3 §4.1.1.
    Character {
        /// 1-based character position in the element.
        position: usize,
        /// The character.
        found: char,
    },
    /// The value starts or ends with a blank (IG §4.1.3 forbids padding).
    Blank,
    /// The element must stay empty.
    MustBeEmpty,
    /// The element has the wrong form; `expected` says which, in English.
    Format {
        /// The expected form, such as `"S"` or `"CHF or EUR"`.
        expected: &'static str,
    },
    /// The IBAN is not a valid IBAN.
    Iban(egov_core::Error),
    /// The IBAN is valid but not Swiss or Liechtenstein.
    IbanCountry,
    /// A QR-IBAN requires a QR reference (QRR).
    QrIbanNeedsQrReference,
    /// A QR reference requires a QR-IBAN.
    QrReferenceNeedsQrIban,
    /// The QR or creditor reference is not valid.
    Reference(egov_core::Error),
    /// The amount is outside 0.01–999 999 999.99.
    AmountRange,
    /// Not an ISO 3166-1 alpha-2 country code.
    UnknownCountry,
    /// The postal code carries a country prefix (`CH-8000`).
    PostalCodeWithCountry,
    /// The billing information does not start with `//`.
    BillingInformationPrefix,
    /// Unstructured message and billing information together have more than 140 characters.
    AdditionalInformationTooLong {
        /// The number of characters found.
        found: usize,
    },
    /// More than two alternative procedures.
    TooManyAlternativeProcedures {
        /// The number found.
        found: usize,
    },
    /// The payload has more than 997 characters.
    PayloadTooLong {
        /// The number of characters found.
        found: usize,
    },
}

impl ErrorKind {
    /// The problem in `lang`, without the field name.
    #[must_use]
    pub fn describe(&self, lang: Language) -> String {
        match self {
            Self::Missing => pick(lang, ["fehlt", "manque", "manca", "manca", "is missing"]).to_owned(),
            Self::TooLong { max, found } => match lang {
                Language::De => format!("höchstens {max} Zeichen erlaubt, {found} angegeben"),
                Language::Fr => format!("{max} caractères au maximum, {found} indiqués"),
                Language::It => format!("al massimo {max} caratteri, {found} indicati"),
                Language::Rm => format!("maximalmain {max} caracters, {found} indicads"),
                _ => format!("at most {max} characters allowed, {found} given"),
            },
            Self::Character { position, found } => {
                let code = format!("U+{:04X}", u32::from(*found));
                match lang {
                    Language::De => format!("unerlaubtes Zeichen {code} an Stelle {position}"),
                    Language::Fr => format!("caractère non autorisé {code} à la position {position}"),
                    Language::It => format!("carattere non ammesso {code} alla posizione {position}"),
                    Language::Rm => format!("caracter betg lubì {code} a la posiziun {position}"),
                    _ => format!("character {code} at position {position} is not allowed"),
                }
            }
            Self::Blank => pick(
                lang,
                [
                    "darf nicht mit einem Leerzeichen beginnen oder enden",
                    "ne doit pas commencer ni finir par une espace",
                    "non deve iniziare né finire con uno spazio",
                    "na dastga betg cumenzar u finir cun in spazi vid",
                    "must not start or end with a blank",
                ],
            )
            .to_owned(),
            Self::MustBeEmpty => pick(
                lang,
                [
                    "muss leer bleiben",
                    "doit rester vide",
                    "deve rimanere vuoto",
                    "sto restar vid",
                    "must be empty",
                ],
            )
            .to_owned(),
            Self::Format { expected } => match lang {
                Language::De => format!("ungültiges Format (erwartet: {expected})"),
                Language::Fr => format!("format non valable (attendu : {expected})"),
                Language::It => format!("formato non valido (atteso: {expected})"),
                Language::Rm => format!("format nunvalid (spetgà: {expected})"),
                _ => format!("invalid format (expected {expected})"),
            },
            Self::Iban(_) => pick(
                lang,
                [
                    "keine gültige IBAN",
                    "IBAN non valable",
                    "IBAN non valido",
                    "IBAN nunvalid",
                    "not a valid IBAN",
                ],
            )
            .to_owned(),
            Self::IbanCountry => pick(
                lang,
                [
                    "nur IBAN aus der Schweiz oder Liechtenstein erlaubt",
                    "seuls les IBAN de Suisse ou du Liechtenstein sont admis",
                    "sono ammessi solo IBAN svizzeri o del Liechtenstein",
                    "mo IBANs da la Svizra u dal Liechtenstein èn lubids",
                    "only IBANs of Switzerland or Liechtenstein are allowed",
                ],
            )
            .to_owned(),
            Self::QrIbanNeedsQrReference => pick(
                lang,
                [
                    "eine QR-IBAN verlangt eine QR-Referenz (QRR)",
                    "un QR-IBAN exige une référence QR (QRR)",
                    "un QR-IBAN richiede un riferimento QR (QRR)",
                    "in QR-IBAN pretenda ina referenza QR (QRR)",
                    "a QR-IBAN requires a QR reference (QRR)",
                ],
            )
            .to_owned(),
            Self::QrReferenceNeedsQrIban => pick(
                lang,
                [
                    "eine QR-Referenz ist nur mit einer QR-IBAN erlaubt",
                    "une référence QR n'est admise qu'avec un QR-IBAN",
                    "un riferimento QR è ammesso solo con un QR-IBAN",
                    "ina referenza QR è mo lubida cun in QR-IBAN",
                    "a QR reference is only allowed with a QR-IBAN",
                ],
            )
            .to_owned(),
            Self::Reference(_) => pick(
                lang,
                [
                    "keine gültige Referenz (Länge, Zeichen oder Prüfziffer)",
                    "référence non valable (longueur, caractères ou chiffre de contrôle)",
                    "riferimento non valido (lunghezza, caratteri o cifra di controllo)",
                    "referenza nunvalida (lunghezza, caracters u cifra da controlla)",
                    "not a valid reference (length, characters or check digits)",
                ],
            )
            .to_owned(),
            Self::AmountRange => pick(
                lang,
                [
                    "muss zwischen 0.01 und 999999999.99 liegen",
                    "doit être compris entre 0.01 et 999999999.99",
                    "deve essere compreso tra 0.01 e 999999999.99",
                    "sto esser tranter 0.01 e 999999999.99",
                    "must be between 0.01 and 999999999.99",
                ],
            )
            .to_owned(),
            Self::UnknownCountry => pick(
                lang,
                [
                    "kein gültiger zweistelliger Ländercode (ISO 3166-1)",
                    "pas un code de pays valable à deux lettres (ISO 3166-1)",
                    "non è un codice di paese valido a due lettere (ISO 3166-1)",
                    "nagin code da pajais valid cun duas letras (ISO 3166-1)",
                    "not a valid two-letter country code (ISO 3166-1)",
                ],
            )
            .to_owned(),
            Self::PostalCodeWithCountry => pick(
                lang,
                [
                    "ohne Länderkennzeichen angeben",
                    "à indiquer sans code de pays",
                    "da indicare senza codice del paese",
                    "inditgar senza code dal pajais",
                    "must be given without a country prefix",
                ],
            )
            .to_owned(),
            Self::BillingInformationPrefix => pick(
                lang,
                [
                    "muss mit // beginnen",
                    "doit commencer par //",
                    "deve iniziare con //",
                    "sto cumenzar cun //",
                    "must start with //",
                ],
            )
            .to_owned(),
            Self::AdditionalInformationTooLong { found } => match lang {
                Language::De => {
                    format!(
                        "Mitteilung und Rechnungsinformationen zusammen höchstens 140 Zeichen, {found} angegeben"
                    )
                }
                Language::Fr => format!(
                    "communication et informations de facturation : 140 caractères au maximum ensemble, {found} indiqués"
                ),
                Language::It => format!(
                    "comunicazione e informazioni di fatturazione: al massimo 140 caratteri insieme, {found} indicati"
                ),
                Language::Rm => format!(
                    "communicaziun ed infurmaziuns da facturaziun: ensemen maximalmain 140 caracters, {found} indicads"
                ),
                _ => format!(
                    "unstructured message and billing information together: at most 140 characters, {found} given"
                ),
            },
            Self::TooManyAlternativeProcedures { found } => match lang {
                Language::De => format!("höchstens 2 erlaubt, {found} angegeben"),
                Language::Fr => format!("2 au maximum, {found} indiquées"),
                Language::It => format!("al massimo 2, {found} indicate"),
                Language::Rm => format!("maximalmain 2, {found} indicadas"),
                _ => format!("at most 2 allowed, {found} given"),
            },
            Self::PayloadTooLong { found } => match lang {
                Language::De => format!("höchstens 997 Zeichen erlaubt, {found} nötig"),
                Language::Fr => format!("997 caractères au maximum, {found} nécessaires"),
                Language::It => format!("al massimo 997 caratteri, {found} necessari"),
                Language::Rm => format!("maximalmain 997 caracters, {found} necessaris"),
                _ => format!("at most 997 characters allowed, {found} needed"),
            },
        }
    }
}

/// One violation of the guidelines: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {}", kind.describe(Language::En))]
pub struct ValidationError {
    /// The element.
    pub field: Field,
    /// The problem.
    pub kind: ErrorKind,
}

impl ValidationError {
    pub(crate) const fn new(field: Field, kind: ErrorKind) -> Self {
        Self { field, kind }
    }

    /// A message for the user in `lang`: the field's name and the problem.
    ///
    /// ```
    /// use egov_core::Language;
    /// use egov_pay::qrbill::{ErrorKind, Field, ValidationError};
    /// let e = ValidationError { field: Field::CreditorPostalCode, kind: ErrorKind::Missing };
    /// assert_eq!(e.message(Language::De), "Postleitzahl (Zahlungsempfänger): fehlt");
    /// assert_eq!(e.message(Language::En), "postal code (creditor): is missing");
    /// ```
    #[must_use]
    pub fn message(&self, lang: Language) -> String {
        format!("{}: {}", self.field.label(lang), self.kind.describe(lang))
    }
}

/// Allowed but deprecated or doubtful content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A combined address (type `K`), removed in IG v2.3; banks accept it only during the
    /// transition.
    CombinedAddress,
    /// Amount 0.00 without one of the "DO NOT USE FOR PAYMENT" texts of IG §4.4.
    ZeroAmountWithoutNotice,
}

/// A warning about a field that does not make the bill invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValidationWarning {
    /// The element.
    pub field: Field,
    /// The warning.
    pub kind: WarningKind,
}

impl ValidationWarning {
    /// A message for the user in `lang`.
    #[must_use]
    pub fn message(&self, lang: Language) -> String {
        let text = match self.kind {
            WarningKind::CombinedAddress => [
                "kombinierte Adresse (Typ K) ist seit IG QR-Rechnung 2.3 nicht mehr zulässig; strukturierte Adresse (S) verwenden",
                "l'adresse combinée (type K) n'est plus admise depuis les IG QR-facture 2.3 ; utiliser une adresse structurée (S)",
                "l'indirizzo combinato (tipo K) non è più ammesso dalle IG QR-fattura 2.3; usare un indirizzo strutturato (S)",
                "l'adressa cumbinada (tip K) n'è betg pli lubida dapi las IG QR-quint 2.3; duvrar ina adressa structurada (S)",
                "combined address (type K) is no longer allowed since IG QR-bill 2.3; use a structured address (S)",
            ],
            WarningKind::ZeroAmountWithoutNotice => [
                "0.00 ist nur für «NICHT ZUR ZAHLUNG VERWENDEN» vorgesehen",
                "0.00 est réservé à « NE PAS UTILISER POUR LE PAIEMENT »",
                "0.00 è previsto solo per «NON UTILIZZARE PER IL PAGAMENTO»",
                "0.00 è mo previs per «BETG DUVRAR PER IL PAJAMENT»",
                "0.00 is meant only for \"DO NOT USE FOR PAYMENT\"",
            ],
        };
        format!("{}: {}", self.field.label(lang), pick(lang, text))
    }
}

impl fmt::Display for ValidationWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message(Language::En);
        write!(f, "{}: {}", self.field, message)
    }
}

/// Whether `c` is in the character set of IG v2.3 §4.1.1.
#[must_use]
pub(crate) fn is_allowed_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{17F}' | '\u{218}'..='\u{21B}' | '\u{20AC}')
}

/// Length, character set and blanks of a text element; an empty value passes.
pub(crate) fn check_text(errors: &mut Vec<ValidationError>, field: Field, value: &str, max: usize) {
    let found = value.chars().count();
    if found > max {
        errors.push(ValidationError::new(field, ErrorKind::TooLong { max, found }));
    }
    if let Some((i, c)) = value.chars().enumerate().find(|(_, c)| !is_allowed_char(*c)) {
        errors.push(ValidationError::new(
            field,
            ErrorKind::Character {
                position: i + 1,
                found: c,
            },
        ));
    }
    if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        errors.push(ValidationError::new(field, ErrorKind::Blank));
    }
}

fn check_required(errors: &mut Vec<ValidationError>, field: Field, value: &str, max: usize) {
    if value.is_empty() {
        errors.push(ValidationError::new(field, ErrorKind::Missing));
    } else {
        check_text(errors, field, value, max);
    }
}

pub(crate) fn check_address(errors: &mut Vec<ValidationError>, party: Party, address: &Address) {
    let f = |part| Field::address(party, part);
    check_required(errors, f(1), &address.name, 70);
    let street = address.street.as_deref().unwrap_or_default();
    let building = address.building_number.as_deref().unwrap_or_default();
    match address.address_type {
        AddressType::Structured => {
            check_text(errors, f(2), street, 70);
            check_text(errors, f(3), building, 16);
            check_required(errors, f(4), &address.postal_code, 16);
            check_required(errors, f(5), &address.town, 35);
        }
        AddressType::Combined => {
            // IG v2.2: two address lines of up to 70 characters, the second (postal code and
            // town) mandatory; postal code and town elements stay empty.
            check_text(errors, f(2), street, 70);
            check_required(errors, f(3), building, 70);
            for (part, value) in [(4, &address.postal_code), (5, &address.town)] {
                if !value.is_empty() {
                    errors.push(ValidationError::new(f(part), ErrorKind::MustBeEmpty));
                }
            }
        }
    }
    let country = address.country.as_str();
    if country.is_empty() {
        errors.push(ValidationError::new(f(6), ErrorKind::Missing));
    } else if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(ValidationError::new(
            f(6),
            ErrorKind::Format {
                expected: "two capital letters (ISO 3166-1 alpha-2)",
            },
        ));
    } else if CountryId::from_iso(country).is_err() {
        errors.push(ValidationError::new(f(6), ErrorKind::UnknownCountry));
    } else {
        let postal = address.postal_code.to_ascii_uppercase();
        if postal.len() > 2 && postal.starts_with(country) && matches!(postal.as_bytes()[2], b'-' | b' ') {
            errors.push(ValidationError::new(f(4), ErrorKind::PostalCodeWithCountry));
        }
    }
}

/// The checks of the texts and addresses: everything but the typed elements.
pub(crate) fn check_parts(
    errors: &mut Vec<ValidationError>,
    creditor: &Address,
    debtor: Option<&Address>,
    message: Option<&str>,
    billing: Option<&str>,
    alternatives: &[String],
) {
    check_address(errors, Party::Creditor, creditor);
    if let Some(debtor) = debtor {
        check_address(errors, Party::UltimateDebtor, debtor);
    }
    let message = message.unwrap_or_default();
    let billing = billing.unwrap_or_default();
    check_text(errors, Field::UnstructuredMessage, message, 140);
    check_text(errors, Field::BillingInformation, billing, 140);
    if !billing.is_empty() && !billing.starts_with("//") {
        errors.push(ValidationError::new(
            Field::BillingInformation,
            ErrorKind::BillingInformationPrefix,
        ));
    }
    let together = message.chars().count() + billing.chars().count();
    if together > 140 && !message.is_empty() && !billing.is_empty() {
        errors.push(ValidationError::new(
            Field::AdditionalInformation,
            ErrorKind::AdditionalInformationTooLong { found: together },
        ));
    }
    if alternatives.len() > 2 {
        errors.push(ValidationError::new(
            Field::AlternativeProcedures,
            ErrorKind::TooManyAlternativeProcedures {
                found: alternatives.len(),
            },
        ));
    }
    for (i, alt) in alternatives.iter().enumerate().take(2) {
        let field = if i == 0 {
            Field::AlternativeProcedure1
        } else {
            Field::AlternativeProcedure2
        };
        check_required(errors, field, alt, 100);
    }
}

/// The rules between typed elements: account country and the IBAN/reference pairing.
pub(crate) fn check_account_reference(errors: &mut Vec<ValidationError>, bill: &QrBill) {
    if !bill.account.is_ch_or_li() {
        errors.push(ValidationError::new(Field::Account, ErrorKind::IbanCountry));
        return;
    }
    match (&bill.reference, bill.account.is_qr_iban()) {
        (Reference::Qrr(_), false) => errors.push(ValidationError::new(
            Field::ReferenceType,
            ErrorKind::QrReferenceNeedsQrIban,
        )),
        (Reference::Scor(_) | Reference::None, true) => errors.push(ValidationError::new(
            Field::ReferenceType,
            ErrorKind::QrIbanNeedsQrReference,
        )),
        _ => {}
    }
}

pub(crate) fn warnings(bill: &QrBill) -> Vec<ValidationWarning> {
    let mut out = Vec::new();
    for (field, address) in [
        (Field::CreditorAddressType, Some(&bill.creditor)),
        (Field::UltimateDebtorAddressType, bill.ultimate_debtor.as_ref()),
    ] {
        if address.is_some_and(|a| a.address_type == AddressType::Combined) {
            out.push(ValidationWarning {
                field,
                kind: WarningKind::CombinedAddress,
            });
        }
    }
    if bill.amount == Some(Amount::ZERO) && !bill.is_notification() {
        out.push(ValidationWarning {
            field: Field::Amount,
            kind: WarningKind::ZeroAmountWithoutNotice,
        });
    }
    out
}

impl QrBill {
    /// Checks every element against IG QR-bill v2.3 and returns all violations (empty when the
    /// bill is valid). A legacy combined address is not an error here but a warning, see
    /// [`QrBill::warnings`]. The 997-character limit is checked on the CR+LF payload.
    #[must_use]
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        check_parts(
            &mut errors,
            &self.creditor,
            self.ultimate_debtor.as_ref(),
            self.unstructured_message.as_deref(),
            self.billing_information.as_deref(),
            &self.alternative_procedures,
        );
        check_account_reference(&mut errors, self);
        let found = self.encode_unchecked(super::Separator::CrLf).chars().count();
        if found > MAX_PAYLOAD_CHARS {
            errors.push(ValidationError::new(
                Field::Payload,
                ErrorKind::PayloadTooLong { found },
            ));
        }
        errors
    }

    /// Deprecated or doubtful content that does not make the bill invalid: a combined (`K`)
    /// address, or amount 0.00 without a "DO NOT USE FOR PAYMENT" text.
    #[must_use]
    pub fn warnings(&self) -> Vec<ValidationWarning> {
        warnings(self)
    }
}
