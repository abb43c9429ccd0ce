//! `/api/v1/rooms/{id}/draft`, `/api/v1/drafts`, `/api/v1/rooms/{id}/scheduled` and
//! `/api/v1/scheduled/*`: drafts that follow you between devices, and messages sent later.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{responses::NoContent, rooms::Created, security::Auth, tags::ApiTags};
use crate::{
    actions::{self, DraftOrigin},
    api::dto::{DraftView, MessageView, ScheduledMessageView, json},
    domain::{drafts, drafts::scheduled, messages::MessageBody},
    error::AppError,
    state::AppState,
};

pub struct DraftsApi;

/// Longest `client_nonce` kept: enough for a random id per tab.
const NONCE_MAX: usize = 64;

/// Your draft in a room: blank text deletes it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct DraftSave {
    /// Up to 4,000 characters, kept as typed. Blank: the draft is deleted.
    pub body: String,
    /// The thread it belongs to (absent: the room itself).
    pub thread_id: Option<Uuid>,
    /// Any id of the saving tab (up to 64 characters), echoed in the `draft` event so it
    /// can ignore its own save.
    pub client_nonce: Option<String>,
}

/// A message to send later.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ScheduledCreate {
    /// 1–4,000 characters.
    pub body: String,
    /// In the future, at most 365 days ahead.
    pub send_at: DateTime<Utc>,
}

/// A change to a scheduled message: its text, its time, or both. A failed one becomes
/// pending again.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ScheduledUpdate {
    /// 1–4,000 characters.
    pub body: Option<String>,
    /// In the future, at most 365 days ahead.
    pub send_at: Option<DateTime<Utc>>,
}

fn origin(auth: &Auth, client_nonce: Option<String>) -> Result<DraftOrigin, AppError> {
    if client_nonce
        .as_ref()
        .is_some_and(|nonce| nonce.chars().count() > NONCE_MAX)
    {
        return Err(AppError::BadRequest(format!(
            "client_nonce is longer than {NONCE_MAX} characters"
        )));
    }
    Ok(DraftOrigin {
        session_id: auth.session.id,
        client_nonce,
    })
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Drafts")]
impl DraftsApi {
    /// Save your draft in a room (members only). Blank text deletes it. Only you ever see
    /// it, and search never finds it. Socket: your devices hear `draft` (with your
    /// `client_nonce`, so the saving tab can ignore it); nobody else hears anything. REST
    /// only: no socket op.
    #[oai(
        path = "/rooms/:id/draft",
        method = "put",
        operation_id = "drafts_save"
    )]
    async fn save(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<DraftSave>,
    ) -> Result<Json<DraftView>, AppError> {
        let body = body.0;
        let origin = origin(&auth, body.client_nonce)?;
        Ok(json(
            actions::draft_save(&state, &auth.user, origin, id.0, body.thread_id, &body.body)
                .await?,
        ))
    }

    /// Delete your draft in a room (or in one of its threads, with `thread_id`). Socket:
    /// your devices hear `draft` with an empty `body`, only if there was one.
    #[oai(
        path = "/rooms/:id/draft",
        method = "delete",
        operation_id = "drafts_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        thread_id: Query<Option<Uuid>>,
        client_nonce: Query<Option<String>>,
    ) -> Result<NoContent, AppError> {
        let origin = origin(&auth, client_nonce.0)?;
        actions::draft_delete(&state, &auth.user, origin, id.0, thread_id.0).await?;
        Ok(NoContent::Done)
    }

    /// All your drafts, in the rooms you belong to, most recently saved first.
    #[oai(path = "/drafts", method = "get", operation_id = "drafts_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<DraftView>>, AppError> {
        Ok(json(drafts::drafts_of(&state.db, auth.user.id).await?))
    }

    /// Schedule a message: the server sends it at `send_at` as if you sent it then. Socket:
    /// scheduling is heard by nobody; when it is sent, the room hears `message.created`
    /// (and its notifications follow) as for any message. If you can no longer write in the
    /// room by then, it is not sent: it becomes `failed`, your devices hear
    /// `scheduled.failed`, and a `scheduled_failed` row reaches your inbox (`notification`).
    #[oai(
        path = "/rooms/:id/scheduled",
        method = "post",
        operation_id = "scheduled_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ScheduledCreate>,
    ) -> Result<Created<ScheduledMessageView>, AppError> {
        let text = MessageBody::parse(&body.body)?;
        Ok(Created::Created(json(
            actions::scheduled_create(&state, &auth.user, id.0, text, body.send_at).await?,
        )))
    }

    /// Your scheduled messages not sent yet (pending or failed), soonest first.
    #[oai(path = "/scheduled", method = "get", operation_id = "scheduled_list")]
    async fn scheduled_list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<ScheduledMessageView>>, AppError> {
        Ok(json(
            scheduled::scheduled_of(&state.db, auth.user.id).await?,
        ))
    }

    /// Change a scheduled message's text or time (`scheduled.already_sent` once sent).
    /// Socket: no event.
    #[oai(
        path = "/scheduled/:id",
        method = "patch",
        operation_id = "scheduled_update"
    )]
    async fn scheduled_update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ScheduledUpdate>,
    ) -> Result<Json<ScheduledMessageView>, AppError> {
        let body = body.0;
        let text = body.body.as_deref().map(MessageBody::parse).transpose()?;
        Ok(json(
            scheduled::scheduled_update(
                &state.db,
                auth.user.id,
                id.0,
                text,
                body.send_at,
                state.clock.now(),
            )
            .await?,
        ))
    }

    /// Cancel a scheduled message (`scheduled.already_sent` once sent). Socket: no event.
    #[oai(
        path = "/scheduled/:id",
        method = "delete",
        operation_id = "scheduled_cancel"
    )]
    async fn scheduled_cancel(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        scheduled::scheduled_cancel(&state.db, auth.user.id, id.0).await?;
        Ok(NoContent::Done)
    }

    /// Send a scheduled message now, through the normal send path; refused (and left as it
    /// is) if you cannot write in the room. Socket: the room hears `message.created` as for
    /// any message; a refusal is only this answer.
    #[oai(
        path = "/scheduled/:id/send",
        method = "post",
        operation_id = "scheduled_send"
    )]
    async fn scheduled_send(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Created<MessageView>, AppError> {
        Ok(Created::Created(json(
            actions::scheduled_send_now(&state, &auth.user, id.0).await?,
        )))
    }
}
