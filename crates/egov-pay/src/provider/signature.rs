//! Datatrans-style webhook signatures: header `Datatrans-Signature: t=<timestamp>,s0=<hex>`, where
//! `s0` is HMAC-SHA256 over the timestamp's digits followed by the raw body, keyed with the
//! merchant's HMAC key (given as hex in the Datatrans dashboard). The simulator signs the same way.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;

use super::{HeaderMap, ProviderError, Result};

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "Datatrans-Signature";

/// An HMAC-SHA256 key for webhook signatures. `Debug` does not print it.
#[derive(Clone)]
pub struct WebhookKey(Vec<u8>);

impl WebhookKey {
    /// The key from its hexadecimal form (as the Datatrans dashboard shows it).
    ///
    /// ```
    /// let key = egov_pay::provider::WebhookKey::from_hex("00ff10")?;
    /// assert_eq!(format!("{key:?}"), "WebhookKey(***)");
    /// # Ok::<(), egov_pay::provider::ProviderError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProviderError::InvalidRequest`] for an empty, odd-length or non-hex string.
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bytes = decode_hex(hex.trim()).ok_or_else(|| ProviderError::InvalidRequest {
            field: "webhook_key",
            reason: "must be a non-empty even number of hex digits".to_owned(),
        })?;
        if bytes.is_empty() {
            return Err(ProviderError::InvalidRequest {
                field: "webhook_key",
                reason: "must not be empty".to_owned(),
            });
        }
        Ok(Self(bytes))
    }

    /// The key from raw bytes.
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// A fresh random 32-byte key (for the simulator).
    #[must_use]
    pub fn random() -> Self {
        let mut bytes = vec![0u8; 32];
        // The system random generator only fails when the OS has none; fall back to the time.
        if aws_lc_rs::rand::fill(&mut bytes).is_err() {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos();
            for (i, b) in nanos.to_le_bytes().iter().cycle().take(32).enumerate() {
                bytes[i] = *b;
            }
        }
        Self(bytes)
    }

    fn key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.0)
    }
}

impl fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookKey(***)")
    }
}

/// The value of the [`SIGNATURE_HEADER`] for `body` signed at `timestamp` (Unix milliseconds):
/// `t=<timestamp>,s0=<lowercase hex HMAC-SHA256(key, timestamp + body)>`.
///
/// ```
/// use egov_pay::provider::{WebhookKey, sign_webhook};
/// let header = sign_webhook(&WebhookKey::from_hex("0a0b")?, 1_700_000_000_000, b"{}");
/// assert!(header.starts_with("t=1700000000000,s0="));
/// assert_eq!(header.len(), "t=1700000000000,s0=".len() + 64);
/// # Ok::<(), egov_pay::provider::ProviderError>(())
/// ```
#[must_use]
pub fn sign_webhook(key: &WebhookKey, timestamp: u64, body: &[u8]) -> String {
    let mut ctx = hmac::Context::with_key(&key.key());
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(body);
    format!("t={timestamp},s0={}", encode_hex(ctx.sign().as_ref()))
}

/// Checks the signature header of a webhook: present once, `t` and `s0` well formed, the MAC
/// right (compared in constant time), the timestamp within `tolerance` of `now`. Timestamps
/// above 10^11 are taken as milliseconds, smaller ones as seconds.
pub(crate) fn verify(
    key: &WebhookKey,
    headers: &HeaderMap,
    body: &[u8],
    tolerance: Duration,
    now: SystemTime,
) -> Result<()> {
    let mut values = headers.get_all(SIGNATURE_HEADER).iter();
    let value = values
        .next()
        .ok_or_else(|| malformed(&format!("no {SIGNATURE_HEADER} header")))?;
    if values.next().is_some() {
        return Err(malformed(&format!("more than one {SIGNATURE_HEADER} header")));
    }
    let value = value
        .to_str()
        .map_err(|_| malformed("signature header is not ASCII"))?;
    let mut timestamp = None;
    let mut signature = None;
    for part in value.split(',') {
        let (name, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed("signature part without '='"))?;
        match name {
            "t" => timestamp = Some(v),
            "s0" => signature = Some(v),
            _ => {}
        }
    }
    let t_text = timestamp.ok_or_else(|| malformed("signature header has no t="))?;
    let t: u64 = t_text
        .parse()
        .ok()
        .filter(|_| t_text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| malformed("t= is not a number"))?;
    let mac = signature
        .and_then(decode_hex)
        .filter(|m| m.len() == 32)
        .ok_or_else(|| malformed("s0= is not 64 hex digits"))?;
    let mut message = Vec::with_capacity(t_text.len() + body.len());
    message.extend_from_slice(t_text.as_bytes());
    message.extend_from_slice(body);
    hmac::verify(&key.key(), &message, &mac).map_err(|_| ProviderError::BadSignature)?;

    let signed_ms = if t > 100_000_000_000 {
        t
    } else {
        t.saturating_mul(1000)
    };
    let now_ms =
        u64::try_from(now.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()).unwrap_or(u64::MAX);
    let age_ms = i128::from(now_ms) - i128::from(signed_ms);
    let tolerance_ms = i128::try_from(tolerance.as_millis()).unwrap_or(i128::MAX);
    if age_ms.abs() > tolerance_ms {
        return Err(ProviderError::StaleWebhook {
            age_seconds: i64::try_from(age_ms / 1000).unwrap_or(i64::MAX),
            tolerance_seconds: tolerance.as_secs(),
        });
    }
    Ok(())
}

pub(crate) fn now_millis() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX)
}

fn malformed(reason: &str) -> ProviderError {
    ProviderError::MalformedWebhook {
        reason: reason.to_owned(),
    }
}

pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(SIGNATURE_HEADER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn mac_matches_rfc4231_vector() {
        // HMAC-SHA256("Jefe", "what do ya want for nothing?") from RFC 4231 §4.3.
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let mut ctx = hmac::Context::with_key(&WebhookKey::from_bytes(b"Jefe").key());
        ctx.update(b"what do ya want for nothing?");
        assert_eq!(encode_hex(ctx.sign().as_ref()), expected);
    }

    #[test]
    fn round_trip_and_tamper() {
        let key = WebhookKey::from_hex("1f2e3d4c").unwrap();
        let now = SystemTime::now();
        let t = u64::try_from(now.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap();
        let header = sign_webhook(&key, t, b"{\"a\":1}");
        let tol = Duration::from_secs(300);
        assert!(verify(&key, &headers(&header), b"{\"a\":1}", tol, now).is_ok());
        assert!(matches!(
            verify(&key, &headers(&header), b"{\"a\":2}", tol, now),
            Err(ProviderError::BadSignature)
        ));
        let other = WebhookKey::from_hex("1f2e3d4d").unwrap();
        assert!(matches!(
            verify(&other, &headers(&header), b"{\"a\":1}", tol, now),
            Err(ProviderError::BadSignature)
        ));
        // Seconds are accepted too.
        let header_s = sign_webhook(&key, t / 1000, b"x");
        assert!(verify(&key, &headers(&header_s), b"x", tol, now).is_ok());
    }

    #[test]
    fn stale_and_future_timestamps() {
        let key = WebhookKey::from_hex("aa").unwrap();
        let now = SystemTime::now();
        let t = u64::try_from(now.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap();
        let tol = Duration::from_secs(60);
        let old = sign_webhook(&key, t - 61_000, b"x");
        assert!(matches!(
            verify(&key, &headers(&old), b"x", tol, now),
            Err(ProviderError::StaleWebhook {
                age_seconds: 61,
                tolerance_seconds: 60
            })
        ));
        let future = sign_webhook(&key, t + 3_600_000, b"x");
        assert!(matches!(
            verify(&key, &headers(&future), b"x", tol, now),
            Err(ProviderError::StaleWebhook {
                age_seconds: -3600,
                ..
            })
        ));
    }

    #[test]
    fn malformed_headers() {
        let key = WebhookKey::from_hex("aa").unwrap();
        let now = SystemTime::now();
        let tol = Duration::from_secs(60);
        for bad in [
            "",
            "t=1",
            "s0=00",
            "t=abc,s0=00",
            "t=1,s0=zz",
            "t=1,s0=abcd",
            "garbage",
            "t=+1,s0=00",
        ] {
            let r = verify(&key, &headers(bad), b"x", tol, now);
            assert!(
                matches!(r, Err(ProviderError::MalformedWebhook { .. })),
                "{bad}: {r:?}"
            );
        }
        let r = verify(&key, &HeaderMap::new(), b"x", tol, now);
        assert!(matches!(r, Err(ProviderError::MalformedWebhook { .. })));
    }

    #[test]
    fn hex_keys() {
        assert!(WebhookKey::from_hex("abc").is_err());
        assert!(WebhookKey::from_hex("").is_err());
        assert!(WebhookKey::from_hex("zz").is_err());
        assert_eq!(WebhookKey::from_hex("0aFF").unwrap().0, vec![0x0a, 0xff]);
    }
}
