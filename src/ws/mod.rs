//! The WebSocket hub at `/ws` (see DESIGN.md for the protocol).

pub mod asyncapi;
pub mod broker;
pub mod event_data;
pub mod events;
pub mod hub;
pub mod in_process_broker;
pub mod presence;
pub mod protocol;
pub mod redis_broker;
pub mod room_sync;
pub mod session;

use poem::{
    IntoResponse, Request, handler,
    web::{Data, websocket::WebSocket, websocket::WebSocketConfig},
};
use unic_langid::LanguageIdentifier;

use crate::{
    error::AppError, http::auth::token_from, http::client_ip::ClientIp, i18n::DEFAULT_LOCALE,
    state::AppState,
};

/// `GET /ws`. The `Origin` allow-list is enforced by the CORS layer in front of every route
/// (a foreign page cannot hijack a user's cookie-authenticated socket). Credentials come
/// from `Authorization: Bearer`, `?access_token=`, or the session cookie; without any, the
/// client has the auth timeout to send an `auth` op.
#[handler]
pub async fn endpoint(
    req: &Request,
    ws: WebSocket,
    state: Data<&AppState>,
) -> poem::Result<impl IntoResponse> {
    let state = state.0.clone();
    let client_ip = req.data::<ClientIp>().and_then(|ip| ip.0);
    if let Some(ip) = client_ip {
        if let Err(refused) = state.limits.connect(ip).await {
            if refused.newly_banned {
                crate::domain::audit::audit_record(
                    &state.db,
                    crate::domain::audit::Actor {
                        user: None,
                        ip: Some(ip),
                    },
                    crate::domain::audit::Entry {
                        action: "security.ip_banned",
                        target: Some(("ip", ip.to_string())),
                        reason: "",
                        data: serde_json::json!({ "ban_secs": state.limits.ip_ban().as_secs() }),
                    },
                )
                .await?;
            }
            return Err(AppError::rate_limited(refused.wait).into());
        }
    }
    let query_token = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(key, _)| key == "access_token")
            .map(|(_, value)| value.into_owned())
    });
    let token = token_from(req).map(str::to_owned).or(query_token);
    let auth = match token {
        Some(token) => Some(state.auth.authenticate(&state.db, &token).await?),
        None => None,
    };
    let lang: LanguageIdentifier = req
        .data::<LanguageIdentifier>()
        .cloned()
        .unwrap_or(DEFAULT_LOCALE);
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(state.settings.ws.max_frame_bytes);
    config.max_frame_size = Some(state.settings.ws.max_frame_bytes);
    // The read buffer is allocated up front for every socket; clients send little, so a
    // small one keeps idle sockets cheap (tungstenite's default is 128 KiB).
    config.read_buffer_size = 4 * 1024;
    config.write_buffer_size = 16 * 1024;
    Ok(ws
        .config(config)
        .on_upgrade(move |socket| session::run(state, socket, auth, lang, client_ip)))
}
