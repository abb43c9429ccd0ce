//! The `Auth` extractor: a bearer token (API clients) or the session cookie (browser
//! pages), verified and checked against its session row on every request.

use entity::{sessions, users};
use poem::{Request, RequestBody, http::header};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaSecurityScheme, Registry},
};

use crate::{domain::users::Role, error::AppError, http::client_ip::ClientIp, state::AppState};

/// Name of the HttpOnly cookie that carries the token for browser pages.
pub const SESSION_COOKIE: &str = "anjoman_session";

const BEARER_SCHEME: &str = "bearerAuth";
const COOKIE_SCHEME: &str = "cookieAuth";

/// The signed-in user and the session their token names.
pub struct Auth {
    pub user: users::Model,
    pub session: sessions::Model,
    /// The client's address (behind trusted proxies, the forwarded one), for the audit log.
    pub ip: Option<std::net::IpAddr>,
}

impl Auth {
    pub fn role(&self) -> Role {
        Role::of(&self.user)
    }

    /// Refuses with `forbidden` unless the user has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role() >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden("forbidden"))
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

impl<'a> ApiExtractor<'a> for Auth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            BEARER_SCHEME,
            MetaSecurityScheme {
                ty: "http",
                description: Some("Access token from login or register."),
                name: None,
                key_in: None,
                scheme: Some("bearer"),
                bearer_format: Some("JWT"),
                flows: None,
                openid_connect_url: None,
            },
        );
        registry.create_security_scheme(
            COOKIE_SCHEME,
            MetaSecurityScheme {
                ty: "apiKey",
                description: Some("The same token in the HttpOnly session cookie (browser pages)."),
                name: Some(SESSION_COOKIE),
                key_in: Some("cookie"),
                scheme: None,
                bearer_format: None,
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![BEARER_SCHEME, COOKIE_SCHEME]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let state = req
            .data::<AppState>()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState is not attached")))?;
        let token = token_from(req).ok_or(AppError::Unauthorized)?;
        let (user, session) = state.auth.authenticate(&state.db, token).await?;
        let ip = req.data::<ClientIp>().and_then(|ip| ip.0);
        Ok(Auth { user, session, ip })
    }
}
