//! Polls: created as a timeline message of kind `poll`; votes are rows guarded by primary
//! keys, so counts stay exact however many people vote at once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{messages, poll_ballots, poll_options, poll_votes, polls, users};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait, sea_query::OnConflict,
};
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use crate::domain::messages::kind::MessageKind;
use crate::{
    domain::rooms::{
        may_moderate, membership,
        moderation::require_writer,
        require_member,
        timeline::{EventKind, RoomEvent, event_append, event_record, seq_next},
    },
    domain::views::{MessageView, PollOptionView, PollView, UserRef},
    error::{AppError, AppResult, ErrorCode},
};

pub const QUESTION_MAX: usize = 300;
pub const OPTION_MAX: usize = 200;
pub const OPTIONS_MIN: usize = 2;
pub const OPTIONS_MAX: usize = 10;

/// A poll to create.
pub struct NewPoll {
    pub question: String,
    pub options: Vec<String>,
    pub multiple: bool,
    pub max_choices: Option<i32>,
    pub anonymous: bool,
    pub closes_at: Option<DateTime<Utc>>,
}

fn invalid(code: ErrorCode, args: Vec<(&'static str, String)>) -> AppError {
    AppError::Invalid { code, args }
}

fn clean(text: &str) -> String {
    text.trim().nfc().collect()
}

/// Checks every rule of a new poll; returns the cleaned question and options.
fn check(new: &NewPoll) -> AppResult<(String, Vec<String>)> {
    let question = clean(&new.question);
    if question.is_empty() || question.chars().count() > QUESTION_MAX {
        return Err(invalid(
            ErrorCode::PollQuestionInvalid,
            vec![("max", QUESTION_MAX.to_string())],
        ));
    }
    if !(OPTIONS_MIN..=OPTIONS_MAX).contains(&new.options.len()) {
        return Err(invalid(
            ErrorCode::PollOptionsCount,
            vec![
                ("min", OPTIONS_MIN.to_string()),
                ("max", OPTIONS_MAX.to_string()),
            ],
        ));
    }
    let options: Vec<String> = new.options.iter().map(|o| clean(o)).collect();
    if options
        .iter()
        .any(|o| o.is_empty() || o.chars().count() > OPTION_MAX)
    {
        return Err(invalid(
            ErrorCode::PollOptionTextInvalid,
            vec![("max", OPTION_MAX.to_string())],
        ));
    }
    if options.iter().collect::<HashSet<_>>().len() != options.len() {
        return Err(invalid(ErrorCode::PollOptionsDuplicate, vec![]));
    }
    if let Some(max) = new.max_choices {
        if !new.multiple || max < 1 || max as usize > options.len() {
            return Err(invalid(ErrorCode::PollMaxChoicesInvalid, vec![]));
        }
    }
    if new.closes_at.is_some_and(|at| at <= Utc::now()) {
        return Err(invalid(ErrorCode::PollClosesAtPast, vec![]));
    }
    Ok((question, options))
}

/// Creates a poll in a room the author belongs to, as a `poll` message in its timeline.
pub async fn poll_create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    author: &users::Model,
    room_id: Uuid,
    new: NewPoll,
) -> AppResult<(PollView, RoomEvent)> {
    let (question, options) = check(&new)?;
    require_writer(db, room_id, author).await?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let seq = seq_next(&txn, room_id).await?;
    let message = messages::Entity::insert(messages::ActiveModel {
        id: Set(Uuid::now_v7()),
        room_id: Set(room_id),
        seq: Set(seq),
        author_id: Set(Some(author.id)),
        kind: Set(MessageKind::Poll.as_str().to_owned()),
        search_text: Set(crate::domain::text::search_text(&question, &options)),
        body: Set(question.clone()),
        reply_to: Set(None),
        created_at: Set(now),
        edited_at: Set(None),
        deleted_at: Set(None),
        deleted_by: Set(None),
        // A question is plain text, shown as typed.
        body_html: Set(None),
        thread_id: Set(None),
        also_to_room: Set(false),
        thread_last_seq: Set(None),
    })
    .exec_with_returning(&txn)
    .await?;
    let poll = polls::Entity::insert(polls::ActiveModel {
        id: Set(Uuid::now_v7()),
        room_id: Set(room_id),
        message_id: Set(message.id),
        creator_id: Set(Some(author.id)),
        question: Set(question),
        multiple: Set(new.multiple),
        max_choices: Set(new.max_choices),
        anonymous: Set(new.anonymous),
        closes_at: Set(new.closes_at),
        closed_at: Set(None),
        created_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    for (position, text) in options.into_iter().enumerate() {
        poll_options::Entity::insert(poll_options::ActiveModel {
            id: Set(Uuid::now_v7()),
            poll_id: Set(poll.id),
            position: Set(position as i32),
            text: Set(text),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    let mut view = MessageView::new(&message, Some(author), vec![]);
    view.poll_id = Some(poll.id);
    let event = event_record(&txn, room_id, seq, EventKind::MessageCreated, &view).await?;
    txn.commit().await?;
    let poll_view = poll_view(db, &poll, Some(author.id)).await?;
    Ok((poll_view, event))
}

/// The poll, or `poll.not_found`.
pub async fn poll_get(db: &impl ConnectionTrait, poll_id: Uuid) -> AppResult<polls::Model> {
    polls::Entity::find_by_id(poll_id)
        .one(db)
        .await?
        .ok_or(AppError::Missing(ErrorCode::PollNotFound))
}

/// A poll the user may see (member of its room).
pub async fn poll_for_member(
    db: &impl ConnectionTrait,
    user: &users::Model,
    poll_id: Uuid,
) -> AppResult<polls::Model> {
    let poll = poll_get(db, poll_id).await?;
    require_member(db, poll.room_id, user.id).await?;
    Ok(poll)
}

fn is_open(poll: &polls::Model, now: DateTime<Utc>) -> bool {
    poll.closed_at.is_none() && poll.closes_at.is_none_or(|at| at > now)
}

/// Results as `viewer` sees them (`None`: a broadcast, without anyone's own choices).
/// Anonymous polls never name voters.
pub async fn poll_view(
    db: &impl ConnectionTrait,
    poll: &polls::Model,
    viewer: Option<Uuid>,
) -> AppResult<PollView> {
    let options = poll_options::Entity::find()
        .filter(poll_options::Column::PollId.eq(poll.id))
        .order_by_asc(poll_options::Column::Position)
        .all(db)
        .await?;
    let votes = poll_votes::Entity::find()
        .filter(poll_votes::Column::PollId.eq(poll.id))
        .all(db)
        .await?;
    // From the same rows as the per-option counts, so one view is always self-consistent.
    let total_voters = votes
        .iter()
        .map(|v| v.user_id)
        .collect::<HashSet<_>>()
        .len() as u64;
    let mut people: HashMap<Uuid, UserRef> = HashMap::new();
    if !poll.anonymous {
        let ids: HashSet<Uuid> = votes
            .iter()
            .map(|v| v.user_id)
            .chain(poll.creator_id)
            .collect();
        for user in users::Entity::find()
            .filter(users::Column::Id.is_in(ids))
            .all(db)
            .await?
        {
            people.insert(user.id, UserRef::from(&user));
        }
    } else if let Some(creator) = poll.creator_id {
        if let Some(user) = users::Entity::find_by_id(creator).one(db).await? {
            people.insert(user.id, UserRef::from(&user));
        }
    }
    let option_views = options
        .iter()
        .map(|option| {
            let chosen: Vec<&poll_votes::Model> =
                votes.iter().filter(|v| v.option_id == option.id).collect();
            PollOptionView {
                id: option.id,
                text: option.text.clone(),
                votes: chosen.len() as u64,
                voters: (!poll.anonymous).then(|| {
                    chosen
                        .iter()
                        .filter_map(|v| people.get(&v.user_id).cloned())
                        .collect()
                }),
            }
        })
        .collect();
    let now = Utc::now();
    Ok(PollView {
        id: poll.id,
        room_id: poll.room_id,
        message_id: poll.message_id,
        creator: poll.creator_id.and_then(|id| people.get(&id).cloned()),
        question: poll.question.clone(),
        options: option_views,
        multiple: poll.multiple,
        max_choices: poll.max_choices,
        anonymous: poll.anonymous,
        closes_at: poll.closes_at,
        closed: !is_open(poll, now),
        closed_at: poll.closed_at,
        total_voters,
        my_choices: viewer.map(|viewer| {
            votes
                .iter()
                .filter(|v| v.user_id == viewer)
                .map(|v| v.option_id)
                .collect()
        }),
    })
}

/// Votes for `option_ids`, replacing the user's previous choice.
pub async fn poll_vote<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    poll_id: Uuid,
    option_ids: &[Uuid],
) -> AppResult<polls::Model> {
    let poll = poll_for_member(db, user, poll_id).await?;
    require_writer(db, poll.room_id, user).await?;
    if !is_open(&poll, Utc::now()) {
        return Err(AppError::Conflict(ErrorCode::PollClosed));
    }
    let chosen: HashSet<Uuid> = option_ids.iter().copied().collect();
    if chosen.is_empty() {
        return Err(invalid(ErrorCode::PollNoChoice, vec![]));
    }
    let limit = if poll.multiple {
        poll.max_choices.map_or(usize::MAX, |m| m as usize)
    } else {
        1
    };
    if chosen.len() > limit {
        return Err(invalid(
            ErrorCode::PollTooManyChoices,
            vec![("max", limit.to_string())],
        ));
    }
    let valid = poll_options::Entity::find()
        .filter(poll_options::Column::PollId.eq(poll_id))
        .filter(poll_options::Column::Id.is_in(chosen.iter().copied()))
        .count(db)
        .await?;
    if valid as usize != chosen.len() {
        return Err(invalid(ErrorCode::PollOptionInvalid, vec![]));
    }
    let txn = db.begin().await?;
    // Upserting the ballot row first locks it: two votes of the same user (two devices)
    // run one after the other, so the replace below never leaves both choices.
    poll_ballots::Entity::insert(poll_ballots::ActiveModel {
        poll_id: Set(poll_id),
        user_id: Set(user.id),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([poll_ballots::Column::PollId, poll_ballots::Column::UserId])
            .update_column(poll_ballots::Column::UpdatedAt)
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    poll_votes::Entity::delete_many()
        .filter(poll_votes::Column::PollId.eq(poll_id))
        .filter(poll_votes::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    for option_id in chosen {
        poll_votes::Entity::insert(poll_votes::ActiveModel {
            poll_id: Set(poll_id),
            user_id: Set(user.id),
            option_id: Set(option_id),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(poll)
}

/// Takes the user's vote back while the poll is open.
pub async fn poll_retract<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    user: &users::Model,
    poll_id: Uuid,
) -> AppResult<polls::Model> {
    let poll = poll_for_member(db, user, poll_id).await?;
    require_writer(db, poll.room_id, user).await?;
    if !is_open(&poll, Utc::now()) {
        return Err(AppError::Conflict(ErrorCode::PollClosed));
    }
    let txn = db.begin().await?;
    poll_votes::Entity::delete_many()
        .filter(poll_votes::Column::PollId.eq(poll_id))
        .filter(poll_votes::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    poll_ballots::Entity::delete_by_id((poll_id, user.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(poll)
}

/// Closes a poll: by the creator or a moderator (`actor`), or by its closing time (`None`).
/// Closing twice is refused with `poll.closed`.
pub async fn poll_close<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: Option<&users::Model>,
    poll_id: Uuid,
) -> AppResult<(PollView, RoomEvent)> {
    let poll = poll_get(db, poll_id).await?;
    if let Some(actor) = actor {
        let member = membership(db, poll.room_id, actor.id).await?;
        if member.is_none() && !may_moderate(actor, None) {
            return Err(AppError::Missing(ErrorCode::PollNotFound));
        }
        if poll.creator_id != Some(actor.id) && !may_moderate(actor, member.as_ref()) {
            return Err(AppError::Forbidden(ErrorCode::Forbidden));
        }
    }
    if poll.closed_at.is_some() {
        return Err(AppError::Conflict(ErrorCode::PollClosed));
    }
    let txn = db.begin().await?;
    let mut active: polls::ActiveModel = poll.into();
    active.closed_at = Set(Some(Utc::now()));
    let poll = active.update(&txn).await?;
    let view = poll_view(&txn, &poll, None).await?;
    let event = event_append(&txn, poll.room_id, EventKind::PollClosed, &view).await?;
    txn.commit().await?;
    Ok((view, event))
}

/// Open polls whose closing time has passed (whoever was or was not connected).
pub async fn polls_due(db: &impl ConnectionTrait) -> AppResult<Vec<Uuid>> {
    Ok(polls::Entity::find()
        .filter(polls::Column::ClosedAt.is_null())
        .filter(polls::Column::ClosesAt.lte(Utc::now()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// A room's polls, newest first, as the member sees them.
pub async fn polls_of_room(
    db: &impl ConnectionTrait,
    user: &users::Model,
    room_id: Uuid,
) -> AppResult<Vec<PollView>> {
    require_member(db, room_id, user.id).await?;
    let list = polls::Entity::find()
        .filter(polls::Column::RoomId.eq(room_id))
        .order_by_desc(polls::Column::CreatedAt)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(list.len());
    for poll in &list {
        views.push(poll_view(db, poll, Some(user.id)).await?);
    }
    Ok(views)
}
