//! The pages' CSRF tokens on the request: the nonce lives in a cookie, the token in a
//! hidden form field. The signing itself is `infra::csrf`.

use poem::Request;

use crate::infra::csrf::{Csrf, new_nonce};

pub const CSRF_COOKIE: &str = "anjoman_csrf";
/// The hidden form field that carries the token.
pub const CSRF_FIELD: &str = "csrf";

/// The token a form should carry, and the cookie to set when the browser had no nonce.
pub struct FormToken {
    pub token: String,
    pub set_cookie: Option<String>,
}

/// The token for this browser's nonce, minting a nonce (and its cookie) if it has none.
pub fn issue(csrf: &Csrf, req: &Request, secure: bool) -> FormToken {
    let (nonce, set_cookie) = match nonce_from(req) {
        Some(nonce) => (nonce.to_owned(), None),
        None => {
            // Without randomness the form gets an empty token and will be refused.
            let Some(nonce) = new_nonce() else {
                return FormToken {
                    token: String::new(),
                    set_cookie: None,
                };
            };
            let cookie = format!(
                "{CSRF_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Strict{}",
                if secure { "; Secure" } else { "" }
            );
            (nonce, Some(cookie))
        }
    };
    FormToken {
        token: csrf.token_for(&nonce),
        set_cookie,
    }
}

/// Whether `token` was issued for this browser's nonce.
pub fn verify(csrf: &Csrf, req: &Request, token: &str) -> bool {
    nonce_from(req).is_some_and(|nonce| csrf.verify(nonce, token))
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
        let fresh = issue(&csrf, &Request::default(), false);
        let cookie = fresh.set_cookie.unwrap_or_default();
        let pair = cookie.split(';').next().unwrap_or_default().to_owned();
        let req = request_with(&pair);
        assert!(verify(&csrf, &req, &fresh.token));
        // The same browser keeps its nonce, and its token stays valid.
        let again = issue(&csrf, &req, false);
        assert!(again.set_cookie.is_none());
        assert_eq!(again.token, fresh.token);

        let other = request_with(&format!("{CSRF_COOKIE}=other"));
        assert!(!verify(&csrf, &other, &fresh.token));
        assert!(!verify(&csrf, &Request::default(), &fresh.token));
        assert!(!verify(&csrf, &req, ""));
        assert!(!verify(&csrf, &req, "not base64!"));
        // Another server secret signs differently.
        assert!(!verify(&Csrf::new(b"other secret"), &req, &fresh.token));
    }
}
