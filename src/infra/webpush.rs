//! Web Push delivery: a payload encrypted to one browser (RFC 8291 `aes128gcm`, by
//! `web-push-native`), signed for the push service with the instance's VAPID key (RFC 8292,
//! an ES256 JWT made by `infra::tokens`), and POSTed (RFC 8030) through the guarded
//! outbound client. What the answer means for the subscription is [`Outcome`].

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use p256::{elliptic_curve::sec1::ToEncodedPoint, pkcs8::EncodePrivateKey};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::Serialize;
use url::Url;

use super::outbound::{Outbound, OutboundError};
use crate::config::Settings;

/// A VAPID token is valid this long (RFC 8292 allows at most 24 hours).
const TOKEN_VALID: Duration = Duration::from_secs(12 * 3600);

/// The instance's VAPID key pair.
pub struct VapidKeys {
    /// The private key as PKCS#8 DER, what the signer reads.
    der: Vec<u8>,
    /// The public key, an uncompressed P-256 point in base64url: browsers subscribe with
    /// it (`applicationServerKey`), and it goes with every push (`k=`).
    public: String,
}

impl VapidKeys {
    pub fn new(secret: &p256::SecretKey) -> anyhow::Result<Self> {
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| anyhow::anyhow!("VAPID key not encodable: {e}"))?
            .as_bytes()
            .to_vec();
        let point = secret.public_key().to_encoded_point(false);
        Ok(Self {
            der,
            public: URL_SAFE_NO_PAD.encode(point.as_bytes()),
        })
    }

    pub fn public(&self) -> &str {
        &self.public
    }
}

/// Decodes base64url with or without padding (browsers' `toJSON()` has none; some
/// libraries add it).
pub fn base64url(value: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).ok()
}

/// Whether `p256dh` and `auth` are a browser's push keys: a point on P-256 and 16 bytes.
pub fn keys_valid(p256dh: &str, auth: &str) -> bool {
    let point = base64url(p256dh).and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok());
    let auth = base64url(auth);
    point.is_some() && auth.is_some_and(|auth| auth.len() == 16)
}

/// How soon the device should be woken (RFC 8030 §5.3).
#[derive(Debug, Clone, Copy)]
pub enum Urgency {
    Normal,
    High,
}

impl Urgency {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::High => "high",
        }
    }
}

/// Where and to whom one push goes.
pub struct Target<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
}

/// What the push service said, as far as the subscription is concerned.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Taken (2xx).
    Accepted,
    /// 404 or 410: the subscription is gone for good; forget it.
    Gone,
    /// Another 4xx: this push will never be taken (too big, bad request); drop it.
    Refused(u16),
    /// 429, 5xx, or no answer: try again later.
    Retry(String),
}

#[derive(Serialize)]
struct VapidClaims<'a> {
    aud: String,
    exp: u64,
    sub: &'a str,
}

/// Sends pushes: holds the keys, the contact, the TTL and the guarded client.
pub struct Pusher {
    pub keys: VapidKeys,
    outbound: Outbound,
    contact: String,
    ttl_secs: u64,
}

impl Pusher {
    pub fn new(settings: &Settings, secret: &p256::SecretKey) -> anyhow::Result<Self> {
        Ok(Self {
            keys: VapidKeys::new(secret)?,
            outbound: Outbound::new(&settings.outbound),
            contact: settings.push.contact.clone(),
            ttl_secs: settings.push.ttl_secs,
        })
    }

    /// Encrypts `payload` to `target` and POSTs it.
    pub async fn send(&self, target: &Target<'_>, payload: &[u8], urgency: Urgency) -> Outcome {
        let (url, headers, body) = match self.request(target, payload, urgency) {
            Ok(request) => request,
            // A subscription that cannot be encrypted to (checked when registered, so only
            // a row edited by hand) is as good as gone.
            Err(err) => {
                tracing::warn!(error = %err, "push subscription unusable");
                return Outcome::Gone;
            }
        };
        match self.outbound.post(&url, headers, body).await {
            Ok(status) if status.is_success() => Outcome::Accepted,
            Ok(status) if status.as_u16() == 404 || status.as_u16() == 410 => Outcome::Gone,
            Ok(status) if status.as_u16() == 429 || !status.is_client_error() => {
                Outcome::Retry(format!("status {}", status.as_u16()))
            }
            Ok(status) => Outcome::Refused(status.as_u16()),
            // Refused by the address rules: it will be refused next time too.
            Err(OutboundError::BadUrl | OutboundError::Port(_) | OutboundError::Refused(_)) => {
                Outcome::Gone
            }
            Err(err) => Outcome::Retry(err.to_string()),
        }
    }

    /// The URL, headers and encrypted body of one push.
    fn request(
        &self,
        target: &Target<'_>,
        payload: &[u8],
        urgency: Urgency,
    ) -> anyhow::Result<(Url, HeaderMap, Vec<u8>)> {
        let url = Url::parse(target.endpoint)?;
        let ua_public = base64url(target.p256dh)
            .and_then(|bytes| p256::PublicKey::from_sec1_bytes(&bytes).ok())
            .ok_or_else(|| anyhow::anyhow!("p256dh is not a P-256 point"))?;
        let auth = base64url(target.auth)
            .filter(|auth| auth.len() == 16)
            .ok_or_else(|| anyhow::anyhow!("auth is not 16 bytes"))?;
        let body = web_push_native::encrypt(
            payload.to_vec(),
            &ua_public,
            &web_push_native::Auth::clone_from_slice(&auth),
        )
        .map_err(|e| anyhow::anyhow!("push payload not encrypted: {e}"))?;
        // The audience is the push service's origin, port included when it is not the
        // scheme's default (RFC 8292 §2).
        let claims = VapidClaims {
            aud: url.origin().ascii_serialization(),
            exp: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs()
                + TOKEN_VALID.as_secs(),
            sub: &self.contact,
        };
        let token = super::tokens::sign_es256(&claims, &self.keys.der)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("vapid t={token}, k={}", self.keys.public))?,
        );
        headers.insert("TTL", HeaderValue::from(self.ttl_secs));
        headers.insert("Urgency", HeaderValue::from_static(urgency.as_str()));
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static("aes128gcm"),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        Ok((url, headers, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_keys_are_checked() {
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let point = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
        let auth = URL_SAFE_NO_PAD.encode([1u8; 16]);
        assert!(keys_valid(&point, &auth));
        assert!(keys_valid(&format!("{point}="), &format!("{auth}==")));
        assert!(!keys_valid(&point, &URL_SAFE_NO_PAD.encode([1u8; 15])));
        assert!(!keys_valid(&URL_SAFE_NO_PAD.encode([4u8; 65]), &auth));
        assert!(!keys_valid("not base64!", &auth));
    }
}
