//! The documented HTTP API (poem-openapi). Handlers stay thin: extract, authorize, call
//! one domain function, map to a wire type.

pub mod admin;
pub mod auth;
pub mod health;
pub mod meta;
pub mod security;
pub mod users;

use poem_openapi::{OpenApiService, Tags};

/// Groups of operations in the spec, in the order Swagger UI shows them.
#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness probes for orchestrators and load balancers.
    Health,
    /// Facts about this server.
    Meta,
    /// Registration, login, sessions and passwords.
    Auth,
    /// Profiles, avatars and blocks.
    Users,
    /// Moderation and administration.
    Admin,
}

/// The combined API; the spec's paths are absolute (`/healthz`, `/api/v1/...`).
pub type Api = (
    health::HealthApi,
    meta::MetaApi,
    auth::AuthApi,
    users::UsersApi,
    admin::AdminApi,
);

/// Builds the OpenAPI service.
pub fn service() -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (
            health::HealthApi,
            meta::MetaApi,
            auth::AuthApi,
            users::UsersApi,
            admin::AdminApi,
        ),
        "Anjoman API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "REST API of Anjoman, a self-hosted community chat. Errors are \
         `application/problem+json` with a stable `code`; `detail` follows `Accept-Language` \
         (en-US, fa-IR).",
    )
    .server("/")
}
