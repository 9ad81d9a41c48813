//! SMS text: GSM 03.38 (GSM-7) or UCS-2, segments, length limits.
//!
//! A short message carries 140 octets. In the GSM 7-bit default alphabet (3GPP TS 23.038) that is
//! 160 characters; as UCS-2 (UTF-16) it is 70 code units. A longer text is split into parts that
//! each lose 6 octets to the concatenation header: 153 GSM-7 characters or 67 UTF-16 units per
//! part. One character outside the GSM alphabet turns the whole message into UCS-2.
//!
//! The characters `^ { } \ [ ~ ] | €` and form feed are in the GSM extension table: they take
//! an escape plus the character, so they count twice. An escape pair is never split across two
//! parts, and neither is a UTF-16 surrogate pair (an emoji counts 2), so the count here packs
//! parts the way gateways do rather than dividing by 153 or 67.
//!
//! French and Italian accents matter: `é è à ù ì ò É Ç` and `Ä Ö Ü ä ö ü ñ Ñ Å å` are in the
//! GSM alphabet, but `ê â î ô û ë ï ç`, the capitals `À È Ì Ò Ù`, the typographic apostrophe `’`,
//! guillemets `« »` and the no-break space are not. [`to_gsm_lossy`] replaces them with
//! look-alikes when the caller asks for it.
//!
//! ```
//! use egov_notify::sms::{Encoding, SmsInfo};
//!
//! let info = SmsInfo::of("Votre attestation de domicile est prête.");
//! assert_eq!(info.encoding, Encoding::Ucs2); // because of the ê
//! assert_eq!(info.segments, 1);
//!
//! let info = SmsInfo::of("La Sua attestazione di domicilio è pronta.");
//! assert_eq!(info.encoding, Encoding::Gsm7); // è is in the GSM alphabet
//! # Ok::<(), egov_notify::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::Error;

/// How a short message is encoded on the air interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Encoding {
    /// The GSM 7-bit default alphabet with its extension table: 160 characters, 153 per part.
    Gsm7,
    /// UCS-2 (sent as UTF-16): 70 code units, 67 per part.
    Ucs2,
}

impl Encoding {
    /// Units (septets or UTF-16 code units) that fit in a single, unsplit message.
    #[must_use]
    pub const fn single_capacity(self) -> usize {
        match self {
            Self::Gsm7 => 160,
            Self::Ucs2 => 70,
        }
    }

    /// Units that fit in one part of a concatenated message.
    #[must_use]
    pub const fn part_capacity(self) -> usize {
        match self {
            Self::Gsm7 => 153,
            Self::Ucs2 => 67,
        }
    }

    /// `GSM-7` or `UCS-2`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Gsm7 => "GSM-7",
            Self::Ucs2 => "UCS-2",
        }
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The GSM 7-bit default alphabet, in code order 0x00–0x7F (3GPP TS 23.038 §6.2.1).
///
/// 0x1B is the escape to the extension table and stands for no character; it is written as
/// U+001B here and excluded by [`gsm_cost`]. 0x09 is the capital `Ç` (older tables showed a
/// small `ç`; the 3GPP table and the Unicode mapping say capital).
const GSM_BASIC: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{1b}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// The characters of the default extension table (each sent as ESC + code).
const GSM_EXTENSION: [char; 10] = ['\u{0c}', '^', '{', '}', '\\', '[', '~', ']', '|', '€'];

/// The number of septets `c` takes in GSM-7: 1 in the basic table, 2 in the extension table,
/// `None` when it cannot be written in GSM-7 at all.
///
/// ```
/// use egov_notify::sms::gsm_cost;
///
/// assert_eq!(gsm_cost('é'), Some(1));
/// assert_eq!(gsm_cost('€'), Some(2));
/// assert_eq!(gsm_cost('ê'), None);
/// ```
#[must_use]
pub fn gsm_cost(c: char) -> Option<usize> {
    if c == '\u{1b}' {
        None
    } else if GSM_BASIC.contains(&c) {
        Some(1)
    } else if GSM_EXTENSION.contains(&c) {
        Some(2)
    } else {
        None
    }
}

/// Whether the whole text can be sent in GSM-7.
#[must_use]
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| gsm_cost(c).is_some())
}

/// Encoding, length and number of parts of an SMS text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SmsInfo {
    /// GSM-7 when every character is in the GSM alphabet, else UCS-2.
    pub encoding: Encoding,
    /// Length in the encoding's units: septets (extension characters count 2) or UTF-16 units.
    pub units: usize,
    /// Number of parts (segments) the text is sent in; 0 for an empty text.
    pub segments: usize,
    /// Units still free in the last part before another part is needed.
    pub remaining: usize,
}

impl SmsInfo {
    /// Measures `text`.
    #[must_use]
    pub fn of(text: &str) -> Self {
        let encoding = if is_gsm7(text) {
            Encoding::Gsm7
        } else {
            Encoding::Ucs2
        };
        let cost = |c: char| match encoding {
            Encoding::Gsm7 => gsm_cost(c).unwrap_or(1),
            Encoding::Ucs2 => c.len_utf16(),
        };
        let units: usize = text.chars().map(cost).sum();
        if units == 0 {
            return Self {
                encoding,
                units,
                segments: 0,
                remaining: encoding.single_capacity(),
            };
        }
        if units <= encoding.single_capacity() {
            return Self {
                encoding,
                units,
                segments: 1,
                remaining: encoding.single_capacity() - units,
            };
        }
        // Pack parts greedily; a character (an escape pair, a surrogate pair) never straddles two.
        let part = encoding.part_capacity();
        let mut segments = 1;
        let mut used = 0;
        for c in text.chars() {
            let n = cost(c);
            if used + n > part {
                segments += 1;
                used = 0;
            }
            used += n;
        }
        Self {
            encoding,
            units,
            segments,
            remaining: part - used,
        }
    }
}

/// Limits for SMS texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SmsLimits {
    /// The most parts a message may have. GOV.UK Notify allows 918 GSM-7 characters, which is
    /// 6 parts of 153; that is the default. Gateways allow up to 10 or more.
    pub max_segments: usize,
}

impl Default for SmsLimits {
    fn default() -> Self {
        Self { max_segments: 6 }
    }
}

impl SmsLimits {
    /// Measures `text` and checks it: not empty and at most [`Self::max_segments`] parts.
    ///
    /// # Errors
    ///
    /// [`Error::EmptySms`] for an empty (or only white space) text, [`Error::SmsTooLong`] when it
    /// needs more parts than allowed.
    pub fn check(&self, text: &str) -> Result<SmsInfo, Error> {
        if text.trim().is_empty() {
            return Err(Error::EmptySms);
        }
        let info = SmsInfo::of(text);
        if info.segments > self.max_segments {
            return Err(Error::SmsTooLong {
                encoding: info.encoding,
                units: info.units,
                segments: info.segments,
                max_segments: self.max_segments,
            });
        }
        Ok(info)
    }
}

/// Replaces every character outside the GSM alphabet with a GSM look-alike, so that the text
/// goes out as GSM-7 (160 instead of 70 characters per message). Only call it when the loss is
/// acceptable: `ê` becomes `e`, `ç` becomes `Ç`, `’` becomes `'`, `« »` become `"`, no-break
/// spaces become spaces, `œ` becomes `oe`; a character without a look-alike becomes `?`.
///
/// ```
/// use egov_notify::sms::{to_gsm_lossy, is_gsm7};
///
/// let text = to_gsm_lossy("Votre attestation est prête à l’emploi.");
/// assert_eq!(text, "Votre attestation est prete à l'emploi.");
/// assert!(is_gsm7(&text));
/// ```
#[must_use]
pub fn to_gsm_lossy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if gsm_cost(c).is_some() {
            out.push(c);
            continue;
        }
        let replacement: &str = match c {
            'á' | 'â' | 'ã' | 'ā' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Ā' => "A",
            'ç' | 'ć' | 'č' => "Ç",
            'Ć' | 'Č' => "C",
            'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'È' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
            'í' | 'î' | 'ï' | 'ī' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
            'ó' | 'ô' | 'õ' | 'ō' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ō' => "O",
            'ú' | 'û' | 'ū' => "u",
            'Ù' | 'Ú' | 'Û' | 'Ū' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' | 'Ÿ' => "Y",
            'š' => "s",
            'Š' => "S",
            'ž' => "z",
            'Ž' => "Z",
            'œ' => "oe",
            'Œ' => "OE",
            '‘' | '’' | '‚' | '‛' | '′' | '´' | '`' => "'",
            '“' | '”' | '„' | '‟' | '«' | '»' | '″' => "\"",
            '‹' => "<",
            '›' => ">",
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '•' | '·' => "-",
            '…' => "...",
            '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\t' => " ",
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => "",
            _ => "?",
        };
        out.push_str(replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_table_has_128_distinct_entries() {
        let mut chars: Vec<char> = GSM_BASIC.to_vec();
        chars.sort_unstable();
        chars.dedup();
        assert_eq!(chars.len(), 128);
        assert_eq!(GSM_BASIC[0x09], 'Ç');
        assert_eq!(GSM_BASIC[0x1b], '\u{1b}');
        assert_eq!(GSM_BASIC[0x7f], 'à');
        assert!(GSM_EXTENSION.iter().all(|c| !GSM_BASIC.contains(c)));
    }

    #[test]
    fn escape_itself_is_not_text() {
        assert_eq!(gsm_cost('\u{1b}'), None);
        assert!(!is_gsm7("a\u{1b}b"));
    }

    #[test]
    fn lossy_output_is_always_gsm() {
        let text = "Grüezi «Frau» Müller – l’été à Genève: çà et là, Œuvre, ÀÈÌÒÙ … 🎉\u{a0}!";
        let lossy = to_gsm_lossy(text);
        assert!(is_gsm7(&lossy), "{lossy}");
        assert_eq!(
            lossy,
            "Grüezi \"Frau\" Müller - l'été à Genève: Çà et là, OEuvre, AEIOU ... ? !"
        );
    }
}
