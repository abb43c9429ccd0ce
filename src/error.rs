//! The one error type of the HTTP layer and its `application/problem+json` rendering.
//!
//! Every variant has a stable [`ErrorCode`] (what clients switch on), which also gives its
//! HTTP status and its Fluent id; the message value is the localized `detail` and its
//! `.title` attribute the localized `title`.
//!
//! Nothing here knows poem, so the domain can answer with these errors: how an `AppError`
//! becomes a poem response and an OpenAPI schema lives in `http::error_response`.

use fluent::FluentArgs;
use serde::Serialize;
use unic_langid::LanguageIdentifier;

use crate::{faults::Fault, i18n::I18n};

mod code;

pub use code::ErrorCode;

/// Result alias for handlers and services.
pub type AppResult<T> = Result<T, AppError>;

/// Everything a request can fail with. The status each doc comment names is that of the
/// codes the variant is raised with: [`ErrorCode::status`] is where it is kept.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (malformed JSON, missing or mistyped field).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 422: a value was read but breaks a rule; `code` names the rule (`username.too_short`).
    #[error("invalid input: {code}")]
    Invalid {
        code: ErrorCode,
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
    Forbidden(ErrorCode),
    /// 403: not allowed for now, with details (`room.muted` until when).
    #[error("denied: {code}")]
    Denied {
        code: ErrorCode,
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
    Missing(ErrorCode),
    /// 405: the route exists with other methods.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 405 with the methods the path does support (`Allow`).
    #[error("method not allowed (allowed: {allow})")]
    MethodNotAllowedAllow { allow: String },
    /// 409: a unique value is already taken; `code` says which (`username.taken`).
    #[error("conflict: {0}")]
    Conflict(ErrorCode),
    /// 413: the request body is larger than the configured limit.
    #[error("payload too large (limit {limit} bytes)")]
    PayloadTooLarge { limit: u64 },
    /// 413: a size rule was broken; `code` says which (`file.too_large`, `file.quota_exceeded`).
    #[error("too large: {code}")]
    TooLarge {
        code: ErrorCode,
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
    UnsupportedMediaType(ErrorCode),
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

    /// The HTTP status: its code's ([`ErrorCode::status`]).
    pub fn status_code(&self) -> u16 {
        self.error_code().status()
    }

    /// The code on the wire (`username.taken`).
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The code: what clients switch on, and what gives the status and the message.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Invalid { code, .. }
            | Self::TooLarge { code, .. }
            | Self::Denied { code, .. }
            | Self::Conflict(code)
            | Self::Forbidden(code)
            | Self::Missing(code)
            | Self::UnsupportedMediaType(code) => *code,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::InvalidCredentials => ErrorCode::AuthInvalidCredentials,
            Self::Banned { .. } => ErrorCode::AuthBanned,
            Self::OriginNotAllowed => ErrorCode::CorsOriginNotAllowed,
            Self::NotFound => ErrorCode::NotFound,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::MethodNotAllowed | Self::MethodNotAllowedAllow { .. } => {
                ErrorCode::MethodNotAllowed
            }
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::PreconditionFailed => ErrorCode::PreconditionFailed,
            Self::RangeNotSatisfiable { .. } => ErrorCode::RangeNotSatisfiable,
            Self::Fault {
                fault: Fault::StorageFull,
                ..
            } => ErrorCode::StorageFull,
            Self::Fault { .. } => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Variables the localized message may use, numbers written in `lang`'s digits.
    fn fluent_args(&self, lang: &LanguageIdentifier) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        match self {
            Self::BadRequest(reason) => args.set("reason", reason.clone()),
            Self::Invalid { args: extra, .. }
            | Self::TooLarge { args: extra, .. }
            | Self::Denied { args: extra, .. } => {
                for (name, value) in extra {
                    // A limit like `max` reads "۴۰۰۰" on a Persian page; other text as given.
                    let numeric = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                    let value = if numeric {
                        crate::i18n::localize_digits(lang, value)
                    } else {
                        value.clone()
                    };
                    args.set(*name, value);
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
        let code = self.error_code();
        let id = code.fluent_id();
        let args = self.fluent_args(lang);
        Problem {
            r#type: format!("urn:anjoman:error:{code}"),
            title: i18n.message(lang, id, Some("title"), Some(&args)),
            status: code.status(),
            detail: i18n.message(lang, id, None, Some(&args)),
            code: code.as_str().to_owned(),
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
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict(ErrorCode::Conflict)
            }
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
    fn every_code_has_a_message_in_every_locale_and_every_problem_a_title()
    -> Result<(), crate::i18n::I18nError> {
        let i18n = I18n::load()?;
        for lang in [langid!("en-US"), langid!("fa-IR")] {
            for code in ErrorCode::ALL {
                let id = code.fluent_id();
                assert!(i18n.has(&lang, id, None), "{lang}: {id} has no message");
            }
            // Only a problem has a title; a socket frame carries the message alone.
            for code in ErrorCode::PROBLEMS {
                let id = code.fluent_id();
                assert!(
                    i18n.has(&lang, id, Some("title")),
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
            AppError::Conflict(ErrorCode::UsernameTaken).code(),
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
