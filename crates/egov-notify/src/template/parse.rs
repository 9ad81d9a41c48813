//! The `((…))` language: placeholders, conditional text and the `\((` escape.

use std::fmt;

use egov_core::Language;
use serde::{Deserialize, Serialize};

/// Which part of a template a [`SyntaxError`] is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Part {
    /// The subject line of an e-mail.
    Subject,
    /// The body of an e-mail or the text of an SMS.
    Body,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Subject => "subject",
            Self::Body => "body",
        })
    }
}

/// What is wrong at a [`SyntaxError`]'s position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SyntaxErrorKind {
    /// `((` without a `))` later on the same line (a single `)` does not close it).
    Unclosed,
    /// A `(` between `((` and `))`.
    ParenthesisInside,
    /// `(())`, `((  ))` or `((??text))`: no placeholder name.
    EmptyName,
    /// A line break in an e-mail subject.
    NewlineInSubject,
}

impl fmt::Display for SyntaxErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unclosed => "`((` is not closed by `))` on the same line (write `\\((` for a literal `((`)",
            Self::ParenthesisInside => "a placeholder cannot contain `(` or `)`",
            Self::EmptyName => "a placeholder needs a name",
            Self::NewlineInSubject => "a subject is a single line",
        })
    }
}

/// A syntax error in a template text, with its 1-based line and column (counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SyntaxError {
    /// The language variant.
    pub language: Language,
    /// The part of the variant.
    pub part: Part,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters (not bytes).
    pub column: usize,
    /// What is wrong.
    pub kind: SyntaxErrorKind,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}, line {}, column {}: {}",
            self.language, self.part, self.line, self.column, self.kind
        )
    }
}

/// One piece of a template line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// Literal text (escapes already resolved).
    Text(String),
    /// `((name))`: the name as written, trimmed.
    Placeholder(String),
    /// `((name??text))`.
    Conditional { name: String, text: String },
}

/// A parsed template text: lines of tokens. Placeholders never span lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Parsed {
    pub(crate) lines: Vec<Vec<Token>>,
}

impl Parsed {
    /// The placeholder names (plain and conditional), as written, in order of first appearance,
    /// each once (compared by [`normalise_name`]).
    pub(crate) fn placeholders(&self) -> Vec<String> {
        let mut seen = Vec::new();
        let mut names = Vec::new();
        for token in self.lines.iter().flatten() {
            let name = match token {
                Token::Text(_) => continue,
                Token::Placeholder(name) | Token::Conditional { name, .. } => name,
            };
            let key = normalise_name(name);
            if !seen.contains(&key) {
                seen.push(key);
                names.push(name.clone());
            }
        }
        names
    }
}

/// The key a placeholder name is looked up by: without white space, `_` and `-`, in lower case
/// (as GOV.UK Notify does), so `((First name))` finds `first_name`.
pub(crate) fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Parses `source`, appending every syntax error to `errors`.
pub(crate) fn parse(source: &str, language: Language, part: Part, errors: &mut Vec<SyntaxError>) -> Parsed {
    let mut lines = Vec::new();
    for (index, line) in source.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line_no = index + 1;
        if part == Part::Subject && index == 1 {
            errors.push(SyntaxError {
                language,
                part,
                line: line_no,
                column: 1,
                kind: SyntaxErrorKind::NewlineInSubject,
            });
        }
        let mut error = |column: usize, kind: SyntaxErrorKind| {
            errors.push(SyntaxError {
                language,
                part,
                line: line_no,
                column,
                kind,
            });
        };
        lines.push(parse_line(line, &mut error));
    }
    Parsed { lines }
}

fn parse_line(line: &str, error: &mut impl FnMut(usize, SyntaxErrorKind)) -> Vec<Token> {
    let chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1) == Some(&'(') && chars.get(i + 2) == Some(&'(') {
            text.push_str("((");
            i += 3;
            continue;
        }
        if c != '(' || chars.get(i + 1) != Some(&'(') {
            text.push(c);
            i += 1;
            continue;
        }
        // A run of three or more `(`: the placeholder starts at the last two, as in `(((ref)))`.
        while chars.get(i + 2) == Some(&'(') {
            text.push('(');
            i += 1;
        }
        let start = i;
        let mut j = i + 2;
        while j < n && chars[j] != '(' && chars[j] != ')' {
            j += 1;
        }
        if j + 1 < n && chars[j] == ')' && chars[j + 1] == ')' {
            let inner: String = chars[start + 2..j].iter().collect();
            let (name, conditional) = match inner.split_once("??") {
                Some((name, body)) => (name.trim(), Some(body)),
                None => (inner.trim(), None),
            };
            if name.is_empty() {
                error(start + 1, SyntaxErrorKind::EmptyName);
                text.extend(&chars[start..j + 2]);
            } else {
                if !text.is_empty() {
                    tokens.push(Token::Text(std::mem::take(&mut text)));
                }
                tokens.push(match conditional {
                    Some(body) => Token::Conditional {
                        name: name.to_owned(),
                        text: body.to_owned(),
                    },
                    None => Token::Placeholder(name.to_owned()),
                });
            }
            i = j + 2;
        } else {
            let kind = if j < n && chars[j] == '(' {
                SyntaxErrorKind::ParenthesisInside
            } else {
                SyntaxErrorKind::Unclosed
            };
            error(start + 1, kind);
            text.push_str("((");
            i = start + 2;
        }
    }
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<Token> {
        let mut errors = Vec::new();
        let parsed = parse(src, Language::De, Part::Body, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        parsed.lines.into_iter().flatten().collect()
    }

    fn errors(src: &str) -> Vec<(usize, usize, SyntaxErrorKind)> {
        let mut errors = Vec::new();
        parse(src, Language::Fr, Part::Body, &mut errors);
        errors.into_iter().map(|e| (e.line, e.column, e.kind)).collect()
    }

    #[test]
    fn placeholders_and_conditionals() {
        assert_eq!(
            tokens("Guten Tag ((Vorname)), ((express??Express-Zustellung. ))Danke"),
            vec![
                Token::Text("Guten Tag ".into()),
                Token::Placeholder("Vorname".into()),
                Token::Text(", ".into()),
                Token::Conditional {
                    name: "express".into(),
                    text: "Express-Zustellung. ".into()
                },
                Token::Text("Danke".into()),
            ]
        );
    }

    #[test]
    fn extra_parentheses_stay_literal() {
        assert_eq!(
            tokens("(((ref)))"),
            vec![
                Token::Text("(".into()),
                Token::Placeholder("ref".into()),
                Token::Text(")".into())
            ]
        );
        assert_eq!(tokens("a (b) c) ))"), vec![Token::Text("a (b) c) ))".into())]);
    }

    #[test]
    fn escape_writes_literal_double_parenthesis() {
        assert_eq!(tokens(r"\((nicht)) ((x))").len(), 2);
        assert_eq!(tokens(r"\((nicht))")[0], Token::Text("((nicht))".into()));
        // A backslash elsewhere is an ordinary character.
        assert_eq!(tokens(r"C:\temp \(")[0], Token::Text(r"C:\temp \(".into()));
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(
            errors("Bonjour ((prénom,"),
            vec![(1, 9, SyntaxErrorKind::Unclosed)]
        );
        assert_eq!(
            errors("ligne\nà ((a (b)) et ((c))\n(( ))"),
            vec![
                (2, 3, SyntaxErrorKind::ParenthesisInside),
                (3, 1, SyntaxErrorKind::EmptyName)
            ]
        );
        assert_eq!(
            errors("((x)\n((??t))"),
            vec![
                (1, 1, SyntaxErrorKind::Unclosed),
                (2, 1, SyntaxErrorKind::EmptyName)
            ]
        );
        // Columns count characters, not bytes.
        assert_eq!(errors("éèà ((x"), vec![(1, 5, SyntaxErrorKind::Unclosed)]);
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(normalise_name(" First_Name "), "firstname");
        assert_eq!(normalise_name("Date-de-Naissance"), "datedenaissance");
        assert_eq!(normalise_name("ÄMTLI"), "ämtli");
    }
}
