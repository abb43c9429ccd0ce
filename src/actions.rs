//! Actions: one function per user action, shared by the REST handlers and the WebSocket
//! ops. Each runs the domain rule (which commits) and then fans the resulting events out,
//! so a message sent over REST reaches live sockets exactly like one sent over a socket.

use std::sync::Arc;

use entity::users;
use uuid::Uuid;

use crate::{
    domain::views::{
        DraftView, EmojiView, FileView, MemberView, MessageView, NotificationView, RoomView,
        ScheduledMessageView, ThreadView, UserRef,
    },
    domain::{
        audit::Actor,
        drafts::{
            self,
            scheduled::{self, Claim},
        },
        emoji::{self, EmojiName},
        files,
        messages::{self, MessageBody},
        notifications::inbox as notification_inbox,
        pins::{self, saved},
        polls,
        rooms::{self, RoomName, SMALL_ROOM, Visibility, moderation as room_moderation},
        threads,
        users::{self as domain_users, presence::Presence},
    },
    error::{AppError, AppResult, ErrorCode},
    fanout, publisher,
    state::AppState,
    ws::{
        broker::Envelope,
        event_data::{
            DraftData, EmojiUpdatedData, MentionData, NotificationData, NotificationReadData,
            NotificationRemovedData, ReadData, RoomRemovedData, SavedChangedData, ThreadFollowData,
        },
        events::ServerEvent,
    },
};

/// The rules for `@here` and `@room`, with who is online now when the body says `@here`
/// (looked up only then: on a cluster it is a Redis round trip).
async fn special_mentions(
    state: &AppState,
    room_id: Uuid,
    body: Option<&MessageBody>,
) -> AppResult<messages::SpecialMentions> {
    let says_here = body.is_some_and(|b| b.as_str().to_lowercase().contains("@here"));
    let online = if says_here {
        let members = rooms::member_ids(&state.db, room_id).await?;
        state
            .presence
            .statuses(&members)
            .await
            .into_iter()
            .filter(|(_, presence)| *presence == Presence::Online)
            .map(|(id, _)| id)
            .collect()
    } else {
        vec![]
    };
    Ok(messages::SpecialMentions {
        max_members: state.settings.limits.special_mentions_max_members,
        online,
    })
}

/// A prepared message and the inbox rows written with it: one message of a group commit.
struct MessageWrite<I> {
    outgoing: messages::Outgoing,
    inbox: I,
}

impl<I> publisher::batch::Change for MessageWrite<I>
where
    I: messages::Inbox + Send + 'static,
    I::Written: 'static,
{
    type Output = messages::Sent<I::Written>;

    async fn write(self, txn: &sea_orm::DatabaseTransaction) -> AppResult<Self::Output> {
        self.outgoing.write(txn, &self.inbox).await
    }
}

pub async fn message_send(
    state: &AppState,
    author: &users::Model,
    room_id: Uuid,
    body: Option<MessageBody>,
    reply_to: Option<Uuid>,
    thread: Option<messages::thread::Thread>,
    attachments: &[Uuid],
) -> AppResult<MessageView> {
    state
        .limits
        .message(author.id)
        .await
        .map_err(AppError::rate_limited)?;
    message_send_unlimited(state, author, room_id, body, reply_to, thread, attachments).await
}

/// [`message_send`] past the rate limit (a forward's comment rides on the forward's).
async fn message_send_unlimited(
    state: &AppState,
    author: &users::Model,
    room_id: Uuid,
    body: Option<MessageBody>,
    reply_to: Option<Uuid>,
    thread: Option<messages::thread::Thread>,
    attachments: &[Uuid],
) -> AppResult<MessageView> {
    let specials = special_mentions(state, room_id, body.as_ref()).await?;
    let now = state.clock.now();
    let outgoing = messages::prepare(
        &state.db,
        author,
        room_id,
        body,
        reply_to,
        thread,
        attachments,
        &specials,
        None,
    )
    .await?;
    let sent = publisher::batch::send(
        state,
        room_id,
        MessageWrite {
            outgoing,
            inbox: drafts::ClearingDraft {
                inner: notification_inbox::Writer { now },
            },
        },
    )
    .await?;
    let messages::Sent {
        view,
        event,
        mentioned,
        written: (written, draft_cleared),
        follows_changed,
    } = sent;
    let sent = messages::Sent {
        view,
        event,
        mentioned,
        written,
        follows_changed,
    };
    sent_publish(state, &sent).await;
    if let Some((root_id, changed)) = &sent.follows_changed {
        thread_follows_publish(state, room_id, *root_id, changed).await;
    }
    if draft_cleared {
        draft_publish(
            state,
            author.id,
            drafts::cleared(room_id, sent.view.thread_id, now),
            None,
            None,
        );
    }
    previews_spawn(state, &sent.view);
    if let Some(user) = state.fanout.typing.stop(room_id, author.id) {
        typing_publish(state, room_id, user, false);
    }
    Ok(sent.view)
}

/// Forwards a message the forwarder can see to a room they can write in: a new message
/// there, sent like any other, carrying the source's body, copies of its files and where
/// it came from. A `comment` follows it as the forwarder's own message. The answer is the
/// copy as the forwarder sees it (with the link to the source).
pub async fn message_forward(
    state: &AppState,
    forwarder: &users::Model,
    message_id: Uuid,
    room_id: Uuid,
    comment: Option<MessageBody>,
) -> AppResult<MessageView> {
    state
        .limits
        .message(forwarder.id)
        .await
        .map_err(AppError::rate_limited)?;
    let source = messages::forward::forward_source(&state.db, forwarder, message_id).await?;
    if source.files_size() > 0 {
        // The copies are the forwarder's files (the bytes are shared, but a copy outlives
        // its source, so someone must answer for it).
        files::upload::quota_check(
            &state.db,
            forwarder.id,
            source.files_size(),
            state.settings.uploads.user_quota_bytes,
        )
        .await?;
    }
    let body = source.body_ref();
    let specials = special_mentions(state, room_id, body).await?;
    let outgoing =
        messages::prepare_forward(&state.db, forwarder, source, room_id, &specials).await?;
    let sent = publisher::batch::send(
        state,
        room_id,
        MessageWrite {
            outgoing,
            inbox: notification_inbox::Writer {
                now: state.clock.now(),
            },
        },
    )
    .await?;
    sent_publish(state, &sent).await;
    previews_spawn(state, &sent.view);
    let view = messages::forward::view_for(&state.db, forwarder.id, sent.view).await?;
    if let Some(comment) = comment {
        message_send_unlimited(state, forwarder, room_id, Some(comment), None, None, &[]).await?;
    }
    Ok(view)
}

/// `thread.follow` to those whose follow of a thread a reply changed (committed already, so
/// a failure is only logged).
async fn thread_follows_publish(
    state: &AppState,
    room_id: Uuid,
    root_id: Uuid,
    changed: &[(Uuid, i64)],
) {
    for &(user_id, last_read_seq) in changed {
        match messages::thread::unread_of(&state.db, root_id, user_id, last_read_seq).await {
            Ok(unread) => thread_follow_publish(
                state,
                room_id,
                user_id,
                ThreadFollowData {
                    root_id,
                    following: true,
                    unread,
                    last_read_seq,
                },
            ),
            Err(err) => {
                tracing::warn!(thread.root = %root_id, error = %err, "thread follow not published");
            }
        }
    }
}

fn thread_follow_publish(state: &AppState, room_id: Uuid, user_id: Uuid, data: ThreadFollowData) {
    let frame = ServerEvent::ThreadFollow { room_id, data };
    state.broker.publish(Envelope::User {
        user_id,
        frame: frame.frame().into(),
    });
}

/// Follows or unfollows a thread by hand; the user's sockets hear `thread.follow` if it
/// changed.
pub async fn thread_follow_set(
    state: &AppState,
    user: &users::Model,
    root_id: Uuid,
    follow: bool,
) -> AppResult<ThreadView> {
    let (view, changed) =
        threads::follow_set(&state.db, user, root_id, follow, state.clock.now()).await?;
    if changed {
        thread_view_publish(state, user.id, &view);
    }
    Ok(view)
}

/// Marks a followed thread read up to `seq`; the user's sockets hear `thread.follow` if the
/// position moved.
pub async fn thread_read(
    state: &AppState,
    user: &users::Model,
    root_id: Uuid,
    seq: i64,
) -> AppResult<ThreadView> {
    let (view, moved) = threads::read_mark(&state.db, user, root_id, seq).await?;
    if moved {
        thread_view_publish(state, user.id, &view);
    }
    Ok(view)
}

fn thread_view_publish(state: &AppState, user_id: Uuid, view: &ThreadView) {
    thread_follow_publish(
        state,
        view.root.room_id,
        user_id,
        ThreadFollowData {
            root_id: view.root.id,
            following: view.following,
            unread: view.unread,
            last_read_seq: view.last_read_seq,
        },
    );
}

/// What people hear of a message beside the room's event, once it is committed: their
/// inbox rows (`notification`) and, for each person it names, `mention`.
async fn sent_publish(state: &AppState, sent: &messages::Sent<Vec<entity::notifications::Model>>) {
    notifications_publish(state, &sent.view, &sent.written).await;
    if sent.mentioned.is_empty() {
        return;
    }
    let mention: Arc<str> = ServerEvent::Mention {
        room_id: sent.view.room_id,
        data: MentionData {
            message: sent.view.clone(),
        },
    }
    .frame()
    .into();
    for user_id in &sent.mentioned {
        state.broker.publish(Envelope::User {
            user_id: *user_id,
            frame: mention.clone(),
        });
    }
}

/// The `notification` frame of one committed inbox row, to its owner's sockets.
fn notification_publish(
    state: &AppState,
    row: &entity::notifications::Model,
    notification: NotificationView,
    unread_count: u64,
) {
    let frame = ServerEvent::Notification {
        room_id: row.room_id,
        data: NotificationData {
            notification,
            unread_count,
            alert: row.alert,
            held_until: row.held_until,
        },
    };
    state.broker.publish(Envelope::User {
        user_id: row.user_id,
        frame: frame.frame().into(),
    });
}

/// `notification` to each person a sent message wrote an inbox row for. The rows are
/// committed already, so a failure here is only logged: the inbox has them.
async fn notifications_publish(
    state: &AppState,
    message: &MessageView,
    rows: &[entity::notifications::Model],
) {
    if rows.is_empty() {
        return;
    }
    let published = async {
        let room = rooms::room_get(&state.db, message.room_id).await?;
        let users: Vec<Uuid> = rows.iter().map(|row| row.user_id).collect();
        let counts = notification_inbox::unread_counts(&state.db, &users).await?;
        for row in rows {
            let view = notification_inbox::view(row, &room, Some(message.clone()), None);
            let unread_count = counts.get(&row.user_id).copied().unwrap_or(0);
            notification_publish(state, row, view, unread_count);
        }
        AppResult::Ok(())
    };
    if let Err(err) = published.await {
        tracing::warn!(message.id = %message.id, error = %err, "notifications not published");
    }
}

/// `notification.read` to every socket of the user, so each device and node agrees.
async fn notifications_read_publish(
    state: &AppState,
    user_id: Uuid,
    ids: Option<Vec<Uuid>>,
    room_id: Option<Uuid>,
) -> AppResult<u64> {
    let unread_count = notification_inbox::unread_count(&state.db, user_id).await?;
    let frame = ServerEvent::NotificationRead {
        data: NotificationReadData {
            all: ids.is_none().then_some(true),
            ids,
            room_id,
            unread_count,
        },
    };
    state.broker.publish(Envelope::User {
        user_id,
        frame: frame.frame().into(),
    });
    Ok(unread_count)
}

/// Marks one notification read (`notification.not_found` if it is not the user's).
pub async fn notification_read(state: &AppState, user: &users::Model, id: Uuid) -> AppResult<u64> {
    let (room_id, changed) =
        notification_inbox::read_one(&state.db, user.id, id, state.clock.now()).await?;
    if changed {
        notifications_read_publish(state, user.id, Some(vec![id]), Some(room_id)).await
    } else {
        notification_inbox::unread_count(&state.db, user.id).await
    }
}

/// Marks every unread notification read (of one room, with `room_id`).
pub async fn notification_read_all(
    state: &AppState,
    user: &users::Model,
    room_id: Option<Uuid>,
) -> AppResult<u64> {
    let marked =
        notification_inbox::read_all(&state.db, user.id, room_id, state.clock.now()).await?;
    if marked.is_empty() {
        return notification_inbox::unread_count(&state.db, user.id).await;
    }
    notifications_read_publish(state, user.id, None, room_id).await
}

pub async fn message_edit(
    state: &AppState,
    actor: &users::Model,
    message_id: Uuid,
    body: MessageBody,
) -> AppResult<MessageView> {
    let room_id = messages::message_get(&state.db, message_id).await?.room_id;
    let sent = publisher::commit(
        state,
        room_id,
        messages::message_edit(
            &state.db,
            actor,
            message_id,
            body,
            &notification_inbox::Writer {
                now: state.clock.now(),
            },
        ),
    )
    .await?;
    sent_publish(state, &sent).await;
    previews_spawn(state, &sent.view);
    Ok(sent.view)
}

/// Fetches the previews of the message's links in the background, after it was
/// committed and answered: sending never waits for another site. The room hears
/// `message.embeds` when they are stored (also when an edit took the last link away).
fn previews_spawn(state: &AppState, message: &MessageView) {
    if message.deleted
        || (message.embeds.is_empty() && state.previews.links_of(&message.body).is_empty())
    {
        return;
    }
    let state = state.clone();
    let (message_id, room_id, body) = (message.id, message.room_id, message.body.clone());
    tokio::spawn(async move {
        let stored = async {
            let links = state
                .previews
                .links_previewed(&state.db, &state.files, message_id, &body)
                .await?;
            publisher::commit(
                &state,
                room_id,
                messages::embeds::embeds_store(&state.db, message_id, &body, links),
            )
            .await
        };
        if let Err(err) = stored.await {
            tracing::warn!(message.id = %message_id, error = %err, "link previews not stored");
        }
    });
}

/// The author takes a link preview off their message.
pub async fn embed_remove(
    state: &AppState,
    actor: &users::Model,
    message_id: Uuid,
    position: i32,
) -> AppResult<()> {
    let room_id = messages::message_get(&state.db, message_id).await?.room_id;
    publisher::commit(
        state,
        room_id,
        messages::embeds::embed_remove(&state.db, actor, message_id, position),
    )
    .await?;
    Ok(())
}

pub async fn message_delete(
    state: &AppState,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    message_id: Uuid,
) -> AppResult<MessageView> {
    let room_id = messages::message_get(&state.db, message_id).await?.room_id;
    let ((view, unnotified), _) = publisher::commit(
        state,
        room_id,
        messages::message_delete(&state.db, actor, ip, message_id),
    )
    .await?;
    notifications_removed_publish(state, room_id, unnotified).await;
    // After the commit: a crash in between leaves files the cleanup pass removes.
    files::attachments::release_message(&state.db, &state.files, message_id).await?;
    Ok(view)
}

/// `notification.removed` to those whose inbox rows went with a deleted message. The rows
/// are gone already, so a failure here is only logged.
async fn notifications_removed_publish(
    state: &AppState,
    room_id: Uuid,
    removed: messages::Unnotified,
) {
    if removed.is_empty() {
        return;
    }
    let users: Vec<Uuid> = removed.iter().map(|(user_id, _)| *user_id).collect();
    let counts = match notification_inbox::unread_counts(&state.db, &users).await {
        Ok(counts) => counts,
        Err(err) => {
            tracing::warn!(error = %err, "removed notifications not published");
            return;
        }
    };
    for (user_id, id) in removed {
        let frame = ServerEvent::NotificationRemoved {
            room_id,
            data: NotificationRemovedData {
                ids: vec![id],
                unread_count: counts.get(&user_id).copied().unwrap_or(0),
            },
        };
        state.broker.publish(Envelope::User {
            user_id,
            frame: frame.frame().into(),
        });
    }
}

/// The user left the room or was removed from it: its notifications go, and their
/// devices hear `notification.removed`. After the commit, so only logged on failure.
async fn notifications_room_forget(state: &AppState, user_id: Uuid, room_id: Uuid) {
    let forgotten = async {
        let ids = notification_inbox::room_forget(&state.db, user_id, room_id).await?;
        if ids.is_empty() {
            return AppResult::Ok(());
        }
        let unread_count = notification_inbox::unread_count(&state.db, user_id).await?;
        let frame = ServerEvent::NotificationRemoved {
            room_id,
            data: NotificationRemovedData { ids, unread_count },
        };
        state.broker.publish(Envelope::User {
            user_id,
            frame: frame.frame().into(),
        });
        Ok(())
    };
    if let Err(err) = forgotten.await {
        tracing::warn!(room.id = %room_id, error = %err, "notifications of a left room kept");
    }
}

/// Stores an upload in a room. With `send`, it is posted at once as a message (with
/// `caption` as its body); otherwise it waits to be attached to a message the uploader
/// sends (`attachments`), and is removed if that never happens.
pub async fn file_upload(
    state: &AppState,
    uploader: &users::Model,
    room_id: Uuid,
    staged: files::Staged,
    name: &str,
    caption: &str,
    send: bool,
) -> AppResult<(FileView, Option<MessageView>)> {
    let settings = &state.settings.uploads;
    let file = files::upload::file_create(
        &state.db,
        &state.files,
        settings,
        uploader,
        room_id,
        staged,
        name,
    )
    .await?;
    metrics::counter!("anjoman_upload_bytes_total").increment(file.size.max(0) as u64);
    if !send {
        let view = files::attachments::file_views(&state.db, vec![file])
            .await?
            .remove(0);
        return Ok((view, None));
    }
    // The caption is read only when it is sent, after the file is stored, as it always was.
    let sent = match MessageBody::parse_optional(caption) {
        Ok(caption) => {
            message_send(state, uploader, room_id, caption, None, None, &[file.id]).await
        }
        Err(err) => Err(err),
    };
    match sent {
        Ok(message) => {
            let view = message.attachments.first().cloned().ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("sent file missing from its message"))
            })?;
            Ok((view, Some(message)))
        }
        Err(err) => {
            // Nothing was posted, so nothing should stay stored.
            files::attachments::release(&state.db, &state.files, vec![file]).await?;
            Err(err)
        }
    }
}

pub async fn reaction_set(
    state: &AppState,
    user: &users::Model,
    message_id: Uuid,
    emoji: &str,
    add: bool,
) -> AppResult<MessageView> {
    let room_id = messages::message_get(&state.db, message_id).await?.room_id;
    let (view, _) = publisher::commit(
        state,
        room_id,
        messages::reaction_set(&state.db, user, message_id, emoji, add),
    )
    .await?;
    Ok(view)
}

/// Pins (`pin`) or unpins a message; the room hears `message.pinned` / `message.unpinned`.
pub async fn pin_set(
    state: &AppState,
    user: &users::Model,
    message_id: Uuid,
    pin: bool,
) -> AppResult<Option<crate::domain::views::PinView>> {
    let room_id = messages::message_get(&state.db, message_id).await?.room_id;
    let (view, _) = publisher::commit(
        state,
        room_id,
        pins::pin_set(&state.db, user, message_id, pin),
    )
    .await?;
    Ok(view)
}

/// Saves a message (or changes its note); the user's devices hear `saved.changed`.
pub async fn saved_set(
    state: &AppState,
    user: &users::Model,
    message_id: Uuid,
    note: &str,
) -> AppResult<crate::domain::views::SavedView> {
    let entry = saved::save(&state.db, user, message_id, note).await?;
    saved_publish(state, user.id, message_id, Some(entry.clone()));
    Ok(entry)
}

/// Unsaves a message; the user's devices hear `saved.changed` if it was saved.
pub async fn saved_remove(
    state: &AppState,
    user: &users::Model,
    message_id: Uuid,
) -> AppResult<()> {
    if saved::unsave(&state.db, user.id, message_id).await? {
        saved_publish(state, user.id, message_id, None);
    }
    Ok(())
}

fn saved_publish(
    state: &AppState,
    user_id: Uuid,
    message_id: Uuid,
    entry: Option<crate::domain::views::SavedView>,
) {
    let frame = ServerEvent::SavedChanged {
        data: SavedChangedData {
            message_id,
            saved: entry.is_some(),
            entry,
        },
    };
    state.broker.publish(Envelope::User {
        user_id,
        frame: frame.frame().into(),
    });
}

pub async fn room_create(
    state: &AppState,
    owner: &users::Model,
    name: RoomName,
    topic: &str,
    visibility: Visibility,
) -> AppResult<RoomView> {
    let (room, joined) = rooms::room_create(&state.db, owner, name, topic, visibility).await?;
    publisher::publish_new_room(state, std::slice::from_ref(&joined));
    let member = rooms::membership(&state.db, room.id, owner.id).await?;
    messages::summary::room_view_for(&state.db, &room, member.as_ref(), owner).await
}

/// Creates an account (from the API or the register page) and signs it in; everyone
/// starts in the install's `general` room.
pub async fn account_register(
    state: &AppState,
    registrant: crate::domain::auth::Registrant<'_>,
    device: &crate::domain::auth::Device,
) -> AppResult<crate::domain::auth::SignedIn> {
    let checked = crate::domain::auth::registration_check(&state.auth, registrant)?;
    // Only an attempt that could create an account is counted: a form with a typo (or a
    // closed registration) costs no hash and must not spend a person's budget, while every
    // attempt that goes on to hash a password does, taken or not.
    state
        .limits
        .registration(device.ip)
        .await
        .map_err(AppError::rate_limited)?;
    let signed =
        crate::domain::auth::auth_register(&state.db, &state.auth, checked, device).await?;
    if let Some(general) = rooms::general_room_id(&state.db).await? {
        room_join(state, &signed.user, Some(general), None).await?;
    }
    Ok(signed)
}

/// Joins by room id (public rooms) or by invite code.
pub async fn room_join(
    state: &AppState,
    user: &users::Model,
    room_id: Option<Uuid>,
    code: Option<&str>,
) -> AppResult<RoomView> {
    let target = match (room_id, code) {
        (_, Some(code)) => rooms::room_by_code(&state.db, code).await?.id,
        (Some(room_id), None) => room_id,
        (None, None) => return Err(AppError::Missing(ErrorCode::RoomNotFound)),
    };
    let (room, _) = publisher::commit(state, target, async {
        match code {
            Some(code) => rooms::room_join_by_code(&state.db, user, code).await,
            None => rooms::room_join(&state.db, user, target).await,
        }
    })
    .await?;
    // Read again: the join event moved `last_seq`, and a client resuming from the view's
    // seq must not be replayed its own join.
    let room = rooms::room_get(&state.db, room.id).await?;
    let member = rooms::membership(&state.db, room.id, user.id).await?;
    messages::summary::room_view_for(&state.db, &room, member.as_ref(), user).await
}

pub async fn room_leave(state: &AppState, user: &users::Model, room_id: Uuid) -> AppResult<()> {
    publisher::commit(state, room_id, rooms::room_leave(&state.db, user, room_id)).await?;
    state.broker.publish(Envelope::Unsubscribe {
        user_id: user.id,
        room_id,
    });
    notifications_room_forget(state, user.id, room_id).await;
    Ok(())
}

pub async fn room_update(
    state: &AppState,
    actor: &users::Model,
    room_id: Uuid,
    name: Option<RoomName>,
    topic: Option<&str>,
    visibility: Option<Visibility>,
) -> AppResult<RoomView> {
    let (room, _) = publisher::commit(
        state,
        room_id,
        rooms::room_update(&state.db, actor, room_id, name, topic, visibility),
    )
    .await?;
    let member = rooms::membership(&state.db, room.id, actor.id).await?;
    messages::summary::room_view_for(&state.db, &room, member.as_ref(), actor).await
}

/// Deletes a room (its owner, or an admin): every member's client is told `room.removed`
/// and their sockets stop receiving it.
pub async fn room_delete(
    state: &AppState,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    room_id: Uuid,
) -> AppResult<()> {
    // No timeline event: its members are told below, each on their own channel.
    let ((room, members), _) = publisher::commit(state, room_id, async {
        Ok((
            rooms::room_delete(&state.db, actor, ip, room_id).await?,
            None,
        ))
    })
    .await?;
    let removed: Arc<str> = ServerEvent::RoomRemoved {
        room_id: room.id,
        data: RoomRemovedData {
            id: room.id,
            name: room.name,
            deleted_by: UserRef::from(actor),
        },
    }
    .frame()
    .into();
    for user_id in members {
        state.broker.publish(Envelope::User {
            user_id,
            frame: removed.clone(),
        });
        state
            .broker
            .publish(Envelope::Unsubscribe { user_id, room_id });
    }
    Ok(())
}

/// Removes a member from a room (moderators); their sockets stop receiving it at once.
pub async fn member_kick(
    state: &AppState,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    room_id: Uuid,
    target: &users::Model,
    reason: &str,
) -> AppResult<()> {
    publisher::commit(
        state,
        room_id,
        room_moderation::member_kick(&state.db, actor, ip, room_id, target, reason),
    )
    .await?;
    state.broker.publish(Envelope::Unsubscribe {
        user_id: target.id,
        room_id,
    });
    notifications_room_forget(state, target.id, room_id).await;
    Ok(())
}

/// Locks or unlocks a room, or sets its retention.
pub async fn room_setting(
    state: &AppState,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    room_id: Uuid,
    setting: room_moderation::RoomSetting,
    reason: &str,
) -> AppResult<RoomView> {
    let (room, _) = publisher::commit(
        state,
        room_id,
        room_moderation::room_setting(&state.db, actor, ip, room_id, setting, reason),
    )
    .await?;
    let member = rooms::membership(&state.db, room.id, actor.id).await?;
    messages::summary::room_view_for(&state.db, &room, member.as_ref(), actor).await
}

/// Gets or opens the direct room with `username`; a new one is announced to the peer.
pub async fn dm_open(state: &AppState, me: &users::Model, username: &str) -> AppResult<RoomView> {
    let other = domain_users::user_get(&state.db, username).await?;
    let (room, events) = rooms::dm_get_or_create(&state.db, me, &other).await?;
    publisher::publish_new_room(state, &events);
    if !events.is_empty() {
        let member = rooms::membership(&state.db, room.id, other.id).await?;
        let view =
            messages::summary::room_view_for(&state.db, &room, member.as_ref(), &other).await?;
        state.broker.publish(Envelope::User {
            user_id: other.id,
            frame: ServerEvent::RoomAdded {
                room_id: room.id,
                data: view,
            }
            .frame()
            .into(),
        });
    }
    let member = rooms::membership(&state.db, room.id, me.id).await?;
    messages::summary::room_view_for(&state.db, &room, member.as_ref(), me).await
}

/// Read receipt: moves the read position; members of small rooms are told. The user's
/// notifications in the room up to it are read too, on every device (`notification.read`).
pub async fn read_mark(
    state: &AppState,
    user: &users::Model,
    room_id: Uuid,
    seq: i64,
) -> AppResult<i64> {
    let moved = messages::read_mark(&state.db, user, room_id, seq).await?;
    let Some(seq) = moved else {
        let (_, member) = rooms::require_member(&state.db, room_id, user.id).await?;
        return Ok(member.last_read_seq);
    };
    let read =
        notification_inbox::read_room_upto(&state.db, user.id, room_id, seq, state.clock.now())
            .await?;
    if !read.is_empty() {
        notifications_read_publish(state, user.id, Some(read), Some(room_id)).await?;
    }
    if rooms::member_count(&state.db, room_id).await? <= SMALL_ROOM {
        state.broker.publish(Envelope::Room {
            room_id,
            seq: None,
            frame: ServerEvent::Read {
                room_id,
                data: ReadData {
                    user: UserRef::from(user),
                    seq,
                },
            }
            .frame()
            .into(),
        });
    }
    Ok(seq)
}

/// "Typing…" in a room (members only); repeats within the throttle are absorbed.
pub async fn typing(state: &AppState, user: &users::Model, room_id: Uuid) -> AppResult<()> {
    room_moderation::require_writer(&state.db, room_id, user).await?;
    if state.fanout.typing.typing(room_id, UserRef::from(user)) {
        typing_publish(state, room_id, UserRef::from(user), true);
    }
    Ok(())
}

fn typing_publish(state: &AppState, room_id: Uuid, user: UserRef, active: bool) {
    let expires_in_ms = Some(state.settings.ws.typing_expiry_ms);
    fanout::typing::publish(state.broker.as_ref(), room_id, user, active, expires_in_ms);
}

/// This node's sockets changed the user's presence here: tells their rooms if that changed
/// their presence over all nodes.
pub async fn presence_local(state: &AppState, user: &users::Model, local: Presence) {
    if let Some(presence) = state.presence.local_changed(user.id, local).await {
        presence_publish(state, user, presence).await;
    }
}

/// Announces a change found by the presence heartbeat (a dead node's users lapsed).
pub async fn presence_announce(state: &AppState, user_id: Uuid, presence: Presence) {
    match <users::Entity as sea_orm::EntityTrait>::find_by_id(user_id)
        .one(&state.db)
        .await
    {
        Ok(Some(user)) => presence_publish(state, &user, presence).await,
        Ok(None) => {}
        Err(err) => tracing::warn!(error = %err, "presence not announced"),
    }
}

/// Tells the user's rooms that their presence changed (in the next presence batch).
async fn presence_publish(state: &AppState, user: &users::Model, presence: Presence) {
    match rooms::room_ids_of(&state.db, user.id).await {
        Ok(room_ids) => state
            .fanout
            .presence
            .changed(UserRef::from(user), presence, room_ids),
        Err(err) => tracing::warn!(error = %err, "presence not published"),
    }
}

/// A user's sessions changed: their sockets on every node re-check theirs.
pub fn sessions_changed(state: &AppState, user_id: Uuid) {
    state.broker.publish(Envelope::Recheck { user_id });
}

/// The room's members with live presence.
pub async fn room_members(
    state: &AppState,
    user: &users::Model,
    room_id: Uuid,
) -> AppResult<Vec<MemberView>> {
    rooms::require_member(&state.db, room_id, user.id).await?;
    let members = rooms::room_members(&state.db, room_id).await?;
    let ids: Vec<Uuid> = members.iter().map(|(_, user)| user.id).collect();
    let presence = state.presence.statuses(&ids).await;
    Ok(members
        .into_iter()
        .map(|(member, user)| {
            let status = presence.get(&user.id).copied().unwrap_or(Presence::Offline);
            MemberView::new(member, &user, status.as_str())
        })
        .collect())
}

/// Creates a poll; it appears in the room as a `poll` message.
pub async fn poll_create(
    state: &AppState,
    author: &users::Model,
    room_id: Uuid,
    new: polls::NewPoll,
) -> AppResult<crate::domain::views::PollView> {
    state
        .limits
        .message(author.id)
        .await
        .map_err(AppError::rate_limited)?;
    let (view, _) = publisher::commit(
        state,
        room_id,
        polls::poll_create(&state.db, author, room_id, new),
    )
    .await?;
    Ok(view)
}

/// Votes (or with no options, retracts); the room hears about it in the next batch.
pub async fn poll_vote(
    state: &AppState,
    user: &users::Model,
    poll_id: Uuid,
    option_ids: &[Uuid],
) -> AppResult<crate::domain::views::PollView> {
    let poll = if option_ids.is_empty() {
        polls::poll_retract(&state.db, user, poll_id).await?
    } else {
        polls::poll_vote(&state.db, user, poll_id, option_ids).await?
    };
    state.fanout.polls.mark(poll.id);
    polls::poll_view(&state.db, &poll, Some(user.id)).await
}

/// Closes a poll (`actor` None: its time ran out) and announces the final results.
pub async fn poll_close(
    state: &AppState,
    actor: Option<&users::Model>,
    poll_id: Uuid,
) -> AppResult<crate::domain::views::PollView> {
    let room_id = polls::poll_get(&state.db, poll_id).await?.room_id;
    let (view, _) =
        publisher::commit(state, room_id, polls::poll_close(&state.db, actor, poll_id)).await?;
    Ok(view)
}

/// Broadcasts the current counts of every poll voted on since the last flush: one
/// `poll.updated` per poll per flush, however many votes arrived.
pub async fn polls_flush(state: &AppState) {
    for poll_id in state.fanout.polls.take() {
        let view = match polls::poll_get(&state.db, poll_id).await {
            Ok(poll) => polls::poll_view(&state.db, &poll, None).await,
            Err(err) => Err(err),
        };
        match view {
            Ok(view) => state.broker.publish(Envelope::Room {
                room_id: view.room_id,
                seq: None,
                frame: ServerEvent::PollUpdated {
                    room_id: view.room_id,
                    data: view,
                }
                .frame()
                .into(),
            }),
            Err(err) => tracing::warn!(poll.id = %poll_id, error = %err, "poll update not sent"),
        }
    }
}

/// Closes every poll whose closing time has passed.
pub async fn polls_close_due(state: &AppState) {
    let due = match polls::polls_due(&state.db).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "could not look for polls to close");
            return;
        }
    };
    for poll_id in due {
        match poll_close(state, None, poll_id).await {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(err) => tracing::warn!(poll.id = %poll_id, error = %err, "poll not closed"),
        }
    }
}

/// Deletes (soft) everything `user_id` wrote in the last `hours`, as a moderator: each
/// deletion is announced, audited with its text, and takes its files along.
pub async fn user_purge(
    state: &AppState,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    user_id: Uuid,
    hours: i64,
) -> AppResult<usize> {
    let since = chrono::Utc::now() - chrono::Duration::hours(hours);
    let ids = messages::messages_by_author_since(&state.db, user_id, since).await?;
    for id in &ids {
        message_delete(state, actor, ip, *id).await?;
    }
    Ok(ids.len())
}

/// What a moderator does about a report besides closing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRemedy {
    Nothing,
    DeleteMessage,
    /// Mute the author in the room for this many minutes.
    MuteAuthor(i64),
    /// Ban the author (until the given time, or until lifted).
    BanAuthor(Option<chrono::DateTime<chrono::Utc>>),
}

impl ReportRemedy {
    fn label(self) -> &'static str {
        match self {
            Self::Nothing => "none",
            Self::DeleteMessage => "message_deleted",
            Self::MuteAuthor(_) => "author_muted",
            Self::BanAuthor(_) => "author_banned",
        }
    }
}

/// Handles an open report: applies the remedy (each one audited on its own), then closes
/// the report as resolved (or dismissed, which takes no remedy).
pub async fn report_handle(
    state: &AppState,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    report_id: Uuid,
    resolved: bool,
    remedy: ReportRemedy,
    note: &str,
) -> AppResult<crate::domain::views::ReportView> {
    use crate::domain::moderation::{self, reports};
    let report = reports::report_open(&state.db, report_id).await?;
    if !resolved && remedy != ReportRemedy::Nothing {
        return Err(AppError::Invalid {
            code: ErrorCode::ReportActionInvalid,
            args: vec![],
        });
    }
    let message = messages::message_get(&state.db, report.message_id).await?;
    let author = match message.author_id {
        Some(id) => Some(domain_users::user_get_by_id(&state.db, id).await?),
        None => None,
    };
    let reason = if note.trim().is_empty() {
        report.reason.clone()
    } else {
        note.to_owned()
    };
    match (remedy, author) {
        (ReportRemedy::Nothing, _) => {}
        (ReportRemedy::DeleteMessage, _) => {
            if message.deleted_at.is_none() {
                message_delete(state, actor, ip, message.id).await?;
            }
        }
        (ReportRemedy::MuteAuthor(minutes), Some(author)) => {
            room_moderation::member_mute(
                &state.db,
                actor,
                ip,
                message.room_id,
                &author,
                Some(minutes),
                &reason,
            )
            .await?;
        }
        (ReportRemedy::BanAuthor(until), Some(author)) => {
            let banned = moderation::user_ban(&state.db, actor, ip, author, &reason, until).await?;
            sessions_changed(state, banned.id);
        }
        (_, None) => return Err(AppError::Missing(ErrorCode::UserNotFound)),
    }
    let closed =
        reports::report_close(&state.db, actor, ip, report, resolved, remedy.label(), note).await?;
    Ok(reports::report_views(&state.db, vec![closed])
        .await?
        .remove(0))
}

/// Creates a custom emoji (admins only) and tells every connection the list changed.
pub async fn emoji_create(
    state: &AppState,
    actor: Actor,
    name: EmojiName,
    staged: files::Staged,
    file_name: &str,
) -> AppResult<EmojiView> {
    let created =
        emoji::emoji_create(&state.db, &state.files, actor, name, staged, file_name).await?;
    let creator = match created.created_by {
        Some(id) => Some(domain_users::user_get_by_id(&state.db, id).await?),
        None => None,
    };
    emoji_publish(state).await;
    Ok(emoji::emoji_view(&created, creator.as_ref()))
}

/// Deletes a custom emoji (admins only) and tells every connection the list changed.
pub async fn emoji_delete(state: &AppState, actor: Actor, name: &str) -> AppResult<()> {
    emoji::emoji_delete(&state.db, &state.files, actor, name).await?;
    emoji_publish(state).await;
    Ok(())
}

/// `emoji.updated` to every connection, on every node. The change is committed already, so
/// a failure to read the list back is only logged: clients also fetch it on load.
async fn emoji_publish(state: &AppState) {
    match emoji::emoji_list(&state.db).await {
        Ok(list) => {
            let event = ServerEvent::EmojiUpdated {
                data: EmojiUpdatedData { emoji: list },
            };
            state.broker.publish(Envelope::All {
                frame: event.frame().into(),
            });
        }
        Err(err) => tracing::warn!(error = %err, "emoji list not published"),
    }
}

/// `draft` to every socket of the user, on every node: their other devices show it.
fn draft_publish(
    state: &AppState,
    user_id: Uuid,
    draft: DraftView,
    session_id: Option<Uuid>,
    client_nonce: Option<String>,
) {
    let frame = ServerEvent::Draft {
        room_id: draft.room_id,
        data: DraftData {
            draft,
            session_id,
            client_nonce,
        },
    };
    state.broker.publish(Envelope::User {
        user_id,
        frame: frame.frame().into(),
    });
}

/// Where a draft is saved from: the session, and the tab's own nonce if it sent one.
pub struct DraftOrigin {
    pub session_id: Uuid,
    pub client_nonce: Option<String>,
}

/// Saves (blank text: deletes) the user's draft in a room and tells their devices.
pub async fn draft_save(
    state: &AppState,
    user: &users::Model,
    origin: DraftOrigin,
    room_id: Uuid,
    thread_id: Option<Uuid>,
    body: &str,
) -> AppResult<DraftView> {
    let view = drafts::draft_save(
        &state.db,
        user.id,
        room_id,
        thread_id,
        body,
        state.clock.now(),
    )
    .await?;
    draft_publish(
        state,
        user.id,
        view.clone(),
        Some(origin.session_id),
        origin.client_nonce,
    );
    Ok(view)
}

/// Deletes the user's draft in a room; their devices hear it only if there was one.
pub async fn draft_delete(
    state: &AppState,
    user: &users::Model,
    origin: DraftOrigin,
    room_id: Uuid,
    thread_id: Option<Uuid>,
) -> AppResult<()> {
    let (view, existed) =
        drafts::draft_delete(&state.db, user.id, room_id, thread_id, state.clock.now()).await?;
    if existed {
        draft_publish(
            state,
            user.id,
            view,
            Some(origin.session_id),
            origin.client_nonce,
        );
    }
    Ok(())
}

/// What one attempt at a scheduled message came to.
enum ScheduledOutcome {
    /// Another node (or an earlier round) had it: nothing to do.
    Taken,
    Sent(Box<messages::Sent<Vec<entity::notifications::Model>>>),
    /// Refused: the row marked failed, and its author's inbox row (none if the room is gone).
    Failed(
        Box<(
            entity::scheduled_messages::Model,
            Option<entity::notifications::Model>,
        )>,
    ),
}

impl publisher::Committed for ScheduledOutcome {
    fn events(&self) -> &[crate::domain::rooms::timeline::RoomEvent] {
        match self {
            Self::Sent(sent) => std::slice::from_ref(&sent.event),
            Self::Taken | Self::Failed(_) => &[],
        }
    }
}

/// Claims and sends one scheduled message in one transaction: the claim (a conditional
/// `UPDATE`) and the message commit together, so a crash in between loses nothing and two
/// nodes send it once. Sent through the normal send path, as its author, now. A refusal
/// (muted, banned, left, room gone or read-only) marks the row failed when the background
/// pass meets it, and is returned as it is (changing nothing) to an author who asked to
/// send it now.
async fn scheduled_send(
    state: &AppState,
    row: entity::scheduled_messages::Model,
    claim: Claim,
) -> AppResult<ScheduledOutcome> {
    use sea_orm::TransactionTrait;
    let room_id = row.room_id;
    // Looked up before the transaction: it may need the database and another node.
    let specials = match MessageBody::parse(&row.body) {
        Ok(body) => special_mentions(state, room_id, Some(&body)).await?,
        Err(_) => messages::SpecialMentions::default(),
    };
    let outcome = publisher::commit(state, room_id, async {
        let now = state.clock.now();
        let txn = state.db.begin().await?;
        let Some(row) = scheduled::scheduled_claim(&txn, row.id, claim, now).await? else {
            txn.rollback().await?;
            return Ok(ScheduledOutcome::Taken);
        };
        let author = domain_users::user_get_by_id(&txn, row.user_id).await?;
        let attempt = if crate::domain::auth::sessions::is_banned(&author, now) {
            Err(AppError::Forbidden(ErrorCode::AuthBanned))
        } else {
            match MessageBody::parse(&row.body) {
                Ok(body) => {
                    messages::message_send(
                        &txn,
                        &author,
                        room_id,
                        Some(body),
                        None,
                        None,
                        &[],
                        &specials,
                        &notification_inbox::Writer { now },
                    )
                    .await
                }
                Err(err) => Err(err),
            }
        };
        match attempt {
            Ok(sent) => {
                scheduled::scheduled_sent(&txn, row.id, sent.view.id).await?;
                txn.commit().await?;
                Ok(ScheduledOutcome::Sent(Box::new(sent)))
            }
            Err(err) if err.error_code().status() < 500 && matches!(claim, Claim::Due(_)) => {
                let code = err.error_code();
                let failed = scheduled::scheduled_failed(&txn, row.id, code).await?;
                let told = notification_inbox::scheduled_failed_write(
                    &txn,
                    failed.user_id,
                    failed.room_id,
                    failed.id,
                    code.as_str(),
                    now,
                )
                .await?;
                txn.commit().await?;
                Ok(ScheduledOutcome::Failed(Box::new((failed, told))))
            }
            // Dropping the transaction rolls the claim back: the row is as it was.
            Err(err) => Err(err),
        }
    })
    .await?;
    match &outcome {
        ScheduledOutcome::Sent(sent) => {
            sent_publish(state, sent).await;
            previews_spawn(state, &sent.view);
        }
        ScheduledOutcome::Failed(failed) => {
            let (row, told) = &**failed;
            let frame = ServerEvent::ScheduledFailed {
                room_id: row.room_id,
                data: scheduled::view(row),
            };
            state.broker.publish(Envelope::User {
                user_id: row.user_id,
                frame: frame.frame().into(),
            });
            if let Some(told) = told {
                scheduled_failed_publish(state, row, told).await;
            }
        }
        ScheduledOutcome::Taken => {}
    }
    Ok(outcome)
}

/// `notification` to the author of a scheduled message the pass could not send. The row is
/// committed already, so a failure here is only logged: the inbox has it.
async fn scheduled_failed_publish(
    state: &AppState,
    scheduled_row: &entity::scheduled_messages::Model,
    row: &entity::notifications::Model,
) {
    let published = async {
        let room = rooms::room_get(&state.db, row.room_id).await?;
        let unread_count = notification_inbox::unread_count(&state.db, row.user_id).await?;
        let view = notification_inbox::view(row, &room, None, Some(scheduled::view(scheduled_row)));
        notification_publish(state, row, view, unread_count);
        AppResult::Ok(())
    };
    if let Err(err) = published.await {
        tracing::warn!(scheduled.id = %scheduled_row.id, error = %err, "notification not published");
    }
}

/// Schedules a message (its author must be able to write in the room now).
pub async fn scheduled_create(
    state: &AppState,
    author: &users::Model,
    room_id: Uuid,
    body: MessageBody,
    send_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<ScheduledMessageView> {
    scheduled::scheduled_create(&state.db, author, room_id, body, send_at, state.clock.now()).await
}

/// Sends one of the user's scheduled messages now (`scheduled.already_sent` if it was).
pub async fn scheduled_send_now(
    state: &AppState,
    user: &users::Model,
    id: Uuid,
) -> AppResult<MessageView> {
    state
        .limits
        .message(user.id)
        .await
        .map_err(AppError::rate_limited)?;
    let row = scheduled::scheduled_own(&state.db, user.id, id).await?;
    if row.state == scheduled::SENT {
        return Err(AppError::Conflict(ErrorCode::ScheduledAlreadySent));
    }
    match scheduled_send(state, row, Claim::Now { user_id: user.id }).await? {
        ScheduledOutcome::Sent(sent) => Ok(sent.view),
        // The background pass sent it in the meantime.
        ScheduledOutcome::Taken | ScheduledOutcome::Failed(..) => {
            Err(AppError::Conflict(ErrorCode::ScheduledAlreadySent))
        }
    }
}

/// Scheduled messages claimed per round; the rest wait for the next tick.
const SCHEDULED_ROUND: u64 = 100;

/// Sends every scheduled message whose time has come (the background pass, on every
/// node; each row is sent by one).
pub async fn scheduled_send_due(state: &AppState) {
    let due = match scheduled::scheduled_due(&state.db, state.clock.now(), SCHEDULED_ROUND).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "could not look for scheduled messages");
            return;
        }
    };
    for id in due {
        let row = match scheduled::scheduled_row(&state.db, id).await {
            Ok(Some(row)) => row,
            Ok(None) => continue,
            Err(err) => {
                tracing::warn!(scheduled.id = %id, error = %err, "scheduled message not read");
                continue;
            }
        };
        let at = state.clock.now();
        if let Err(err) = scheduled_send(state, row, Claim::Due(at)).await {
            tracing::warn!(scheduled.id = %id, error = %err, "scheduled message not sent");
        }
    }
}
