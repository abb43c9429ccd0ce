//! Middleware every route inherits, outermost first:
//! [`RequestContext`] (request id, language, span, metrics, security headers) →
//! [`Cors`] → [`Compression`] (brotli/gzip of text) → [`ErrorRenderer`] (problem+json or HTML, panics → 500) → [`BodyLimit`].
//! Beneath them, [`server`] accepts connections, caps them and closes the slow ones.

pub mod auth;
pub mod body_limit;
pub mod body_rate;
pub mod client_ip;
pub mod compression;
pub mod conditional;
pub mod connection_caps;
pub mod connection_deadlines;
pub mod connection_io;
pub mod cookies;
pub mod cors;
pub mod error_response;
pub mod lang;
pub mod log_throttle;
pub mod methods;
pub mod nodelay;
pub mod origin;
pub mod problem;
pub mod request_context;
pub mod request_id;
pub mod security_headers;
pub mod server;

pub use body_limit::BodyLimit;
pub use compression::Compression;
pub use cors::Cors;
pub use problem::ErrorRenderer;
pub use request_context::RequestContext;
pub use request_id::RequestId;
