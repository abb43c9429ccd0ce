//! `/api/v1/messages/{id}/pin`, `/api/v1/rooms/{id}/pins`, `/api/v1/messages/{id}/saved`
//! and `/api/v1/saved`: pinned and saved messages.

use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{responses::NoContent, security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{PinView, SavedView, json},
    domain::pins::{
        self,
        saved::{self, PAGE_DEFAULT},
    },
    error::{AppError, AppResult},
    state::AppState,
};

pub struct PinsApi;

/// A message to save, with an optional note.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct SaveRequest {
    /// Your note, up to 500 characters after trimming (`saved.note_too_long`); saving
    /// again replaces it.
    #[oai(default)]
    pub note: String,
}

/// A page of your saved messages, newest first.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SavedPage {
    pub items: Vec<SavedView>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next_before: Option<Uuid>,
}

fn pin_missing() -> AppError {
    AppError::Internal(anyhow::anyhow!("a pin answered no view"))
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Rooms")]
impl PinsApi {
    /// Pin a message in its room: its moderators and owners, and members when the room
    /// allows it (`members_can_pin`). At most 50 pins per room; the 51st answers 409
    /// `pin.limit_reached`. Pinning a pinned message changes nothing. Socket: the room
    /// hears `message.pinned` (not when it was pinned already). REST only: no socket op.
    #[oai(
        path = "/messages/:id/pin",
        method = "put",
        operation_id = "messages_pin"
    )]
    async fn pin(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<PinView>, AppError> {
        let view = actions::pin_set(&state, &auth.user, id.0, true)
            .await?
            .ok_or_else(pin_missing)?;
        Ok(json(view))
    }

    /// Unpin a message (the same people as pin it). Unpinning one that is not pinned
    /// changes nothing. Socket: the room hears `message.unpinned` (not when it was not
    /// pinned). REST only: no socket op.
    #[oai(
        path = "/messages/:id/pin",
        method = "delete",
        operation_id = "messages_unpin"
    )]
    async fn unpin(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        actions::pin_set(&state, &auth.user, id.0, false).await?;
        Ok(NoContent::Done)
    }

    /// A room's pinned messages, newest pin first, with who pinned them and when.
    #[oai(path = "/rooms/:id/pins", method = "get", operation_id = "rooms_pins")]
    async fn pins(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<PinView>>, AppError> {
        Ok(json(pins::pins_of_room(&state.db, &auth.user, id.0).await?))
    }

    /// Save a message of a room you are in, for yourself, with an optional note (saving
    /// again replaces the note). Socket: your devices hear `saved.changed`; nobody else
    /// hears anything. REST only: no socket op.
    #[oai(
        path = "/messages/:id/saved",
        method = "put",
        operation_id = "messages_save"
    )]
    async fn save(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<SaveRequest>,
    ) -> Result<Json<SavedView>, AppError> {
        Ok(json(
            actions::saved_set(&state, &auth.user, id.0, &body.note).await?,
        ))
    }

    /// Take a message off your saved list (nothing happens if it is not on it). Socket:
    /// your devices hear `saved.changed` (with no entry), only if it was saved. REST only:
    /// no socket op.
    #[oai(
        path = "/messages/:id/saved",
        method = "delete",
        operation_id = "messages_unsave"
    )]
    async fn unsave(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        actions::saved_remove(&state, &auth.user, id.0).await?;
        Ok(NoContent::Done)
    }

    /// Your saved messages, newest first, across rooms. One you can no longer see (you
    /// left its room, it was deleted, or its room was) is `unavailable: true`, without
    /// the message.
    #[oai(path = "/saved", method = "get", operation_id = "saved_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Only entries saved before the entry of this message (`next_before` of the
        /// previous page).
        before: Query<Option<Uuid>>,
        /// At most this many (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> AppResult<Json<SavedPage>> {
        let page = saved::saved_list(
            &state.db,
            auth.user.id,
            before.0,
            limit.0.unwrap_or(PAGE_DEFAULT),
        )
        .await?;
        Ok(Json(SavedPage {
            items: page.items.into_iter().map(SavedView::from).collect(),
            next_before: page.next_before,
        }))
    }
}
