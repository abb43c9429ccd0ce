//! Layered configuration: built-in `config/default.toml` < optional file (`--config` /
//! `ANJOMAN_CONFIG`) < environment variables. Every layer is checked against the same
//! schema (`deny_unknown_fields`), so a typo stops the start instead of being ignored.

use std::{net::IpAddr, path::PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

use crate::http::origin::OriginPattern;

/// The defaults shipped inside the binary, so it runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Operator-facing environment variables without the `SECTION__KEY` shape, mapped to keys.
const ENV_ALIASES: &[(&str, &str)] = &[
    ("cors_origins", "http.cors_origins"),
    ("trusted_proxies", "server.trusted_proxies"),
    ("uploads_dir", "uploads.dir"),
    ("broker", "broker.url"),
    ("log_format", "log.format"),
    ("smtp_password", "mail.password"),
];

/// Everything the server can be told.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub http: HttpSettings,
    pub ws: WsSettings,
    pub limits: LimitSettings,
    pub polls: PollSettings,
    pub moderation: ModerationSettings,
    pub log: LogSettings,
    pub uploads: UploadSettings,
    pub broker: BrokerSettings,
    pub ui: UiSettings,
    pub outbound: OutboundSettings,
    pub previews: PreviewSettings,
    pub mail: MailSettings,
    pub push: PushSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address.
    pub host: IpAddr,
    /// Listen port; 0 picks a free one.
    pub port: u16,
    /// `production` or `dev`; only `dev` lets any origin call the API.
    pub mode: Mode,
    /// Public address, e.g. `https://chat.example.org`; empty derives it from `Host`.
    #[serde(deserialize_with = "optional_string")]
    pub public_url: Option<String>,
    /// Grace period for in-flight requests on shutdown.
    pub shutdown_timeout_secs: u64,
    /// Proxies whose `X-Forwarded-For` is believed.
    #[serde(deserialize_with = "list")]
    pub trusted_proxies: Vec<String>,
}

/// How permissive the server is with cross-origin callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Production,
    Dev,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://…` or `postgres://…`.
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    /// Run pending migrations when serving.
    pub auto_migrate: bool,
    /// SQLite only: `full` (a commit survives power loss) or `normal` (survives a process
    /// crash; faster).
    pub sqlite_synchronous: SqliteSync,
}

/// How SQLite commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    Full,
    Normal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Access-token signing key; generated and persisted when absent.
    #[serde(deserialize_with = "optional_secret")]
    pub jwt_secret: Option<SecretString>,
    /// Who may create an account.
    pub registration: Registration,
    /// Idle timeout of a session, in days (slides with use).
    pub session_idle_days: u32,
    /// Absolute lifetime of a session and its token, in days.
    pub session_max_age_days: u32,
    /// Failed logins per IP and per account within the window before 429.
    pub login_max_failures: u32,
    pub login_failure_window_secs: u64,
    pub argon2: Argon2Settings,
}

/// Who may register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    Open,
    Invite,
    Closed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Passwords hashed or checked at once (each takes `memory_kib`); 0: one per core.
    pub max_concurrent: usize,
    /// Passwords waiting for a slot; past that a login or registration gets 503.
    pub max_waiting: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Largest JSON request body, in bytes.
    pub body_limit_bytes: u64,
    /// Browser origins allowed to call the API; wildcards like `https://*.example.org`.
    #[serde(deserialize_with = "list")]
    pub cors_origins: Vec<String>,
    /// Seconds a connection may take to send a request's headers, counted from when the
    /// server starts waiting for them (a new connection, or the first byte after an idle
    /// keep-alive). 0 disables it.
    pub header_read_timeout_secs: u64,
    /// Seconds a keep-alive connection may sit idle between requests. 0 disables it.
    pub keep_alive_idle_secs: u64,
    /// Slowest accepted upload, in bytes per second, averaged over `body_rate_window_secs`.
    /// 0 disables it.
    pub body_min_bytes_per_sec: u64,
    pub body_rate_window_secs: u64,
    /// Open connections (WebSockets included) on this node, and from one client address.
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
}

/// WebSocket hub settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WsSettings {
    /// Outbound frames queued per connection before it is closed with a resume hint.
    pub queue_capacity: usize,
    pub auth_timeout_secs: u64,
    pub ping_interval_secs: u64,
    pub idle_timeout_secs: u64,
    pub max_frame_bytes: usize,
    /// Minimum milliseconds between flushes of a busy socket (batches frames under load).
    pub coalesce_ms: u64,
    /// Connection attempts per IP per window before a temporary ban.
    pub connect_per_ip: u32,
    pub connect_window_secs: u64,
    pub ip_ban_secs: u64,
    pub typing_expiry_ms: u64,
}

/// The browser pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSettings {
    /// The calendar Persian pages show dates in.
    pub persian_calendar: PersianCalendar,
}

/// `solar_hijri` (the calendar Iran and Afghanistan live by) or `gregorian`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersianCalendar {
    SolarHijri,
    Gregorian,
}

impl PersianCalendar {
    /// The name `Intl.DateTimeFormat` knows it by (`fa-IR-u-ca-persian`).
    pub fn unicode_name(self) -> &'static str {
        match self {
            Self::SolarHijri => "persian",
            Self::Gregorian => "gregory",
        }
    }
}

/// Poll housekeeping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollSettings {
    /// Seconds between checks for polls whose closing time has passed.
    pub close_check_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationSettings {
    /// Seconds between passes that remove messages past their room's retention.
    pub retention_check_secs: u64,
}

/// Per-user rate limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub messages_per_minute: u32,
    /// In rooms of up to this many members anyone may use `@here` and `@room`; in larger
    /// ones only the room's moderators and owner (and staff). 0: only they, anywhere.
    pub special_mentions_max_members: u64,
    /// File uploads a user may make per window.
    pub uploads_per_window: u32,
    pub uploads_window_secs: u64,
    /// Accounts one address may create per window (counted over every node).
    pub registrations_per_window: u32,
    /// Accounts all addresses together may create per window.
    pub registrations_total_per_window: u32,
    pub registrations_window_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
}

/// Human-readable lines or one JSON object per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadSettings {
    /// The `fs` store's root; with any store, the local scratch space (`tmp/`) uploads
    /// stream into while they are hashed.
    pub dir: PathBuf,
    /// Where file contents, thumbnails and avatars are kept.
    pub store: StoreKind,
    /// The `s3` store (read only when `store = "s3"`).
    pub s3: S3Settings,
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Extensions people may share; the bytes must match the extension.
    pub allowed_types: Vec<String>,
    /// Bytes of files a user may have stored at once.
    pub user_quota_bytes: u64,
    /// An uploaded file not attached to a message within this many seconds is removed.
    pub pending_ttl_secs: u64,
    /// Seconds between cleanup passes (orphans left by crashes, expired pending files).
    pub cleanup_interval_secs: u64,
    /// Stray files younger than this are left alone by cleanup (an upload may own them).
    pub orphan_grace_secs: u64,
    /// Pictures with more pixels than this are stored without a thumbnail (never decoded).
    pub thumbnail_max_pixels: u64,
    /// Bytes all picture decodes (thumbnails, avatars) may take at once.
    pub decode_budget_bytes: u64,
}

/// The storage behind uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// A directory (`uploads.dir`); several nodes may share it (NFS and the like).
    Fs,
    /// Process memory: for tests and trying things out. Gone at exit, and never shared
    /// between nodes.
    Memory,
    /// An S3-compatible bucket (AWS, MinIO, Ceph, Garage, ...).
    S3,
}

/// An S3-compatible bucket. Empty strings mean "not set".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    #[serde(deserialize_with = "optional_string")]
    pub bucket: Option<String>,
    pub region: String,
    /// Base URL of an S3-compatible server (e.g. `http://minio:9000`); empty: AWS.
    #[serde(deserialize_with = "optional_string")]
    pub endpoint: Option<String>,
    /// With the secret below; both required for `s3` (no EC2/ECS role credentials).
    #[serde(deserialize_with = "optional_string")]
    pub access_key_id: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub secret_access_key: Option<SecretString>,
    /// Allow a plain `http://` endpoint (a server on a private network).
    pub allow_http: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerSettings {
    /// `redis://…` for cross-node fan-out; `None` keeps events in-process.
    #[serde(deserialize_with = "optional_string")]
    pub url: Option<String>,
    /// Prefix of the channel and keys the nodes of one installation share in Redis.
    pub namespace: String,
    /// A node's presence entries lapse this long after its last heartbeat (a third of it),
    /// so the users of a node that died go offline within this time.
    pub presence_ttl_secs: u64,
}

/// Requests the server makes to other hosts (`infra::outbound`), e.g. for link previews.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundSettings {
    /// Hosts (names or IP addresses, as written in URLs) exempt from the address and port
    /// rules. For tests that serve pages on loopback; leave it empty in production.
    #[serde(deserialize_with = "list")]
    pub allow_hosts: Vec<String>,
    /// Milliseconds one request may take in all (every redirect and the whole body).
    pub timeout_ms: u64,
    /// Bytes of a response body read at most; the rest is never downloaded.
    pub max_body_bytes: u64,
}

/// Link previews (unfurling) under messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewSettings {
    pub enabled: bool,
    /// Only links to these domains (and their subdomains) get a preview; empty: any public
    /// domain.
    #[serde(deserialize_with = "list")]
    pub allow_domains: Vec<String>,
    /// Links of one message that get a preview (the first ones).
    pub max_per_message: usize,
    /// Seconds a fetched preview is reused for the same URL, on every node.
    pub cache_secs: u64,
    /// Seconds a failed fetch is remembered before the URL is tried again.
    pub failure_cache_secs: u64,
}

/// Outgoing mail over SMTP. `smtp_host` unset: mail is off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    #[serde(deserialize_with = "optional_string")]
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub security: SmtpSecurity,
    #[serde(deserialize_with = "optional_string")]
    pub username: Option<String>,
    #[serde(deserialize_with = "optional_secret")]
    pub password: Option<SecretString>,
    /// The sender mailbox (`Name <address>`), checked at start.
    #[serde(deserialize_with = "optional_string")]
    pub from: Option<String>,
    /// Seconds one SMTP conversation may take.
    pub timeout_secs: u64,
    pub verify_ttl_secs: u64,
    pub reset_ttl_secs: u64,
    /// Password-reset requests per address and per client address per window.
    pub resets_per_window: u32,
    pub resets_window_secs: u64,
    /// How long a notification stays unread before the missed-activity mail tells of it.
    pub missed_delay_secs: u64,
}

/// Web Push to browsers' push services (`pushing`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushSettings {
    pub enabled: bool,
    /// Seconds a notification must stay unread before it is pushed: a device that is open
    /// reads it first, and several in that time go out as one push.
    pub delay_secs: u64,
    /// The VAPID `sub`: how a push service reaches the operator (`mailto:` or `https:`).
    pub contact: String,
    /// Seconds a push service keeps a push for an offline device (the `TTL` header).
    pub ttl_secs: u64,
    /// Subscriptions one account may have (its devices); the oldest goes past it.
    pub max_per_user: u64,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (refused if the server does not offer it).
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No TLS at all: only for a server on loopback.
    None,
}

impl MailSettings {
    /// Whether mail is configured (and so on).
    pub fn enabled(&self) -> bool {
        self.smtp_host.is_some()
    }

    /// What the types cannot say; `public_url` because links in mail must be absolute.
    fn check(&self, public_url: Option<&str>) -> Result<(), ConfigError> {
        let Some(host) = &self.smtp_host else {
            for (key, set) in [
                ("mail.username", self.username.is_some()),
                ("mail.password", self.password.is_some()),
                ("mail.from", self.from.is_some()),
                ("mail.security", self.security != SmtpSecurity::Starttls),
            ] {
                if set {
                    return Err(key_error(
                        key,
                        "is set but mail.smtp_host is empty: set the SMTP server too (or \
                         leave every mail key at its default to keep mail off)",
                    ));
                }
            }
            return Ok(());
        };
        if self.smtp_port == 0 {
            return Err(key_error("mail.smtp_port", "must be a port (1-65535)"));
        }
        if host.contains(char::is_whitespace)
            || host.contains('/')
            || (host.contains(':') && host.parse::<IpAddr>().is_err())
        {
            return Err(key_error(
                "mail.smtp_host",
                &format!("{host:?} is not a host name or IP address"),
            ));
        }
        if self.security == SmtpSecurity::None && !is_loopback_host(host) {
            return Err(key_error(
                "mail.security",
                &format!(
                    "\"none\" sends mail and passwords in clear text: it is only allowed for \
                     a server on this machine (localhost, 127.0.0.1, ::1), not {host:?}; use \
                     \"starttls\" or \"tls\""
                ),
            ));
        }
        match &self.from {
            None => {
                return Err(key_error(
                    "mail.from",
                    "must be set when mail.smtp_host is (e.g. \"Anjoman <chat@example.org>\")",
                ));
            }
            Some(from) => {
                if from.parse::<lettre::message::Mailbox>().is_err() {
                    return Err(key_error(
                        "mail.from",
                        &format!(
                            "{from:?} is not a mailbox (\"chat@example.org\" or \
                             \"Anjoman <chat@example.org>\")"
                        ),
                    ));
                }
            }
        }
        if self.username.is_some() != self.password.is_some() {
            return Err(key_error(
                "mail.username",
                "and mail.password must be set together (or both left empty for no login)",
            ));
        }
        if public_url.is_none() {
            return Err(key_error(
                "server.public_url",
                "must be set when mail is on: links in mail are absolute",
            ));
        }
        for (key, value) in [
            ("mail.timeout_secs", self.timeout_secs),
            ("mail.verify_ttl_secs", self.verify_ttl_secs),
            ("mail.reset_ttl_secs", self.reset_ttl_secs),
            ("mail.resets_per_window", u64::from(self.resets_per_window)),
            ("mail.resets_window_secs", self.resets_window_secs),
        ] {
            if value == 0 {
                return Err(key_error(key, "must be positive"));
            }
        }
        Ok(())
    }
}

/// A host that can only be this machine.
fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A configuration problem, worded on one line and naming the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// The layered sources, before extraction. Tests merge their overrides on top of this.
    pub fn figment(config_file: Option<&std::path::Path>) -> Figment {
        let mut figment = Figment::new().merge(Toml::string(DEFAULT_TOML));
        if let Some(path) = config_file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(Env::prefixed("ANJOMAN_").ignore(&["config"]).map(|key| {
                let key = key.as_str();
                ENV_ALIASES
                    .iter()
                    .find(|(alias, _)| key.eq_ignore_ascii_case(alias))
                    .map(|(_, path)| (*path).to_owned())
                    .unwrap_or_else(|| key.replace("__", "."))
                    .into()
            }))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL", "PORT"])
                    .map(|key| match key.as_str() {
                        "DATABASE_URL" | "database_url" => "database.url".into(),
                        _ => "server.port".into(),
                    }),
            )
    }

    /// Loads and checks the configuration from all layers.
    pub fn load(config_file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        Self::from_figment(Self::figment(config_file))
    }

    /// Extracts and checks settings from an assembled figment.
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract().map_err(describe_figment_error)?;
        settings.check()?;
        Ok(settings)
    }

    /// Rules the types alone cannot express.
    fn check(&self) -> Result<(), ConfigError> {
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(key_error(
                "database.url",
                "must start with sqlite: or postgres://",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(key_error("database.max_connections", "must be at least 1"));
        }
        if self.http.max_connections == 0 {
            return Err(key_error("http.max_connections", "must be at least 1"));
        }
        if self.http.max_connections_per_ip == 0 {
            return Err(key_error(
                "http.max_connections_per_ip",
                "must be at least 1",
            ));
        }
        if self.http.body_min_bytes_per_sec > 0 && self.http.body_rate_window_secs == 0 {
            return Err(key_error(
                "http.body_rate_window_secs",
                "must be at least 1 while body_min_bytes_per_sec is set",
            ));
        }
        for origin in &self.http.cors_origins {
            OriginPattern::parse(origin).map_err(|reason| {
                key_error("http.cors_origins", &format!("{origin:?} {reason}"))
            })?;
        }
        if let Some(public_url) = &self.server.public_url {
            OriginPattern::parse(public_url.trim_end_matches('/')).map_err(|reason| {
                key_error("server.public_url", &format!("{public_url:?} {reason}"))
            })?;
        }
        for proxy in &self.server.trusted_proxies {
            proxy.parse::<IpAddr>().map_err(|_| {
                key_error(
                    "server.trusted_proxies",
                    &format!("{proxy:?} is not an IP address"),
                )
            })?;
        }
        if let Some(secret) = &self.auth.jwt_secret {
            if secret.expose_secret().len() < 32 {
                return Err(key_error("auth.jwt_secret", "must be at least 32 bytes"));
            }
        }
        let auth = &self.auth;
        if auth.session_idle_days == 0 || auth.session_idle_days > auth.session_max_age_days {
            return Err(key_error(
                "auth.session_idle_days",
                "must be between 1 and auth.session_max_age_days",
            ));
        }
        if auth.login_max_failures == 0 || auth.login_failure_window_secs == 0 {
            return Err(key_error(
                "auth.login_max_failures",
                "and the window must be positive",
            ));
        }
        let ws = &self.ws;
        for (key, value) in [
            ("ws.queue_capacity", ws.queue_capacity as u64),
            ("ws.auth_timeout_secs", ws.auth_timeout_secs),
            ("ws.ping_interval_secs", ws.ping_interval_secs),
            ("ws.idle_timeout_secs", ws.idle_timeout_secs),
            ("ws.max_frame_bytes", ws.max_frame_bytes as u64),
            ("ws.connect_per_ip", u64::from(ws.connect_per_ip)),
            ("ws.connect_window_secs", ws.connect_window_secs),
            ("ws.typing_expiry_ms", ws.typing_expiry_ms),
            (
                "limits.messages_per_minute",
                u64::from(self.limits.messages_per_minute),
            ),
            (
                "limits.uploads_per_window",
                u64::from(self.limits.uploads_per_window),
            ),
            (
                "limits.uploads_window_secs",
                self.limits.uploads_window_secs,
            ),
            (
                "limits.registrations_per_window",
                u64::from(self.limits.registrations_per_window),
            ),
            (
                "limits.registrations_total_per_window",
                u64::from(self.limits.registrations_total_per_window),
            ),
            (
                "limits.registrations_window_secs",
                self.limits.registrations_window_secs,
            ),
            ("uploads.max_file_bytes", self.uploads.max_file_bytes),
            (
                "uploads.thumbnail_max_pixels",
                self.uploads.thumbnail_max_pixels,
            ),
            (
                "uploads.decode_budget_bytes",
                self.uploads.decode_budget_bytes,
            ),
            (
                "uploads.cleanup_interval_secs",
                self.uploads.cleanup_interval_secs,
            ),
        ] {
            if value == 0 {
                return Err(key_error(key, "must be positive"));
            }
        }
        if self.http.body_limit_bytes < 1024 {
            return Err(key_error("http.body_limit_bytes", "must be at least 1024"));
        }
        let argon = &self.auth.argon2;
        if argon2::Params::new(argon.memory_kib, argon.iterations, argon.parallelism, None).is_err()
        {
            return Err(key_error(
                "auth.argon2",
                "memory_kib, iterations and parallelism are out of argon2's range",
            ));
        }
        for ext in &self.uploads.allowed_types {
            if crate::domain::files::types::FileType::for_extension(ext).is_none() {
                return Err(key_error(
                    "uploads.allowed_types",
                    &format!(
                        "{ext:?} is not one of {}",
                        crate::domain::files::types::KNOWN_EXTENSIONS.join(", ")
                    ),
                ));
            }
        }
        if self.uploads.store == StoreKind::S3 {
            self.uploads.s3.check()?;
        }
        if let Some(broker) = &self.broker.url {
            if !broker.starts_with("redis://") && !broker.starts_with("rediss://") {
                return Err(key_error("broker.url", "must start with redis://"));
            }
        }
        if self.broker.presence_ttl_secs < 3 {
            return Err(key_error("broker.presence_ttl_secs", "must be at least 3"));
        }
        self.mail.check(self.server.public_url.as_deref())?;
        if !self.push.contact.starts_with("mailto:") && !self.push.contact.starts_with("https://") {
            return Err(key_error(
                "push.contact",
                "must be a mailto: or https: URL (push services use it to reach the operator)",
            ));
        }
        if self.push.ttl_secs == 0 || self.push.max_per_user == 0 {
            return Err(key_error(
                "push",
                "ttl_secs and max_per_user must be at least 1",
            ));
        }
        if self.broker.namespace.is_empty() || self.broker.namespace.contains(char::is_whitespace) {
            return Err(key_error("broker.namespace", "must be a non-empty word"));
        }
        Ok(())
    }

    /// Whether the database is SQLite (as opposed to PostgreSQL).
    pub fn is_sqlite(&self) -> bool {
        self.database.url.starts_with("sqlite:")
    }
}

impl S3Settings {
    /// What the S3 client would only find out on the first upload.
    fn check(&self) -> Result<(), ConfigError> {
        if self.bucket.is_none() {
            return Err(key_error(
                "uploads.s3.bucket",
                "must be set when uploads.store is \"s3\"",
            ));
        }
        if self.region.trim().is_empty() {
            return Err(key_error(
                "uploads.s3.region",
                "must be set when uploads.store is \"s3\"",
            ));
        }
        if let Some(endpoint) = &self.endpoint {
            let parsed = url::Url::parse(endpoint).ok().filter(|u| u.has_host());
            match parsed.as_ref().map(url::Url::scheme) {
                Some("https") => {}
                Some("http") if self.allow_http => {}
                Some("http") => {
                    return Err(key_error(
                        "uploads.s3.endpoint",
                        &format!("{endpoint:?} is plain http: set uploads.s3.allow_http = true"),
                    ));
                }
                _ => {
                    return Err(key_error(
                        "uploads.s3.endpoint",
                        &format!("{endpoint:?} is not an http:// or https:// URL"),
                    ));
                }
            }
        }
        if self.access_key_id.is_none() || self.secret_access_key.is_none() {
            return Err(key_error(
                "uploads.s3.access_key_id",
                "and uploads.s3.secret_access_key must both be set when uploads.store is \
                 \"s3\" (an instance's role credentials are not looked up)",
            ));
        }
        Ok(())
    }
}

fn key_error(key: &str, reason: &str) -> ConfigError {
    ConfigError(format!("key `{key}` {reason}"))
}

/// Figment's errors name the key and the source; keep that, on a single line.
fn describe_figment_error(err: figment::Error) -> ConfigError {
    let key = if err.path.is_empty() {
        "(top level)".to_owned()
    } else {
        err.path.join(".")
    };
    let source = err
        .metadata
        .as_ref()
        .map(|meta| match &meta.source {
            Some(source) => format!(" (from {} {source})", meta.name),
            None => format!(" (from {})", meta.name),
        })
        .unwrap_or_default();
    let kind = err.kind.to_string().replace('\n', " ");
    ConfigError(format!("key `{key}`: {kind}{source}"))
}

/// Empty strings mean "not set", so the TOML defaults can list every key.
fn optional_string<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
    let value = String::deserialize(de)?;
    let value = value.trim();
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

fn optional_secret<'de, D: Deserializer<'de>>(de: D) -> Result<Option<SecretString>, D::Error> {
    Ok(optional_string(de)?.map(SecretString::from))
}

/// A list from TOML (`["a", "b"]`) or from one environment variable (`a,b`).
fn list<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<String>),
        One(String),
    }
    let items = match OneOrMany::deserialize(de)? {
        OneOrMany::Many(items) => items,
        OneOrMany::One(joined) => joined.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

#[cfg(test)]
#[expect(
    clippy::result_large_err,
    reason = "figment::Jail closures return figment::Error"
)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_load_without_any_file_or_variable() {
        Jail::expect_with(|_jail| {
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.server.port, 8080);
            assert!(settings.is_sqlite());
            assert!(settings.auth.jwt_secret.is_none());
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_the_file_and_short_names_work() {
        Jail::expect_with(|jail| {
            jail.create_file("extra.toml", "[server]\nport = 9000\nmode = \"dev\"\n")?;
            jail.set_env("PORT", "9100");
            jail.set_env(
                "ANJOMAN_CORS_ORIGINS",
                "https://a.example, https://*.b.example",
            );
            jail.set_env("ANJOMAN_DATABASE__MAX_CONNECTIONS", "3");
            jail.set_env("ANJOMAN_CONFIG", "ignored-here.toml");
            let settings = Settings::load(Some(std::path::Path::new("extra.toml")))
                .map_err(|e| e.to_string())?;
            assert_eq!(settings.server.port, 9100);
            assert_eq!(settings.server.mode, Mode::Dev);
            assert_eq!(settings.database.max_connections, 3);
            assert_eq!(
                settings.http.cors_origins,
                vec!["https://a.example", "https://*.b.example"]
            );
            Ok(())
        });
    }

    #[test]
    fn the_example_production_file_is_valid() {
        Jail::expect_with(|_jail| {
            let path =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/production.toml");
            let settings = Settings::load(Some(&path)).map_err(|e| e.to_string())?;
            assert!(!settings.is_sqlite());
            assert_eq!(settings.log.format, LogFormat::Json);
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_names_its_key_on_one_line() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJOMAN_SERVER__PORT", "eighty");
            let err = Settings::load(None)
                .err()
                .ok_or("expected an error")?
                .to_string();
            assert!(err.contains("server.port"), "{err}");
            assert!(!err.contains('\n'), "{err}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_refused() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJOMAN_SERVER__PROT", "1");
            let err = Settings::load(None)
                .err()
                .ok_or("expected an error")?
                .to_string();
            assert!(err.contains("prot"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn an_s3_store_needs_a_bucket_and_a_safe_endpoint() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJOMAN_UPLOADS__STORE", "s3");
            let err = Settings::load(None)
                .err()
                .ok_or("expected an error")?
                .to_string();
            assert!(err.contains("uploads.s3.bucket"), "{err}");

            jail.set_env("ANJOMAN_UPLOADS__S3__BUCKET", "anjoman");
            jail.set_env("ANJOMAN_UPLOADS__S3__ENDPOINT", "http://minio:9000");
            let err = Settings::load(None)
                .err()
                .ok_or("expected an error")?
                .to_string();
            assert!(err.contains("allow_http"), "{err}");

            jail.set_env("ANJOMAN_UPLOADS__S3__ALLOW_HTTP", "true");
            jail.set_env("ANJOMAN_UPLOADS__S3__ACCESS_KEY_ID", "minio");
            let err = Settings::load(None)
                .err()
                .ok_or("expected an error")?
                .to_string();
            assert!(err.contains("secret_access_key"), "{err}");

            jail.set_env("ANJOMAN_UPLOADS__S3__SECRET_ACCESS_KEY", "minio-secret");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(settings.uploads.store, StoreKind::S3);
            assert!(!format!("{settings:?}").contains("minio-secret"));
            Ok(())
        });
    }

    #[test]
    fn the_upload_store_defaults_to_the_directory() {
        Jail::expect_with(|jail| {
            assert_eq!(
                Settings::load(None)
                    .map_err(|e| e.to_string())?
                    .uploads
                    .store,
                StoreKind::Fs
            );
            jail.set_env("ANJOMAN_UPLOADS__STORE", "floppy");
            let err = Settings::load(None)
                .err()
                .ok_or("expected an error")?
                .to_string();
            assert!(err.contains("uploads.store"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_malformed_cors_origin_is_refused() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJOMAN_CORS_ORIGINS", "example.org");
            let err = Settings::load(None)
                .err()
                .ok_or("expected an error")?
                .to_string();
            assert!(err.contains("http.cors_origins"), "{err}");
            Ok(())
        });
    }

    /// Mail settings on top of the defaults, as environment variables.
    fn mail_error(vars: &[(&str, &str)]) -> Option<String> {
        let mut result = None;
        Jail::expect_with(|jail| {
            for (key, value) in vars {
                jail.set_env(key, value);
            }
            result = Settings::load(None).err().map(|e| e.to_string());
            Ok(())
        });
        result
    }

    #[test]
    fn mail_settings_are_checked_at_start() {
        let base = [
            ("ANJOMAN_MAIL__SMTP_HOST", "smtp.example.org"),
            ("ANJOMAN_MAIL__FROM", "Anjoman <chat@example.org>"),
            ("ANJOMAN_SERVER__PUBLIC_URL", "https://chat.example.org"),
        ];
        assert_eq!(mail_error(&base), None, "a complete configuration");
        assert_eq!(mail_error(&[]), None, "mail off by default");

        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars = base.to_vec();
            vars.extend_from_slice(extra);
            mail_error(&vars).unwrap_or_default()
        };
        let err = with(&[("ANJOMAN_MAIL__FROM", "not a mailbox")]);
        assert!(err.contains("mail.from"), "{err}");
        let err = with(&[("ANJOMAN_MAIL__SECURITY", "none")]);
        assert!(
            err.contains("mail.security") && err.contains("clear text"),
            "{err}"
        );
        assert_eq!(
            with(&[
                ("ANJOMAN_MAIL__SECURITY", "none"),
                ("ANJOMAN_MAIL__SMTP_HOST", "127.0.0.1")
            ]),
            ""
        );
        let err = with(&[("ANJOMAN_MAIL__SECURITY", "ssl")]);
        assert!(err.contains("mail.security"), "{err}");
        let err = with(&[("ANJOMAN_MAIL__USERNAME", "chat")]);
        assert!(err.contains("mail.password"), "{err}");
        let err = with(&[("ANJOMAN_SERVER__PUBLIC_URL", "")]);
        assert!(err.contains("server.public_url"), "{err}");
        let err = with(&[("ANJOMAN_MAIL__TIMEOUT_SECS", "0")]);
        assert!(err.contains("mail.timeout_secs"), "{err}");

        let err = mail_error(&[("ANJOMAN_MAIL__SECURITY", "tls")]).unwrap_or_default();
        assert!(
            err.contains("mail.security") && err.contains("smtp_host"),
            "{err}"
        );
        let err = mail_error(&[("ANJOMAN_MAIL__FROM", "chat@example.org")]).unwrap_or_default();
        assert!(
            err.contains("mail.from") && err.contains("smtp_host"),
            "{err}"
        );
    }

    #[test]
    fn the_smtp_password_comes_from_the_environment_and_stays_out_of_debug() {
        Jail::expect_with(|jail| {
            jail.set_env("ANJOMAN_MAIL__SMTP_HOST", "smtp.example.org");
            jail.set_env("ANJOMAN_MAIL__FROM", "chat@example.org");
            jail.set_env("ANJOMAN_SERVER__PUBLIC_URL", "https://chat.example.org");
            jail.set_env("ANJOMAN_MAIL__USERNAME", "chat");
            jail.set_env("ANJOMAN_SMTP_PASSWORD", "smtp-secret-1");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert!(settings.mail.enabled());
            assert_eq!(
                settings
                    .mail
                    .password
                    .as_ref()
                    .map(|p| p.expose_secret().to_owned()),
                Some("smtp-secret-1".to_owned())
            );
            assert!(!format!("{settings:?}").contains("smtp-secret-1"));
            Ok(())
        });
    }
}
