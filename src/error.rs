//! The one error type of the HTTP layer and its `application/problem+json` rendering.
//!
//! Every variant has a stable `code` (what clients switch on) that doubles as the Fluent
//! id `error-<code>` with dots as dashes; the message value is the localized `detail`
//! and its `.title` attribute the localized `title`.
//!
//! Nothing here knows poem, so the domain can answer with these errors: how an `AppError`
//! becomes a poem response and an OpenAPI schema lives in `http::error_response`.

use fluent::FluentArgs;
use serde::Serialize;
use unic_langid::LanguageIdentifier;

use crate::{faults::Fault, i18n::I18n};

/// Result alias for handlers and services.
pub type AppResult<T> = Result<T, AppError>;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (malformed JSON, missing or mistyped field).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 422: a value was read but breaks a rule; `code` names the rule (`username.too_short`).
    #[error("invalid input: {code}")]
    Invalid {
        code: &'static str,
        args: Vec<(&'static str, String)>,
    },
    /// 401: no valid credentials (missing, malformed, expired or revoked token).
    #[error("unauthorized")]
    Unauthorized,
    /// 401: login failed; the same for an unknown user and a wrong password.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 403: the account is banned; the problem's `data` carries `until` and `reason`.
    #[error("banned")]
    Banned {
        until: Option<chrono::DateTime<chrono::Utc>>,
        reason: String,
    },
    /// 403: signed in, but not allowed to do this; `code` says why.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 403: not allowed for now, with details (`room.muted` until when).
    #[error("denied: {code}")]
    Denied {
        code: &'static str,
        args: Vec<(&'static str, String)>,
    },
    /// 403: the origin of a browser request is not on the allow-list.
    #[error("origin not allowed")]
    OriginNotAllowed,
    /// 404: no such route.
    #[error("not found")]
    NotFound,
    /// 404: no such resource; `code` names the kind (`user.not_found`).
    #[error("missing: {0}")]
    Missing(&'static str),
    /// 405: the route exists with other methods.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 405 with the methods the path does support (`Allow`).
    #[error("method not allowed (allowed: {allow})")]
    MethodNotAllowedAllow { allow: String },
    /// 409: a unique value is already taken; `code` says which (`username.taken`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// 413: the request body is larger than the configured limit.
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge { limit: u64 },
    /// 413: a size rule was broken; `code` says which (`file.too_large`, `file.quota_exceeded`).
    #[error("too large: {code}")]
    TooLarge {
        code: &'static str,
        args: Vec<(&'static str, String)>,
    },
    /// 412: an `If-Match` / `If-Unmodified-Since` condition failed.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 416: the `Range` asked for lies outside the file of `size` bytes.
    #[error("range not satisfiable")]
    RangeNotSatisfiable { size: u64 },
    /// 415: the body is not in a format this route reads; `code` says which rule.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(&'static str),
    /// 429: too many attempts; retry after the given number of seconds (`Retry-After`).
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// 503 `service.unavailable` (the database does not answer, the password queue is
    /// full) or 507 `storage.full`: not the client's doing, worth retrying later. Made by
    /// [`AppError::fault`], which counts it.
    #[error("{fault}: {cause}")]
    Fault { fault: Fault, cause: String },
    /// 500: anything unexpected. The cause is logged; clients see an opaque message.
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// Seconds a client is asked to wait after a 503 (`Retry-After`, `data.retry_after`).
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Faults are told apart from bugs wherever an error becomes an `AppError`, so every `?`
/// on a database or store call answers 503/507 rather than 500 when that is what it was.
impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        match Fault::of(&err) {
            Some(fault) => Self::fault(fault, format!("{err:#}")),
            None => Self::Internal(err),
        }
    }
}

impl AppError {
    /// Every code a response can carry, with its status: the error catalogue published in
    /// the OpenAPI description. A test checks each has a message in every locale.
    pub const CODES: &'static [(&'static str, u16)] = &[
        ("bad_request", 400),
        ("auth.invalid_credentials", 401),
        ("unauthorized", 401),
        ("auth.banned", 403),
        ("auth.invite_invalid", 403),
        ("auth.registration_closed", 403),
        ("ban.outranked", 403),
        ("ban.self", 403),
        ("cors.origin_not_allowed", 403),
        ("forbidden", 403),
        ("not_found", 404),
        ("session.not_found", 404),
        ("user.not_found", 404),
        ("method_not_allowed", 405),
        ("conflict", 409),
        ("username.taken", 409),
        ("payload_too_large", 413),
        ("avatar.type_not_allowed", 415),
        ("unsupported_media_type", 415),
        ("avatar.invalid_image", 422),
        ("body.field_missing", 422),
        ("body.null_not_allowed", 422),
        ("body.wrong_type", 422),
        ("text.nul_character", 422),
        ("block.self", 422),
        ("password.current_wrong", 422),
        ("password.equals_username", 422),
        ("password.too_long", 422),
        ("password.too_short", 422),
        ("profile.bio_too_long", 422),
        ("profile.display_name_invalid", 422),
        ("profile.email_invalid", 422),
        ("profile.locale_unsupported", 422),
        ("profile.theme_unknown", 422),
        ("profile.timezone_invalid", 422),
        ("search.query_invalid", 422),
        ("search.cursor_invalid", 422),
        ("username.invalid_char", 422),
        ("username.too_long", 422),
        ("username.too_short", 422),
        ("rate_limited", 429),
        ("internal", 500),
        ("service.unavailable", 503),
        ("storage.full", 507),
        ("avatar.too_large", 422),
        ("room.not_found", 404),
        ("message.not_found", 404),
        ("room.invite_invalid", 404),
        ("room.not_member", 403),
        ("room.invite_required", 403),
        ("message.not_author", 403),
        ("dm.blocked", 403),
        ("room.name_invalid", 422),
        ("room.topic_too_long", 422),
        ("message.body_empty", 422),
        ("message.too_long", 422),
        ("message.reply_invalid", 422),
        ("reaction.invalid", 422),
        ("dm.self", 422),
        ("poll.not_found", 404),
        ("poll.closed", 409),
        ("poll.question_invalid", 422),
        ("poll.options_count", 422),
        ("poll.option_text_invalid", 422),
        ("poll.options_duplicate", 422),
        ("poll.max_choices_invalid", 422),
        ("poll.closes_at_past", 422),
        ("poll.no_choice", 422),
        ("poll.too_many_choices", 422),
        ("poll.option_invalid", 422),
        ("message.not_editable", 422),
        ("file.not_found", 404),
        ("file.no_thumbnail", 404),
        ("precondition_failed", 412),
        ("file.already_sent", 409),
        ("role.last_admin", 409),
        ("room.locked", 403),
        ("room.muted", 403),
        ("moderation.self", 403),
        ("moderation.outranked", 403),
        ("room.member_not_found", 404),
        ("moderation.duration_invalid", 422),
        ("report.not_found", 404),
        ("report.duplicate", 409),
        ("report.closed", 409),
        ("report.reason_invalid", 422),
        ("report.note_invalid", 422),
        ("report.own_message", 422),
        ("report.action_invalid", 422),
        ("room.retention_invalid", 422),
        ("file.too_large", 413),
        ("file.quota_exceeded", 413),
        ("file.executable", 415),
        ("file.active_content", 415),
        ("range_not_satisfiable", 416),
        ("file.type_not_allowed", 422),
        ("file.type_mismatch", 422),
        ("file.empty", 422),
        ("file.missing", 422),
        ("file.attachment_invalid", 422),
        ("message.too_many_attachments", 422),
    ];

    /// A fault, counted in `anjoman_faults_total{kind}`; `cause` goes to the log only.
    pub fn fault(fault: Fault, cause: impl Into<String>) -> Self {
        crate::metrics::record_fault(fault.kind());
        Self::Fault {
            fault,
            cause: cause.into(),
        }
    }

    /// The fault behind an `Internal` error that was made without passing through `From`
    /// (a cause wrapped by hand), so it is still answered for what it is.
    pub fn fault_behind(&self) -> Option<Self> {
        match self {
            Self::Internal(cause) => {
                Fault::of(cause).map(|fault| Self::fault(fault, format!("{cause:#}")))
            }
            _ => None,
        }
    }

    /// Whether this is a 503 a client should retry after [`UNAVAILABLE_RETRY_AFTER_SECS`].
    fn is_unavailable(&self) -> bool {
        self.status_code() == 503
    }

    /// `rate_limited` after waiting `wait` (rounded up to whole seconds, at least one).
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        Self::RateLimited {
            retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    /// The HTTP status, as each variant's doc comment states it.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Invalid { .. } => 422,
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Banned { .. }
            | Self::Forbidden(_)
            | Self::Denied { .. }
            | Self::OriginNotAllowed => 403,
            Self::NotFound | Self::Missing(_) => 404,
            Self::MethodNotAllowed | Self::MethodNotAllowedAllow { .. } => 405,
            Self::Conflict(_) => 409,
            Self::PayloadTooLarge { .. } | Self::TooLarge { .. } => 413,
            Self::PreconditionFailed => 412,
            Self::RangeNotSatisfiable { .. } => 416,
            Self::UnsupportedMediaType(_) => 415,
            Self::RateLimited { .. } => 429,
            Self::Fault {
                fault: Fault::StorageFull,
                ..
            } => 507,
            Self::Fault { .. } => 503,
            Self::Internal(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Invalid { code, .. }
            | Self::TooLarge { code, .. }
            | Self::Denied { code, .. }
            | Self::Conflict(code)
            | Self::Forbidden(code)
            | Self::Missing(code)
            | Self::UnsupportedMediaType(code) => code,
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "auth.invalid_credentials",
            Self::Banned { .. } => "auth.banned",
            Self::OriginNotAllowed => "cors.origin_not_allowed",
            Self::NotFound => "not_found",
            Self::RateLimited { .. } => "rate_limited",
            Self::MethodNotAllowed | Self::MethodNotAllowedAllow { .. } => "method_not_allowed",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::PreconditionFailed => "precondition_failed",
            Self::RangeNotSatisfiable { .. } => "range_not_satisfiable",
            Self::Fault {
                fault: Fault::StorageFull,
                ..
            } => "storage.full",
            Self::Fault { .. } => "service.unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// Variables the localized message may use.
    fn fluent_args(&self) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        match self {
            Self::BadRequest(reason) => args.set("reason", reason.clone()),
            Self::Invalid { args: extra, .. }
            | Self::TooLarge { args: extra, .. }
            | Self::Denied { args: extra, .. } => {
                for (name, value) in extra {
                    args.set(*name, value.clone());
                }
            }
            Self::PayloadTooLarge { limit } => args.set("limit", *limit),
            Self::RateLimited { retry_after_secs } => args.set("seconds", *retry_after_secs),
            Self::Banned { until, reason } => {
                args.set("reason", reason.clone());
                args.set(
                    "until",
                    until.map_or_else(
                        || "-".to_owned(),
                        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
                    ),
                );
                args.set("permanent", if until.is_some() { "no" } else { "yes" });
            }
            _ => {}
        }
        args
    }

    /// The problem document in `lang`.
    pub fn to_problem(&self, i18n: &I18n, lang: &LanguageIdentifier) -> Problem {
        let id = fluent_id(self.code());
        let args = self.fluent_args();
        Problem {
            r#type: format!("urn:anjoman:error:{}", self.code()),
            title: i18n.message(lang, &id, Some("title"), Some(&args)),
            status: self.status_code(),
            detail: i18n.message(lang, &id, None, Some(&args)),
            code: self.code().to_owned(),
            data: self.data(),
        }
    }

    /// Machine-readable details for codes that have them.
    fn data(&self) -> Option<serde_json::Value> {
        match self {
            Self::Banned { until, reason } => {
                Some(serde_json::json!({ "until": until, "reason": reason }))
            }
            Self::RateLimited { retry_after_secs } => {
                Some(serde_json::json!({ "retry_after": retry_after_secs }))
            }
            // The request-shape codes (`body.wrong_type`, `text.nul_character`, …) say
            // which field.
            Self::Invalid { args, .. } => args
                .iter()
                .find(|(name, _)| *name == "field")
                .map(|(_, field)| serde_json::json!({ "field": field })),
            _ if self.is_unavailable() => {
                Some(serde_json::json!({ "retry_after": UNAVAILABLE_RETRY_AFTER_SECS }))
            }
            _ => None,
        }
    }

    /// Response headers this error adds.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::RateLimited { retry_after_secs } => {
                vec![("retry-after", retry_after_secs.to_string())]
            }
            Self::Unauthorized | Self::InvalidCredentials => {
                vec![("www-authenticate", "Bearer".to_owned())]
            }
            Self::RangeNotSatisfiable { size } => {
                vec![("content-range", format!("bytes */{size}"))]
            }
            Self::MethodNotAllowedAllow { allow } => vec![("allow", allow.clone())],
            _ if self.is_unavailable() => {
                vec![("retry-after", UNAVAILABLE_RETRY_AFTER_SECS.to_string())]
            }
            _ => vec![],
        }
    }
}

/// `username.taken` → `error-username-taken`.
pub fn fluent_id(code: &str) -> String {
    format!("error-{}", code.replace('.', "-"))
}

/// RFC 9457 problem details, as every error response body. Its OpenAPI schema is
/// `http::error_response::ProblemDoc`, which a test there keeps field for field the same.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:anjoman:error:<code>`.
    pub r#type: String,
    /// Short localized summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Localized explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable code, e.g. `auth.invalid_credentials`.
    pub code: String,
    /// Machine-readable details for some codes: `auth.banned` → `{until, reason}`,
    /// `rate_limited` and `service.unavailable` → `{retry_after}`, `body.*` and
    /// `text.nul_character` → `{field}` (dotted, `options.1`; empty for the whole body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Self::Conflict("conflict"),
            _ => match Fault::of_db(&err) {
                Some(fault) => Self::fault(fault, err.to_string()),
                None => Self::Internal(err.into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unic_langid::langid;

    #[test]
    fn every_code_has_a_title_and_detail_in_every_locale() -> Result<(), crate::i18n::I18nError> {
        let i18n = I18n::load()?;
        for lang in [langid!("en-US"), langid!("fa-IR")] {
            for (code, _) in AppError::CODES {
                let id = fluent_id(code);
                assert!(i18n.has(&lang, &id, None), "{lang}: {id} has no message");
                assert!(
                    i18n.has(&lang, &id, Some("title")),
                    "{lang}: {id} has no .title"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn variants_report_their_documented_status() {
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::PayloadTooLarge { limit: 1 }.status_code(), 413);
        assert_eq!(
            AppError::Conflict("username.taken").code(),
            "username.taken"
        );
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() -> Result<(), crate::i18n::I18nError> {
        let i18n = I18n::load()?;
        let internal = AppError::Internal(anyhow::anyhow!("secret detail"));
        let problem = internal.to_problem(&i18n, &langid!("en-US"));
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("secret detail"));
        assert!(!problem.title.contains("secret detail"));
        Ok(())
    }
}
