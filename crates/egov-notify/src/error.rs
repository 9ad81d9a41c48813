//! The one error type of this crate.

use egov_core::Language;

use crate::message::Channel;
use crate::sms::Encoding;
use crate::template::{SyntaxError, TemplateId};

/// Everything that can go wrong in this crate. No variant repeats personal data: an invalid
/// e-mail address or phone number is described, not quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A template text does not parse; every error found is listed, with its position.
    #[error("template syntax: {}", join(errors))]
    Syntax {
        /// The errors, in the order of languages, parts and positions.
        errors: Vec<SyntaxError>,
    },

    /// The personalisation lacks values that the template needs. Checked before anything is sent.
    #[error(
        "template {template} version {version} ({language} text): missing personalisation: {}",
        names.join(", ")
    )]
    MissingPlaceholders {
        /// The template.
        template: TemplateId,
        /// Its version.
        version: u32,
        /// The language variant that was rendered (after fallback).
        language: Language,
        /// All missing placeholder names, as written in the template, in order of appearance.
        names: Vec<String>,
    },

    /// The template has no text in the requested language nor in any language of its fallback chain.
    #[error(
        "template {template} has no text in {requested} nor in its fallbacks ({})",
        codes(tried)
    )]
    NoVariant {
        /// The template.
        template: TemplateId,
        /// The language asked for.
        requested: Language,
        /// The languages tried, in order.
        tried: Vec<Language>,
    },

    /// A language variant does not fit the template's channel: an e-mail text without subject,
    /// an SMS text with one.
    #[error("template {template}, {language} text: {reason}")]
    InvalidVariant {
        /// The template.
        template: TemplateId,
        /// The variant's language.
        language: Language,
        /// What is wrong.
        reason: &'static str,
    },

    /// A template's version number cannot be raised any further.
    #[error("template {template}: no version after {}", u32::MAX)]
    VersionExhausted {
        /// The template.
        template: TemplateId,
    },

    /// A template has no language variant at all.
    #[error("template {template} has no text in any language")]
    NoVariants {
        /// The template.
        template: TemplateId,
    },

    /// A template id is empty, too long or contains characters other than letters, digits, `-`, `_`, `.`.
    #[error("template id: {reason}")]
    InvalidTemplateId {
        /// What is wrong.
        reason: &'static str,
    },

    /// An SMS text is empty after rendering.
    #[error("the SMS text is empty")]
    EmptySms,

    /// An SMS text needs more parts than allowed.
    #[error(
        "the SMS text needs {segments} parts ({units} {encoding} units), more than the {max_segments} allowed"
    )]
    SmsTooLong {
        /// The encoding the text needs.
        encoding: Encoding,
        /// Its length in units of that encoding.
        units: usize,
        /// The parts it needs.
        segments: usize,
        /// The parts allowed.
        max_segments: usize,
    },

    /// An e-mail address is not valid.
    #[error("e-mail address: {reason}")]
    InvalidEmail {
        /// What is wrong (never the address itself).
        reason: String,
    },

    /// A phone number is not valid.
    #[error("phone number: {reason}")]
    InvalidPhone {
        /// What is wrong (never the number itself).
        reason: &'static str,
    },

    /// A message was put together from a template and a recipient of different channels.
    #[error("a {template} template cannot be sent to a {recipient} recipient")]
    ChannelMismatch {
        /// The template's channel.
        template: Channel,
        /// The recipient's channel.
        recipient: Channel,
    },

    /// Something only an e-mail can have was given to an SMS.
    #[error("{what} can only be given to an e-mail")]
    EmailOnly {
        /// What it was.
        what: &'static str,
    },

    /// An attachment's name, type or content is not acceptable.
    #[error("attachment: {reason}")]
    InvalidAttachment {
        /// What is wrong.
        reason: &'static str,
    },

    /// A message id is not 32 lower-case hex digits.
    #[error("message id: not 32 lower-case hex digits")]
    InvalidMessageId,

    /// A message reference (the caller's correlation id) is too long.
    #[error("reference: longer than {max} characters")]
    ReferenceTooLong {
        /// The longest allowed.
        max: usize,
    },
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

fn join(errors: &[SyntaxError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn codes(languages: &[Language]) -> String {
    languages.iter().map(|l| l.code()).collect::<Vec<_>>().join(" → ")
}
