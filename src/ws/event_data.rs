//! The `data` of server frames that are not one of the REST views. They derive `Object` so
//! that the AsyncAPI document takes their schemas from the same registry as the OpenAPI
//! document's.
//!
//! The room-event shapes (`…Data` of timeline events) are written by the domain into the
//! event log and sent as stored; here they only describe it.

use poem_openapi::Object;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use chrono::{DateTime, Utc};

use crate::domain::views::{
    DraftView, EmbedView, EmojiView, MessageView, NotificationView, ReactionCount, SavedView,
    UserRef,
};

/// `message.deleted`.
#[derive(Debug, Object)]
pub struct MessageDeletedData {
    /// The message's id.
    pub id: Uuid,
    /// The message's own `seq`.
    pub seq: i64,
    /// Who deleted it.
    pub deleted_by: Uuid,
    /// Deleted by a moderator rather than its author.
    pub by_moderator: bool,
}

/// `message.embeds`.
#[derive(Debug, Object)]
pub struct MessageEmbedsData {
    pub message_id: Uuid,
    /// The message's previews now (a removed one is left out).
    pub embeds: Vec<EmbedView>,
}

/// `message.unpinned`.
#[derive(Debug, Object)]
pub struct MessageUnpinnedData {
    pub message_id: Uuid,
    /// Who unpinned it.
    pub unpinned_by: UserRef,
}

/// `saved.changed`.
#[derive(Debug, Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SavedChangedData {
    pub message_id: Uuid,
    /// Whether the message is saved now.
    pub saved: bool,
    /// The entry as the saved list shows it; absent once unsaved.
    pub entry: Option<SavedView>,
}

/// `reaction.added` and `reaction.removed`.
#[derive(Debug, Object)]
pub struct ReactionData {
    pub message_id: Uuid,
    pub emoji: String,
    /// Who reacted (or took it back).
    pub user: UserRef,
    /// The message's reactions now.
    pub reactions: Vec<ReactionCount>,
}

/// `emoji.updated`.
#[derive(Debug, Serialize, Object)]
pub struct EmojiUpdatedData {
    /// Every custom emoji now, by name.
    pub emoji: Vec<EmojiView>,
}

/// `member.joined`.
#[derive(Debug, Object)]
pub struct MemberJoinedData {
    pub user: UserRef,
    /// Their role in the room: `owner`, `moderator` or `member`.
    pub role: String,
}

/// `member.left`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberLeftData {
    pub user: UserRef,
    /// The moderator who removed them, if they were kicked.
    pub kicked_by: Option<UserRef>,
    /// Why they were kicked.
    pub reason: Option<String>,
}

/// `mention`.
#[derive(Debug, Serialize, Object)]
pub struct MentionData {
    /// The message that mentions you.
    pub message: MessageView,
}

/// `notification`: a new row of your inbox, sent to every socket of yours on every node.
#[derive(Debug, Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationData {
    pub notification: NotificationView,
    /// Your unread notifications now, this one included.
    pub unread_count: u64,
    /// Whether to alert (a system notification, a sound). False in a muted room or at
    /// level `nothing`, where direct mentions and replies arrive silently.
    pub alert: bool,
    /// With `alert`, during your quiet hours: hold the alert until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_until: Option<DateTime<Utc>>,
}

/// `notification.read`: notifications of yours became read (on any device or node): the
/// listed `ids`, or with `all` every unread one (of `room_id` when given).
#[derive(Debug, Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationReadData {
    /// The notifications now read (absent with `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<Uuid>>,
    /// Every unread notification (of `room_id`, when given) is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
    /// The room they were in, when they were all of one room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_id: Option<Uuid>,
    /// Your unread notifications now.
    pub unread_count: u64,
}

/// `notification.removed`: notifications of yours are gone, because their message was
/// deleted or you left (or were removed from) their room; drop them from the inbox.
#[derive(Debug, Serialize, Object)]
pub struct NotificationRemovedData {
    pub ids: Vec<Uuid>,
    /// Your unread notifications now.
    pub unread_count: u64,
}

/// `draft`: your draft now, and which of your devices saved it (absent: it was cleared by
/// a message sent).
#[derive(Debug, Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DraftData {
    pub draft: DraftView,
    /// The session (login) that saved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Uuid>,
    /// The `client_nonce` the saving request carried, for a tab to know its own echo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_nonce: Option<String>,
}

/// `thread.follow`: your state in one thread now.
#[derive(Debug, Serialize, Object)]
pub struct ThreadFollowData {
    /// The thread's root message.
    pub root_id: Uuid,
    pub following: bool,
    /// Replies by others after `last_read_seq` (0 when not following).
    pub unread: u64,
    /// Replies up to this room seq are read (0 when not following).
    pub last_read_seq: i64,
}

/// `room.removed`.
#[derive(Debug, Serialize, Object)]
pub struct RoomRemovedData {
    pub id: Uuid,
    pub name: String,
    pub deleted_by: UserRef,
}

/// `read`.
#[derive(Debug, Serialize, Object)]
pub struct ReadData {
    pub user: UserRef,
    /// Their read position: everything up to this `seq` is read.
    pub seq: i64,
}

/// `typing`.
#[derive(Debug, Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TypingData {
    pub user: UserRef,
    /// False once they sent their message or stopped.
    pub active: bool,
    /// When `active`: the indicator lapses after this long unless repeated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_ms: Option<u64>,
}

/// `presence`.
#[derive(Debug, Serialize, Object)]
pub struct PresenceData {
    pub changes: Vec<MemberPresence>,
}

/// A member's presence over all their devices.
#[derive(Debug, Clone, Serialize, Object)]
pub struct MemberPresence {
    pub user: UserRef,
    /// `online`, `away` or `offline`.
    pub status: String,
}

/// `ready`.
#[derive(Debug, Serialize, Object)]
pub struct ReadyData {
    pub user: UserRef,
    /// The session this socket belongs to.
    pub session_id: Uuid,
    /// The server pings this often; a socket silent for longer than the idle timeout is closed.
    pub ping_interval_ms: u64,
}

/// `error`: a stable `code` and its localized `message`, plus the problem's own fields for
/// some codes (`retry_after` for `rate_limited`, for example).
#[derive(Debug, Serialize, Object)]
pub struct ErrorData {
    /// Stable machine-readable code, e.g. `ws.unknown_op`.
    pub code: String,
    /// Localized explanation.
    pub message: String,
    #[serde(flatten)]
    #[oai(skip)]
    pub extra: Map<String, Value>,
}

impl ErrorData {
    /// `extra`, when it is an object, adds its fields beside `code` and `message`.
    pub fn new(code: &str, message: &str, extra: Option<Value>) -> Self {
        let extra = match extra {
            Some(Value::Object(extra)) => extra,
            _ => Map::new(),
        };
        Self {
            code: code.to_owned(),
            message: message.to_owned(),
            extra,
        }
    }
}
