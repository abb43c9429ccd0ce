//! `/api/v1/rooms/{id}/polls` and `/api/v1/polls/*`.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::{rooms::Created, security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{PollView, json},
    domain::polls::{self, NewPoll},
    error::{AppError, ErrorCode},
    state::AppState,
};

pub struct PollsApi;

/// A new poll.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PollCreate {
    /// Up to 300 characters.
    pub question: String,
    /// 2–10 answers, unique after trimming, up to 200 characters each.
    pub options: Vec<String>,
    /// Several answers may be chosen (default: one).
    pub multiple: Option<bool>,
    /// With `multiple`: at most this many answers.
    pub max_choices: Option<i32>,
    /// Hide who voted for what (default: public).
    pub anonymous: Option<bool>,
    /// When voting ends by itself.
    pub closes_at: Option<DateTime<Utc>>,
}

/// A vote: the chosen option ids (one for single-choice polls). It replaces any earlier one.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct VoteRequest {
    pub option_ids: Vec<Uuid>,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Polls")]
impl PollsApi {
    /// Create a poll in a room; it appears in the timeline as a message of kind `poll`.
    #[oai(
        path = "/rooms/:id/polls",
        method = "post",
        operation_id = "polls_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PollCreate>,
    ) -> Result<Created<PollView>, AppError> {
        let body = body.0;
        let new = NewPoll {
            question: body.question,
            options: body.options,
            multiple: body.multiple.unwrap_or(false),
            max_choices: body.max_choices,
            anonymous: body.anonymous.unwrap_or(false),
            closes_at: body.closes_at,
        };
        Ok(Created::Created(json(
            actions::poll_create(&state, &auth.user, id.0, new).await?,
        )))
    }

    /// A room's polls, newest first, with your choices.
    #[oai(path = "/rooms/:id/polls", method = "get", operation_id = "polls_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<PollView>>, AppError> {
        Ok(json(
            polls::polls_of_room(&state.db, &auth.user, id.0).await?,
        ))
    }

    /// A poll with its results and your choices.
    #[oai(path = "/polls/:id", method = "get", operation_id = "polls_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<PollView>, AppError> {
        let poll = polls::poll_for_member(&state.db, &auth.user, id.0).await?;
        Ok(json(
            polls::poll_view(&state.db, &poll, Some(auth.user.id)).await?,
        ))
    }

    /// Vote (replaces your earlier vote). Refused on closed polls (`poll.closed`), outside
    /// your rooms, or with options of another poll (`poll.option_invalid`).
    #[oai(
        path = "/polls/:id/votes",
        method = "post",
        operation_id = "polls_vote"
    )]
    async fn vote(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<VoteRequest>,
    ) -> Result<Json<PollView>, AppError> {
        if body.option_ids.is_empty() {
            return Err(AppError::Invalid {
                code: ErrorCode::PollNoChoice,
                args: vec![],
            });
        }
        Ok(json(
            actions::poll_vote(&state, &auth.user, id.0, &body.option_ids).await?,
        ))
    }

    /// Take your vote back while the poll is open.
    #[oai(
        path = "/polls/:id/votes",
        method = "delete",
        operation_id = "polls_retract"
    )]
    async fn retract(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<PollView>, AppError> {
        Ok(json(
            actions::poll_vote(&state, &auth.user, id.0, &[]).await?,
        ))
    }

    /// Close a poll early (its creator or a moderator); everyone gets `poll.closed`.
    #[oai(
        path = "/polls/:id/close",
        method = "post",
        operation_id = "polls_close"
    )]
    async fn close(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<PollView>, AppError> {
        Ok(json(
            actions::poll_close(&state, Some(&auth.user), id.0).await?,
        ))
    }
}
