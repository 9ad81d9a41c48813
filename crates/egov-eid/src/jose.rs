//! Signing keys and JWS encoding (aws-lc-rs, the library rustls already links): client assertions
//! for `private_key_jwt`, and the simulator's ID tokens.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::error::Error;

/// The algorithm of a [`SigningKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys.
    #[default]
    Rs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A private signing key with its key id: the client key for `private_key_jwt`
/// ([`ClientAuth::PrivateKeyJwt`](crate::ClientAuth::PrivateKeyJwt)). [`Debug`](std::fmt::Debug)
/// shows only the key id and the algorithm.
///
/// ```
/// use egov_eid::{KeyAlg, SigningKey};
/// let key = SigningKey::generate(KeyAlg::Es256)?;
/// let jwk = key.public_jwk(); // publish this in the JWKS you register at the provider
/// assert_eq!(jwk["kty"], "EC");
/// assert_eq!(jwk["kid"], key.kid());
/// assert!(jwk.get("d").is_none());
/// # Ok::<(), egov_eid::Error>(())
/// ```
pub struct SigningKey {
    pub(crate) kid: String,
    pair: Pair,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg())
            .finish_non_exhaustive()
    }
}

fn sim_err(what: &str) -> Error {
    Error::Key(what.to_owned())
}

/// Random bytes, base64url-encoded.
pub(crate) fn random_token(bytes: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| sim_err("random"))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// SHA-256, base64url-encoded (PKCE S256).
#[cfg(feature = "simulator")]
pub(crate) fn sha256_b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data))
}

/// The left half of SHA-256, base64url-encoded (`at_hash` for RS256 and ES256).
#[cfg(feature = "simulator")]
pub(crate) fn half_sha256_b64(data: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}

impl SigningKey {
    /// A fresh key with a random key id.
    ///
    /// # Errors
    /// [`Error::Key`] when the key cannot be made.
    pub fn generate(alg: KeyAlg) -> Result<Self, Error> {
        let pair = match alg {
            KeyAlg::Rs256 => {
                Pair::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| sim_err("RSA key"))?)
            }
            KeyAlg::Es256 => Pair::Ec(
                EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|_| sim_err("EC key"))?,
            ),
        };
        Ok(Self {
            kid: random_token(9)?,
            pair,
        })
    }

    /// Loads a PKCS#8 private key (DER; `openssl pkcs8 -topk8 -nocrypt -outform DER` converts a
    /// PEM file) with the key id registered at the provider.
    ///
    /// # Errors
    /// [`Error::Key`] when the bytes are not a PKCS#8 key of that algorithm (RSA keys need at least
    /// 2048 bits).
    pub fn from_pkcs8(alg: KeyAlg, kid: impl Into<String>, der: &[u8]) -> Result<Self, Error> {
        let pair = match alg {
            KeyAlg::Rs256 => Pair::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|e| Error::Key(e.to_string()))?),
            KeyAlg::Es256 => Pair::Ec(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                    .map_err(|e| Error::Key(e.to_string()))?,
            ),
        };
        Ok(Self {
            kid: kid.into(),
            pair,
        })
    }

    /// The key id.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JOSE algorithm name (`RS256`, `ES256`).
    #[must_use]
    pub fn alg(&self) -> &'static str {
        match self.pair {
            Pair::Rsa(_) => "RS256",
            Pair::Ec(_) => "ES256",
        }
    }

    /// The public key as a JWK (for the JWKS registered at the provider).
    #[must_use]
    pub fn public_jwk(&self) -> Value {
        match &self.pair {
            Pair::Rsa(pair) => {
                // The key is an RFC 8017 RSAPublicKey: SEQUENCE { modulus, publicExponent }.
                use pkcs1::der::Decode as _;
                let (n, e) = pkcs1::RsaPublicKey::from_der(pair.public_key().as_ref())
                    .map(|k| {
                        (
                            k.modulus.as_bytes().to_vec(),
                            k.public_exponent.as_bytes().to_vec(),
                        )
                    })
                    .unwrap_or_default();
                json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                       "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)})
            }
            Pair::Ec(pair) => {
                // Uncompressed point: 0x04 || x (32 bytes) || y (32 bytes).
                let point = pair.public_key().as_ref();
                let (x, y) = point
                    .get(1..)
                    .unwrap_or_default()
                    .split_at(point.len().saturating_sub(1) / 2);
                json!({"kty": "EC", "use": "sig", "alg": "ES256", "crv": "P-256", "kid": self.kid,
                       "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)})
            }
        }
    }

    /// The public key bytes (what a naive verifier might take as an HMAC secret).
    #[cfg(feature = "simulator")]
    pub(crate) fn public_bytes(&self) -> Vec<u8> {
        match &self.pair {
            Pair::Rsa(pair) => pair.public_key().as_ref().to_vec(),
            Pair::Ec(pair) => pair.public_key().as_ref().to_vec(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Rsa(pair) => {
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| sim_err("RSA signature"))?;
                Ok(signature)
            }
            Pair::Ec(pair) => Ok(pair
                .sign(&rng, message)
                .map_err(|_| sim_err("EC signature"))?
                .as_ref()
                .to_vec()),
        }
    }

    /// A compact JWS of `claims` signed with this key.
    pub(crate) fn sign_jwt(&self, claims: &Value) -> Result<String, Error> {
        self.sign_typed(claims, "JWT")
    }

    /// A compact JWS of `claims` with header `typ`, signed with this key.
    pub(crate) fn sign_typed(&self, claims: &Value, typ: &str) -> Result<String, Error> {
        let header = json!({"alg": self.alg(), "typ": typ, "kid": self.kid});
        let input = signing_input(&header, claims)?;
        let signature = self.sign(input.as_bytes())?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// `base64url(header).base64url(claims)`.
pub(crate) fn signing_input(header: &Value, claims: &Value) -> Result<String, Error> {
    let h = serde_json::to_vec(header).map_err(|e| Error::Key(e.to_string()))?;
    let c = serde_json::to_vec(claims).map_err(|e| Error::Key(e.to_string()))?;
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(h),
        URL_SAFE_NO_PAD.encode(c)
    ))
}

/// A `private_key_jwt` client assertion (RFC 7523): `iss` = `sub` = client id, `aud` = the token
/// endpoint, valid for 60 seconds, with a random `jti`.
pub(crate) fn client_assertion(
    key: &SigningKey,
    client_id: &str,
    token_endpoint: &str,
) -> Result<String, Error> {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"iss": client_id, "sub": client_id, "aud": token_endpoint,
                        "iat": now, "exp": now + 60, "jti": random_token(16)?});
    key.sign_jwt(&claims)
}

/// Checks a JWS signature against a public JWK (RS256 or ES256); false for anything else.
#[cfg(feature = "simulator")]
pub(crate) fn verify_with_jwk(token: &str, jwk: &Value) -> bool {
    use aws_lc_rs::signature::{
        ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
    };
    let Some((input, signature)) = token.rsplit_once('.') else {
        return false;
    };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let field = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
    };
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let (Some(n), Some(e)) = (field("n"), field("e")) else {
                return false;
            };
            RsaPublicKeyComponents { n: &n[..], e: &e[..] }
                .verify(&RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &signature)
                .is_ok()
        }
        Some("EC") if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
            let (Some(x), Some(y)) = (field("x"), field("y")) else {
                return false;
            };
            let mut point = vec![4u8];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(input.as_bytes(), &signature)
                .is_ok()
        }
        _ => false,
    }
}

/// An unsigned token (`alg: none`), as an attacker would send it.
#[cfg(feature = "simulator")]
pub(crate) fn unsigned_jwt(claims: &Value) -> Result<String, Error> {
    Ok(format!(
        "{}.",
        signing_input(&json!({"alg": "none", "typ": "JWT"}), claims)?
    ))
}

/// An HS256 token keyed with `secret` (the algorithm-confusion attack uses the public key).
#[cfg(feature = "simulator")]
pub(crate) fn hs256_jwt(claims: &Value, kid: &str, secret: &[u8]) -> Result<String, Error> {
    let input = signing_input(&json!({"alg": "HS256", "typ": "JWT", "kid": kid}), claims)?;
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_assertion_has_the_rfc_7523_claims() {
        let key = SigningKey::generate(KeyAlg::Es256).unwrap();
        let a = client_assertion(&key, "app", "https://idp.example/token").unwrap();
        let b = client_assertion(&key, "app", "https://idp.example/token").unwrap();
        let header = crate::jwt::header(&a).unwrap();
        assert_eq!(header.alg, "ES256");
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let claims = crate::jwt::payload(&a).unwrap();
        assert_eq!(claims["iss"], "app");
        assert_eq!(claims["sub"], "app");
        assert_eq!(claims["aud"], "https://idp.example/token");
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            60
        );
        assert_ne!(claims["jti"], crate::jwt::payload(&b).unwrap()["jti"]);
    }

    #[test]
    fn pkcs8_keys_load_and_garbage_is_refused() {
        let rng = SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = SigningKey::from_pkcs8(KeyAlg::Es256, "k1", der.as_ref()).unwrap();
        assert_eq!(key.kid(), "k1");
        assert_eq!(key.public_jwk()["crv"], "P-256");
        assert!(!format!("{key:?}").contains(&format!("{:?}", der.as_ref())));
        assert!(matches!(
            SigningKey::from_pkcs8(KeyAlg::Es256, "k", b"junk"),
            Err(Error::Key(_))
        ));
        // An EC key is not an RSA key.
        assert!(matches!(
            SigningKey::from_pkcs8(KeyAlg::Rs256, "k", der.as_ref()),
            Err(Error::Key(_))
        ));
    }
}
