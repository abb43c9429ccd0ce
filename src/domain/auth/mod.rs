//! Registration, login and password change.

pub mod invites;
pub mod sessions;

use std::{net::IpAddr, time::Duration};

use chrono::Utc;
use entity::{instance_state, users};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use tokio::sync::OnceCell;

use self::sessions::{SessionPolicy, is_banned};
use crate::{
    config::{AuthSettings, Registration},
    domain::{
        audit,
        users::{
            Role, new_user,
            profile::{DisplayName, parse_locale},
            user_find_by_name,
            username::Username,
        },
    },
    error::{AppError, AppResult, ErrorCode},
    infra::{
        login_limiter::LoginLimiter,
        password::{self, PasswordHasher},
        tokens::{Claims, TokenKeys},
    },
};

/// The `instance_state` row whose insertion makes a registrant the first admin; its primary
/// key guarantees only one ever does, even when two people register at the same moment.
const FIRST_ADMIN_CLAIM: &str = "claim.first_admin";

/// Everything authentication needs besides the database.
pub struct AuthService {
    pub hasher: PasswordHasher,
    pub tokens: TokenKeys,
    pub policy: SessionPolicy,
    /// Signs the pages' form tokens; derived from the same secret as the access tokens.
    pub csrf: crate::infra::csrf::Csrf,
    registration: Registration,
    limiter: LoginLimiter,
    /// A real hash of a random password, verified against when the username is unknown so
    /// that both failures take the same time.
    dummy_hash: OnceCell<String>,
}

/// Where an authentication request comes from.
#[derive(Debug, Clone)]
pub struct Device {
    pub user_agent: String,
    pub ip: Option<IpAddr>,
}

/// A new account's details.
pub struct Registrant<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub display_name: Option<&'a str>,
    pub invite_code: Option<&'a str>,
    pub locale: Option<&'a str>,
}

/// A fresh session and the token that names it.
pub struct SignedIn {
    pub user: users::Model,
    pub session: entity::sessions::Model,
    pub token: String,
}

impl AuthService {
    /// `shared`: count failed logins in Redis, over every node.
    pub fn new(
        settings: &AuthSettings,
        jwt_key: &[u8],
        shared: Option<std::sync::Arc<crate::cluster::Shared>>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            hasher: PasswordHasher::new(&settings.argon2)?,
            tokens: TokenKeys::new(jwt_key),
            csrf: crate::infra::csrf::Csrf::new(jwt_key),
            policy: SessionPolicy {
                idle: chrono::Duration::days(i64::from(settings.session_idle_days)),
                max_age: chrono::Duration::days(i64::from(settings.session_max_age_days)),
            },
            registration: settings.registration,
            limiter: LoginLimiter::new(
                settings.login_max_failures,
                Duration::from_secs(settings.login_failure_window_secs),
                shared,
            ),
            dummy_hash: OnceCell::new(),
        })
    }

    fn sign(&self, user: users::Model, session: entity::sessions::Model) -> AppResult<SignedIn> {
        let claims = Claims {
            sub: user.id,
            sid: session.id,
            iat: session.created_at.timestamp(),
            exp: (session.created_at + self.policy.max_age).timestamp(),
        };
        let token = self.tokens.sign(&claims)?;
        Ok(SignedIn {
            user,
            session,
            token,
        })
    }

    /// Seconds a token keeps working without use.
    pub fn idle_secs(&self) -> i64 {
        self.policy.idle.num_seconds()
    }

    /// The user and session behind a bearer token, or `Unauthorized`.
    pub async fn authenticate(
        &self,
        db: &impl ConnectionTrait,
        token: &str,
    ) -> AppResult<(users::Model, entity::sessions::Model)> {
        let claims = self.tokens.verify(token).ok_or(AppError::Unauthorized)?;
        sessions::session_authenticate(db, &self.policy, &claims).await
    }

    /// The user and session of an open socket as they are now, or `Unauthorized` once the
    /// session is revoked or expired or the user banned.
    pub async fn session_current(
        &self,
        db: &impl ConnectionTrait,
        session_id: uuid::Uuid,
        user_id: uuid::Uuid,
    ) -> AppResult<(users::Model, entity::sessions::Model)> {
        sessions::session_current(db, &self.policy, session_id, user_id).await
    }

    async fn dummy_hash(&self) -> AppResult<&str> {
        let hash = self
            .dummy_hash
            .get_or_try_init(|| async {
                let mut random = [0u8; 24];
                getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("randomness: {e}"))?;
                self.hasher.hash(format!("{random:?}")).await
            })
            .await?;
        Ok(hash)
    }
}

/// A registrant whose details pass every rule that needs no database: what is left to
/// find out (a free username, a valid invite) costs a password hash.
pub struct CheckedRegistrant<'a> {
    username: Username,
    password: &'a str,
    display_name: DisplayName,
    invite_code: Option<&'a str>,
    locale: Option<String>,
}

/// Checks a registrant's details and that registration is open to them.
pub fn registration_check<'a>(
    auth: &AuthService,
    registrant: Registrant<'a>,
) -> AppResult<CheckedRegistrant<'a>> {
    let username = Username::parse(registrant.username)?;
    password::check_policy(registrant.password, &username)?;
    let display_name = registrant
        .display_name
        .map(DisplayName::parse)
        .transpose()?
        .unwrap_or_else(|| DisplayName::from_username(&username));
    let locale = registrant.locale.map(parse_locale).transpose()?;
    match (auth.registration, registrant.invite_code) {
        (Registration::Closed, _) => {
            return Err(AppError::Forbidden(ErrorCode::AuthRegistrationClosed));
        }
        (Registration::Invite, None) => {
            return Err(AppError::Forbidden(ErrorCode::AuthInviteInvalid));
        }
        _ => {}
    }
    Ok(CheckedRegistrant {
        username,
        password: registrant.password,
        display_name,
        invite_code: registrant.invite_code,
        locale,
    })
}

/// Creates an account and signs it in. The very first account becomes admin.
pub async fn auth_register<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    auth: &AuthService,
    registrant: CheckedRegistrant<'_>,
    device: &Device,
) -> AppResult<SignedIn> {
    let CheckedRegistrant {
        username,
        password,
        display_name,
        invite_code,
        locale,
    } = registrant;
    // Hash before the transaction: it is the slow part and holds no lock.
    let password_hash = auth.hasher.hash(password.to_owned()).await?;

    let txn = db.begin().await?;
    if auth.registration == Registration::Invite {
        let code = invite_code.unwrap_or_default();
        invite_consume(&txn, code).await?;
    }
    let mut model = new_user(
        &username,
        display_name.as_str(),
        password_hash,
        Role::Member,
    );
    model.locale = Set(locale);
    let mut user = users::Entity::insert(model)
        .exec_with_returning(&txn)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Conflict(_) => AppError::Conflict(ErrorCode::UsernameTaken),
            other => other,
        })?;
    if users::Entity::find().count(&txn).await? == 1 && claim_first_admin(&txn, user.id).await? {
        let mut active: users::ActiveModel = user.into();
        active.role = Set(Role::Admin.as_str().to_owned());
        user = active.update(&txn).await?;
    }
    let session =
        sessions::session_create(&txn, &auth.policy, user.id, &device.user_agent, device.ip)
            .await?;
    txn.commit().await?;
    tracing::info!(user.id = %user.id, user.role = %user.role, "account registered");
    auth.sign(user, session)
}

async fn claim_first_admin(db: &impl ConnectionTrait, user_id: uuid::Uuid) -> AppResult<bool> {
    let inserted = instance_state::Entity::insert(instance_state::ActiveModel {
        name: Set(FIRST_ADMIN_CLAIM.to_owned()),
        value: Set(user_id.to_string()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(instance_state::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// Uses one registration of an invite code, atomically (two registrants cannot both take
/// the last use).
async fn invite_consume(db: &impl ConnectionTrait, code: &str) -> AppResult<()> {
    let now = Utc::now();
    let result = entity::invites::Entity::update_many()
        .col_expr(
            entity::invites::Column::Uses,
            Expr::col(entity::invites::Column::Uses).add(1),
        )
        .filter(entity::invites::Column::Code.eq(code.trim()))
        .filter(
            Expr::col(entity::invites::Column::Uses)
                .lt(Expr::col(entity::invites::Column::MaxUses)),
        )
        .filter(
            entity::invites::Column::ExpiresAt
                .is_null()
                .or(entity::invites::Column::ExpiresAt.gt(now)),
        )
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(AppError::Forbidden(ErrorCode::AuthInviteInvalid))
    }
}

/// Checks a username and password and opens a session.
///
/// Failures are counted per IP and per account; once either has spent its budget the
/// attempt is refused with `rate_limited` before the password is looked at. An unknown
/// username and a wrong password give the same error after the same amount of work.
pub async fn auth_login(
    db: &impl ConnectionTrait,
    auth: &AuthService,
    username: &str,
    password: &str,
    device: &Device,
) -> AppResult<SignedIn> {
    let parsed = Username::parse(username).ok();
    let account_key = format!(
        "user:{}",
        parsed
            .as_ref()
            .map_or_else(|| username.trim().to_lowercase(), |u| u.key().to_owned())
    );
    let ip_key = device.ip.map(|ip| format!("ip:{ip}"));
    let mut wait = auth.limiter.retry_after(&account_key).await;
    if let Some(ip_key) = &ip_key {
        wait = wait.max(auth.limiter.retry_after(ip_key).await);
    }
    if let Some(wait) = wait {
        return Err(AppError::rate_limited(wait));
    }

    let user = match &parsed {
        Some(name) => user_find_by_name(db, name).await?,
        None => None,
    };
    let hash = match &user {
        Some(user) => user.password_hash.clone(),
        None => auth.dummy_hash().await?.to_owned(),
    };
    let matches = auth.hasher.verify(password.to_owned(), hash).await?;
    let Some(user) = user.filter(|_| matches) else {
        let account_burst = auth.limiter.record_failure(&account_key).await;
        let ip_burst = match &ip_key {
            Some(ip_key) => auth.limiter.record_failure(ip_key).await,
            None => false,
        };
        tracing::info!(client.ip = ?device.ip, "login failed");
        if account_burst || ip_burst {
            let target = if account_burst {
                ("user", account_key.trim_start_matches("user:").to_owned())
            } else {
                ("ip", device.ip.map(|ip| ip.to_string()).unwrap_or_default())
            };
            audit::audit_record(
                db,
                audit::Actor {
                    user: None,
                    ip: device.ip,
                },
                audit::Entry {
                    action: "security.login_burst",
                    target: Some(target),
                    reason: "",
                    data: serde_json::json!({ "failures": auth.limiter.max_failures() }),
                },
            )
            .await?;
        }
        return Err(AppError::InvalidCredentials);
    };
    auth.limiter.clear(&account_key).await;
    // Only someone who knows the password learns about the ban.
    if is_banned(&user, Utc::now()) {
        return Err(AppError::Banned {
            until: user.banned_until,
            reason: user.ban_reason.clone().unwrap_or_default(),
        });
    }
    let session =
        sessions::session_create(db, &auth.policy, user.id, &device.user_agent, device.ip).await?;
    tracing::info!(user.id = %user.id, session.id = %session.id, "logged in");
    auth.sign(user, session)
}

/// Changes the password after checking the current one, and signs out every other device.
pub async fn auth_password_change(
    db: &impl ConnectionTrait,
    auth: &AuthService,
    user: &users::Model,
    current_session: uuid::Uuid,
    current_password: &str,
    new_password: &str,
) -> AppResult<()> {
    let account_key = format!("user:{}", user.username_key);
    if let Some(wait) = auth.limiter.retry_after(&account_key).await {
        return Err(AppError::rate_limited(wait));
    }
    if !auth
        .hasher
        .verify(current_password.to_owned(), user.password_hash.clone())
        .await?
    {
        let _ = auth.limiter.record_failure(&account_key).await;
        return Err(AppError::Invalid {
            code: ErrorCode::PasswordCurrentWrong,
            args: vec![],
        });
    }
    let username = Username::parse(&user.username)?;
    password::check_policy(new_password, &username)?;
    let hash = auth.hasher.hash(new_password.to_owned()).await?;
    let mut active: users::ActiveModel = user.clone().into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    let revoked = sessions::sessions_revoke_all(db, user.id, Some(current_session)).await?;
    tracing::info!(user.id = %user.id, sessions.revoked = revoked, "password changed");
    Ok(())
}

/// Sets a new password for someone who proved they own the account's mail (a reset link),
/// and signs out every device: whoever knew the old password is out. Returns how many
/// sessions ended.
pub async fn auth_password_reset(
    db: &impl ConnectionTrait,
    auth: &AuthService,
    user: &users::Model,
    new_password: &str,
) -> AppResult<u64> {
    let hash = auth.hasher.hash(new_password.to_owned()).await?;
    let mut active: users::ActiveModel = user.clone().into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    auth.limiter
        .clear(&format!("user:{}", user.username_key))
        .await;
    let revoked = sessions::sessions_revoke_all(db, user.id, None).await?;
    tracing::info!(user.id = %user.id, sessions.revoked = revoked, "password reset");
    Ok(revoked)
}

/// Checks a new password against the rules for the user's name.
pub fn password_check(user: &users::Model, new_password: &str) -> AppResult<()> {
    let username = Username::parse(&user.username)?;
    password::check_policy(new_password, &username)
}
