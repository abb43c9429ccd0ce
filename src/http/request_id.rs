//! The request id on its own, so both the middleware that assigns it and the error renderer
//! that prints it can name it without importing each other.

use std::sync::Arc;

/// The request id, echoed in `X-Request-Id` and attached to every log line of the request.
#[derive(Debug, Clone)]
pub struct RequestId(pub Arc<str>);
