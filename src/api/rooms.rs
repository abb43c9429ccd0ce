//! `/api/v1/rooms/*`, `/api/v1/messages/*` and `/api/v1/dm/*`: the REST side of the hub.
//! Every write goes through `actions`, so REST and WebSocket clients see the same events.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{responses::NoContent, security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{MemberView, MessageView, RoomView, json},
    domain::{messages, rooms},
    error::AppError,
    state::AppState,
};

pub struct RoomsApi;

/// Who can find and join a room.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RoomVisibility {
    /// Listed; anyone may join.
    Public,
    /// Joined with an invite code.
    Private,
}

/// A new room.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RoomCreate {
    /// 1–80 characters (any script).
    pub name: String,
    /// Up to 500 characters.
    pub topic: Option<String>,
    pub visibility: RoomVisibility,
}

/// Changes to a room; omitted fields stay as they are.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RoomPatch {
    pub name: Option<String>,
    pub topic: Option<String>,
    // No doc comment: it would wrap the enum's `$ref` in `allOf` (see `ReportDecision`).
    pub visibility: Option<RoomVisibility>,
}

/// Join by invite code.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct JoinByCode {
    pub code: String,
}

/// A message to send.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct MessageCreate {
    /// 1–4,000 characters of Markdown (may be empty with `attachments`); the message's
    /// `html` is its rendering.
    #[oai(default)]
    pub body: String,
    pub reply_to: Option<Uuid>,
    /// Reply in the thread of this message: a live top-level message of the room
    /// (`thread.root_invalid`), not itself a thread reply (`thread.nested`).
    pub thread_id: Option<Uuid>,
    /// With `thread_id`: also show the reply in the room's main timeline.
    #[oai(default)]
    pub also_to_room: bool,
    /// Up to 10 of your files uploaded to this room with `send=false`.
    #[oai(default)]
    pub attachments: Vec<Uuid>,
}

/// A new body for a message.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct MessageEdit {
    pub body: String,
}

/// A body to preview.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct MessagePreviewRequest {
    /// As for sending: 1–4,000 characters of Markdown.
    pub body: String,
    /// The room it is meant for (mentions of its members become pills).
    pub room_id: Option<Uuid>,
}

/// How a body reads once sent.
#[derive(Debug, Object)]
pub struct MessagePreview {
    /// The same rendering as `MessageView.html`: sanitized, safe to insert.
    pub html: String,
}

/// Read position.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ReadMark {
    /// Everything up to this seq has been read.
    pub seq: i64,
}

/// The read position after the update.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReadPosition {
    pub room_id: Uuid,
    pub last_read_seq: i64,
}

#[derive(ApiResponse)]
pub enum Created<T: poem_openapi::types::ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Rooms")]
impl RoomsApi {
    /// Your rooms (direct ones included), most recently active first, with unread counts,
    /// unread mentions and the last message.
    #[oai(path = "/rooms", method = "get", operation_id = "rooms_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<RoomView>>, AppError> {
        Ok(json(
            messages::summary::rooms_for_user(&state.db, &auth.user).await?,
        ))
    }

    /// Public rooms anyone can join.
    #[oai(path = "/rooms/public", method = "get", operation_id = "rooms_public")]
    async fn public(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
    ) -> Result<Json<Vec<RoomView>>, AppError> {
        Ok(json(rooms::rooms_public(&state.db).await?))
    }

    /// Create a room; you become its owner. Private rooms get an invite code.
    #[oai(path = "/rooms", method = "post", operation_id = "rooms_create")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<RoomCreate>,
    ) -> Result<Created<RoomView>, AppError> {
        let visibility = match body.visibility {
            RoomVisibility::Public => rooms::Visibility::Public,
            RoomVisibility::Private => rooms::Visibility::Private,
        };
        let name = rooms::RoomName::parse(&body.name)?;
        let view = actions::room_create(
            &state,
            &auth.user,
            name,
            body.topic.as_deref().unwrap_or(""),
            visibility,
        )
        .await?;
        Ok(Created::Created(json(view)))
    }

    /// A room you are a member of.
    #[oai(path = "/rooms/:id", method = "get", operation_id = "rooms_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<RoomView>, AppError> {
        let (room, member) = rooms::require_member(&state.db, id.0, auth.user.id).await?;
        Ok(json(
            messages::summary::room_view_for(&state.db, &room, Some(&member), &auth.user).await?,
        ))
    }

    /// Rename a room or change its topic (owner and moderators), or make it public or
    /// private (owner and global moderators). A room made private gets an invite code; one
    /// made public drops it.
    #[oai(path = "/rooms/:id", method = "patch", operation_id = "rooms_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<RoomPatch>,
    ) -> Result<Json<RoomView>, AppError> {
        let name = body
            .name
            .as_deref()
            .map(rooms::RoomName::parse)
            .transpose()?;
        let view = actions::room_update(
            &state,
            &auth.user,
            id.0,
            name,
            body.topic.as_deref(),
            body.visibility.map(|v| match v {
                RoomVisibility::Public => rooms::Visibility::Public,
                RoomVisibility::Private => rooms::Visibility::Private,
            }),
        )
        .await?;
        Ok(json(view))
    }

    /// Delete a room with its messages, files and polls, for good (its owner, or an admin).
    /// Members are told with `room.removed`.
    #[oai(path = "/rooms/:id", method = "delete", operation_id = "rooms_delete")]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        actions::room_delete(&state, &auth.user, auth.ip, id.0).await?;
        Ok(NoContent::Done)
    }

    /// Join a public room.
    #[oai(path = "/rooms/:id/join", method = "post", operation_id = "rooms_join")]
    async fn join(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<RoomView>, AppError> {
        Ok(json(
            actions::room_join(&state, &auth.user, Some(id.0), None).await?,
        ))
    }

    /// Join a room by its invite code.
    #[oai(
        path = "/rooms/join",
        method = "post",
        operation_id = "rooms_join_by_code"
    )]
    async fn join_by_code(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<JoinByCode>,
    ) -> Result<Json<RoomView>, AppError> {
        Ok(json(
            actions::room_join(&state, &auth.user, None, Some(&body.code)).await?,
        ))
    }

    /// Leave a room.
    #[oai(
        path = "/rooms/:id/leave",
        method = "post",
        operation_id = "rooms_leave"
    )]
    async fn leave(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        actions::room_leave(&state, &auth.user, id.0).await?;
        Ok(NoContent::Done)
    }

    /// Give a private room a new invite code (owner); the old one stops working.
    #[oai(
        path = "/rooms/:id/invite-code",
        method = "post",
        operation_id = "rooms_invite_rotate"
    )]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<RoomView>, AppError> {
        let room = rooms::room_rotate_code(&state.db, &auth.user, id.0).await?;
        let member = rooms::membership(&state.db, room.id, auth.user.id).await?;
        Ok(json(
            messages::summary::room_view_for(&state.db, &room, member.as_ref(), &auth.user).await?,
        ))
    }

    /// Members with their live presence.
    #[oai(
        path = "/rooms/:id/members",
        method = "get",
        operation_id = "rooms_members"
    )]
    async fn members(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<MemberView>>, AppError> {
        Ok(json(actions::room_members(&state, &auth.user, id.0).await?))
    }

    /// Message history, oldest first: the latest page, or `before_seq` (older) or
    /// `after_seq` (newer) than a seq. `limit` ≤ 100 (default 50). With
    /// `include_threads=false`, thread replies are left out (except those sent
    /// `also_to_room`): they are read with `GET /api/v1/messages/{id}/thread`.
    #[oai(
        path = "/rooms/:id/messages",
        method = "get",
        operation_id = "rooms_messages"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "poem-openapi takes one parameter per query filter"
    )]
    async fn history(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        before_seq: Query<Option<i64>>,
        after_seq: Query<Option<i64>>,
        limit: Query<Option<u64>>,
        /// Include thread replies (default true).
        include_threads: Query<Option<bool>>,
    ) -> Result<Json<Vec<MessageView>>, AppError> {
        let page = messages::history(
            &state.db,
            &auth.user,
            id.0,
            before_seq.0,
            after_seq.0,
            limit.0.unwrap_or(50),
            include_threads.0.unwrap_or(true),
        )
        .await?;
        Ok(json(page))
    }

    /// Send a message (30 per minute per user by default).
    #[oai(
        path = "/rooms/:id/messages",
        method = "post",
        operation_id = "rooms_message_send"
    )]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<MessageCreate>,
    ) -> Result<Created<MessageView>, AppError> {
        let text = messages::MessageBody::parse_optional(&body.body)?;
        let view = actions::message_send(
            &state,
            &auth.user,
            id.0,
            text,
            body.reply_to,
            body.thread_id.map(|root| messages::thread::Thread {
                root,
                also_to_room: body.also_to_room,
            }),
            &body.attachments,
        )
        .await?;
        Ok(Created::Created(json(view)))
    }

    /// Mark the room read up to `seq`.
    #[oai(path = "/rooms/:id/read", method = "post", operation_id = "rooms_read")]
    async fn read(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ReadMark>,
    ) -> Result<Json<ReadPosition>, AppError> {
        let seq = actions::read_mark(&state, &auth.user, id.0, body.seq).await?;
        Ok(Json(ReadPosition {
            room_id: id.0,
            last_read_seq: seq,
        }))
    }

    /// How a body will read once sent (Markdown rendered by the server, as for `html` in
    /// messages); nothing is stored or sent.
    #[oai(
        path = "/messages/preview",
        method = "post",
        operation_id = "messages_preview"
    )]
    async fn preview(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<MessagePreviewRequest>,
    ) -> Result<Json<MessagePreview>, AppError> {
        let text = messages::MessageBody::parse(&body.body)?;
        let html = messages::preview(&state.db, &auth.user, body.room_id, &text).await?;
        Ok(Json(MessagePreview { html }))
    }

    /// Edit your message.
    #[oai(
        path = "/messages/:id",
        method = "patch",
        operation_id = "messages_edit"
    )]
    async fn edit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<MessageEdit>,
    ) -> Result<Json<MessageView>, AppError> {
        let text = messages::MessageBody::parse(&body.body)?;
        Ok(json(
            actions::message_edit(&state, &auth.user, id.0, text).await?,
        ))
    }

    /// Delete a message (yours; moderators any). The event says who deleted it.
    #[oai(
        path = "/messages/:id",
        method = "delete",
        operation_id = "messages_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        actions::message_delete(&state, &auth.user, auth.ip, id.0).await?;
        Ok(NoContent::Done)
    }

    /// Remove a link preview from your message (by its `position`). The room is told with
    /// `message.embeds`; the link is not previewed again, even after an edit.
    #[oai(
        path = "/messages/:id/embeds/:position",
        method = "delete",
        operation_id = "messages_embed_remove"
    )]
    async fn embed_remove(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        position: Path<i32>,
    ) -> Result<NoContent, AppError> {
        actions::embed_remove(&state, &auth.user, id.0, position.0).await?;
        Ok(NoContent::Done)
    }

    /// React with an emoji (once per emoji per person): one emoji character sequence, or
    /// a custom emoji as `:name:` (it must exist; see `GET /api/v1/emoji`).
    #[oai(
        path = "/messages/:id/reactions/:emoji",
        method = "put",
        operation_id = "messages_react"
    )]
    async fn react(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        emoji: Path<String>,
    ) -> Result<Json<MessageView>, AppError> {
        Ok(json(
            actions::reaction_set(&state, &auth.user, id.0, &emoji.0, true).await?,
        ))
    }

    /// Take a reaction back (also one of a custom emoji deleted since).
    #[oai(
        path = "/messages/:id/reactions/:emoji",
        method = "delete",
        operation_id = "messages_unreact"
    )]
    async fn unreact(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        emoji: Path<String>,
    ) -> Result<Json<MessageView>, AppError> {
        Ok(json(
            actions::reaction_set(&state, &auth.user, id.0, &emoji.0, false).await?,
        ))
    }

    /// The direct conversation with someone, opened on first use. Refused if either of you
    /// blocked the other.
    #[oai(path = "/dm/:username", method = "post", operation_id = "dm_open")]
    async fn dm(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        username: Path<String>,
    ) -> Result<Json<RoomView>, AppError> {
        Ok(json(
            actions::dm_open(&state, &auth.user, &username.0).await?,
        ))
    }
}
