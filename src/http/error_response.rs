//! How an [`AppError`] meets poem: its status for poem's error type, the problem responses it
//! documents in the OpenAPI description, and poem's own errors mapped back onto it. Kept out
//! of `error.rs` so that the error type, and the domain that uses it, know nothing of poem.

use poem::{error::ResponseError, http::StatusCode};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
};

use crate::error::{AppError, ErrorCode, PROBLEM_JSON};

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Documents the problem responses in the OpenAPI spec. The body itself is rendered by the
/// request middleware, which knows the caller's language.
impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        let content = || {
            vec![MetaMediaType {
                content_type: PROBLEM_JSON,
                schema: ProblemDoc::schema_ref(),
            }]
        };
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "Client error; `code` says which (see the error catalogue).",
                    status: None,
                    status_range: Some("4XX".to_owned()),
                    content: content(),
                    headers: vec![],
                },
                MetaResponse {
                    description: "Server error; details are in the server log under the request id.",
                    status: None,
                    status_range: Some("5XX".to_owned()),
                    content: content(),
                    headers: vec![],
                },
            ],
        }
    }

    fn register(registry: &mut Registry) {
        ProblemDoc::register(registry);
    }
}

/// Maps an error raised by poem or poem-openapi (not by our code) onto a variant, so
/// extractor failures get the same problem shape as everything else.
pub fn from_poem(err: &poem::Error) -> AppError {
    match err.status() {
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge { limit: 0 },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMediaType(ErrorCode::UnsupportedMediaType)
        }
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        status if status.is_client_error() => AppError::BadRequest(err.to_string()),
        _ => AppError::Internal(anyhow::anyhow!("{err}")),
    }
}

// The OpenAPI schema of `crate::error::Problem` (which is what gets serialized), under the
// same component name and with the same doc comments, which are its published description; a
// test below keeps their fields the same.
/// RFC 9457 problem details, as every error response body.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Problem", skip_serializing_if_is_none)]
pub struct ProblemDoc {
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
    #[oai(skip_serializing_if_is_none)]
    pub data: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use unic_langid::langid;

    use super::*;
    use crate::i18n::I18n;

    #[test]
    fn the_documented_problem_has_the_fields_of_the_served_one()
    -> Result<(), crate::i18n::I18nError> {
        let i18n = I18n::load()?;
        let problem = AppError::RateLimited {
            retry_after_secs: 3,
        }
        .to_problem(&i18n, &langid!("en-US"));
        let served = serde_json::to_value(&problem).unwrap_or_default();
        let mut served: Vec<&str> = served
            .as_object()
            .map_or_else(Vec::new, |o| o.keys().map(String::as_str).collect());
        served.sort_unstable();

        let mut registry = Registry::new();
        ProblemDoc::register(&mut registry);
        let schema = registry.schemas.get("Problem");
        let mut documented: Vec<&str> = schema.map_or_else(Vec::new, |s| {
            s.properties.iter().map(|(name, _)| *name).collect()
        });
        documented.sort_unstable();
        assert_eq!(served, documented);
        Ok(())
    }

    #[test]
    fn the_poem_status_is_the_documented_one() {
        assert_eq!(
            ResponseError::status(&AppError::NotFound),
            StatusCode::NOT_FOUND
        );
        let full = AppError::fault(crate::faults::Fault::StorageFull, "disk");
        assert_eq!(
            ResponseError::status(&full),
            StatusCode::INSUFFICIENT_STORAGE
        );
    }
}
