//! `/api/v1/messages/{id}/forward`: forwarding a message to another room or direct
//! conversation.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{rooms::Created, security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{MessageView, json},
    domain::messages::MessageBody,
    error::AppError,
    state::AppState,
};

pub struct ForwardingApi;

/// Where to forward a message, and what to say with it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ForwardRequest {
    /// A room or direct conversation you can write in.
    pub room_id: Uuid,
    /// Up to 4,000 characters of Markdown, sent as your own message right after the
    /// forwarded one.
    pub comment: Option<String>,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Rooms")]
impl ForwardingApi {
    /// Forward a message you can see (with copies of its files) to a room or direct
    /// conversation you can write in. The copy is a new message there (`message.created`)
    /// whose `forwarded_from` shows the source room's name, the author and the original
    /// time to everyone in it; the source's ids (the link) are only given to those who are
    /// members of the source room, and only over REST. A message you cannot see answers
    /// `message.not_found`. Socket: the target room hears `message.created` for the copy
    /// (then for the `comment`, if any); those it asks for hear `notification` (and
    /// `mention` when named), as for any message; link previews follow as
    /// `message.embeds`. The source room hears nothing. REST only: no socket op.
    #[oai(
        path = "/messages/:id/forward",
        method = "post",
        operation_id = "messages_forward"
    )]
    async fn forward(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ForwardRequest>,
    ) -> Result<Created<MessageView>, AppError> {
        let comment = match body.comment.as_deref() {
            Some(comment) => MessageBody::parse_optional(comment)?,
            None => None,
        };
        let view =
            actions::message_forward(&state, &auth.user, id.0, body.room_id, comment).await?;
        Ok(Created::Created(json(view)))
    }
}
