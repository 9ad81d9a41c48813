//! Personalisation: the values that fill a template's placeholders.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::parse::normalise_name;

/// One personalisation value.
///
/// In JSON: a string, an integer, `true`/`false`, or a list of strings. There are no floating
/// point numbers: pass amounts as text already formatted for the language (`CHF 1’250.50`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Value {
    /// `true` or `false`, for conditional text; shown as `true`/`false` in a plain placeholder.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// Text.
    Text(String),
    /// A list: a bulleted list when its placeholder stands alone on a line, else joined with `, `.
    List(Vec<String>),
}

impl Value {
    /// Whether conditional text `((name??text))` is shown: GOV.UK Notify's rule, a value that is
    /// (ignoring case and surrounding spaces) `yes`, `y`, `true`, `t`, `1`, `include` or `show`.
    /// Further: `true`, the integer 1, and a non-empty list.
    #[must_use]
    pub fn is_truthy(&self) -> bool {
        match self {
            Self::Bool(b) => *b,
            Self::Integer(n) => *n == 1,
            Self::Text(s) => matches!(
                s.trim().to_lowercase().as_str(),
                "yes" | "y" | "true" | "t" | "1" | "include" | "show"
            ),
            Self::List(items) => !items.is_empty(),
        }
    }

    /// The value as inline text (a list joined with `, `).
    pub(crate) fn inline(&self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            Self::Integer(n) => n.to_string(),
            Self::Text(s) => s.clone(),
            Self::List(items) => items.join(", "),
        }
    }
}

impl fmt::Debug for Value {
    /// Personal data: only the kind and size are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => write!(f, "Bool({b})"),
            Self::Integer(_) => f.write_str("Integer(…)"),
            Self::Text(s) => write!(f, "Text({} chars)", s.chars().count()),
            Self::List(items) => write!(f, "List({} items)", items.len()),
        }
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::Integer(value)
    }
}

impl From<Vec<String>> for Value {
    fn from(value: Vec<String>) -> Self {
        Self::List(value)
    }
}

impl From<&[&str]> for Value {
    fn from(value: &[&str]) -> Self {
        Self::List(value.iter().map(|s| (*s).to_owned()).collect())
    }
}

/// The values for a template's placeholders, by name.
///
/// Names are matched as GOV.UK Notify does: ignoring case, white space, `_` and `-`, so
/// `((First name))` is filled by `first_name`. Values the template does not use are allowed.
/// Serde reads and writes a JSON object. `Debug` shows the names but not the values.
///
/// ```
/// use egov_notify::template::Personalisation;
///
/// let data = Personalisation::new().with("first_name", "Anna").with("express", true);
/// assert!(data.get("First Name").is_some());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Personalisation {
    values: BTreeMap<String, Value>,
}

impl Personalisation {
    /// No values.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a value.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets a value, returning the old one under exactly this name.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        self.values.insert(name.into(), value.into())
    }

    /// The value for a placeholder name (matched loosely, see the type's documentation).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        let key = normalise_name(name);
        self.values
            .iter()
            .rev()
            .find(|(k, _)| normalise_name(k) == key)
            .map(|(_, v)| v)
    }

    /// The names given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// An index by normalised name, for rendering.
    pub(crate) fn index(&self) -> HashMap<String, &Value> {
        self.values.iter().map(|(k, v)| (normalise_name(k), v)).collect()
    }
}

impl fmt::Debug for Personalisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.values.iter()).finish()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Personalisation {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            values: iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_follows_notify() {
        for yes in ["yes", "Y", " true ", "T", "1", "include", "SHOW"] {
            assert!(Value::from(yes).is_truthy(), "{yes}");
        }
        for no in ["no", "", "false", "0", "ja", "oui", "2", "hide"] {
            assert!(!Value::from(no).is_truthy(), "{no}");
        }
        assert!(Value::Bool(true).is_truthy());
        assert!(!Value::Bool(false).is_truthy());
        assert!(Value::Integer(1).is_truthy());
        assert!(!Value::Integer(0).is_truthy());
        assert!(!Value::List(vec![]).is_truthy());
    }

    #[test]
    fn json_forms() {
        let data: Personalisation =
            serde_json::from_str(r#"{"name":"Anna","n":3,"flag":true,"docs":["a","b"]}"#).unwrap();
        assert_eq!(data.get("name"), Some(&Value::Text("Anna".into())));
        assert_eq!(data.get("N"), Some(&Value::Integer(3)));
        assert_eq!(data.get("flag"), Some(&Value::Bool(true)));
        assert_eq!(data.get("docs"), Some(&Value::List(vec!["a".into(), "b".into()])));
        assert!(serde_json::from_str::<Personalisation>(r#"{"amount":12.5}"#).is_err());
    }

    #[test]
    fn debug_hides_values() {
        let data = Personalisation::new()
            .with("name", "Gian Andri Caduff")
            .with("pin", 123_456);
        let debug = format!("{data:?}");
        assert!(
            debug.contains("name") && debug.contains("Text(17 chars)"),
            "{debug}"
        );
        assert!(!debug.contains("Caduff") && !debug.contains("123456"), "{debug}");
    }
}
