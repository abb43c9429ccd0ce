//! Links in mail that must keep working without any stored state: the one-click
//! unsubscribe link (RFC 8058). Its token is the user's id and an HMAC over it under a key
//! derived from the server secret, so any node accepts it and it never expires (a mail
//! read months later still unsubscribes), yet nobody can make one for another account.
//! Single-use links (verification, reset) are random and stored hashed instead
//! (`domain::mail::tokens`), because "used once" and "expired" need state anyway.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Signs and checks unsubscribe tokens.
#[derive(Clone)]
pub struct LinkSigner {
    key: [u8; 32],
}

const UUID_BYTES: usize = 16;

impl LinkSigner {
    pub fn new(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"anjoman unsubscribe v1\0");
        hasher.update(secret);
        Self {
            key: hasher.finalize().into(),
        }
    }

    fn mac(&self, user_id: Uuid) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(user_id.as_bytes());
        Some(mac)
    }

    /// The unsubscribe token of `user_id`.
    pub fn unsubscribe_token(&self, user_id: Uuid) -> String {
        let Some(mac) = self.mac(user_id) else {
            return String::new();
        };
        let mut bytes = user_id.as_bytes().to_vec();
        bytes.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The user an unsubscribe token was made for, if it is one of ours (checked in
    /// constant time).
    pub fn unsubscribe_user(&self, token: &str) -> Option<Uuid> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() <= UUID_BYTES {
            return None;
        }
        let (id, tag) = bytes.split_at(UUID_BYTES);
        let user_id = Uuid::from_slice(id).ok()?;
        self.mac(user_id)?.verify_slice(tag).ok()?;
        Some(user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_user_and_cannot_be_forged() {
        let signer = LinkSigner::new(&[7; 64]);
        let user = Uuid::now_v7();
        let token = signer.unsubscribe_token(user);
        assert_eq!(signer.unsubscribe_user(&token), Some(user));
        assert_eq!(LinkSigner::new(&[8; 64]).unsubscribe_user(&token), None);
        // Someone else's id with this user's tag.
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap_or_default();
        bytes[0] ^= 1;
        assert_eq!(
            signer.unsubscribe_user(&URL_SAFE_NO_PAD.encode(bytes)),
            None
        );
        assert_eq!(signer.unsubscribe_user("x"), None);
        assert_eq!(signer.unsubscribe_user(""), None);
    }
}
