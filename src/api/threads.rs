//! `/api/v1/messages/{id}/thread*`, `/api/v1/rooms/{id}/threads` and `/api/v1/threads`: a
//! thread's replies, the threads of a room, and those the caller follows. Replying is
//! sending a message with `thread_id` (`POST /api/v1/rooms/{id}/messages` or the socket's
//! `send`).

use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{ThreadPage, ThreadView, json},
    domain::threads::{self as thread, LIST_DEFAULT},
    error::AppError,
    state::AppState,
};

pub struct ThreadsApi;

/// A read position in a thread.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ThreadReadMark {
    /// Replies up to this room seq have been read (a later one than the thread's last
    /// reply counts as its last reply).
    pub seq: i64,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Threads")]
impl ThreadsApi {
    /// A thread: its root (a deleted root shows as a deleted message; its replies stay) and
    /// a page of replies, oldest first: the latest page, or `before_seq` (older) or
    /// `after_seq` (newer) than a seq, as room history pages.
    #[oai(
        path = "/messages/:id/thread",
        method = "get",
        operation_id = "threads_get"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        before_seq: Query<Option<i64>>,
        after_seq: Query<Option<i64>>,
        /// At most this many replies (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<ThreadPage>, AppError> {
        let page = thread::thread_page(
            &state.db,
            &auth.user,
            id.0,
            before_seq.0,
            after_seq.0,
            limit.0.unwrap_or(50),
        )
        .await?;
        Ok(json(page))
    }

    /// Follow a thread: its replies reach your inbox (like mentions, by default) and it is
    /// listed in `GET /api/v1/threads`. Following anew starts with everything read. Your
    /// sockets hear `thread.follow`.
    #[oai(
        path = "/messages/:id/thread/follow",
        method = "put",
        operation_id = "threads_follow"
    )]
    async fn follow(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<ThreadView>, AppError> {
        Ok(json(
            actions::thread_follow_set(&state, &auth.user, id.0, true).await?,
        ))
    }

    /// Stop following a thread (replying or being mentioned in it follows it again). Your
    /// sockets hear `thread.follow`.
    #[oai(
        path = "/messages/:id/thread/follow",
        method = "delete",
        operation_id = "threads_unfollow"
    )]
    async fn unfollow(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<ThreadView>, AppError> {
        Ok(json(
            actions::thread_follow_set(&state, &auth.user, id.0, false).await?,
        ))
    }

    /// Mark a thread you follow read up to `seq` (never backwards). Your sockets hear
    /// `thread.follow`.
    #[oai(
        path = "/messages/:id/thread/read",
        method = "post",
        operation_id = "threads_read"
    )]
    async fn read(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ThreadReadMark>,
    ) -> Result<Json<ThreadView>, AppError> {
        Ok(json(
            actions::thread_read(&state, &auth.user, id.0, body.seq).await?,
        ))
    }

    /// A room's threads, latest reply first. Page on with `before_seq`: the last thread's
    /// latest reply seq (the last reply seq of `root.thread`, as `thread.follow` and the
    /// replies' `seq` tell it).
    #[oai(
        path = "/rooms/:id/threads",
        method = "get",
        operation_id = "threads_room"
    )]
    async fn room(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Only threads whose latest reply is older than this seq.
        before_seq: Query<Option<i64>>,
        /// At most this many (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<ThreadView>>, AppError> {
        let list = thread::room_threads(
            &state.db,
            &auth.user,
            id.0,
            before_seq.0,
            limit.0.unwrap_or(LIST_DEFAULT),
        )
        .await?;
        Ok(json(list))
    }

    /// The threads you follow in rooms you belong to: those with unread replies first, then
    /// by latest reply. Page on with `offset`.
    #[oai(path = "/threads", method = "get", operation_id = "threads_mine")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Skip this many (default 0).
        #[oai(validator(maximum(value = "100000")))]
        offset: Query<Option<u64>>,
        /// At most this many (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<ThreadView>>, AppError> {
        let list = thread::my_threads(
            &state.db,
            &auth.user,
            offset.0.unwrap_or(0),
            limit.0.unwrap_or(LIST_DEFAULT),
        )
        .await?;
        Ok(json(list))
    }
}
