//! CSRF protection for the pages' HTML forms (signed double-submit): the browser holds a
//! random nonce in an HttpOnly `SameSite=Strict` cookie, each form carries
//! HMAC(key, nonce), and a POST is accepted only when the two agree. Another site can
//! neither read the nonce nor compute the token, and the key is derived from the token
//! signing secret, so every node of a cluster accepts the same forms.
//! (The JSON API needs no token: browsers send `Origin` on cross-site requests, and the
//! CORS middleware refuses foreign origins before any handler runs.)
//!
//! Here only the arithmetic on a nonce; `web::csrf` reads the nonce from the request and
//! sets its cookie.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Signs and checks form tokens with a key derived from the server secret.
#[derive(Clone)]
pub struct Csrf {
    key: [u8; 32],
}

impl Csrf {
    pub fn new(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"anjoman csrf v1\0");
        hasher.update(secret);
        Self {
            key: hasher.finalize().into(),
        }
    }

    fn sign(&self, nonce: &str) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(nonce.as_bytes());
        Some(mac)
    }

    /// The token a form carries for the browser holding `nonce`.
    pub fn token_for(&self, nonce: &str) -> String {
        self.sign(nonce)
            .map(|mac| URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
            .unwrap_or_default()
    }

    /// Whether `token` was issued for `nonce` (compared in constant time).
    pub fn verify(&self, nonce: &str, token: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        self.sign(nonce)
            .is_some_and(|mac| mac.verify_slice(&tag).is_ok())
    }
}

/// A fresh random nonce for a browser that has none; `None` without randomness.
pub fn new_nonce() -> Option<String> {
    let mut random = [0u8; 24];
    getrandom::fill(&mut random).ok()?;
    Some(URL_SAFE_NO_PAD.encode(random))
}
