//! `/api/v1/push/*`: Web Push. A browser fetches the server's VAPID key, subscribes with
//! its push service, and registers the subscription here; the server pushes to it when a
//! notification stays unread (see `pushing`).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use uuid::Uuid;

use super::{responses::NoContent, security::Auth, tags::ApiTags};
use crate::{
    error::{AppError, ErrorCode},
    pushing,
    state::AppState,
};

pub struct PushApi;

/// What a browser needs to subscribe.
#[derive(Debug, Object)]
pub struct PushConfig {
    /// The server's VAPID public key (an uncompressed P-256 point, base64url without
    /// padding): pass it as `applicationServerKey` to `pushManager.subscribe`.
    pub public_key: String,
    /// Seconds a notification stays unread before it is pushed.
    pub delay_secs: u64,
}

/// The browser's keys of a subscription, as `PushSubscription.toJSON()` gives them.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PushKeys {
    /// The browser's P-256 public key: an uncompressed point (65 bytes), base64url;
    /// anything else is `push.keys_invalid`.
    #[oai(validator(max_length = 128))]
    pub p256dh: String,
    /// The browser's authentication secret: 16 bytes, base64url.
    #[oai(validator(max_length = 64))]
    pub auth: String,
}

/// A subscription to register: the same `endpoint` again replaces the earlier one (whoever
/// registered it). It is tied to this session: signing out ends it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PushSubscriptionRequest {
    /// The push service's URL for this device: absolute `https` (plain `http` only to a
    /// host the server's outbound allow-list names), without credentials; anything else
    /// is `push.endpoint_invalid`.
    #[oai(validator(max_length = 2048))]
    pub endpoint: String,
    pub keys: PushKeys,
}

/// Which subscription to remove.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PushSubscriptionDelete {
    #[oai(validator(max_length = 2048))]
    pub endpoint: String,
}

/// A registered subscription.
#[derive(Debug, Object)]
pub struct PushSubscriptionView {
    pub id: Uuid,
    pub endpoint: String,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum SubscriptionCreated {
    /// Registered.
    #[oai(status = 201)]
    Created(Json<PushSubscriptionView>),
}

#[OpenApi(prefix_path = "/api/v1/push", tag = "ApiTags::Notifications")]
impl PushApi {
    /// The VAPID public key browsers subscribe with. `push.disabled` when the server sends
    /// no pushes.
    #[oai(path = "/config", method = "get", operation_id = "push_config")]
    async fn config(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
    ) -> Result<Json<PushConfig>, AppError> {
        let pusher = state
            .push
            .as_ref()
            .ok_or(AppError::Conflict(ErrorCode::PushDisabled))?;
        Ok(Json(PushConfig {
            public_key: pusher.keys.public().to_owned(),
            delay_secs: state.settings.push.delay_secs,
        }))
    }

    /// Register this device for push notifications (one subscription per device; an
    /// account keeps its most recent ones, up to the server's limit). A notification still
    /// unread after the delay is pushed; several go as one push.
    #[oai(
        path = "/subscriptions",
        method = "post",
        operation_id = "push_subscribe"
    )]
    async fn subscribe(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<PushSubscriptionRequest>,
    ) -> Result<SubscriptionCreated, AppError> {
        let row = pushing::subscribe(
            &state,
            auth.user.id,
            auth.session.id,
            &body.endpoint,
            &body.keys.p256dh,
            &body.keys.auth,
        )
        .await?;
        Ok(SubscriptionCreated::Created(Json(PushSubscriptionView {
            id: row.id,
            endpoint: row.endpoint,
            created_at: row.created_at,
        })))
    }

    /// Remove one of your subscriptions (this device stops getting pushes).
    #[oai(
        path = "/subscriptions",
        method = "delete",
        operation_id = "push_unsubscribe"
    )]
    async fn unsubscribe(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<PushSubscriptionDelete>,
    ) -> Result<NoContent, AppError> {
        pushing::unsubscribe(&state, auth.user.id, &body.endpoint).await?;
        Ok(NoContent::Done)
    }
}
