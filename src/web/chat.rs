//! `/`: the chat application for a signed-in user (anyone else is sent to `/login`). The
//! page is a shell; `/static/chat/main.js` builds the UI from the `data-boot` JSON — the
//! user, the language and calendar, the `chat-*` strings and the upload limits — and
//! talks to the REST API and `/ws` with the session cookie.

use poem::{Request, Response, handler, http::StatusCode, web::Data};
use serde_json::json;

use super::{page_context, redirect, render_page, signed_in, strings::client_strings};
use crate::{
    domain::{messages::BODY_MAX, users::account::Account},
    http::lang,
    i18n::is_rtl,
    state::AppState,
};

#[handler]
pub async fn app(state: Data<&AppState>, req: &Request) -> poem::Result<Response> {
    let Some((user, _)) = signed_in(&state, req).await else {
        return Ok(redirect("/login", &[]));
    };
    let (lang, mut context) = page_context(&state, req, Some(&user), "chat-");
    let calendar = context
        .get("calendar")
        .and_then(|v| v.as_str())
        .unwrap_or("gregory")
        .to_owned();
    let boot = json!({
        "me": Account::from(user),
        "lang": lang.to_string(),
        "dir": if is_rtl(&lang) { "rtl" } else { "ltr" },
        "calendar": calendar,
        "strings": client_strings(&state.i18n, &lang, "chat-"),
        "limits": {
            "max_file_bytes": state.settings.uploads.max_file_bytes,
            "allowed_types": state.settings.uploads.allowed_types,
            "message_max_chars": BODY_MAX,
            "report_reason_max_chars": crate::domain::moderation::reports::REASON_MAX,
            "special_mentions_max_members": state.settings.limits.special_mentions_max_members,
        },
    });
    context.insert("boot", &boot.to_string());
    let cookies: Vec<String> = lang::switch_cookie(&state.i18n, req).into_iter().collect();
    render_page(
        &state,
        "chat.html",
        &lang,
        context,
        StatusCode::OK,
        &cookies,
    )
}
