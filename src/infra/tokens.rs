//! Access tokens: HS256 JWTs that name a user and one of their sessions. The signature
//! proves we issued the token; the session row (checked on every use) decides whether it
//! still works.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
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
