//! `/api/v1/auth/*`: register, login, logout, sessions, password change.

use chrono::{DateTime, Utc};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{responses::NoContent, security::Auth, tags::ApiTags, users::Me};
use crate::{
    actions,
    domain::{
        auth::{self, Registrant, SignedIn, sessions},
        push::subscriptions as push_subscriptions,
    },
    error::AppError,
    http::auth::{device, session_cookie},
    mailing,
    state::AppState,
};

pub struct AuthApi;

/// A new account.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RegisterRequest {
    /// 3–32 letters (Latin or Persian/Arabic), digits, `_`, `.`, `-`. Unique regardless of
    /// case and of Arabic/Persian letter variants.
    pub username: String,
    /// 8–128 characters, not the username.
    pub password: String,
    /// Shown instead of the username; defaults to it.
    pub display_name: Option<String>,
    /// Required when registration is invite-only.
    pub invite_code: Option<String>,
    /// `en-US` or `fa-IR`.
    pub locale: Option<String>,
}

/// Credentials.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A signed-in session: send `access_token` as `Authorization: Bearer …`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the token keeps working without use (each use extends it, up to the
    /// session's maximum age).
    pub expires_in: i64,
    pub user: Me,
}

/// One signed-in device.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SessionInfo {
    pub id: Uuid,
    pub user_agent: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// A password change.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PasswordChangeRequest {
    pub current_password: String,
    pub new_password: String,
}

/// "I forgot my password".
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PasswordResetRequest {
    /// The account's verified e-mail address.
    pub email: String,
}

/// A new password, with the token of the mailed reset link.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PasswordResetConfirm {
    /// The `token` parameter of the link.
    pub token: String,
    /// 8–128 characters, not the username.
    pub new_password: String,
}

#[derive(ApiResponse)]
pub enum Accepted {
    /// Accepted: if the address is an account's verified address, a link is on its way.
    #[oai(status = 202)]
    Queued,
}

#[derive(ApiResponse)]
pub enum SignedInResponse {
    /// Account created and signed in.
    #[oai(status = 201)]
    Created(
        Json<TokenResponse>,
        /// The same token as an HttpOnly cookie for browser pages.
        #[oai(header = "Set-Cookie")]
        String,
    ),
    /// Signed in.
    #[oai(status = 200)]
    Ok(
        Json<TokenResponse>,
        /// The same token as an HttpOnly cookie for browser pages.
        #[oai(header = "Set-Cookie")]
        String,
    ),
}

#[derive(ApiResponse)]
pub enum SignedOutResponse {
    /// Signed out; the cookie is cleared.
    #[oai(status = 204)]
    Done(#[oai(header = "Set-Cookie")] String),
}

fn token_response(state: &AppState, signed: SignedIn) -> (Json<TokenResponse>, String) {
    let max_age = state.auth.policy.max_age.num_seconds();
    let cookie = session_cookie(state, &signed.token, max_age);
    let body = TokenResponse {
        access_token: signed.token,
        token_type: "Bearer".to_owned(),
        expires_in: state.auth.idle_secs(),
        user: Me::from(signed.user),
    };
    (Json(body), cookie)
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create an account and sign in. The first account on a new server becomes admin.
    #[oai(path = "/register", method = "post", operation_id = "auth_register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<RegisterRequest>,
    ) -> Result<SignedInResponse, AppError> {
        let registrant = Registrant {
            username: &body.username,
            password: &body.password,
            display_name: body.display_name.as_deref(),
            invite_code: body.invite_code.as_deref(),
            locale: body.locale.as_deref(),
        };
        let signed = actions::account_register(&state, registrant, &device(req)).await?;
        let (json, cookie) = token_response(&state, signed);
        Ok(SignedInResponse::Created(json, cookie))
    }

    /// Sign in. Five failures per five minutes per IP and per account, then 429 with
    /// `Retry-After`. A banned account gets `auth.banned` with until when and why.
    #[oai(path = "/login", method = "post", operation_id = "auth_login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> Result<SignedInResponse, AppError> {
        let signed = auth::auth_login(
            &state.db,
            &state.auth,
            &body.username,
            &body.password,
            &device(req),
        )
        .await?;
        let (json, cookie) = token_response(&state, signed);
        Ok(SignedInResponse::Ok(json, cookie))
    }

    /// Sign out this device: its token stops working immediately.
    #[oai(path = "/logout", method = "post", operation_id = "auth_logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<SignedOutResponse, AppError> {
        sessions::session_revoke(&state.db, auth.user.id, auth.session.id).await?;
        // This device gets no more pushes (other ended sessions' go at the next push).
        push_subscriptions::subscriptions_of_session_delete(&state.db, auth.session.id).await?;
        actions::sessions_changed(&state, auth.user.id);
        Ok(SignedOutResponse::Done(session_cookie(&state, "", 0)))
    }

    /// Sign out every device, this one included.
    #[oai(
        path = "/logout-all",
        method = "post",
        operation_id = "auth_logout_all"
    )]
    async fn logout_all(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<SignedOutResponse, AppError> {
        sessions::sessions_revoke_all(&state.db, auth.user.id, None).await?;
        actions::sessions_changed(&state, auth.user.id);
        Ok(SignedOutResponse::Done(session_cookie(&state, "", 0)))
    }

    /// The devices signed in to this account.
    #[oai(
        path = "/sessions",
        method = "get",
        operation_id = "auth_sessions_list"
    )]
    async fn sessions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<SessionInfo>>, AppError> {
        let list = sessions::sessions_list(&state.db, auth.user.id).await?;
        Ok(Json(
            list.into_iter()
                .map(|s| SessionInfo {
                    current: s.id == auth.session.id,
                    id: s.id,
                    user_agent: s.user_agent,
                    ip: s.ip,
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    expires_at: s.expires_at,
                })
                .collect(),
        ))
    }

    /// Sign out one device; its token is refused from its next use.
    #[oai(
        path = "/sessions/:id",
        method = "delete",
        operation_id = "auth_session_revoke"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        sessions::session_revoke(&state.db, auth.user.id, id.0).await?;
        actions::sessions_changed(&state, auth.user.id);
        Ok(NoContent::Done)
    }

    /// Change the password; every other device is signed out.
    #[oai(
        path = "/password",
        method = "post",
        operation_id = "auth_password_change"
    )]
    async fn password(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<PasswordChangeRequest>,
    ) -> Result<NoContent, AppError> {
        auth::auth_password_change(
            &state.db,
            &state.auth,
            &auth.user,
            auth.session.id,
            &body.current_password,
            &body.new_password,
        )
        .await?;
        actions::sessions_changed(&state, auth.user.id);
        Ok(NoContent::Done)
    }

    /// Ask for a password-reset link by e-mail. The answer is the same whether or not the
    /// address belongs to an account (only a verified address gets the link). Limited per
    /// address and per client address (`mail.resets_per_window`), then 429 with
    /// `Retry-After`. `mail.disabled` when the server sends no mail.
    #[oai(
        path = "/password-reset",
        method = "post",
        operation_id = "auth_password_reset"
    )]
    async fn password_reset(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<PasswordResetRequest>,
    ) -> Result<Accepted, AppError> {
        mailing::password_reset_request(&state, &body.email, device(req).ip).await?;
        Ok(Accepted::Queued)
    }

    /// Set a new password with the token of a reset link. The link works once, until it
    /// expires (`mail.reset_ttl_secs`); every session of the account ends.
    #[oai(
        path = "/password-reset/confirm",
        method = "post",
        operation_id = "auth_password_reset_confirm"
    )]
    async fn password_reset_confirm(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<PasswordResetConfirm>,
    ) -> Result<NoContent, AppError> {
        mailing::password_reset_confirm(&state, &body.token, &body.new_password, device(req).ip)
            .await?;
        Ok(NoContent::Done)
    }
}
