//! What the domain stands on but holds no product rules: where bytes are stored, pictures
//! decoded and thumbnailed, passwords hashed, tokens and form tokens signed, failed logins counted,
//! one stored content locked at a time, the TLS crypto chosen, requests to other hosts
//! guarded, mail handed to an SMTP server and mailed links signed, pushes encrypted and sent
//! to browsers' push services.

pub mod content_lock;
pub mod csrf;
pub mod decode_budget;
pub mod login_limiter;
pub mod mailer;
pub mod outbound;
pub mod password;
pub mod signed_links;
pub mod smtp;
pub mod storage;
pub mod thumbnails;
pub mod tls;
pub mod tokens;
pub mod webpush;
