//! The server's half of the socket contract: every frame the server sends is a
//! [`ServerEvent`], and [`ServerEvent::frame`] is the only way one becomes text. The AsyncAPI
//! document (`asyncapi.rs`) is generated from this enum, through [`EventType::ALL`].
//!
//! Timeline events are replayed from the room's event log as stored, so they hold their
//! `data` as the stored JSON: the frame is the same bytes live and on replay.

use poem_openapi::{
    registry::{MetaSchemaRef, Registry},
    types::Type,
};
use serde::Serialize;
use serde_json::{Value, value::RawValue};
use uuid::Uuid;

use super::event_data::{
    EmojiUpdatedData, ErrorData, MemberJoinedData, MemberLeftData, MentionData, MessageDeletedData,
    MessageEmbedsData, NotificationData, NotificationReadData, NotificationRemovedData,
    PresenceData, ReactionData, ReadData, ReadyData, RoomRemovedData, ThreadFollowData, TypingData,
};
use crate::{
    domain::rooms::timeline::{EventKind, RoomEvent},
    domain::views::{MessageView, PollView, RoomView},
    error::AppError,
};

/// A frame the server sends. Timeline events carry the room's `seq` (stored, replayed on
/// resume); room events carry only the `room_id` (not stored: a client that was away
/// reloads what they describe); replies carry the op's `ref`.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub enum ServerEvent {
    /// A message was posted (a poll's message too, with `poll_id`).
    #[serde(rename = "message.created")]
    MessageCreated {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// A message's text was edited.
    #[serde(rename = "message.edited")]
    MessageEdited {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// A message was deleted, by its author or a moderator.
    #[serde(rename = "message.deleted")]
    MessageDeleted {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// Someone reacted to a message; `reactions` is the message's new tally.
    #[serde(rename = "reaction.added")]
    ReactionAdded {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// Someone took their reaction back.
    #[serde(rename = "reaction.removed")]
    ReactionRemoved {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// Someone joined the room.
    #[serde(rename = "member.joined")]
    MemberJoined {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// Someone left the room, or was kicked from it.
    #[serde(rename = "member.left")]
    MemberLeft {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// The room's name, topic, visibility or moderation settings changed.
    #[serde(rename = "room.updated")]
    RoomUpdated {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// A poll closed; its final results.
    #[serde(rename = "poll.closed")]
    PollClosed {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// A message's link previews changed (fetched after sending, or one removed by its
    /// author): its previews now.
    #[serde(rename = "message.embeds")]
    MessageEmbeds {
        room_id: Uuid,
        seq: i64,
        data: Box<RawValue>,
    },
    /// You were mentioned (sent to you alone): by a new message, or by an edit that names
    /// you for the first time.
    #[serde(rename = "mention")]
    Mention { room_id: Uuid, data: MentionData },
    /// A message asked for you (a mention, a reply, a direct message, `@here`/`@room`, a
    /// highlight word): the new row of your inbox, with whether to alert. Sent to you alone.
    #[serde(rename = "notification")]
    Notification {
        room_id: Uuid,
        data: NotificationData,
    },
    /// Notifications of yours became read: here or on another device (opening the inbox,
    /// or reading the room they are in). Sent to you alone.
    #[serde(rename = "notification.read")]
    NotificationRead { data: NotificationReadData },
    /// Notifications of yours are gone: their message was deleted, or you left their room.
    /// Sent to you alone.
    #[serde(rename = "notification.removed")]
    NotificationRemoved {
        room_id: Uuid,
        data: NotificationRemovedData,
    },
    /// Your follow of a thread, or your read position in it, changed: by following or
    /// unfollowing, marking it read, or a reply (yours, or one that made you follow it).
    /// Sent to you alone, on every device and node.
    #[serde(rename = "thread.follow")]
    ThreadFollow {
        room_id: Uuid,
        data: ThreadFollowData,
    },
    /// A room you belong to appeared (a direct conversation someone opened with you).
    #[serde(rename = "room.added")]
    RoomAdded { room_id: Uuid, data: RoomView },
    /// A room you belonged to was deleted.
    #[serde(rename = "room.removed")]
    RoomRemoved {
        room_id: Uuid,
        data: RoomRemovedData,
    },
    /// Someone's read position moved (small rooms only).
    #[serde(rename = "read")]
    Read { room_id: Uuid, data: ReadData },
    /// Someone started or stopped typing.
    #[serde(rename = "typing")]
    Typing { room_id: Uuid, data: TypingData },
    /// A poll's counts, at most one frame per poll per batch however many votes came.
    #[serde(rename = "poll.updated")]
    PollUpdated { room_id: Uuid, data: PollView },
    /// Presence changes of the room's members since the last batch.
    #[serde(rename = "presence")]
    Presence { room_id: Uuid, data: PresenceData },
    /// The server's custom emoji changed (one was added or deleted): `emoji` is the whole
    /// list now, as `GET /api/v1/emoji` gives it. Sent to every connection.
    #[serde(rename = "emoji.updated")]
    EmojiUpdated { data: EmojiUpdatedData },
    /// The socket is authenticated: the first frame after the upgrade or the `auth` op.
    #[serde(rename = "ready")]
    Ready { data: ReadyData },
    /// An op succeeded; `data` is the stored object or the op's result.
    #[serde(rename = "ack")]
    Ack {
        #[serde(rename = "ref")]
        reference: Option<String>,
        data: Value,
    },
    /// An op failed (or a frame could not be read): a stable code and a localized message.
    #[serde(rename = "error")]
    Error {
        #[serde(rename = "ref")]
        reference: Option<String>,
        data: ErrorData,
    },
}

/// Which fields besides `type` and `data` a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `room_id` and `seq`: stored in the room's log and replayed on resume.
    Timeline,
    /// `room_id` only: not stored, not replayed.
    Room,
    /// `ref`: the answer to a client op.
    Reply,
    /// Nothing else: about the connection itself, or the whole server.
    Connection,
}

/// The kinds of [`ServerEvent`], one per variant, for what is said about each kind rather
/// than about one frame (the AsyncAPI document, the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    MessageCreated,
    MessageEdited,
    MessageDeleted,
    ReactionAdded,
    ReactionRemoved,
    MemberJoined,
    MemberLeft,
    RoomUpdated,
    PollClosed,
    MessageEmbeds,
    Mention,
    Notification,
    NotificationRead,
    NotificationRemoved,
    ThreadFollow,
    RoomAdded,
    RoomRemoved,
    Read,
    Typing,
    PollUpdated,
    Presence,
    EmojiUpdated,
    Ready,
    Ack,
    Error,
}

impl EventType {
    /// Every kind, in declaration order (a test checks that each one is here, at its place).
    pub const ALL: [Self; 25] = [
        Self::MessageCreated,
        Self::MessageEdited,
        Self::MessageDeleted,
        Self::ReactionAdded,
        Self::ReactionRemoved,
        Self::MemberJoined,
        Self::MemberLeft,
        Self::RoomUpdated,
        Self::PollClosed,
        Self::MessageEmbeds,
        Self::Mention,
        Self::Notification,
        Self::NotificationRead,
        Self::NotificationRemoved,
        Self::ThreadFollow,
        Self::RoomAdded,
        Self::RoomRemoved,
        Self::Read,
        Self::Typing,
        Self::PollUpdated,
        Self::Presence,
        Self::EmojiUpdated,
        Self::Ready,
        Self::Ack,
        Self::Error,
    ];

    /// The timeline kind a timeline event is stored as; `None` for the others.
    pub const fn timeline_kind(self) -> Option<EventKind> {
        Some(match self {
            Self::MessageCreated => EventKind::MessageCreated,
            Self::MessageEdited => EventKind::MessageEdited,
            Self::MessageDeleted => EventKind::MessageDeleted,
            Self::ReactionAdded => EventKind::ReactionAdded,
            Self::ReactionRemoved => EventKind::ReactionRemoved,
            Self::MemberJoined => EventKind::MemberJoined,
            Self::MemberLeft => EventKind::MemberLeft,
            Self::RoomUpdated => EventKind::RoomUpdated,
            Self::PollClosed => EventKind::PollClosed,
            Self::MessageEmbeds => EventKind::MessageEmbeds,
            _ => return None,
        })
    }

    /// The frame's `type` (a test checks it against what serde writes). A timeline event's
    /// is its stored kind's name.
    pub const fn name(self) -> &'static str {
        if let Some(kind) = self.timeline_kind() {
            return kind.as_str();
        }
        match self {
            Self::Mention => "mention",
            Self::Notification => "notification",
            Self::NotificationRead => "notification.read",
            Self::NotificationRemoved => "notification.removed",
            Self::ThreadFollow => "thread.follow",
            Self::RoomAdded => "room.added",
            Self::RoomRemoved => "room.removed",
            Self::Read => "read",
            Self::Typing => "typing",
            Self::PollUpdated => "poll.updated",
            Self::Presence => "presence",
            Self::EmojiUpdated => "emoji.updated",
            Self::Ready => "ready",
            Self::Ack => "ack",
            Self::Error => "error",
            // Timeline events returned above. A new kind left here would be named "", which
            // the test comparing every name with what serde writes catches.
            _ => "",
        }
    }

    pub const fn family(self) -> Family {
        match self {
            Self::MessageCreated
            | Self::MessageEdited
            | Self::MessageDeleted
            | Self::ReactionAdded
            | Self::ReactionRemoved
            | Self::MemberJoined
            | Self::MemberLeft
            | Self::RoomUpdated
            | Self::PollClosed
            | Self::MessageEmbeds => Family::Timeline,
            Self::Mention
            | Self::Notification
            | Self::NotificationRemoved
            | Self::ThreadFollow
            | Self::RoomAdded
            | Self::RoomRemoved
            | Self::Read
            | Self::Typing
            | Self::PollUpdated
            | Self::Presence => Family::Room,
            Self::EmojiUpdated | Self::Ready | Self::NotificationRead => Family::Connection,
            Self::Ack | Self::Error => Family::Reply,
        }
    }

    /// The JSON Schema of the frame's `data`, its named types added to `registry`.
    pub fn data_schema(self, registry: &mut Registry) -> MetaSchemaRef {
        fn of<T: Type>(registry: &mut Registry) -> MetaSchemaRef {
            T::register(registry);
            T::schema_ref()
        }
        match self {
            Self::MessageCreated | Self::MessageEdited => of::<MessageView>(registry),
            Self::MessageDeleted => of::<MessageDeletedData>(registry),
            Self::ReactionAdded | Self::ReactionRemoved => of::<ReactionData>(registry),
            Self::MemberJoined => of::<MemberJoinedData>(registry),
            Self::MemberLeft => of::<MemberLeftData>(registry),
            Self::RoomUpdated | Self::RoomAdded => of::<RoomView>(registry),
            Self::PollClosed | Self::PollUpdated => of::<PollView>(registry),
            Self::MessageEmbeds => of::<MessageEmbedsData>(registry),
            Self::Mention => of::<MentionData>(registry),
            Self::Notification => of::<NotificationData>(registry),
            Self::NotificationRead => of::<NotificationReadData>(registry),
            Self::NotificationRemoved => of::<NotificationRemovedData>(registry),
            Self::ThreadFollow => of::<ThreadFollowData>(registry),
            Self::RoomRemoved => of::<RoomRemovedData>(registry),
            Self::Read => of::<ReadData>(registry),
            Self::Typing => of::<TypingData>(registry),
            Self::Presence => of::<PresenceData>(registry),
            Self::EmojiUpdated => of::<EmojiUpdatedData>(registry),
            Self::Ready => of::<ReadyData>(registry),
            Self::Ack => of::<Value>(registry),
            Self::Error => of::<ErrorData>(registry),
        }
    }
}

impl ServerEvent {
    pub const fn event_type(&self) -> EventType {
        match self {
            Self::MessageCreated { .. } => EventType::MessageCreated,
            Self::MessageEdited { .. } => EventType::MessageEdited,
            Self::MessageDeleted { .. } => EventType::MessageDeleted,
            Self::ReactionAdded { .. } => EventType::ReactionAdded,
            Self::ReactionRemoved { .. } => EventType::ReactionRemoved,
            Self::MemberJoined { .. } => EventType::MemberJoined,
            Self::MemberLeft { .. } => EventType::MemberLeft,
            Self::RoomUpdated { .. } => EventType::RoomUpdated,
            Self::PollClosed { .. } => EventType::PollClosed,
            Self::MessageEmbeds { .. } => EventType::MessageEmbeds,
            Self::Mention { .. } => EventType::Mention,
            Self::Notification { .. } => EventType::Notification,
            Self::NotificationRead { .. } => EventType::NotificationRead,
            Self::NotificationRemoved { .. } => EventType::NotificationRemoved,
            Self::ThreadFollow { .. } => EventType::ThreadFollow,
            Self::RoomAdded { .. } => EventType::RoomAdded,
            Self::RoomRemoved { .. } => EventType::RoomRemoved,
            Self::Read { .. } => EventType::Read,
            Self::Typing { .. } => EventType::Typing,
            Self::PollUpdated { .. } => EventType::PollUpdated,
            Self::Presence { .. } => EventType::Presence,
            Self::EmojiUpdated { .. } => EventType::EmojiUpdated,
            Self::Ready { .. } => EventType::Ready,
            Self::Ack { .. } => EventType::Ack,
            Self::Error { .. } => EventType::Error,
        }
    }

    /// A timeline event of the room's log, with the `data` it was stored with.
    pub fn timeline(kind: EventKind, room_id: Uuid, seq: i64, data: Box<RawValue>) -> Self {
        match kind {
            EventKind::MessageCreated => Self::MessageCreated { room_id, seq, data },
            EventKind::MessageEdited => Self::MessageEdited { room_id, seq, data },
            EventKind::MessageDeleted => Self::MessageDeleted { room_id, seq, data },
            EventKind::ReactionAdded => Self::ReactionAdded { room_id, seq, data },
            EventKind::ReactionRemoved => Self::ReactionRemoved { room_id, seq, data },
            EventKind::MemberJoined => Self::MemberJoined { room_id, seq, data },
            EventKind::MemberLeft => Self::MemberLeft { room_id, seq, data },
            EventKind::RoomUpdated => Self::RoomUpdated { room_id, seq, data },
            EventKind::PollClosed => Self::PollClosed { room_id, seq, data },
            EventKind::MessageEmbeds => Self::MessageEmbeds { room_id, seq, data },
        }
    }

    /// A row of the event log, replayed: its stored kind and payload.
    pub fn stored(kind: &str, room_id: Uuid, seq: i64, payload: String) -> Result<Self, AppError> {
        let corrupt = |why: String| AppError::Internal(anyhow::anyhow!("event {seq}: {why}"));
        let kind = EventKind::parse(kind).ok_or_else(|| corrupt(format!("unknown kind {kind}")))?;
        let data = RawValue::from_string(payload).map_err(|e| corrupt(e.to_string()))?;
        Ok(Self::timeline(kind, room_id, seq, data))
    }

    /// The frame's text. Timeline frames are `{"type","room_id","seq","data"}` in that
    /// order with `data` as stored; the others have always been written from JSON values,
    /// whose keys come out sorted, and are written the same way so their bytes stay the same.
    pub fn frame(&self) -> String {
        #[expect(
            clippy::expect_used,
            reason = "serializing cannot fail: every map in these types has string keys"
        )]
        if self.event_type().family() == Family::Timeline {
            serde_json::to_string(self).expect("a timeline event serializes")
        } else {
            serde_json::to_value(self)
                .expect("a server event serializes")
                .to_string()
        }
    }
}

impl From<&RoomEvent> for ServerEvent {
    fn from(event: &RoomEvent) -> Self {
        Self::timeline(event.kind, event.room_id, event.seq, event.data.clone())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::views::UserRef;

    fn user() -> UserRef {
        UserRef {
            id: Uuid::nil(),
            username: "sara".into(),
            display_name: "Sara".into(),
            avatar_url: None,
        }
    }

    fn view<T: serde::de::DeserializeOwned>(json: Value) -> T {
        serde_json::from_value(json).unwrap()
    }

    /// One frame of each kind: the match makes a new kind get one.
    fn sample(kind: EventType) -> ServerEvent {
        let (room_id, seq) = (Uuid::nil(), 7);
        let data = || RawValue::from_string(r#"{"b":1,"a":2}"#.into()).unwrap();
        if let Some(stored) = kind.timeline_kind() {
            return ServerEvent::timeline(stored, room_id, seq, data());
        }
        match kind {
            // Made above; listed so a new kind must get a sample here.
            EventType::MessageCreated
            | EventType::MessageEdited
            | EventType::MessageDeleted
            | EventType::ReactionAdded
            | EventType::ReactionRemoved
            | EventType::MemberJoined
            | EventType::MemberLeft
            | EventType::RoomUpdated
            | EventType::PollClosed
            | EventType::MessageEmbeds => unreachable!("timeline kinds return above"),
            EventType::Mention => ServerEvent::Mention {
                room_id,
                data: MentionData {
                    message: view(json!({
                        "id": room_id, "room_id": room_id, "seq": seq, "kind": "text",
                        "body": "hi @sara", "created_at": "2026-01-01T00:00:00Z",
                        "deleted": false, "reactions": [],
                    })),
                },
            },
            EventType::Notification => ServerEvent::Notification {
                room_id,
                data: NotificationData {
                    notification: view(json!({
                        "id": room_id, "kind": "mention", "created_at": "2026-01-01T00:00:00Z",
                        "read": false,
                        "room": { "id": room_id, "name": "general", "kind": "public" },
                        "message": {
                            "id": room_id, "room_id": room_id, "seq": seq, "kind": "text",
                            "body": "hi @sara", "created_at": "2026-01-01T00:00:00Z",
                            "deleted": false, "reactions": [],
                        },
                    })),
                    unread_count: 1,
                    alert: true,
                    held_until: None,
                },
            },
            EventType::NotificationRead => ServerEvent::NotificationRead {
                data: NotificationReadData {
                    ids: None,
                    all: Some(true),
                    room_id: Some(room_id),
                    unread_count: 0,
                },
            },
            EventType::NotificationRemoved => ServerEvent::NotificationRemoved {
                room_id,
                data: NotificationRemovedData {
                    ids: vec![room_id],
                    unread_count: 0,
                },
            },
            EventType::ThreadFollow => ServerEvent::ThreadFollow {
                room_id,
                data: ThreadFollowData {
                    root_id: room_id,
                    following: true,
                    unread: 2,
                    last_read_seq: seq,
                },
            },
            EventType::RoomAdded => ServerEvent::RoomAdded {
                room_id,
                data: view(json!({
                    "id": room_id, "kind": "direct", "name": "", "topic": "", "last_seq": seq,
                    "member_count": 2, "unread": 0, "unread_mentions": 0, "last_read_seq": 0,
                })),
            },
            EventType::PollUpdated => ServerEvent::PollUpdated {
                room_id,
                data: view(json!({
                    "id": room_id, "room_id": room_id, "message_id": room_id, "question": "?",
                    "options": [], "multiple": false, "anonymous": false, "closed": false,
                    "total_voters": 0,
                })),
            },
            EventType::RoomRemoved => ServerEvent::RoomRemoved {
                room_id,
                data: RoomRemovedData {
                    id: room_id,
                    name: "general".into(),
                    deleted_by: user(),
                },
            },
            EventType::Read => ServerEvent::Read {
                room_id,
                data: ReadData { user: user(), seq },
            },
            EventType::Typing => ServerEvent::Typing {
                room_id,
                data: TypingData {
                    user: user(),
                    active: true,
                    expires_in_ms: Some(5000),
                },
            },
            EventType::Presence => ServerEvent::Presence {
                room_id,
                data: PresenceData { changes: vec![] },
            },
            EventType::EmojiUpdated => ServerEvent::EmojiUpdated {
                data: EmojiUpdatedData { emoji: vec![] },
            },
            EventType::Ready => ServerEvent::Ready {
                data: ReadyData {
                    user: user(),
                    session_id: Uuid::nil(),
                    ping_interval_ms: 20_000,
                },
            },
            EventType::Ack => ServerEvent::Ack {
                reference: Some("r1".into()),
                data: json!({ "pong": true }),
            },
            EventType::Error => ServerEvent::Error {
                reference: None,
                data: ErrorData::new("ws.malformed", "Bad frame", None),
            },
        }
    }

    #[test]
    fn every_server_frame_type_names_one_thing() {
        let mut seen = std::collections::BTreeSet::new();
        for (place, kind) in EventType::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, place, "{kind:?} is out of place in ALL");
            assert!(
                seen.insert(kind.name()),
                "{kind:?} names two kinds of frame"
            );
        }
        // The last variant is at the end of ALL, so none is missing from it.
        assert_eq!(EventType::Error as usize + 1, EventType::ALL.len());
        assert_eq!(seen.len(), 25);
    }

    #[test]
    fn serde_writes_each_kind_under_its_name() {
        for kind in EventType::ALL {
            let event = sample(kind);
            assert_eq!(event.event_type(), kind);
            let frame: Value = serde_json::from_str(&event.frame()).unwrap();
            assert_eq!(frame["type"], kind.name(), "{frame}");
            let family = kind.family();
            assert_eq!(frame.get("seq").is_some(), family == Family::Timeline);
            assert_eq!(
                frame.get("room_id").is_some(),
                matches!(family, Family::Timeline | Family::Room)
            );
            assert_eq!(frame.get("ref").is_some(), family == Family::Reply);
        }
    }

    #[test]
    fn stored_kinds_are_their_wire_names() {
        for kind in EventKind::ALL {
            let event = ServerEvent::timeline(kind, Uuid::nil(), 1, RawValue::NULL.to_owned());
            assert_eq!(event.event_type().name(), kind.as_str());
        }
    }

    #[test]
    fn timeline_frames_are_the_stored_bytes_and_the_rest_keep_their_sorted_keys() {
        let room_id = Uuid::now_v7();
        let payload = r#"{"z":1,"a":[2, 3]}"#;
        let live = ServerEvent::timeline(
            EventKind::MessageEdited,
            room_id,
            9,
            RawValue::from_string(payload.into()).unwrap(),
        );
        let replayed = ServerEvent::stored("message.edited", room_id, 9, payload.into()).unwrap();
        let expected = format!(
            r#"{{"type":"message.edited","room_id":"{room_id}","seq":9,"data":{payload}}}"#
        );
        assert_eq!(live.frame(), expected);
        assert_eq!(replayed.frame(), expected);
        assert!(ServerEvent::stored("message.shouted", room_id, 9, payload.into()).is_err());

        // As `json!` wrote them before there was an enum.
        let typing = sample(EventType::Typing);
        let before = json!({
            "type": "typing",
            "room_id": Uuid::nil(),
            "data": { "user": user(), "active": true, "expires_in_ms": 5000 },
        });
        assert_eq!(typing.frame(), before.to_string());
        let ack = sample(EventType::Ack);
        let before = json!({ "type": "ack", "ref": "r1", "data": { "pong": true } });
        assert_eq!(ack.frame(), before.to_string());
        let error = ServerEvent::Error {
            reference: None,
            data: ErrorData::new(
                "rate_limited",
                "Slow down",
                Some(json!({ "retry_after": 3 })),
            ),
        };
        let before = json!({
            "type": "error",
            "ref": null,
            "data": { "code": "rate_limited", "message": "Slow down", "retry_after": 3 },
        });
        assert_eq!(error.frame(), before.to_string());
    }
}
