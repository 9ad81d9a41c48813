//! Reading the parts of a compact JWS without trusting them (the header to pick the key, the
//! payload after the signature was verified).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::{Error, IdTokenCheck};

/// The header fields that select the algorithm and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
    pub(crate) typ: Option<String>,
}

fn malformed(detail: &str) -> Error {
    Error::IdToken {
        check: IdTokenCheck::Malformed,
        detail: detail.to_owned(),
    }
}

fn segment(token: &str, index: usize) -> Result<Map<String, Value>, Error> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(malformed("not a compact JWS with three parts"));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[index])
        .map_err(|_| malformed("a part is not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(malformed("a part is not a JSON object")),
    }
}

/// The unverified JOSE header.
pub(crate) fn header(token: &str) -> Result<Header, Error> {
    let map = segment(token, 0)?;
    let alg = map
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("header without alg"))?
        .to_owned();
    let kid = match map.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(malformed("kid is not a string")),
    };
    let typ = map.get("typ").and_then(Value::as_str).map(str::to_owned);
    Ok(Header { alg, kid, typ })
}

/// The payload as a JSON object; call only after the signature was verified.
pub(crate) fn payload(token: &str) -> Result<Map<String, Value>, Error> {
    segment(token, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_header_and_rejects_garbage() {
        let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","kid":"k1"}"#);
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
        let token = format!("{head}.{body}.c2ln");
        assert_eq!(
            header(&token).unwrap(),
            Header {
                alg: "ES256".into(),
                kid: Some("k1".into()),
                typ: None,
            }
        );
        assert_eq!(payload(&token).unwrap()["sub"], "x");
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.x", &format!("{body}.{body}.x")] {
            assert!(
                matches!(
                    header(bad),
                    Err(Error::IdToken {
                        check: IdTokenCheck::Malformed,
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }
}
