//! The documented HTTP API (poem-openapi). Handlers stay thin: extract, authorize, call
//! one domain function, map to a wire type.

pub mod admin;
pub mod auth;
pub mod drafts;
pub mod dto;
pub mod emoji;
mod examples;
pub mod files;
pub mod forms;
pub mod forwarding;
pub mod health;
pub mod meta;
pub mod moderation;
pub mod notifications;
pub mod pins;
pub mod polls;
pub mod problems;
pub mod push;
pub mod responses;
pub mod rooms;
pub mod search;
pub mod security;
pub mod spec_doc;
pub mod spec_guard;
pub mod stored;
pub mod tags;
pub mod threads;
pub mod users;

pub use tags::ApiTags;

use poem_openapi::OpenApiService;

use crate::{error::ErrorCode, i18n::I18n};

/// The combined API; the spec's paths are absolute (`/healthz`, `/api/v1/...`).
pub type Api = (
    health::HealthApi,
    meta::MetaApi,
    auth::AuthApi,
    users::UsersApi,
    admin::AdminApi,
    rooms::RoomsApi,
    forwarding::ForwardingApi,
    polls::PollsApi,
    pins::PinsApi,
    files::FilesApi,
    emoji::EmojiApi,
    moderation::ModerationApi,
    search::SearchApi,
    notifications::NotificationsApi,
    push::PushApi,
    // poem-openapi implements `OpenApi` for tuples of at most 16: the last ones nest.
    (drafts::DraftsApi, threads::ThreadsApi),
);

/// The error catalogue for the spec's description: every code, its status and meaning.
fn error_catalogue(i18n: &I18n) -> String {
    let mut table =
        String::from("\n\n## Error codes\n\n| code | status | meaning |\n|---|---|---|\n");
    for &code in ErrorCode::PROBLEMS {
        let (status, title) = (code.status(), problems::title(i18n, code));
        table.push_str(&format!("| `{code}` | {status} | {title} |\n"));
    }
    table
}

/// Builds the OpenAPI service.
pub fn service(i18n: &I18n) -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (
            health::HealthApi,
            meta::MetaApi,
            auth::AuthApi,
            users::UsersApi,
            admin::AdminApi,
            rooms::RoomsApi,
            forwarding::ForwardingApi,
            polls::PollsApi,
            pins::PinsApi,
            files::FilesApi,
            emoji::EmojiApi,
            moderation::ModerationApi,
            search::SearchApi,
            notifications::NotificationsApi,
            push::PushApi,
            (drafts::DraftsApi, threads::ThreadsApi),
        ),
        "Anjoman API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(format!(
        "REST API of Anjoman, a self-hosted community chat. Errors are \
         `application/problem+json` with a stable `code`; `title` and `detail` follow \
         `Accept-Language` (en-US, fa-IR). The real-time protocol at `/ws` is described \
         by the AsyncAPI 3 document at [`/api/asyncapi.json`](/api/asyncapi.json).{}",
        error_catalogue(i18n)
    ))
    .server("/")
}
