//! Who is asking: the signed-in user behind a request's bearer token or session cookie,
//! and the session cookie itself. One place for REST (`api::security` wraps it in the
//! spec's security schemes), the pages and the socket, so none of them imports another.

use entity::{sessions, users};
use poem::{Request, http::header};

use crate::{
    domain::{auth::Device, users::Role},
    error::{AppError, ErrorCode},
    http::client_ip::ClientIp,
    state::AppState,
};

/// Name of the HttpOnly cookie that carries the token for browser pages.
pub const SESSION_COOKIE: &str = "anjoman_session";

/// The signed-in user and the session their token names.
pub struct Auth {
    pub user: users::Model,
    pub session: sessions::Model,
    /// The client's address (behind trusted proxies, the forwarded one), for the audit log.
    pub ip: Option<std::net::IpAddr>,
}

impl Auth {
    /// Authenticates `req`: its token, verified and checked against its session row.
    pub async fn of(req: &Request) -> Result<Self, AppError> {
        let state = req
            .data::<AppState>()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState is not attached")))?;
        let token = token_from(req).ok_or(AppError::Unauthorized)?;
        let (user, session) = state.auth.authenticate(&state.db, token).await?;
        let ip = req.data::<ClientIp>().and_then(|ip| ip.0);
        Ok(Auth { user, session, ip })
    }

    pub fn role(&self) -> Role {
        Role::of(&self.user)
    }

    /// Refuses with `forbidden` unless the user has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role() >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(ErrorCode::Forbidden))
        }
    }
}

/// The token from `Authorization: Bearer`, else from the session cookie.
pub fn token_from(req: &Request) -> Option<&str> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    bearer.or_else(|| crate::http::cookies::cookie(req, SESSION_COOKIE))
}

/// The device a sign-in comes from, as its session records it.
pub fn device(req: &Request) -> Device {
    Device {
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        ip: req.data::<ClientIp>().and_then(|ip| ip.0),
    }
}

/// Cookies are `Secure` only when the public address is HTTPS, so plain-HTTP development
/// still works.
pub fn secure_cookies(state: &AppState) -> bool {
    state
        .settings
        .server
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"))
}

/// The session cookie carrying `value` (empty with `max_age` 0 clears it).
pub fn session_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = secure_cookies(state);
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}
