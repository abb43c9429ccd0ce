//! Web Push actions: registering and removing a device's subscription (REST), and this
//! node's delivery round. A request never sends a push: the round, a chore in `app.rs`,
//! finds people with an alert still unread after `[push] delay_secs`, takes their rows
//! (one node wins each, `domain::push::queue`), and sends one push per person — the batch —
//! to each of their devices. What it says is written here in their language, obeying their
//! `show_content`; the service worker only shows it.

use std::collections::HashSet;

use chrono::Duration;
use entity::{messages, notifications, push_subscriptions, rooms, users};
use fluent::FluentArgs;
use sea_orm::EntityTrait;
use serde::Serialize;
use unic_langid::LanguageIdentifier;
use url::Url;
use uuid::Uuid;

use crate::{
    domain::{
        messages::thread,
        notifications::{
            prefs::{self, ShowContent},
            scheduled_reason_id,
        },
        push::{
            queue,
            subscriptions::{self, NewSubscription},
        },
        rooms::kinds::RoomKind,
    },
    error::{AppError, AppResult, ErrorCode},
    i18n::{DEFAULT_LOCALE, localize_digits},
    infra::webpush::{Outcome, Target, Urgency, keys_valid},
    state::AppState,
};

/// People served per round; a full round is followed by another at once.
const ROUND: u64 = 20;
/// Characters of a message's text shown at most.
const TEXT_MAX: usize = 140;
/// Longest endpoint URL accepted (push services' are about 200–500).
pub const ENDPOINT_MAX: usize = 2048;

fn invalid(code: ErrorCode) -> AppError {
    AppError::Invalid { code, args: vec![] }
}

/// Checks an endpoint: an absolute `https` URL (or `http` to a host the outbound
/// allow-list names, for tests), without credentials, at most [`ENDPOINT_MAX`] long.
pub fn endpoint_parse(state: &AppState, endpoint: &str) -> AppResult<Url> {
    let url = Url::parse(endpoint).map_err(|_| invalid(ErrorCode::PushEndpointInvalid))?;
    let listed = url.host_str().is_some_and(|host| {
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        state
            .settings
            .outbound
            .allow_hosts
            .iter()
            .any(|allowed| allowed.trim_matches(['[', ']']).eq_ignore_ascii_case(&host))
    });
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && listed);
    if endpoint.len() > ENDPOINT_MAX
        || !scheme_ok
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(invalid(ErrorCode::PushEndpointInvalid));
    }
    Ok(url)
}

/// Registers the caller's device for pushes (the same endpoint again replaces its keys).
pub async fn subscribe(
    state: &AppState,
    user_id: Uuid,
    session_id: Uuid,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
) -> AppResult<push_subscriptions::Model> {
    if !state.settings.push.enabled {
        return Err(AppError::Conflict(ErrorCode::PushDisabled));
    }
    endpoint_parse(state, endpoint)?;
    if !keys_valid(p256dh, auth) {
        return Err(invalid(ErrorCode::PushKeysInvalid));
    }
    let new = NewSubscription {
        endpoint,
        p256dh,
        auth,
    };
    subscriptions::subscription_put(
        &state.db,
        user_id,
        session_id,
        &new,
        state.settings.push.max_per_user,
        state.clock.now(),
    )
    .await
}

/// Removes the caller's subscription at `endpoint`.
pub async fn unsubscribe(state: &AppState, user_id: Uuid, endpoint: &str) -> AppResult<()> {
    if subscriptions::subscription_delete(&state.db, user_id, endpoint).await? {
        Ok(())
    } else {
        Err(AppError::Missing(ErrorCode::PushSubscriptionNotFound))
    }
}

/// What the service worker gets (encrypted): ready-made text, and where a click goes.
#[derive(Debug, Serialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    /// One notification per room: a later push for the room replaces the earlier one.
    pub tag: String,
    /// The page a click opens (same origin).
    pub url: String,
    pub room_id: Uuid,
    /// The message to open at (absent when the latest is a scheduled message not sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// The thread the message is a reply in, when it is kept there (not also sent to the
    /// room): a click opens that thread, since the room's timeline does not show it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<Uuid>,
    /// Notifications this push stands for.
    pub count: usize,
    pub lang: String,
    pub dir: &'static str,
}

fn say(state: &AppState, lang: &LanguageIdentifier, id: &str, pairs: &[(&str, String)]) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in pairs {
        args.set(*name, value.clone());
    }
    localize_digits(lang, &state.i18n.message(lang, id, None, Some(&args)))
}

/// One line of text from a message's Markdown source, cut at [`TEXT_MAX`].
fn excerpt(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= TEXT_MAX {
        return line;
    }
    let mut cut: String = line.chars().take(TEXT_MAX - 1).collect();
    cut.push('…');
    cut
}

/// Writes the push for `rows` (oldest first, at least one) to `user`.
async fn compose(
    state: &AppState,
    user: &users::Model,
    rows: &[notifications::Model],
) -> AppResult<Option<Payload>> {
    let Some(latest) = rows.last() else {
        return Ok(None);
    };
    let lang = user
        .locale
        .as_deref()
        .and_then(|locale| locale.parse::<LanguageIdentifier>().ok())
        .filter(|lang| state.i18n.available().contains(lang))
        .unwrap_or(DEFAULT_LOCALE);
    let show = prefs::preferences_get(&state.db, user.id)
        .await?
        .show_content;
    let room = rooms::Entity::find_by_id(latest.room_id)
        .one(&state.db)
        .await?;
    let Some(message_id) = latest.message_id else {
        // A scheduled message not sent: told as it is, whatever else waits with it.
        let Some(room) = room else {
            return Ok(None);
        };
        return Ok(Some(scheduled_failed(
            state,
            &lang,
            latest,
            &room,
            rows.len(),
        )));
    };
    let message = messages::Entity::find_by_id(message_id)
        .one(&state.db)
        .await?;
    let (Some(room), Some(message)) = (room, message) else {
        return Ok(None);
    };
    let sender = match message.author_id {
        Some(id) => users::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .map(|author| author.display_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let count = rows.len();
    let rooms: HashSet<Uuid> = rows.iter().map(|row| row.room_id).collect();
    let direct = RoomKind::of(&room) == RoomKind::Direct;
    let n = count.to_string();
    let title = if rooms.len() > 1 {
        say(state, &lang, "push-title-rooms", &[("count", n.clone())])
    } else if count > 1 && !direct {
        say(
            state,
            &lang,
            "push-title-room-count",
            &[("count", n.clone()), ("room", room.name.clone())],
        )
    } else if direct {
        say(
            state,
            &lang,
            "push-title-direct",
            &[("name", sender.clone())],
        )
    } else {
        say(
            state,
            &lang,
            "push-title-room",
            &[("room", room.name.clone())],
        )
    };
    let text = if message.deleted_at.is_some() {
        String::new()
    } else {
        excerpt(&message.body)
    };
    let body = match show {
        ShowContent::Full if text.is_empty() => {
            say(state, &lang, "push-body-no-text", &[("name", sender)])
        }
        ShowContent::Full => say(
            state,
            &lang,
            "push-body-text",
            &[("name", sender), ("text", text)],
        ),
        ShowContent::RoomOnly if rooms.len() > 1 => say(
            state,
            &lang,
            "push-body-rooms-only",
            &[("count", rooms.len().to_string())],
        ),
        ShowContent::RoomOnly if direct => say(state, &lang, "push-body-direct-only", &[]),
        ShowContent::RoomOnly if count > 1 => say(
            state,
            &lang,
            "push-body-room-only-count",
            &[("count", n), ("room", room.name.clone())],
        ),
        ShowContent::RoomOnly => say(
            state,
            &lang,
            "push-body-room-only",
            &[("room", room.name.clone())],
        ),
    };
    Ok(Some(Payload {
        // A room-only push must not leak the title's sender in a direct room either.
        title: if show == ShowContent::RoomOnly && direct && rooms.len() == 1 {
            say(state, &lang, "push-body-direct-only", &[])
        } else {
            title
        },
        body,
        tag: format!("anjoman-room-{}", room.id),
        url: thread::page_address(
            room.id,
            message.id,
            message.seq,
            message.thread_id,
            message.also_to_room,
        ),
        room_id: room.id,
        message_id: Some(message.id),
        seq: Some(message.seq),
        thread_id: message.thread_id.filter(|_| !message.also_to_room),
        count,
        dir: if crate::i18n::is_rtl(&lang) {
            "rtl"
        } else {
            "ltr"
        },
        lang: lang.to_string(),
    }))
}

/// The push for `row`, a scheduled message to `room` the server could not send: the
/// author's own message, so it shows the room and the reason whatever `show_content` says.
fn scheduled_failed(
    state: &AppState,
    lang: &LanguageIdentifier,
    row: &notifications::Model,
    room: &rooms::Model,
    count: usize,
) -> Payload {
    let reason = say(
        state,
        lang,
        scheduled_reason_id(row.error_code.as_deref().unwrap_or_default()),
        &[],
    );
    Payload {
        title: say(state, lang, "push-title-scheduled-failed", &[]),
        body: say(
            state,
            lang,
            "push-body-scheduled-failed",
            &[("room", room.name.clone()), ("reason", reason)],
        ),
        tag: format!("anjoman-room-{}", room.id),
        url: format!("/#room={}", room.id),
        room_id: room.id,
        message_id: None,
        seq: None,
        thread_id: None,
        count,
        dir: if crate::i18n::is_rtl(lang) {
            "rtl"
        } else {
            "ltr"
        },
        lang: lang.to_string(),
    }
}

/// One delivery round of this node. Returns how many people were sent a push.
pub async fn deliver_due(state: &AppState) -> usize {
    let Some(pusher) = &state.push else {
        return 0;
    };
    let delay = Duration::seconds(i64::try_from(state.settings.push.delay_secs).unwrap_or(30));
    // Longer than sending to every device of one person can take.
    let lease = Duration::milliseconds(
        i64::try_from(state.settings.outbound.timeout_ms.saturating_mul(20)).unwrap_or(60_000),
    ) + Duration::seconds(60);
    let mut pushed = 0;
    let mut seen = HashSet::new();
    loop {
        let now = state.clock.now();
        let due = match queue::users_due(&state.db, now, delay, ROUND).await {
            Ok(due) => due,
            Err(err) => {
                tracing::warn!(error = %err, "push queue unreadable");
                return pushed;
            }
        };
        // Everyone this round already served (or failed) waits for the next one.
        let due: Vec<Uuid> = due.into_iter().filter(|id| seen.insert(*id)).collect();
        if due.is_empty() {
            return pushed;
        }
        for user_id in due {
            match deliver_to(state, pusher, user_id, lease).await {
                Ok(true) => pushed += 1,
                Ok(false) => {}
                Err(err) => tracing::warn!(user.id = %user_id, error = %err, "push round failed"),
            }
        }
    }
}

/// Takes the person's rows and pushes them to each live device. `true`: a device took it.
async fn deliver_to(
    state: &AppState,
    pusher: &crate::infra::webpush::Pusher,
    user_id: Uuid,
    lease: Duration,
) -> AppResult<bool> {
    let round = Uuid::now_v7();
    let now = state.clock.now();
    let rows = queue::claim(&state.db, user_id, round, now, lease).await?;
    if rows.is_empty() {
        return Ok(false);
    }
    let devices = subscriptions::subscriptions_live(&state.db, user_id, now).await?;
    let user = users::Entity::find_by_id(user_id).one(&state.db).await?;
    let payload = match (&user, devices.is_empty()) {
        (Some(user), false) => compose(state, user, &rows).await?,
        _ => None,
    };
    let Some(payload) = payload else {
        // Nowhere to send it, or nothing left to say (the message went): settled.
        queue::done(&state.db, round, state.clock.now()).await?;
        return Ok(false);
    };
    let body = serde_json::to_vec(&payload).map_err(|e| AppError::Internal(e.into()))?;
    let urgency = if rows.iter().any(|row| row.kind != "message") {
        Urgency::High
    } else {
        Urgency::Normal
    };
    let mut accepted = false;
    let mut retry = None;
    for device in &devices {
        let target = Target {
            endpoint: &device.endpoint,
            p256dh: &device.p256dh,
            auth: &device.auth,
        };
        match pusher.send(&target, &body, urgency).await {
            Outcome::Accepted => accepted = true,
            Outcome::Gone => {
                tracing::info!(user.id = %user_id, "push subscription gone; removed");
                subscriptions::subscription_remove(&state.db, device.id).await?;
            }
            Outcome::Refused(status) => {
                tracing::warn!(user.id = %user_id, status, "push refused by the push service; dropped");
            }
            Outcome::Retry(error) => retry = Some(error),
        }
    }
    let attempts = rows.iter().map(|row| row.push_attempts).max().unwrap_or(1);
    let done_at = state.clock.now();
    match retry {
        // One device that took it is enough: the others would only repeat it later.
        Some(error) if !accepted && attempts < queue::ATTEMPTS_MAX => {
            tracing::warn!(user.id = %user_id, attempts, error = %error, "push not sent; will retry");
            queue::failed(&state.db, round, attempts, done_at).await?;
        }
        _ => queue::done(&state.db, round, done_at).await?,
    }
    if accepted {
        metrics::counter!("anjoman_push_sent_total").increment(1);
        tracing::info!(user.id = %user_id, notifications = payload.count, "push sent");
    }
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_are_one_line_and_cut() {
        assert_eq!(excerpt("hi\n\n  there"), "hi there");
        let long = "x".repeat(300);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
    }
}
