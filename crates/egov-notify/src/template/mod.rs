//! Templates that agency staff edit: placeholders, conditional text, languages, versions.
//!
//! # The template language
//!
//! The syntax is GOV.UK Notify's:
//!
//! | write | to get |
//! |---|---|
//! | `((first_name))` | the value of `first_name` |
//! | `((express??Sie erhalten die Bestätigung per Express.))` | the text when `express` is `yes`, `y`, `true`, `t`, `1`, `include` or `show` (any case), `true` or `1` in JSON, or a non-empty list |
//! | `\((` | a literal `((` |
//!
//! Names are matched ignoring case, spaces, `_` and `-`. A placeholder closes on the line it
//! opens and contains no `(` or `)`; conditional text therefore holds no placeholders. Extra
//! parentheses around a placeholder stay literal: `(((ref)))` gives `(` + value + `)`. A single
//! `)` or `))` outside a placeholder is ordinary text, and so is a backslash not followed by `((`.
//! Syntax errors are reported with language, part, line and column ([`SyntaxError`]), all at once.
//!
//! Every placeholder, including the names of conditionals, must have a value: rendering
//! refuses with [`Error::MissingPlaceholders`] naming all that are missing and the language
//! variant. Values the template does not use are allowed. A line that holds nothing but hidden
//! conditional text disappears, so optional sentences do not leave blank lines.
//!
//! # E-mail bodies
//!
//! Staff write one body in a small markup, as in Notify; plain text and HTML are both derived
//! from it (HTML cannot be given by hand, so that no staff-written or citizen-supplied markup
//! reaches a mail client unescaped):
//!
//! | line starts with | becomes |
//! |---|---|
//! | `# ` / `## ` | heading (`<h2>` / `<h3>`) |
//! | `* `, `- `, `• ` | bulleted list item |
//! | `1. ` (up to 3 digits) | numbered list item |
//! | `^ ` | inset text (`<blockquote>`) |
//! | `---` alone | horizontal rule |
//! | an empty line | paragraph break |
//!
//! Other lines are text; consecutive text lines form one paragraph with line breaks. Only the
//! template's own text makes markup: a value starting with `# ` stays text. A list value whose
//! placeholder stands alone on its line becomes a bulleted list. In the HTML part all text, the
//! template's and the values, is HTML-escaped and `http(s)://` links become `<a>` elements; the
//! plain-text part is not escaped. The HTML part is a complete document with `lang` set to the
//! language actually used. The subject is one line: line breaks in values become spaces.
//!
//! # Languages
//!
//! A template has a variant per [`Language`]. Rendering asks for a language and walks a
//! [`Fallback`] chain (by default [`Language::default_fallbacks`], where `rm` falls back to `de`);
//! the [`RenderedMessage`] records both the requested and the used language.
//!
//! ```
//! use egov_core::Language;
//! use egov_notify::template::{Personalisation, RenderOptions, Template, TemplateSource};
//!
//! let template = Template::new(
//!     TemplateSource::email("wohnsitz-bereit", 3)
//!         .email_text(
//!             Language::De,
//!             "Ihre Wohnsitzbestätigung ist bereit",
//!             "Guten Tag ((name))\n\nIhre Wohnsitzbestätigung ((nummer)) ist bereit.",
//!         )
//!         .email_text(
//!             Language::Fr,
//!             "Votre attestation de domicile est prête",
//!             "Bonjour ((name))\n\nVotre attestation de domicile ((nummer)) est prête.",
//!         ),
//! )?;
//! let data = Personalisation::new().with("name", "Gian Caduff").with("nummer", "WB-2026-0042");
//! let message = template.render(Language::Rm, &data, &RenderOptions::default())?;
//! assert_eq!(message.language, Language::De); // no Romansh text yet: rm → de
//! assert_eq!(message.template_version, 3);
//! let email = message.content.as_email().unwrap();
//! assert!(email.text.ends_with("Ihre Wohnsitzbestätigung WB-2026-0042 ist bereit."));
//! # Ok::<(), egov_notify::Error>(())
//! ```

mod data;
mod parse;
mod render;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use egov_core::{Fallback, Language, Localized};
use serde::{Deserialize, Serialize};

pub use data::{Personalisation, Value};
pub use parse::{Part, SyntaxError, SyntaxErrorKind};

use crate::Error;
use crate::message::Channel;
use crate::sms::{SmsInfo, SmsLimits};
use parse::Parsed;
use render::Filler;

/// A template's id: 1 to 100 ASCII letters, digits, `-`, `_` or `.` (a UUID fits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TemplateId(String);

impl TemplateId {
    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TemplateId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::try_from(s.to_owned())
    }
}

impl TryFrom<String> for TemplateId {
    type Error = Error;

    fn try_from(id: String) -> Result<Self, Error> {
        if id.is_empty() {
            return Err(Error::InvalidTemplateId { reason: "empty" });
        }
        if id.len() > 100 {
            return Err(Error::InvalidTemplateId {
                reason: "longer than 100 characters",
            });
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(Error::InvalidTemplateId {
                reason: "only ASCII letters, digits, `-`, `_` and `.` are allowed",
            });
        }
        Ok(Self(id))
    }
}

impl From<TemplateId> for String {
    fn from(id: TemplateId) -> Self {
        id.0
    }
}

impl fmt::Display for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One language variant of a template, as staff write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Variant {
    /// The subject line (e-mail only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The e-mail body (in the markup described in [the module](self)) or the SMS text.
    pub body: String,
}

impl Variant {
    /// An e-mail variant.
    #[must_use]
    pub fn email(subject: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            subject: Some(subject.into()),
            body: body.into(),
        }
    }

    /// An SMS variant.
    #[must_use]
    pub fn sms(text: impl Into<String>) -> Self {
        Self {
            subject: None,
            body: text.into(),
        }
    }
}

/// A template as stored and edited: id, version, channel and the texts per language.
///
/// This is the serde form of [`Template`]:
///
/// ```json
/// {"id": "wohnsitz-bereit", "version": 3, "name": "Wohnsitzbestätigung bereit",
///  "channel": "email",
///  "variants": {"de": {"subject": "…", "body": "…"}, "fr": {"subject": "…", "body": "…"}}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TemplateSource {
    /// The id, stable across versions.
    pub id: TemplateId,
    /// The version; every message records it.
    pub version: u32,
    /// A name for staff (not sent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The texts per language.
    pub variants: Localized<Variant>,
}

impl TemplateSource {
    /// An e-mail template without texts yet. An invalid `id` is reported by [`Template::new`].
    #[must_use]
    pub fn email(id: &str, version: u32) -> SourceBuilder {
        SourceBuilder::new(id, version, Channel::Email)
    }

    /// An SMS template without texts yet. An invalid `id` is reported by [`Template::new`].
    #[must_use]
    pub fn sms(id: &str, version: u32) -> SourceBuilder {
        SourceBuilder::new(id, version, Channel::Sms)
    }

    /// A template source from its parts.
    #[must_use]
    pub fn new(id: TemplateId, version: u32, channel: Channel, variants: Localized<Variant>) -> Self {
        Self {
            id,
            version,
            name: String::new(),
            channel,
            variants,
        }
    }
}

/// Builds a [`TemplateSource`]; pass it to [`Template::new`].
#[derive(Debug, Clone)]
pub struct SourceBuilder {
    id: Result<TemplateId, Error>,
    version: u32,
    name: String,
    channel: Channel,
    variants: Localized<Variant>,
}

impl SourceBuilder {
    fn new(id: &str, version: u32, channel: Channel) -> Self {
        Self {
            id: id.parse(),
            version,
            name: String::new(),
            channel,
            variants: Localized::new(),
        }
    }

    /// Sets the name for staff.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Adds an e-mail text in one language.
    #[must_use]
    pub fn email_text(mut self, language: Language, subject: &str, body: &str) -> Self {
        self.variants.insert(language, Variant::email(subject, body));
        self
    }

    /// Adds an SMS text in one language.
    #[must_use]
    pub fn sms_text(mut self, language: Language, text: &str) -> Self {
        self.variants.insert(language, Variant::sms(text));
        self
    }

    /// The source.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTemplateId`] when the id was invalid.
    pub fn build(self) -> Result<TemplateSource, Error> {
        Ok(TemplateSource {
            id: self.id?,
            version: self.version,
            name: self.name,
            channel: self.channel,
            variants: self.variants,
        })
    }
}

impl TryFrom<SourceBuilder> for TemplateSource {
    type Error = Error;

    fn try_from(builder: SourceBuilder) -> Result<Self, Error> {
        builder.build()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ParsedVariant {
    subject: Option<Parsed>,
    body: Parsed,
}

/// A checked template: every variant parsed, ready to render. Serde uses [`TemplateSource`]'s
/// form and checks again when reading.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateSource", into = "TemplateSource")]
pub struct Template {
    source: TemplateSource,
    parsed: BTreeMap<Language, ParsedVariant>,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.source.fmt(f)
    }
}

impl TryFrom<TemplateSource> for Template {
    type Error = Error;

    fn try_from(source: TemplateSource) -> Result<Self, Error> {
        Self::new(source)
    }
}

impl From<Template> for TemplateSource {
    fn from(template: Template) -> Self {
        template.source
    }
}

impl Template {
    /// Checks and parses a template.
    ///
    /// # Errors
    ///
    /// [`Error::NoVariants`] without any text; [`Error::InvalidVariant`] for an e-mail text
    /// without subject or an SMS text with one; [`Error::Syntax`] with every syntax error of
    /// every variant; [`Error::InvalidTemplateId`] from a builder with a bad id.
    pub fn new<S>(source: S) -> Result<Self, Error>
    where
        S: TryInto<TemplateSource>,
        Error: From<S::Error>,
    {
        let source = source.try_into()?;
        if source.variants.is_empty() {
            return Err(Error::NoVariants {
                template: source.id.clone(),
            });
        }
        let mut errors = Vec::new();
        let mut parsed = BTreeMap::new();
        for language in source.variants.languages() {
            let Some(variant) = source.variants.exact(language) else {
                continue;
            };
            let invalid = |reason| Error::InvalidVariant {
                template: source.id.clone(),
                language,
                reason,
            };
            let subject = match (source.channel, &variant.subject) {
                (Channel::Email, Some(subject)) if !subject.trim().is_empty() => {
                    Some(parse::parse(subject, language, Part::Subject, &mut errors))
                }
                (Channel::Email, _) => return Err(invalid("an e-mail text needs a subject")),
                (Channel::Sms, Some(_)) => return Err(invalid("an SMS text has no subject")),
                (Channel::Sms, None) => None,
            };
            let body = parse::parse(&variant.body, language, Part::Body, &mut errors);
            parsed.insert(language, ParsedVariant { subject, body });
        }
        if !errors.is_empty() {
            return Err(Error::Syntax { errors });
        }
        Ok(Self { source, parsed })
    }

    /// The id.
    #[must_use]
    pub fn id(&self) -> &TemplateId {
        &self.source.id
    }

    /// The version.
    #[must_use]
    pub fn version(&self) -> u32 {
        self.source.version
    }

    /// E-mail or SMS.
    #[must_use]
    pub fn channel(&self) -> Channel {
        self.source.channel
    }

    /// The source as staff wrote it.
    #[must_use]
    pub fn source(&self) -> &TemplateSource {
        &self.source
    }

    /// The languages that have a text.
    pub fn languages(&self) -> impl Iterator<Item = Language> + '_ {
        self.parsed.keys().copied()
    }

    /// The placeholder names in exactly this language's variant (subject first), each once, as
    /// written; `None` when the language has no variant.
    #[must_use]
    pub fn placeholders(&self, language: Language) -> Option<Vec<String>> {
        let variant = self.parsed.get(&language)?;
        let mut lines = variant.subject.clone().unwrap_or_default().lines;
        lines.extend(variant.body.lines.iter().cloned());
        Some(Parsed { lines }.placeholders())
    }

    /// The next version of this template with new texts: same id, name and channel, version + 1.
    ///
    /// # Errors
    ///
    /// As [`Template::new`]; [`Error::VersionExhausted`] after version `u32::MAX`.
    pub fn revise(&self, variants: Localized<Variant>) -> Result<Self, Error> {
        let version = self
            .version()
            .checked_add(1)
            .ok_or_else(|| Error::VersionExhausted {
                template: self.id().clone(),
            })?;
        Self::new(TemplateSource {
            version,
            variants,
            ..self.source.clone()
        })
    }

    /// Renders the message for `language` with `data`. This is also the preview: what it returns
    /// is exactly what a channel sends.
    ///
    /// # Errors
    ///
    /// [`Error::NoVariant`] when neither the language nor its fallbacks have a text;
    /// [`Error::MissingPlaceholders`] naming every missing value; for SMS [`Error::EmptySms`] and
    /// [`Error::SmsTooLong`] (see [`RenderOptions::sms`]).
    pub fn render(
        &self,
        language: Language,
        data: &Personalisation,
        options: &RenderOptions,
    ) -> Result<RenderedMessage, Error> {
        let chain = options.fallback.chain(language);
        let Some((used, variant)) = chain.iter().find_map(|l| self.parsed.get(l).map(|v| (*l, v))) else {
            return Err(Error::NoVariant {
                template: self.id().clone(),
                requested: language,
                tried: chain,
            });
        };
        let mut filler = Filler::new(data.index());
        let content = match self.channel() {
            Channel::Email => {
                let subject = variant
                    .subject
                    .as_ref()
                    .map(|s| filler.subject(s))
                    .unwrap_or_default();
                let blocks = filler.body(&variant.body);
                RenderedContent::Email(RenderedEmail {
                    text: render::blocks_to_text(&blocks),
                    html: render::blocks_to_html(&blocks, used, &subject),
                    subject,
                })
            }
            Channel::Sms => {
                let text = filler.sms(&variant.body);
                if !filler.missing.is_empty() {
                    return Err(self.missing(used, filler.missing));
                }
                let info = options.sms.check(&text)?;
                RenderedContent::Sms(RenderedSms { text, info })
            }
        };
        if !filler.missing.is_empty() {
            return Err(self.missing(used, filler.missing));
        }
        Ok(RenderedMessage {
            template_id: self.id().clone(),
            template_version: self.version(),
            requested_language: language,
            language: used,
            content,
        })
    }

    fn missing(&self, language: Language, names: Vec<String>) -> Error {
        Error::MissingPlaceholders {
            template: self.id().clone(),
            version: self.version(),
            language,
            names,
        }
    }
}

/// How to render: the language fallback chain and the SMS limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// Where to look when the requested language has no text (default: `rm → de → …`).
    pub fallback: Fallback,
    /// Limits for SMS texts (default: 6 parts).
    pub sms: SmsLimits,
}

impl RenderOptions {
    /// Sets the fallback chain.
    #[must_use]
    pub fn with_fallback(mut self, fallback: Fallback) -> Self {
        self.fallback = fallback;
        self
    }

    /// Sets the SMS limits.
    #[must_use]
    pub fn with_sms_limits(mut self, limits: SmsLimits) -> Self {
        self.sms = limits;
        self
    }
}

/// A rendered message: what will be sent, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RenderedMessage {
    /// The template's id.
    pub template_id: TemplateId,
    /// The template's version.
    pub template_version: u32,
    /// The language asked for.
    pub requested_language: Language,
    /// The language of the text actually used (after fallback).
    pub language: Language,
    /// The text.
    pub content: RenderedContent,
}

impl RenderedMessage {
    /// E-mail or SMS.
    #[must_use]
    pub fn channel(&self) -> Channel {
        match self.content {
            RenderedContent::Email(_) => Channel::Email,
            RenderedContent::Sms(_) => Channel::Sms,
        }
    }
}

/// The rendered text of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "lowercase")]
#[non_exhaustive]
pub enum RenderedContent {
    /// An e-mail.
    Email(RenderedEmail),
    /// An SMS.
    Sms(RenderedSms),
}

impl RenderedContent {
    /// The e-mail, if it is one.
    #[must_use]
    pub fn as_email(&self) -> Option<&RenderedEmail> {
        match self {
            Self::Email(email) => Some(email),
            Self::Sms(_) => None,
        }
    }

    /// The SMS, if it is one.
    #[must_use]
    pub fn as_sms(&self) -> Option<&RenderedSms> {
        match self {
            Self::Sms(sms) => Some(sms),
            Self::Email(_) => None,
        }
    }
}

/// A rendered e-mail. `Debug` shows sizes only (the text holds personal data).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RenderedEmail {
    /// The subject, one line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part, a complete document.
    pub html: String,
}

impl fmt::Debug for RenderedEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderedEmail")
            .field("subject_chars", &self.subject.chars().count())
            .field("text_chars", &self.text.chars().count())
            .field("html_bytes", &self.html.len())
            .finish()
    }
}

/// A rendered SMS with its encoding and number of parts. `Debug` shows sizes only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RenderedSms {
    /// The text.
    pub text: String,
    /// Encoding, length and parts.
    pub info: SmsInfo,
}

impl fmt::Debug for RenderedSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderedSms")
            .field("text_chars", &self.text.chars().count())
            .field("info", &self.info)
            .finish()
    }
}
