//! CSRF protection for the pages' HTML forms (signed double-submit): the browser holds a
//! random nonce in an HttpOnly `SameSite=Strict` cookie, each form carries
//! HMAC(key, nonce), and a POST is accepted only when the two agree. Another site can
//! neither read the nonce nor compute the token, and the key is derived from the token
//! signing secret, so every node of a cluster accepts the same forms.
//! (The JSON API needs no token: browsers send `Origin` on cross-site requests, and the
//! CORS middleware refuses foreign origins before any handler runs.)

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use poem::Request;
use sha2::{Digest, Sha256};

pub const CSRF_COOKIE: &str = "anjoman_csrf";
/// The hidden form field that carries the token.
pub const CSRF_FIELD: &str = "csrf";

#[derive(Clone)]
pub struct Csrf {
    key: [u8; 32],
}

/// The token a form should carry, and the cookie to set when the browser had no nonce.
pub struct FormToken {
    pub token: String,
    pub set_cookie: Option<String>,
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

    /// The token for this browser's nonce, minting a nonce (and its cookie) if it has none.
    pub fn issue(&self, req: &Request, secure: bool) -> FormToken {
        let (nonce, set_cookie) = match nonce_from(req) {
            Some(nonce) => (nonce.to_owned(), None),
            None => {
                let mut random = [0u8; 24];
                // Without randomness the form gets an empty token and will be refused.
                if getrandom::fill(&mut random).is_err() {
                    return FormToken {
                        token: String::new(),
                        set_cookie: None,
                    };
                }
                let nonce = URL_SAFE_NO_PAD.encode(random);
                let cookie = format!(
                    "{CSRF_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Strict{}",
                    if secure { "; Secure" } else { "" }
                );
                (nonce, Some(cookie))
            }
        };
        let token = self
            .sign(&nonce)
            .map(|mac| URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
            .unwrap_or_default();
        FormToken { token, set_cookie }
    }

    /// Whether `token` was issued for this browser's nonce (compared in constant time).
    pub fn verify(&self, req: &Request, token: &str) -> bool {
        let (Some(nonce), Ok(tag)) = (nonce_from(req), URL_SAFE_NO_PAD.decode(token)) else {
            return false;
        };
        self.sign(nonce)
            .is_some_and(|mac| mac.verify_slice(&tag).is_ok())
    }
}

fn nonce_from(req: &Request) -> Option<&str> {
    crate::http::cookies::cookie(req, CSRF_COOKIE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::header;

    fn request_with(cookie: &str) -> Request {
        Request::builder().header(header::COOKIE, cookie).finish()
    }

    #[test]
    fn a_token_is_accepted_only_with_its_own_nonce() {
        let csrf = Csrf::new(b"secret");
        let fresh = csrf.issue(&Request::default(), false);
        let cookie = fresh.set_cookie.unwrap_or_default();
        let pair = cookie.split(';').next().unwrap_or_default().to_owned();
        let req = request_with(&pair);
        assert!(csrf.verify(&req, &fresh.token));
        // The same browser keeps its nonce, and its token stays valid.
        let again = csrf.issue(&req, false);
        assert!(again.set_cookie.is_none());
        assert_eq!(again.token, fresh.token);

        assert!(!csrf.verify(&request_with(&format!("{CSRF_COOKIE}=other")), &fresh.token));
        assert!(!csrf.verify(&Request::default(), &fresh.token));
        assert!(!csrf.verify(&req, ""));
        assert!(!csrf.verify(&req, "not base64!"));
        // Another server secret signs differently.
        assert!(!Csrf::new(b"other secret").verify(&req, &fresh.token));
    }
}
