//! The WebSocket wire format (see DESIGN.md). Client frames are `{"op": …, "ref": …}`;
//! server frames are `{"type": …, "ref"?, "room_id"?, "seq"?, "data": …}`.

use poem_openapi::{
    Enum, Object,
    registry::{MetaSchemaRef, Registry},
    types::Type,
};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::ErrorCode;

/// Close codes the server uses, beyond the standard ones.
pub mod close {
    /// The server is shutting down; reconnect (to another node) at once.
    pub const GOING_AWAY: u16 = 1001;
    /// A frame broke the protocol (not a WebSocket frame the server can read).
    pub const PROTOCOL: u16 = 1002;
    /// A frame larger than `ws.max_frame_bytes`.
    pub const TOO_BIG: u16 = 1009;
    /// The connection fell too far behind; reconnect and `subscribe` with `after_seq`.
    pub const RESUME: u16 = 4000;
    /// No valid credentials (none within the auth timeout, or a bad token).
    pub const UNAUTHORIZED: u16 = 4001;
    /// The session was revoked or the account banned.
    pub const REVOKED: u16 = 4003;
    /// Nothing heard from the client within the idle timeout.
    pub const TIMEOUT: u16 = 4008;

    /// Every code above with what it tells the client, for the AsyncAPI document.
    pub const ALL: [(u16, &str); 7] = [
        (
            GOING_AWAY,
            "The server is shutting down; reconnect (to another node) at once.",
        ),
        (PROTOCOL, "A frame broke the protocol."),
        (
            TOO_BIG,
            "A frame was larger than `ws.max_frame_bytes` (1 MiB by default).",
        ),
        (
            RESUME,
            "The connection fell too far behind; reconnect and `subscribe` with `after_seq`.",
        ),
        (
            UNAUTHORIZED,
            "No valid credentials (none within the auth timeout, or a bad token).",
        ),
        (REVOKED, "The session was revoked or the account banned."),
        (
            TIMEOUT,
            "Nothing was heard from the client within the idle timeout.",
        ),
    ];
}

/// An operation a client asks for: `{"op": <name>, "ref"?: …, …}`. Each op's fields are a
/// struct of their own so the AsyncAPI document takes their schemas from the types.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ClientOp {
    Auth(AuthOp),
    Subscribe(SubscribeOp),
    Unsubscribe(RoomOp),
    Send(SendOp),
    Edit(EditOp),
    Delete(MessageOp),
    React(ReactionOp),
    Unreact(ReactionOp),
    Typing(RoomOp),
    Read(ReadOp),
    Vote(VoteOp),
    Presence(PresenceOp),
    Ping(PingOp),
}

/// The kinds of [`ClientOp`], for what is said about each op (the AsyncAPI document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpType {
    Auth,
    Subscribe,
    Unsubscribe,
    Send,
    Edit,
    Delete,
    React,
    Unreact,
    Typing,
    Read,
    Vote,
    Presence,
    Ping,
}

impl OpType {
    /// Every op, in declaration order (a test checks that each one is here, at its place).
    pub const ALL: [Self; 13] = [
        Self::Auth,
        Self::Subscribe,
        Self::Unsubscribe,
        Self::Send,
        Self::Edit,
        Self::Delete,
        Self::React,
        Self::Unreact,
        Self::Typing,
        Self::Read,
        Self::Vote,
        Self::Presence,
        Self::Ping,
    ];

    /// The frame's `op` (a test checks it against what serde reads).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Subscribe => "subscribe",
            Self::Unsubscribe => "unsubscribe",
            Self::Send => "send",
            Self::Edit => "edit",
            Self::Delete => "delete",
            Self::React => "react",
            Self::Unreact => "unreact",
            Self::Typing => "typing",
            Self::Read => "read",
            Self::Vote => "vote",
            Self::Presence => "presence",
            Self::Ping => "ping",
        }
    }

    /// What the op asks for, for the AsyncAPI document.
    pub const fn summary(self) -> &'static str {
        match self {
            Self::Auth => "Authenticate a socket opened without credentials.",
            Self::Subscribe => {
                "Receive a room's events; with `after_seq`, first everything after it."
            }
            Self::Unsubscribe => "Stop receiving a room's events.",
            Self::Send => "Post a message.",
            Self::Edit => "Edit one of your messages.",
            Self::Delete => "Delete a message (yours, or any as a moderator).",
            Self::React => "React to a message with an emoji.",
            Self::Unreact => "Take a reaction back.",
            Self::Typing => "I am typing in this room (repeat while typing; it lapses by itself).",
            Self::Read => "Read receipt up to `seq`.",
            Self::Vote => "Vote in a poll; an empty `option_ids` takes the vote back.",
            Self::Presence => "This device is `online` or `away`.",
            Self::Ping => "Keep the socket alive; answered with `{\"pong\": true}`.",
        }
    }

    /// The JSON Schema of the op's fields, its named types added to `registry`.
    pub fn schema(self, registry: &mut Registry) -> MetaSchemaRef {
        fn of<T: Type>(registry: &mut Registry) -> MetaSchemaRef {
            T::register(registry);
            T::schema_ref()
        }
        match self {
            Self::Auth => of::<AuthOp>(registry),
            Self::Subscribe => of::<SubscribeOp>(registry),
            Self::Unsubscribe | Self::Typing => of::<RoomOp>(registry),
            Self::Send => of::<SendOp>(registry),
            Self::Edit => of::<EditOp>(registry),
            Self::Delete => of::<MessageOp>(registry),
            Self::React | Self::Unreact => of::<ReactionOp>(registry),
            Self::Read => of::<ReadOp>(registry),
            Self::Vote => of::<VoteOp>(registry),
            Self::Presence => of::<PresenceOp>(registry),
            Self::Ping => of::<PingOp>(registry),
        }
    }
}

impl ClientOp {
    pub const fn op_type(&self) -> OpType {
        match self {
            Self::Auth(_) => OpType::Auth,
            Self::Subscribe(_) => OpType::Subscribe,
            Self::Unsubscribe(_) => OpType::Unsubscribe,
            Self::Send(_) => OpType::Send,
            Self::Edit(_) => OpType::Edit,
            Self::Delete(_) => OpType::Delete,
            Self::React(_) => OpType::React,
            Self::Unreact(_) => OpType::Unreact,
            Self::Typing(_) => OpType::Typing,
            Self::Read(_) => OpType::Read,
            Self::Vote(_) => OpType::Vote,
            Self::Presence(_) => OpType::Presence,
            Self::Ping(_) => OpType::Ping,
        }
    }
}

/// `auth`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct AuthOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    /// An access token.
    pub token: String,
}

/// `subscribe`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct SubscribeOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub room_id: Uuid,
    /// Replay the room's events after this `seq` first; absent: live events only.
    pub after_seq: Option<i64>,
}

/// `unsubscribe` and `typing`: an op about a room.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct RoomOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub room_id: Uuid,
}

/// `send`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct SendOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub room_id: Uuid,
    /// May be empty when `attachments` are given.
    #[serde(default)]
    #[oai(default)]
    pub body: String,
    pub reply_to: Option<Uuid>,
    /// Reply in the thread of this top-level message of the room.
    pub thread_id: Option<Uuid>,
    /// With `thread_id`: also show the reply in the room's main timeline.
    #[serde(default)]
    #[oai(default)]
    pub also_to_room: bool,
    /// Ids of the sender's uploads to this room (`POST /api/v1/files` with `send=false`).
    #[serde(default)]
    #[oai(default)]
    pub attachments: Vec<Uuid>,
}

/// `edit`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct EditOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub message_id: Uuid,
    pub body: String,
}

/// `delete`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct MessageOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub message_id: Uuid,
}

/// `react` and `unreact`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct ReactionOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub message_id: Uuid,
    /// An emoji, or a custom emoji's `:name:`.
    pub emoji: String,
}

/// `read`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct ReadOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub room_id: Uuid,
    pub seq: i64,
}

/// `vote`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct VoteOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub poll_id: Uuid,
    pub option_ids: Vec<Uuid>,
}

/// `presence`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct PresenceOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
    pub status: DeviceStatus,
}

/// `ping`.
#[derive(Debug, Deserialize, Object)]
#[serde(deny_unknown_fields)]
pub struct PingOp {
    /// Echoed in the reply (a number is read as its text).
    #[serde(rename = "ref")]
    #[oai(rename = "ref")]
    pub reference: Option<String>,
}

/// A device's own presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Enum)]
#[serde(rename_all = "lowercase")]
#[oai(rename_all = "lowercase")]
pub enum DeviceStatus {
    Online,
    Away,
}

/// Why a frame could not be read: a stable code for the `error` frame.
pub enum FrameError {
    /// Not JSON, or not an object.
    Malformed,
    /// An `op` we do not know.
    UnknownOp,
    /// A known op with missing or mistyped fields.
    Invalid(String),
}

impl FrameError {
    /// The code of the `error` frame that answers it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Malformed => ErrorCode::WsMalformed,
            Self::UnknownOp => ErrorCode::WsUnknownOp,
            Self::Invalid(_) => ErrorCode::WsInvalidOp,
        }
    }
}

/// Parses a client frame, keeping its `ref` even when the rest is wrong.
pub fn parse(text: &str) -> (Option<String>, Result<ClientOp, FrameError>) {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return (None, Err(FrameError::Malformed));
    };
    let reference = object.get("ref").and_then(|r| match r {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let op = object.get("op").and_then(Value::as_str).unwrap_or("");
    if !OpType::ALL.iter().any(|known| known.name() == op) {
        return (reference, Err(FrameError::UnknownOp));
    }
    let mut object = object;
    // `ref` may be a number on the wire; the enum reads it as text.
    if let Some(r) = &reference {
        object.insert("ref".to_owned(), Value::String(r.clone()));
    }
    let parsed = serde_json::from_value(Value::Object(object))
        .map_err(|e| FrameError::Invalid(e.to_string()));
    (reference, parsed)
}

/// The close code for a read error that is the client's fault: a frame over the size limit
/// (1009) or one the protocol refuses (1002); `None` for a dropped connection.
///
/// poem hands tungstenite's errors over as `io::Error`s of kind `Other` carrying only the
/// text, so the size case is told by tungstenite's message ("Message too long: …").
pub fn violation(err: &std::io::Error) -> Option<u16> {
    if err.kind() != std::io::ErrorKind::Other {
        return None;
    }
    let text = err.to_string();
    if text.contains("too long") {
        Some(close::TOO_BIG)
    } else if text.contains("closed connection")
        || text.contains("Connection closed")
        || text.contains("without closing handshake")
    {
        None
    } else {
        Some(close::PROTOCOL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_op_is_listed_once_and_read_under_its_name() {
        for (place, op) in OpType::ALL.into_iter().enumerate() {
            assert_eq!(op as usize, place, "{op:?} is out of place in ALL");
            let frame = match op {
                OpType::Auth => r#"{"token":"t"}"#,
                OpType::Subscribe | OpType::Unsubscribe | OpType::Typing => {
                    r#"{"room_id":"00000000-0000-0000-0000-000000000000"}"#
                }
                OpType::Send => r#"{"room_id":"00000000-0000-0000-0000-000000000000"}"#,
                OpType::Edit => {
                    r#"{"message_id":"00000000-0000-0000-0000-000000000000","body":"b"}"#
                }
                OpType::Delete => r#"{"message_id":"00000000-0000-0000-0000-000000000000"}"#,
                OpType::React | OpType::Unreact => {
                    r#"{"message_id":"00000000-0000-0000-0000-000000000000","emoji":"x"}"#
                }
                OpType::Read => r#"{"room_id":"00000000-0000-0000-0000-000000000000","seq":1}"#,
                OpType::Vote => {
                    r#"{"poll_id":"00000000-0000-0000-0000-000000000000","option_ids":[]}"#
                }
                OpType::Presence => r#"{"status":"away"}"#,
                OpType::Ping => "{}",
            };
            let frame = frame.replacen('{', &format!(r#"{{"op":"{}","#, op.name()), 1);
            let frame = frame.replace(",}", "}");
            match parse(&frame).1 {
                Ok(parsed) => assert_eq!(parsed.op_type(), op, "{frame}"),
                Err(_) => panic!("{frame} is not read"),
            }
        }
        assert_eq!(OpType::Ping as usize + 1, OpType::ALL.len());
    }

    #[test]
    fn frames_keep_their_ref_even_when_invalid() {
        let (r, op) = parse(r#"{"op":"send","ref":"a1","room_id":"not-a-uuid","body":"x"}"#);
        assert_eq!(r.as_deref(), Some("a1"));
        assert!(matches!(op, Err(FrameError::Invalid(_))));
        let (r, op) = parse(r#"{"op":"dance","ref":7}"#);
        assert_eq!(r.as_deref(), Some("7"));
        assert!(matches!(op, Err(FrameError::UnknownOp)));
        assert!(matches!(parse("{nope").1, Err(FrameError::Malformed)));
        assert!(matches!(parse(r#"{"op":"ping"}"#).1, Ok(ClientOp::Ping(_))));
    }

    /// What poem hands over for tungstenite's errors: `io::Error::other` of the text.
    fn as_poem_gives_it(err: tokio_tungstenite::tungstenite::Error) -> std::io::Error {
        match err {
            tokio_tungstenite::tungstenite::Error::Io(err) => err,
            err => std::io::Error::other(err.to_string()),
        }
    }

    #[test]
    fn oversize_frames_close_with_1009_and_a_dropped_peer_with_nothing() {
        use tokio_tungstenite::tungstenite::error::{CapacityError, Error, ProtocolError};
        let too_big = Error::Capacity(CapacityError::MessageTooLong {
            size: 2 << 20,
            max_size: 1 << 20,
        });
        assert_eq!(violation(&as_poem_gives_it(too_big)), Some(close::TOO_BIG));
        let bad = Error::Protocol(ProtocolError::NonZeroReservedBits);
        assert_eq!(violation(&as_poem_gives_it(bad)), Some(close::PROTOCOL));
        for gone in [
            Error::ConnectionClosed,
            Error::AlreadyClosed,
            Error::Protocol(ProtocolError::ResetWithoutClosingHandshake),
            Error::Io(std::io::ErrorKind::ConnectionReset.into()),
        ] {
            assert_eq!(violation(&as_poem_gives_it(gone)), None);
        }
    }
}
