//! The mail side of the shared state: the SMTP server (if any), the signer of unsubscribe
//! links, the public address links start with, and the bell that wakes this node's outbox
//! worker when a request queues a mail (other nodes find it on their next round).

use tokio::sync::Notify;

use super::{signed_links::LinkSigner, smtp::SmtpSender};
use crate::config::Settings;

/// See the module docs.
pub struct Mailer {
    /// `None`: mail is off.
    pub sender: Option<SmtpSender>,
    pub links: LinkSigner,
    /// `server.public_url` without a trailing `/` (checked to be set when mail is on).
    base_url: String,
    wake: Notify,
}

impl Mailer {
    pub fn new(settings: &Settings, secret: &[u8]) -> anyhow::Result<Self> {
        Ok(Self {
            sender: SmtpSender::from_settings(&settings.mail)?,
            links: LinkSigner::new(secret),
            base_url: settings
                .server
                .public_url
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
            wake: Notify::new(),
        })
    }

    /// Whether mail is configured.
    pub fn enabled(&self) -> bool {
        self.sender.is_some()
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Tells the worker there is mail to send.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits for [`Mailer::wake`] (a wake-up before the wait is kept, not lost).
    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}
