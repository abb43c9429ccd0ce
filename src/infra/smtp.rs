//! Handing mail to an SMTP server (lettre, over rustls with ring). One connection per mail:
//! mail is rare, and a connection kept open would hide an outage until the next send.
//! What to send and when is the outbox's business (`domain::mail::outbox`); this only
//! speaks SMTP.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};
use secrecy::ExposeSecret;

use crate::config::{MailSettings, SmtpSecurity};

/// One mail, ready to go.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// Extra headers (`List-Unsubscribe`, …).
    pub headers: &'a [(String, String)],
}

/// An SMTP server and the sender mailbox.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// The configured server, or `None` when mail is off. Errors are the configuration's,
    /// which `Settings::check` has already ruled out; they are reported at start all the same.
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Option<Self>> {
        let Some(host) = &settings.smtp_host else {
            return Ok(None);
        };
        crate::infra::tls::install_provider();
        let from: Mailbox = settings
            .from
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e| anyhow::anyhow!("mail.from: {e}"))?;
        let tls =
            || TlsParameters::new(host.clone()).map_err(|e| anyhow::anyhow!("mail TLS setup: {e}"));
        let security = match settings.security {
            SmtpSecurity::Starttls => Tls::Required(tls()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls()?),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
            .port(settings.smtp_port)
            .tls(security)
            .timeout(Some(Duration::from_secs(settings.timeout_secs)));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Some(Self {
            transport: builder.build(),
            from,
        }))
    }

    /// Sends one mail; the error says why the server (or the way to it) refused.
    pub async fn send(&self, mail: &Outgoing<'_>) -> Result<(), String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("recipient {:?}: {e}", mail.to))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject);
        for (name, value) in mail.headers {
            let name = HeaderName::new_from_ascii(name.clone())
                .map_err(|e| format!("header {name:?}: {e}"))?;
            builder = builder.raw_header(HeaderValue::new(name, value.clone()));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text.to_owned(),
                mail.html.to_owned(),
            ))
            .map_err(|e| format!("building the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
