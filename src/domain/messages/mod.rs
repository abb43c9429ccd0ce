//! Messages, reactions, mentions, read positions and link previews.

pub mod body;
pub mod embeds;
pub mod forward;
pub mod kind;
pub mod markup;
pub mod mention;
pub mod retention;
pub mod summary;
pub mod thread;

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use entity::{
    custom_emoji, mentions, message_pins, messages, notifications, polls, reactions, room_members,
    rooms, users,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use serde_json::json;
use uuid::Uuid;

pub use self::body::{BODY_MAX, MessageBody};
use self::kind::MessageKind;
use self::mention::mentioned_names;
use crate::domain::rooms::kinds::RoomKind;
use crate::{
    domain::views::{ForwardedFrom, MessageView, ReactionCount, UserRef},
    domain::{
        audit,
        emoji::{self, EmojiName},
        files,
        rooms::{
            may_moderate, member_ids, membership,
            moderation::{check_outranks, require_writer},
            require_member,
            timeline::{EventKind, RoomEvent, event_append, event_record, seq_next},
        },
        text,
        users::{blocks, username::Username},
    },
    error::{AppError, AppResult, ErrorCode},
};

pub const HISTORY_LIMIT_MAX: u64 = 100;
const EMOJI_MAX_CHARS: usize = 16;

/// A reaction: one short emoji (not letters or digits, no spaces), or a custom emoji's
/// `:name:`. Whether such a custom emoji exists is for [`reaction_set`] to check.
pub fn parse_emoji(input: &str) -> AppResult<String> {
    let emoji = input.trim();
    if let Some(name) = EmojiName::from_shortcode(emoji) {
        return Ok(name.shortcode());
    }
    let count = emoji.chars().count();
    let valid = count > 0
        && count <= EMOJI_MAX_CHARS
        && !emoji
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c.is_alphanumeric())
        && !emoji.is_ascii();
    if !valid {
        return Err(reaction_invalid());
    }
    Ok(emoji.to_owned())
}

fn reaction_invalid() -> AppError {
    AppError::Invalid {
        code: ErrorCode::ReactionInvalid,
        args: vec![],
    }
}

/// The message, or `message.not_found`.
pub async fn message_get(db: &impl ConnectionTrait, id: Uuid) -> AppResult<messages::Model> {
    messages::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::MessageNotFound))
}

/// Wire views for messages, with authors and reaction counts, in the given order.
pub async fn message_views(
    db: &impl ConnectionTrait,
    list: Vec<messages::Model>,
) -> AppResult<Vec<MessageView>> {
    if list.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Uuid> = list.iter().map(|m| m.id).collect();
    let all_reactions = reactions::Entity::find()
        .filter(reactions::Column::MessageId.is_in(ids))
        .order_by_asc(reactions::Column::CreatedAt)
        .all(db)
        .await?;
    let mut user_ids: Vec<Uuid> = list.iter().filter_map(|m| m.author_id).collect();
    user_ids.extend(all_reactions.iter().map(|r| r.user_id));
    user_ids.sort_unstable();
    user_ids.dedup();
    let poll_ids = if list
        .iter()
        .any(|m| MessageKind::of(m) == Some(MessageKind::Poll))
    {
        // The poll each poll message carries.
        polls::Entity::find()
            .filter(polls::Column::MessageId.is_in(list.iter().map(|m| m.id)))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.message_id, p.id))
            .collect()
    } else {
        HashMap::new()
    };
    // A deleted message shows no files, even before its files are released.
    let live: Vec<Uuid> = list
        .iter()
        .filter(|m| m.deleted_at.is_none())
        .map(|m| m.id)
        .collect();
    let mut attachments = files::attachments::views_for_messages(db, &live).await?;
    let mut previews = embeds::views_for_messages(db, &live).await?;
    let mut forwarded = forward::snapshots(db, &live).await?;
    let people: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut views: Vec<MessageView> = list
        .iter()
        .map(|message| {
            let mut counts: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for reaction in all_reactions.iter().filter(|r| r.message_id == message.id) {
                let name = people
                    .get(&reaction.user_id)
                    .map_or_else(String::new, |u| u.username.clone());
                counts.entry(&reaction.emoji).or_default().push(name);
            }
            let reactions = counts
                .into_iter()
                .map(|(emoji, users)| ReactionCount {
                    emoji: emoji.to_owned(),
                    count: users.len() as u32,
                    users,
                })
                .collect();
            let author = message.author_id.and_then(|id| people.get(&id));
            let mut view = MessageView::new(message, author, reactions);
            view.poll_id = poll_ids.get(&message.id).copied();
            view.attachments = attachments.remove(&message.id).unwrap_or_default();
            view.embeds = previews.remove(&message.id).unwrap_or_default();
            view.forwarded_from = forwarded.remove(&message.id);
            view
        })
        .collect();
    thread::summaries_attach(db, &mut views).await?;
    Ok(views)
}

/// What `@here` and `@room` need from outside the domain.
#[derive(Debug, Clone, Default)]
pub struct SpecialMentions {
    /// Rooms up to this size let anyone use them; larger ones only moderators.
    pub max_members: u64,
    /// Who is online now (`@here` reaches those of them in the room).
    pub online: Vec<Uuid>,
}

/// A sent message: its view, the event to fan out, who it mentions, and what the inbox
/// wrote beside it.
pub struct Sent<W = ()> {
    pub view: MessageView,
    pub event: RoomEvent,
    pub mentioned: Vec<Uuid>,
    pub written: W,
    /// For a thread reply: its root, and whose follow of it changed (with their read
    /// position).
    pub follows_changed: Option<(Uuid, Vec<(Uuid, i64)>)>,
}

/// What a message just stored asks of the room's members: the notifications noun reads
/// it to write their inbox rows.
pub struct Asked<'a> {
    pub room: &'a rooms::Model,
    pub author: &'a users::Model,
    pub message: &'a messages::Model,
    /// Members named with `@name` (never the author).
    pub named: &'a [Uuid],
    /// `@room` (every member) or `@here` (those online), and whom it reached.
    pub special: Option<(&'static str, &'a [Uuid])>,
    /// The author of the message this one replies to.
    pub replied_to: Option<Uuid>,
    /// The words outside code, where highlight words count.
    pub prose: &'a str,
    /// Only these members are asked (an edit asks only those it newly names); `None`:
    /// every member.
    pub only: Option<&'a [Uuid]>,
    /// For a thread reply: those who follow the thread (never the author).
    pub thread_followers: &'a [Uuid],
}

/// Rows stored in the same transaction as a message, so nothing acknowledged is lost. The
/// notifications noun comes after this one, so [`message_send`] is handed it rather than
/// calling it; `()` writes nothing.
pub trait Inbox: Sync {
    type Written: Send;
    fn write(
        &self,
        txn: &DatabaseTransaction,
        asked: Asked<'_>,
    ) -> impl Future<Output = AppResult<Self::Written>> + Send;
}

impl Inbox for () {
    type Written = ();
    async fn write(&self, _: &DatabaseTransaction, _: Asked<'_>) -> AppResult<()> {
        Ok(())
    }
}

/// Sends a message to a room the author belongs to, with the author's files uploaded to
/// the room (`attachments`; the body may then be empty). In a direct room a block (either
/// way) refuses it. [`prepare`], then [`Outgoing::write`] in a transaction of its own (a
/// savepoint when `db` is one): for a send that is not batched, like the scheduled pass's.
#[expect(
    clippy::too_many_arguments,
    reason = "one message's parts and its two collaborators"
)]
pub async fn message_send<C: ConnectionTrait + TransactionTrait, I: Inbox>(
    db: &C,
    author: &users::Model,
    room_id: Uuid,
    body: Option<MessageBody>,
    reply_to: Option<Uuid>,
    thread: Option<thread::Thread>,
    attachments: &[Uuid],
    specials: &SpecialMentions,
    inbox: &I,
) -> AppResult<Sent<I::Written>> {
    let outgoing = prepare(
        db,
        author,
        room_id,
        body,
        reply_to,
        thread,
        attachments,
        specials,
        None,
    )
    .await?;
    let txn = db.begin().await?;
    let sent = outgoing.write(&txn, inbox).await?;
    txn.commit().await?;
    Ok(sent)
}

/// A message checked and rendered, not yet written: what sending looks up and refuses
/// before its transaction, so that several can then be written in one (the publisher's
/// group commit) and a refusal never holds the others back.
pub struct Outgoing {
    author: users::Model,
    room: rooms::Model,
    body: String,
    reply_to: Option<Uuid>,
    /// The author of the message replied to.
    replied_to: Option<Uuid>,
    root: Option<messages::Model>,
    also_to_room: bool,
    rendered: markup::Rendered,
    mentioned: Vec<Uuid>,
    named_ids: Vec<Uuid>,
    special: Option<(&'static str, Vec<Uuid>)>,
    file_names: Vec<String>,
    attachments: Vec<Uuid>,
    forward: Option<forward::Source>,
}

/// Checks that `author` may send this to `room_id` and renders it: every rule a message is
/// refused by, read before any write. The checks are repeated by nothing: what changes
/// between here and the write (a mute, a ban) is caught as it is for a single send today,
/// by the next message.
#[expect(
    clippy::too_many_arguments,
    reason = "one message's parts and its collaborator"
)]
pub async fn prepare(
    db: &impl ConnectionTrait,
    author: &users::Model,
    room_id: Uuid,
    body: Option<MessageBody>,
    reply_to: Option<Uuid>,
    thread: Option<thread::Thread>,
    attachments: &[Uuid],
    specials: &SpecialMentions,
    forward: Option<forward::Source>,
) -> AppResult<Outgoing> {
    let forwarded_files = forward.as_ref().is_some_and(|f| !f.files.is_empty());
    if attachments.len() > files::ATTACHMENTS_MAX {
        return Err(AppError::Invalid {
            code: ErrorCode::MessageTooManyAttachments,
            args: vec![("max", files::ATTACHMENTS_MAX.to_string())],
        });
    }
    let body = match body {
        Some(body) => body.into_string(),
        None if !attachments.is_empty() || forwarded_files => String::new(),
        None => return Err(body::empty()),
    };
    let (room, member) = require_writer(db, room_id, author).await?;
    if RoomKind::of(&room) == RoomKind::Direct {
        let peer = room_members::Entity::find()
            .filter(room_members::Column::RoomId.eq(room_id))
            .filter(room_members::Column::UserId.ne(author.id))
            .one(db)
            .await?;
        if let Some(peer) = peer {
            if blocks::blocked_between(db, author.id, peer.user_id).await? {
                return Err(AppError::Forbidden(ErrorCode::DmBlocked));
            }
        }
    }
    let mut replied_to = None;
    if let Some(reply_to) = reply_to {
        let original = messages::Entity::find_by_id(reply_to).one(db).await?;
        match original {
            Some(original) if original.room_id == room_id => replied_to = original.author_id,
            _ => {
                return Err(AppError::Invalid {
                    code: ErrorCode::MessageReplyInvalid,
                    args: vec![],
                });
            }
        }
    }
    let root = match thread {
        Some(thread) => Some(thread::root_for_reply(db, room_id, thread.root).await?),
        None => None,
    };
    let named = named_members(db, room_id, &body).await?;
    let rendered = markup::render(&body, &markup_context(db, &body, &named).await?);
    let mut mentioned: Vec<Uuid> = named.iter().map(|u| u.id).collect();
    let named_ids: Vec<Uuid> = mentioned
        .iter()
        .copied()
        .filter(|id| *id != author.id)
        .collect();
    let mut special: Option<(&'static str, Vec<Uuid>)> = None;
    if !rendered.specials.is_empty() {
        let members = member_ids(db, room_id).await?;
        if !may_moderate(author, Some(&member)) && members.len() as u64 > specials.max_members {
            return Err(AppError::Denied {
                code: ErrorCode::MentionSpecialForbidden,
                args: vec![("max", specials.max_members.to_string())],
            });
        }
        let (which, reached): (&'static str, Vec<Uuid>) = if rendered.specials.contains(&"room") {
            ("room", members)
        } else {
            let online = members.into_iter();
            (
                "here",
                online.filter(|id| specials.online.contains(id)).collect(),
            )
        };
        mentioned.extend(&reached);
        special = Some((which, reached));
    }
    mentioned.sort_unstable();
    mentioned.dedup();
    mentioned.retain(|id| *id != author.id);
    let mut file_names = files::attachments::names(db, attachments).await?;
    if let Some(forward) = &forward {
        file_names.extend(forward.file_names());
    }

    Ok(Outgoing {
        author: author.clone(),
        room,
        body,
        reply_to,
        replied_to,
        root,
        also_to_room: thread.is_some_and(|thread| thread.also_to_room),
        rendered,
        mentioned,
        named_ids,
        special,
        file_names,
        attachments: attachments.to_vec(),
        forward,
    })
}

impl Outgoing {
    /// Writes the message in `txn`, taking the room's next seq, with everything stored
    /// beside it (mentions, thread state, attachments, the inbox rows of `inbox`); the
    /// caller commits.
    pub async fn write<I: Inbox>(
        self,
        txn: &DatabaseTransaction,
        inbox: &I,
    ) -> AppResult<Sent<I::Written>> {
        let Outgoing {
            author,
            room,
            body,
            reply_to,
            replied_to,
            root,
            also_to_room,
            rendered,
            mentioned,
            named_ids,
            special,
            file_names,
            attachments,
            forward,
        } = self;
        let (author, room_id, txn) = (&author, room.id, txn);
        let attachments = attachments.as_slice();
        let forwarded_files = forward.as_ref().is_some_and(|f| !f.files.is_empty());
        let seq = seq_next(txn, room_id).await?;
        let message = messages::Entity::insert(messages::ActiveModel {
            id: Set(Uuid::now_v7()),
            room_id: Set(room_id),
            seq: Set(seq),
            author_id: Set(Some(author.id)),
            kind: Set(MessageKind::Text.as_str().to_owned()),
            search_text: Set(text::search_text(&rendered.plain, &file_names)),
            body_html: Set(Some(rendered.html)),
            body: Set(body),
            reply_to: Set(reply_to),
            created_at: Set(Utc::now()),
            edited_at: Set(None),
            deleted_at: Set(None),
            deleted_by: Set(None),
            thread_id: Set(root.as_ref().map(|root| root.id)),
            also_to_room: Set(also_to_room),
            thread_last_seq: Set(None),
        })
        .exec_with_returning(txn)
        .await?;
        let mut thread_followers = vec![];
        let mut follows_changed = vec![];
        if let Some(root) = &root {
            messages::Entity::update_many()
                .col_expr(messages::Column::ThreadLastSeq, Expr::value(seq))
                .filter(messages::Column::Id.eq(root.id))
                .exec(txn)
                .await?;
            (thread_followers, follows_changed) =
                thread::on_reply(txn, root, author.id, seq, &named_ids, message.created_at).await?;
        }
        files::attachments::attach(txn, author.id, room_id, message.id, attachments).await?;
        if let Some(forward) = &forward {
            forward.record(txn, author, &message).await?;
        }
        for user_id in &mentioned {
            mentions::Entity::insert(mentions::ActiveModel {
                message_id: Set(message.id),
                user_id: Set(*user_id),
                room_id: Set(room_id),
                seq: Set(seq),
            })
            .exec_without_returning(txn)
            .await?;
        }
        users::Entity::update_many()
            .col_expr(
                users::Column::MessageCount,
                Expr::col(users::Column::MessageCount).add(1),
            )
            .filter(users::Column::Id.eq(author.id))
            .exec(txn)
            .await?;
        // The author has read their own message.
        room_members::Entity::update_many()
            .col_expr(room_members::Column::LastReadSeq, Expr::value(seq))
            .filter(room_members::Column::RoomId.eq(room_id))
            .filter(room_members::Column::UserId.eq(author.id))
            .exec(txn)
            .await?;
        let mut view = MessageView::new(&message, Some(author), vec![]);
        view.forwarded_from = forward.as_ref().map(|f| ForwardedFrom::new(&f.snapshot));
        if !attachments.is_empty() || forwarded_files {
            view.attachments = files::attachments::views_for_messages(txn, &[message.id])
                .await?
                .remove(&message.id)
                .unwrap_or_default();
        }
        let event = event_record(txn, room_id, seq, EventKind::MessageCreated, &view).await?;
        let written = inbox
            .write(
                txn,
                Asked {
                    room: &room,
                    author,
                    message: &message,
                    named: &named_ids,
                    special: special
                        .as_ref()
                        .map(|(which, ids)| (*which, ids.as_slice())),
                    replied_to: replied_to.filter(|id| *id != author.id),
                    prose: &rendered.prose,
                    only: None,
                    thread_followers: &thread_followers,
                },
            )
            .await?;
        Ok(Sent {
            view,
            event,
            mentioned,
            written,
            follows_changed: root.map(|root| (root.id, follows_changed)),
        })
    }
}

/// [`prepare`]s the copy of `source` for `room_id` as `forwarder`: the same checks as
/// sending there (member, not muted, room not read-only, no block in a direct
/// conversation), with the source's body, copies of its files and its snapshot.
pub async fn prepare_forward(
    db: &impl ConnectionTrait,
    forwarder: &users::Model,
    source: forward::Source,
    room_id: Uuid,
    specials: &SpecialMentions,
) -> AppResult<Outgoing> {
    let body = source.body.clone();
    prepare(
        db,
        forwarder,
        room_id,
        body,
        None,
        None,
        &[],
        specials,
        Some(source),
    )
    .await
}

/// Members of the room named by `@mentions` in `body`.
async fn named_members(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    body: &str,
) -> AppResult<Vec<users::Model>> {
    let keys: Vec<String> = mentioned_names(body)
        .iter()
        .filter_map(|name| Username::parse(name).ok())
        .map(|name| name.key().to_owned())
        .collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let named = users::Entity::find()
        .filter(users::Column::UsernameKey.is_in(keys))
        .all(db)
        .await?;
    let members: Vec<Uuid> = room_members::Entity::find()
        .select_only()
        .column(room_members::Column::UserId)
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.is_in(named.iter().map(|u| u.id)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(named
        .into_iter()
        .filter(|u| members.contains(&u.id))
        .collect())
}

/// What the renderer needs: the named members, for their pills, and the custom emoji the
/// body names that exist.
async fn markup_context(
    db: &impl ConnectionTrait,
    body: &str,
    named: &[users::Model],
) -> AppResult<markup::Context> {
    let names: Vec<&str> = markup::shortcode_spans(body)
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    let emoji = if names.is_empty() {
        Default::default()
    } else {
        custom_emoji::Entity::find()
            .select_only()
            .column(custom_emoji::Column::Name)
            .filter(custom_emoji::Column::Name.is_in(names))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(markup::Context {
        emoji,
        members: named
            .iter()
            .map(|u| {
                (
                    u.username_key.clone(),
                    (u.username.clone(), u.display_name.clone()),
                )
            })
            .collect(),
    })
}

/// How `body` will read once sent to `room_id` (or anywhere, without one: then no mention
/// pills): the same rendering as a sent message's `html`, nothing stored.
pub async fn preview(
    db: &impl ConnectionTrait,
    user: &users::Model,
    room_id: Option<Uuid>,
    body: &MessageBody,
) -> AppResult<String> {
    let named = match room_id {
        Some(room_id) => {
            require_member(db, room_id, user.id).await?;
            named_members(db, room_id, body.as_str()).await?
        }
        None => vec![],
    };
    let context = markup_context(db, body.as_str(), &named).await?;
    Ok(markup::render(body.as_str(), &context).html)
}

/// Edits one's own message.
pub async fn message_edit<C: ConnectionTrait + TransactionTrait, I: Inbox>(
    db: &C,
    actor: &users::Model,
    message_id: Uuid,
    body: MessageBody,
    inbox: &I,
) -> AppResult<Sent<I::Written>> {
    let body = body.into_string();
    let message = message_get(db, message_id).await?;
    let (room, _) = require_writer(db, message.room_id, actor).await?;
    if message.author_id != Some(actor.id) {
        return Err(AppError::Forbidden(ErrorCode::MessageNotAuthor));
    }
    // A poll's question is part of what people voted on.
    if MessageKind::of(&message) != Some(MessageKind::Text) {
        return Err(AppError::Invalid {
            code: ErrorCode::MessageNotEditable,
            args: vec![],
        });
    }
    if message.deleted_at.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    // A forwarded copy shows someone else's words under their name: not the forwarder's to
    // change.
    if forward::is_forwarded(db, message.id).await? {
        return Err(AppError::Invalid {
            code: ErrorCode::MessageNotEditable,
            args: vec![],
        });
    }
    let file_names = files::attachments::names_of_message(db, message.id).await?;
    let named = named_members(db, message.room_id, &body).await?;
    let rendered = markup::render(&body, &markup_context(db, &body, &named).await?);
    // Someone the edit names for the first time is told, as if the message were new;
    // those named before were told then.
    let before: Vec<Uuid> = mentions::Entity::find()
        .select_only()
        .column(mentions::Column::UserId)
        .filter(mentions::Column::MessageId.eq(message.id))
        .into_tuple()
        .all(db)
        .await?;
    let newly: Vec<Uuid> = named
        .iter()
        .map(|user| user.id)
        .filter(|id| *id != actor.id && !before.contains(id))
        .collect();
    let txn = db.begin().await?;
    let mut active: messages::ActiveModel = message.into();
    active.search_text = Set(text::search_text(&rendered.plain, &file_names));
    active.body_html = Set(Some(rendered.html));
    active.body = Set(body);
    active.edited_at = Set(Some(Utc::now()));
    let message = active.update(&txn).await?;
    for user_id in &newly {
        mentions::Entity::insert(mentions::ActiveModel {
            message_id: Set(message.id),
            user_id: Set(*user_id),
            room_id: Set(message.room_id),
            seq: Set(message.seq),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    let written = inbox
        .write(
            &txn,
            Asked {
                room: &room,
                author: actor,
                message: &message,
                named: &newly,
                special: None,
                replied_to: None,
                prose: &rendered.prose,
                only: Some(&newly),
                thread_followers: &[],
            },
        )
        .await?;
    let view = message_views(&txn, vec![message]).await?.remove(0);
    let event = event_append(&txn, view.room_id, EventKind::MessageEdited, &view).await?;
    txn.commit().await?;
    Ok(Sent {
        view,
        event,
        mentioned: newly,
        written,
        follows_changed: None,
    })
}

/// The inbox rows a deleted message took along: `(user_id, notification id)`.
pub type Unnotified = Vec<(Uuid, Uuid)>;

/// Deletes a message (soft: the body is emptied and the event says who did it). Authors
/// delete their own; room owners/moderators and global moderators any. Its inbox rows go
/// with it (returned, so their owners can be told).
pub async fn message_delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    message_id: Uuid,
) -> AppResult<((MessageView, Unnotified), RoomEvent)> {
    let message = message_get(db, message_id).await?;
    let member = membership(db, message.room_id, actor.id).await?;
    let own = message.author_id == Some(actor.id) && member.is_some();
    if !own {
        let author = match message.author_id {
            Some(id) => users::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        match author {
            Some(author) => {
                let author_member = membership(db, message.room_id, author.id).await?;
                check_outranks(actor, member.as_ref(), &author, author_member.as_ref())?;
            }
            // A removed account outranks nobody.
            None if may_moderate(actor, member.as_ref()) => {}
            None => return Err(AppError::Forbidden(ErrorCode::Forbidden)),
        }
    }
    if message.deleted_at.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    let txn = db.begin().await?;
    if !own {
        audit::audit_record(
            &txn,
            audit::Actor::user(actor.id, ip),
            audit::Entry {
                action: "message.delete",
                target: Some(("message", message.id.to_string())),
                reason: "",
                data: json!({
                    "room_id": message.room_id,
                    "author_id": message.author_id,
                    "body": message.body,
                }),
            },
        )
        .await?;
    }
    embeds::embeds_forget(&txn, &message).await?;
    let mut active: messages::ActiveModel = message.into();
    active.body = Set(String::new());
    active.search_text = Set(String::new());
    active.body_html = Set(None);
    active.deleted_at = Set(Some(Utc::now()));
    active.deleted_by = Set(Some(actor.id));
    let message = active.update(&txn).await?;
    reactions::Entity::delete_many()
        .filter(reactions::Column::MessageId.eq(message.id))
        .exec(&txn)
        .await?;
    // Unpinned with it: clients drop it from the pinned list on `message.deleted`.
    message_pins::Entity::delete_many()
        .filter(message_pins::Column::MessageId.eq(message.id))
        .exec(&txn)
        .await?;
    // A soft-deleted message keeps its row, so its notifications are not cascaded away.
    let unnotified: Unnotified = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::UserId)
        .column(notifications::Column::Id)
        .filter(notifications::Column::MessageId.eq(message.id))
        .into_tuple()
        .all(&txn)
        .await?;
    notifications::Entity::delete_many()
        .filter(notifications::Column::MessageId.eq(message.id))
        .exec(&txn)
        .await?;
    let view = message_views(&txn, vec![message]).await?.remove(0);
    let event = event_append(
        &txn,
        view.room_id,
        EventKind::MessageDeleted,
        &json!({ "id": view.id, "seq": view.seq, "deleted_by": actor.id, "by_moderator": !own }),
    )
    .await?;
    txn.commit().await?;
    Ok(((view, unnotified), event))
}

/// Ids of the author's live messages written since `since`, oldest first.
pub async fn messages_by_author_since(
    db: &impl ConnectionTrait,
    author_id: Uuid,
    since: chrono::DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    Ok(messages::Entity::find()
        .select_only()
        .column(messages::Column::Id)
        .filter(messages::Column::AuthorId.eq(author_id))
        .filter(messages::Column::CreatedAt.gte(since))
        .filter(messages::Column::DeletedAt.is_null())
        .order_by_asc(messages::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Adds (`add`) or removes one emoji of the user on a message.
pub async fn reaction_set<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    message_id: Uuid,
    emoji: &str,
    add: bool,
) -> AppResult<(MessageView, Option<RoomEvent>)> {
    let emoji = parse_emoji(emoji)?;
    // Only adding needs the custom emoji to exist: a reaction left by one since deleted
    // can still be taken back.
    if let Some(name) = EmojiName::from_shortcode(&emoji).filter(|_| add) {
        if !emoji::emoji_exists(db, &name).await? {
            return Err(reaction_invalid());
        }
    }
    let message = message_get(db, message_id).await?;
    require_writer(db, message.room_id, user).await?;
    if message.deleted_at.is_some() {
        return Err(AppError::Missing(ErrorCode::MessageNotFound));
    }
    let txn = db.begin().await?;
    let changed = if add {
        reactions::Entity::insert(reactions::ActiveModel {
            message_id: Set(message_id),
            user_id: Set(user.id),
            emoji: Set(emoji.clone()),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                reactions::Column::MessageId,
                reactions::Column::UserId,
                reactions::Column::Emoji,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?
    } else {
        reactions::Entity::delete_many()
            .filter(reactions::Column::MessageId.eq(message_id))
            .filter(reactions::Column::UserId.eq(user.id))
            .filter(reactions::Column::Emoji.eq(emoji.clone()))
            .exec(&txn)
            .await?
            .rows_affected
    };
    let view = message_views(&txn, vec![message]).await?.remove(0);
    if changed == 0 {
        // Nothing changed (already there / already gone): no event.
        return Ok((view, None));
    }
    let kind = if add {
        EventKind::ReactionAdded
    } else {
        EventKind::ReactionRemoved
    };
    let event = event_append(
        &txn,
        view.room_id,
        kind,
        &json!({
            "message_id": view.id,
            "emoji": emoji,
            "user": UserRef::from(user),
            "reactions": view.reactions,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok((view, Some(event)))
}

/// A page of a room's messages: the latest (or those before `before_seq`), or those after
/// `after_seq`; always returned oldest first.
pub async fn history(
    db: &impl ConnectionTrait,
    user: &users::Model,
    room_id: Uuid,
    before_seq: Option<i64>,
    after_seq: Option<i64>,
    limit: u64,
    include_threads: bool,
) -> AppResult<Vec<MessageView>> {
    require_member(db, room_id, user.id).await?;
    let limit = limit.clamp(1, HISTORY_LIMIT_MAX);
    let mut query = messages::Entity::find().filter(messages::Column::RoomId.eq(room_id));
    if !include_threads {
        query = query.filter(
            messages::Column::ThreadId
                .is_null()
                .or(messages::Column::AlsoToRoom.eq(true)),
        );
    }
    let list = seq_page(db, query, before_seq, after_seq, limit).await?;
    let mut views = message_views(db, list).await?;
    forward::links_for(db, user.id, &mut views).await?;
    Ok(views)
}

/// Moves the user's read position forward to `seq` (never back). Returns the new position
/// if it moved.
pub async fn read_mark(
    db: &impl ConnectionTrait,
    user: &users::Model,
    room_id: Uuid,
    seq: i64,
) -> AppResult<Option<i64>> {
    let (room, member) = require_member(db, room_id, user.id).await?;
    let seq = seq.min(room.last_seq);
    if seq <= member.last_read_seq {
        return Ok(None);
    }
    room_members::Entity::update_many()
        .col_expr(room_members::Column::LastReadSeq, Expr::value(seq))
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.eq(user.id))
        .filter(room_members::Column::LastReadSeq.lt(seq))
        .exec(db)
        .await?;
    Ok(Some(seq))
}

/// One page of `query`'s messages in seq order: those after `after_seq` (oldest first), or
/// else the newest before `before_seq` (still returned oldest first). Room history and a
/// thread's page share it.
pub async fn seq_page(
    db: &impl ConnectionTrait,
    mut query: sea_orm::Select<messages::Entity>,
    before_seq: Option<i64>,
    after_seq: Option<i64>,
    limit: u64,
) -> AppResult<Vec<messages::Model>> {
    let list = if let Some(after) = after_seq {
        query = query.filter(messages::Column::Seq.gt(after));
        query
            .order_by_asc(messages::Column::Seq)
            .limit(limit)
            .all(db)
            .await?
    } else {
        if let Some(before) = before_seq {
            query = query.filter(messages::Column::Seq.lt(before));
        }
        let mut page = query
            .order_by_desc(messages::Column::Seq)
            .limit(limit)
            .all(db)
            .await?;
        page.reverse();
        page
    };
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_are_checked() {
        assert!(parse_emoji("👍").is_ok());
        assert!(parse_emoji("👍🏽").is_ok());
        assert!(parse_emoji("ok").is_err());
        assert!(parse_emoji("").is_err());
        assert_eq!(
            parse_emoji(" :party_parrot: ").ok().as_deref(),
            Some(":party_parrot:")
        );
        assert!(parse_emoji(":Party:").is_err());
        assert!(parse_emoji(":a:").is_err());
    }
}
