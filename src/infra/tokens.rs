//! Access tokens: HS256 JWTs that name a user and one of their sessions. The signature
//! proves we issued the token; the session row (checked on every use) decides whether it
//! still works.

use hmac::{Hmac, Mac};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation,
    crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils},
    errors::ErrorKind,
    signature::{self, Signer, Verifier},
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The session id.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and verifies tokens with the instance key.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        // Before any token is signed or read: jsonwebtoken fixes its provider on first use.
        // `Err` only says one is installed already (by an earlier `new`).
        let _ = PROVIDER.install_default();
        // Only HS256 is accepted: `alg: none` or an RS/ES token signed with some public key
        // fails here before any claim is read.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &self.encoding,
        )?)
    }

    /// The claims of a well-formed, correctly signed, unexpired token.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// Signs a VAPID token (RFC 8292): ES256 under the instance's P-256 key, given as PKCS#8
/// DER. Only signed here; the push service is the one that verifies it.
pub fn sign_es256(claims: &impl Serialize, pkcs8_der: &[u8]) -> anyhow::Result<String> {
    let _ = PROVIDER.install_default();
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("JWT".to_owned());
    Ok(jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_ec_der(pkcs8_der),
    )?)
}

/// jsonwebtoken's crypto over crates built anyway: HS256 (access tokens, signed and
/// verified) over `hmac` and `sha2`, and ES256 signing (VAPID) over `p256`, which Web Push
/// needs for its encryption. Its `rust_crypto` backend would build RSA, P-384 and Ed25519
/// too, for algorithms nothing here uses.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: signer,
    verifier_factory: hs256_verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

fn signer(
    algorithm: &Algorithm,
    key: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    if *algorithm == Algorithm::ES256 {
        return Ok(Box::new(Es256::new(key.as_bytes())?));
    }
    Ok(Box::new(Hs256::new(*algorithm, key.as_bytes())?))
}

/// ECDSA P-256 with SHA-256, the signature as JWS wants it (`r || s`, 64 bytes).
struct Es256(p256::ecdsa::SigningKey);

impl Es256 {
    fn new(pkcs8_der: &[u8]) -> jsonwebtoken::errors::Result<Self> {
        use p256::pkcs8::DecodePrivateKey;
        p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8_der)
            .map(Self)
            .map_err(|_| ErrorKind::InvalidKeyFormat.into())
    }
}

impl Signer<Vec<u8>> for Es256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let signature: p256::ecdsa::Signature =
            p256::ecdsa::signature::Signer::try_sign(&self.0, message)
                .map_err(signature::Error::from_source)?;
        Ok(signature.to_bytes().to_vec())
    }
}

impl JwtSigner for Es256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}

fn hs256_verifier(
    algorithm: &Algorithm,
    key: &DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    Ok(Box::new(Hs256::new(*algorithm, key.try_get_as_bytes()?)?))
}

/// HMAC-SHA256 under one key.
struct Hs256(Hmac<Sha256>);

impl Hs256 {
    fn new(algorithm: Algorithm, secret: &[u8]) -> jsonwebtoken::errors::Result<Self> {
        if algorithm != Algorithm::HS256 {
            return Err(ErrorKind::InvalidAlgorithm.into());
        }
        Hmac::new_from_slice(secret)
            .map(Self)
            .map_err(|_| ErrorKind::InvalidKeyFormat.into())
    }
}

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, signature::Error> {
        let mac = self.0.clone().chain_update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, message: &[u8], tag: &Vec<u8>) -> Result<(), signature::Error> {
        // `verify_slice` compares in constant time.
        let mac = self.0.clone().chain_update(message);
        mac.verify_slice(tag).map_err(signature::Error::from_source)
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: Uuid::now_v7(),
            sid: Uuid::now_v7(),
            iat: now,
            exp: now + exp_offset,
        }
    }

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() -> anyhow::Result<()> {
        let keys = TokenKeys::new(&[7; 64]);
        let original = claims(3600);
        let token = keys.sign(&original)?;
        assert_eq!(keys.verify(&token), Some(original));

        let other = TokenKeys::new(&[8; 64]);
        assert_eq!(other.verify(&token), None, "wrong key");

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = parts[1].chars().rev().collect();
        assert_eq!(keys.verify(&parts.join(".")), None, "edited payload");
        Ok(())
    }

    /// RFC 7515, appendix A.1: our HS256 verifies the standard's example, and not once a
    /// byte of it changes.
    #[test]
    fn the_hs256_example_of_rfc_7515_verifies() -> anyhow::Result<()> {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let _installs_the_provider = TokenKeys::new(&[7; 64]);
        let key = URL_SAFE_NO_PAD.decode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
        )?;
        let key = DecodingKey::from_secret(&key);
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let tag = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let verify = |input: &str| {
            jsonwebtoken::crypto::verify(tag, input.as_bytes(), &key, Algorithm::HS256)
        };
        assert!(verify(input)?);
        assert!(!verify(&input.replacen('J', "K", 1))?);
        Ok(())
    }

    #[test]
    fn expired_and_unsigned_tokens_are_refused() -> anyhow::Result<()> {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let keys = TokenKeys::new(&[7; 64]);
        assert_eq!(keys.verify(&keys.sign(&claims(-60))?), None, "expired");

        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(3600))?);
        assert_eq!(
            keys.verify(&format!("{header}.{payload}.")),
            None,
            "alg none"
        );
        Ok(())
    }
}
