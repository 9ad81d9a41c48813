//! Filling placeholders, and the body markup that becomes plain text and HTML.

use std::collections::HashMap;

use egov_core::Language;

use super::data::Value;
use super::parse::{Parsed, Token, normalise_name};

/// Fills placeholders from the personalisation and collects the missing names.
pub(crate) struct Filler<'a> {
    index: HashMap<String, &'a Value>,
    missing_keys: Vec<String>,
    pub(crate) missing: Vec<String>,
}

/// A filled line.
enum Filled {
    /// Inline text (may contain line breaks from values).
    Text(String),
    /// A list value whose placeholder stands alone on its line.
    List(Vec<String>),
}

impl<'a> Filler<'a> {
    pub(crate) fn new(index: HashMap<String, &'a Value>) -> Self {
        Self {
            index,
            missing_keys: Vec::new(),
            missing: Vec::new(),
        }
    }

    fn lookup(&mut self, name: &str) -> Option<&'a Value> {
        let key = normalise_name(name);
        let value = self.index.get(&key).copied();
        if value.is_none() && !self.missing_keys.contains(&key) {
            self.missing_keys.push(key);
            self.missing.push(name.to_owned());
        }
        value
    }

    /// Fills one line; `None` when the line held only conditional text that is hidden, so that it
    /// vanishes instead of leaving an empty line.
    fn line(&mut self, tokens: &[Token]) -> Option<Filled> {
        if let [Token::Placeholder(name)] = tokens
            && let Some(Value::List(items)) = self.lookup(name)
        {
            return Some(Filled::List(items.clone()));
        }
        let mut out = String::new();
        let mut only_conditionals = tokens.iter().any(|t| matches!(t, Token::Conditional { .. }));
        for token in tokens {
            match token {
                Token::Text(text) => {
                    if !text.trim().is_empty() {
                        only_conditionals = false;
                    }
                    out.push_str(text);
                }
                Token::Placeholder(name) => {
                    only_conditionals = false;
                    if let Some(value) = self.lookup(name) {
                        out.push_str(&value.inline());
                    }
                }
                Token::Conditional { name, text } => {
                    if self.lookup(name).is_some_and(Value::is_truthy) {
                        out.push_str(text);
                    }
                }
            }
        }
        if only_conditionals && out.trim().is_empty() {
            None
        } else {
            Some(Filled::Text(out))
        }
    }

    /// A subject: one line, line breaks and runs of white space from values become one space, so
    /// a value can never add a mail header.
    pub(crate) fn subject(&mut self, parsed: &Parsed) -> String {
        let mut out = String::new();
        for line in &parsed.lines {
            match self.line(line) {
                Some(Filled::Text(text)) => out.push_str(&text),
                Some(Filled::List(items)) => out.push_str(&items.join(", ")),
                None => {}
            }
            out.push(' ');
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// An SMS text: no markup; a list alone on its line gives one `- item` line per item.
    pub(crate) fn sms(&mut self, parsed: &Parsed) -> String {
        let mut lines = Vec::new();
        for line in &parsed.lines {
            match self.line(line) {
                Some(Filled::Text(text)) => lines.push(text.trim_end().to_owned()),
                Some(Filled::List(items)) => lines.extend(items.iter().map(|i| format!("- {i}"))),
                None => {}
            }
        }
        lines.join("\n").trim().to_owned()
    }

    /// An e-mail body: the markup of [`crate::template`] as plain text and as an HTML fragment.
    pub(crate) fn body(&mut self, parsed: &Parsed) -> Vec<Block> {
        let mut blocks: Vec<Block> = Vec::new();
        let mut open = false; // whether the last block may take more lines
        for tokens in &parsed.lines {
            let (kind, tokens) = classify(tokens);
            let Some(filled) = self.line(&tokens) else {
                continue;
            };
            let text = match filled {
                Filled::List(items) => {
                    blocks.push(Block::Bullets(items));
                    open = false;
                    continue;
                }
                Filled::Text(text) => text.trim().to_owned(),
            };
            if kind == LineKind::Text && text.is_empty() {
                open = false;
                continue;
            }
            match (kind, blocks.last_mut()) {
                (LineKind::Blank, _) => open = false,
                (LineKind::Rule, _) => {
                    blocks.push(Block::Rule);
                    open = false;
                }
                (LineKind::Heading(level), _) => {
                    blocks.push(Block::Heading(level, text));
                    open = false;
                }
                (LineKind::Text, Some(Block::Paragraph(lines)))
                | (LineKind::Bullet, Some(Block::Bullets(lines)))
                | (LineKind::Numbered, Some(Block::Numbered(lines)))
                | (LineKind::Inset, Some(Block::Inset(lines)))
                    if open =>
                {
                    lines.push(text);
                }
                (kind, _) => {
                    blocks.push(match kind {
                        LineKind::Bullet => Block::Bullets(vec![text]),
                        LineKind::Numbered => Block::Numbered(vec![text]),
                        LineKind::Inset => Block::Inset(vec![text]),
                        _ => Block::Paragraph(vec![text]),
                    });
                    open = true;
                }
            }
        }
        blocks
    }
}

/// A block of an e-mail body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Paragraph(Vec<String>),
    Heading(u8, String),
    Bullets(Vec<String>),
    Numbered(Vec<String>),
    Inset(Vec<String>),
    Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Text,
    Heading(u8),
    Bullet,
    Numbered,
    Inset,
    Rule,
}

/// The kind of a template line, from its leading literal text, and the line without its marker.
/// Markup comes only from the template: a value that starts with `# ` stays text.
fn classify(tokens: &[Token]) -> (LineKind, Vec<Token>) {
    let mut rest = tokens.to_vec();
    if tokens
        .iter()
        .all(|t| matches!(t, Token::Text(s) if s.trim().is_empty()))
    {
        return (LineKind::Blank, rest);
    }
    let Some(Token::Text(first)) = rest.first_mut() else {
        return (LineKind::Text, rest);
    };
    let lead = first.trim_start();
    if tokens.len() == 1 && matches!(lead.trim_end(), "---" | "***") {
        return (LineKind::Rule, rest);
    }
    let numbered = lead
        .find(". ")
        .filter(|&dot| dot > 0 && dot <= 3 && lead[..dot].bytes().all(|b| b.is_ascii_digit()));
    let (kind, marker_len) = if lead.starts_with("## ") {
        (LineKind::Heading(3), 3)
    } else if lead.starts_with("# ") {
        (LineKind::Heading(2), 2)
    } else if lead.starts_with("* ") || lead.starts_with("- ") {
        (LineKind::Bullet, 2)
    } else if lead.starts_with("• ") {
        (LineKind::Bullet, "• ".len())
    } else if lead.starts_with("^ ") {
        (LineKind::Inset, 2)
    } else if let Some(dot) = numbered {
        (LineKind::Numbered, dot + 2)
    } else {
        return (LineKind::Text, rest);
    };
    *first = lead[marker_len..].to_owned();
    (kind, rest)
}

/// The plain-text part of an e-mail.
pub(crate) fn blocks_to_text(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks
        .iter()
        .map(|block| match block {
            Block::Paragraph(lines) | Block::Inset(lines) => lines.join("\n"),
            Block::Heading(_, text) => text.clone(),
            Block::Bullets(items) => items
                .iter()
                .map(|i| format!("• {i}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Numbered(items) => items
                .iter()
                .enumerate()
                .map(|(n, i)| format!("{}. {i}", n + 1))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Rule => "----------".to_owned(),
        })
        .collect();
    parts.join("\n\n")
}

/// The HTML part of an e-mail: a complete document in the message's language. All text, the
/// template's own and the values, is escaped; `http(s)://` links become `<a>` elements.
pub(crate) fn blocks_to_html(blocks: &[Block], language: Language, subject: &str) -> String {
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(lines) => {
                body.push_str("<p>");
                body.push_str(
                    &lines
                        .iter()
                        .map(|l| inline_html(l))
                        .collect::<Vec<_>>()
                        .join("<br>\n"),
                );
                body.push_str("</p>\n");
            }
            Block::Heading(level, text) => {
                body.push_str(&format!("<h{level}>{}</h{level}>\n", inline_html(text)));
            }
            Block::Bullets(items) | Block::Numbered(items) => {
                let tag = if matches!(block, Block::Bullets(_)) {
                    "ul"
                } else {
                    "ol"
                };
                body.push_str(&format!("<{tag}>\n"));
                for item in items {
                    body.push_str(&format!("<li>{}</li>\n", inline_html(item)));
                }
                body.push_str(&format!("</{tag}>\n"));
            }
            Block::Inset(lines) => {
                body.push_str("<blockquote><p>");
                body.push_str(
                    &lines
                        .iter()
                        .map(|l| inline_html(l))
                        .collect::<Vec<_>>()
                        .join("<br>\n"),
                );
                body.push_str("</p></blockquote>\n");
            }
            Block::Rule => body.push_str("<hr>\n"),
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         </head>\n<body>\n{body}</body>\n</html>\n",
        lang = language.code(),
        title = escape_html(subject),
    )
}

/// Escapes `& < > " '`.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escaped inline text with links; line breaks (from values) become `<br>`.
fn inline_html(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = find_url(rest) {
        out.push_str(&escape_html(&rest[..start]));
        let tail = &rest[start..];
        let mut end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(tail.len());
        while end > 0 {
            let last = tail[..end].chars().next_back().unwrap_or(' ');
            let unbalanced_paren = last == ')' && !tail[..end].contains('(');
            if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'') || unbalanced_paren {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        let url = escape_html(&tail[..end]);
        out.push_str(&format!("<a href=\"{url}\">{url}</a>"));
        rest = &tail[end..];
    }
    out.push_str(&escape_html(rest));
    out.replace('\n', "<br>\n")
}

/// The start of the next `https://` or `http://` link with something after the scheme.
fn find_url(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("http") {
        let at = from + found;
        let tail = &text[at..];
        for scheme in ["https://", "http://"] {
            if let Some(after) = tail.strip_prefix(scheme)
                && after.chars().next().is_some_and(char::is_alphanumeric)
            {
                return Some(at);
            }
        }
        from = at + 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        assert_eq!(
            inline_html("Siehe https://www.zh.ch/de/a?x=1&y=2."),
            "Siehe <a href=\"https://www.zh.ch/de/a?x=1&amp;y=2\">https://www.zh.ch/de/a?x=1&amp;y=2</a>."
        );
        assert_eq!(
            inline_html("(voir https://www.ge.ch)"),
            "(voir <a href=\"https://www.ge.ch\">https://www.ge.ch</a>)"
        );
        assert_eq!(inline_html("http:// und https"), "http:// und https");
    }

    #[test]
    fn markers() {
        let line = |s: &str| classify(&[Token::Text(s.into())]).0;
        assert_eq!(line("# Titel"), LineKind::Heading(2));
        assert_eq!(line("## Untertitel"), LineKind::Heading(3));
        assert_eq!(line("* a"), LineKind::Bullet);
        assert_eq!(line("• a"), LineKind::Bullet);
        assert_eq!(line("12. a"), LineKind::Numbered);
        assert_eq!(line("2026. a"), LineKind::Text);
        assert_eq!(line("^ a"), LineKind::Inset);
        assert_eq!(line("---"), LineKind::Rule);
        assert_eq!(line("#hashtag"), LineKind::Text);
        assert_eq!(line("   "), LineKind::Blank);
    }
}
