//! Messages, reactions, mentions and read positions.

pub mod body;
pub mod kind;
pub mod retention;
pub mod summary;

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use entity::{mentions, messages, polls, reactions, room_members, users};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use serde_json::json;
use uuid::Uuid;

pub use self::body::{BODY_MAX, MessageBody};
use self::kind::MessageKind;
use crate::domain::rooms::kinds::RoomKind;
use crate::{
    domain::views::{MessageView, ReactionCount, UserRef},
    domain::{
        audit, files,
        rooms::{
            may_moderate, membership,
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

/// A reaction: one short emoji (not letters or digits, no spaces).
pub fn parse_emoji(input: &str) -> AppResult<String> {
    let emoji = input.trim();
    let count = emoji.chars().count();
    let valid = count > 0
        && count <= EMOJI_MAX_CHARS
        && !emoji
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c.is_alphanumeric())
        && !emoji.is_ascii();
    if !valid {
        return Err(AppError::Invalid {
            code: ErrorCode::ReactionInvalid,
            args: vec![],
        });
    }
    Ok(emoji.to_owned())
}

/// `@name` tokens in a body (Persian names too), as typed.
pub fn mentioned_names(body: &str) -> Vec<String> {
    let is_name_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '-');
    let mut names = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find('@') {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + 1..];
        let name: String = after.chars().take_while(|c| is_name_char(*c)).collect();
        // `a@b` (an e-mail address) is not a mention.
        if before.is_none_or(|c| !is_name_char(c)) && !name.is_empty() {
            names.push(name.trim_end_matches(['.', '-']).to_owned());
        }
        rest = after;
    }
    names
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
    let people: HashMap<Uuid, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(list
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
            view
        })
        .collect())
}

/// A sent message: its view, the event to fan out, and who it mentions.
pub struct Sent {
    pub view: MessageView,
    pub event: RoomEvent,
    pub mentioned: Vec<Uuid>,
}

/// Sends a message to a room the author belongs to, with the author's files uploaded to
/// the room (`attachments`; the body may then be empty). In a direct room a block (either
/// way) refuses it.
pub async fn message_send<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    author: &users::Model,
    room_id: Uuid,
    body: Option<MessageBody>,
    reply_to: Option<Uuid>,
    attachments: &[Uuid],
) -> AppResult<Sent> {
    if attachments.len() > files::ATTACHMENTS_MAX {
        return Err(AppError::Invalid {
            code: ErrorCode::MessageTooManyAttachments,
            args: vec![("max", files::ATTACHMENTS_MAX.to_string())],
        });
    }
    let body = match body {
        Some(body) => body.into_string(),
        None if !attachments.is_empty() => String::new(),
        None => return Err(body::empty()),
    };
    let (room, _) = require_writer(db, room_id, author).await?;
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
    if let Some(reply_to) = reply_to {
        let original = messages::Entity::find_by_id(reply_to).one(db).await?;
        if original.is_none_or(|m| m.room_id != room_id) {
            return Err(AppError::Invalid {
                code: ErrorCode::MessageReplyInvalid,
                args: vec![],
            });
        }
    }
    let mentioned = mentioned_members(db, room_id, author.id, &body).await?;
    let file_names = files::attachments::names(db, attachments).await?;

    let txn = db.begin().await?;
    let seq = seq_next(&txn, room_id).await?;
    let message = messages::Entity::insert(messages::ActiveModel {
        id: Set(Uuid::now_v7()),
        room_id: Set(room_id),
        seq: Set(seq),
        author_id: Set(Some(author.id)),
        kind: Set(MessageKind::Text.as_str().to_owned()),
        search_text: Set(text::search_text(&body, &file_names)),
        body: Set(body),
        reply_to: Set(reply_to),
        created_at: Set(Utc::now()),
        edited_at: Set(None),
        deleted_at: Set(None),
        deleted_by: Set(None),
    })
    .exec_with_returning(&txn)
    .await?;
    files::attachments::attach(&txn, author.id, room_id, message.id, attachments).await?;
    for user_id in &mentioned {
        mentions::Entity::insert(mentions::ActiveModel {
            message_id: Set(message.id),
            user_id: Set(*user_id),
            room_id: Set(room_id),
            seq: Set(seq),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    users::Entity::update_many()
        .col_expr(
            users::Column::MessageCount,
            Expr::col(users::Column::MessageCount).add(1),
        )
        .filter(users::Column::Id.eq(author.id))
        .exec(&txn)
        .await?;
    // The author has read their own message.
    room_members::Entity::update_many()
        .col_expr(room_members::Column::LastReadSeq, Expr::value(seq))
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.eq(author.id))
        .exec(&txn)
        .await?;
    let mut view = MessageView::new(&message, Some(author), vec![]);
    if !attachments.is_empty() {
        view.attachments = files::attachments::views_for_messages(&txn, &[message.id])
            .await?
            .remove(&message.id)
            .unwrap_or_default();
    }
    let event = event_record(&txn, room_id, seq, EventKind::MessageCreated, &view).await?;
    txn.commit().await?;
    Ok(Sent {
        view,
        event,
        mentioned,
    })
}

/// Members of the room named by `@mentions` in `body`, other than the author.
async fn mentioned_members(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    author: Uuid,
    body: &str,
) -> AppResult<Vec<Uuid>> {
    let keys: Vec<String> = mentioned_names(body)
        .iter()
        .filter_map(|name| Username::parse(name).ok())
        .map(|name| name.key().to_owned())
        .collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let named: Vec<Uuid> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::UsernameKey.is_in(keys))
        .into_tuple()
        .all(db)
        .await?;
    let members: Vec<Uuid> = room_members::Entity::find()
        .select_only()
        .column(room_members::Column::UserId)
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.is_in(named))
        .into_tuple()
        .all(db)
        .await?;
    Ok(members.into_iter().filter(|id| *id != author).collect())
}

/// Edits one's own message.
pub async fn message_edit<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    message_id: Uuid,
    body: MessageBody,
) -> AppResult<(MessageView, RoomEvent)> {
    let body = body.into_string();
    let message = message_get(db, message_id).await?;
    require_writer(db, message.room_id, actor).await?;
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
    let file_names = files::attachments::names_of_message(db, message.id).await?;
    let txn = db.begin().await?;
    let mut active: messages::ActiveModel = message.into();
    active.search_text = Set(text::search_text(&body, &file_names));
    active.body = Set(body);
    active.edited_at = Set(Some(Utc::now()));
    let message = active.update(&txn).await?;
    let view = message_views(&txn, vec![message]).await?.remove(0);
    let event = event_append(&txn, view.room_id, EventKind::MessageEdited, &view).await?;
    txn.commit().await?;
    Ok((view, event))
}

/// Deletes a message (soft: the body is emptied and the event says who did it). Authors
/// delete their own; room owners/moderators and global moderators any.
pub async fn message_delete<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &users::Model,
    ip: Option<std::net::IpAddr>,
    message_id: Uuid,
) -> AppResult<(MessageView, RoomEvent)> {
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
    let mut active: messages::ActiveModel = message.into();
    active.body = Set(String::new());
    active.search_text = Set(String::new());
    active.deleted_at = Set(Some(Utc::now()));
    active.deleted_by = Set(Some(actor.id));
    let message = active.update(&txn).await?;
    reactions::Entity::delete_many()
        .filter(reactions::Column::MessageId.eq(message.id))
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
    Ok((view, event))
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
) -> AppResult<Vec<MessageView>> {
    require_member(db, room_id, user.id).await?;
    let limit = limit.clamp(1, HISTORY_LIMIT_MAX);
    let mut query = messages::Entity::find().filter(messages::Column::RoomId.eq(room_id));
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
    message_views(db, list).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_in_latin_and_persian_but_not_in_addresses() {
        assert_eq!(mentioned_names("hi @sara and @علی!"), ["sara", "علی"]);
        assert_eq!(
            mentioned_names("mail me at sara@example.org"),
            Vec::<String>::new()
        );
        assert_eq!(mentioned_names("@reza. thanks"), ["reza"]);
    }

    #[test]
    fn emoji_are_checked() {
        assert!(parse_emoji("👍").is_ok());
        assert!(parse_emoji("👍🏽").is_ok());
        assert!(parse_emoji("ok").is_err());
        assert!(parse_emoji("").is_err());
    }
}
