//! What answers that serve stored bytes (shared files, custom emoji pictures) have in
//! common: the 304 of a conditional request, in the spec and on the wire, and the headers
//! that keep the bytes inert in a browser.

use poem::{
    Response,
    http::{HeaderMap, HeaderValue, StatusCode, header},
};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaSchema, MetaSchemaRef};

/// The spec's 304 answer.
pub fn not_modified_meta() -> MetaResponse {
    MetaResponse {
        description: "Unchanged since the `If-None-Match` / `If-Modified-Since` given.",
        status: Some(304),
        status_range: None,
        content: vec![],
        headers: vec![],
    }
}

/// Binary content of `content_type`, for the spec.
pub fn binary_content(content_type: &'static str) -> Vec<MetaMediaType> {
    vec![MetaMediaType {
        content_type,
        schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "binary"))),
    }]
}

/// A 304 (its validators and caching are added by the caller).
pub fn not_modified() -> Response {
    Response::builder()
        .status(StatusCode::NOT_MODIFIED)
        .finish()
}

/// Even if a browser is tricked into rendering the bytes as a page, it runs nothing, and
/// other sites cannot embed them.
pub fn inert(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox; frame-ancestors 'none'"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
}
