//! The mandatory headings in the five languages (IG v2.3 Annex C; Romansh as used by the
//! established QR-bill libraries, since SIX publishes none).

use egov_core::Language;

/// A text of the payment part or receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Label {
    /// "Payment part".
    PaymentPart,
    /// "Receipt".
    Receipt,
    /// "Account / Payable to".
    AccountPayableTo,
    /// "Reference".
    Reference,
    /// "Additional information".
    AdditionalInformation,
    /// "Payable by".
    PayableBy,
    /// "Payable by (name/address)", above the blank debtor field.
    PayableByNameAddress,
    /// "Currency".
    Currency,
    /// "Amount".
    Amount,
    /// "Acceptance point".
    AcceptancePoint,
    /// "Separate before paying in"; empty in Romansh, which has no official text.
    SeparateBeforePayingIn,
}

impl Label {
    /// Every label.
    pub const ALL: [Self; 11] = [
        Self::PaymentPart,
        Self::Receipt,
        Self::AccountPayableTo,
        Self::Reference,
        Self::AdditionalInformation,
        Self::PayableBy,
        Self::PayableByNameAddress,
        Self::Currency,
        Self::Amount,
        Self::AcceptancePoint,
        Self::SeparateBeforePayingIn,
    ];
}

/// The text of `label` in `language`.
///
/// ```
/// use egov_core::Language;
/// use egov_pay::render::{Label, label};
/// assert_eq!(label(Label::PaymentPart, Language::De), "Zahlteil");
/// assert_eq!(label(Label::Receipt, Language::Rm), "Quittanza");
/// ```
#[must_use]
pub fn label(label: Label, language: Language) -> &'static str {
    let [de, fr, it, rm, en] = match label {
        Label::PaymentPart => [
            "Zahlteil",
            "Section paiement",
            "Sezione pagamento",
            "Part da pajament",
            "Payment part",
        ],
        Label::Receipt => ["Empfangsschein", "Récépissé", "Ricevuta", "Quittanza", "Receipt"],
        Label::AccountPayableTo => [
            "Konto / Zahlbar an",
            "Compte / Payable à",
            "Conto / Pagabile a",
            "Conto / Da pajar a",
            "Account / Payable to",
        ],
        Label::Reference => ["Referenz", "Référence", "Riferimento", "Referenza", "Reference"],
        Label::AdditionalInformation => [
            "Zusätzliche Informationen",
            "Informations supplémentaires",
            "Informazioni supplementari",
            "Infurmaziuns supplementaras",
            "Additional information",
        ],
        Label::PayableBy => [
            "Zahlbar durch",
            "Payable par",
            "Pagabile da",
            "Da pajar da",
            "Payable by",
        ],
        Label::PayableByNameAddress => [
            "Zahlbar durch (Name/Adresse)",
            "Payable par (nom/adresse)",
            "Pagabile da (nome/indirizzo)",
            "Da pajar da (num/adressa)",
            "Payable by (name/address)",
        ],
        Label::Currency => ["Währung", "Monnaie", "Valuta", "Valuta", "Currency"],
        Label::Amount => ["Betrag", "Montant", "Importo", "Import", "Amount"],
        Label::AcceptancePoint => [
            "Annahmestelle",
            "Point de dépôt",
            "Punto di accettazione",
            "Post da recepziun",
            "Acceptance point",
        ],
        Label::SeparateBeforePayingIn => [
            "Vor der Einzahlung abzutrennen",
            "A détacher avant le versement",
            "Da staccare prima del versamento",
            "",
            "Separate before paying in",
        ],
    };
    match language {
        Language::De => de,
        Language::Fr => fr,
        Language::It => it,
        Language::Rm => rm,
        _ => en,
    }
}
