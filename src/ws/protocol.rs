//! The WebSocket wire format (see DESIGN.md). Client frames are `{"op": …, "ref": …}`;
//! server frames are `{"type": …, "ref"?, "room_id"?, "seq"?, "data": …}`.

use serde::Deserialize;
use serde_json::{Value, json};
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
}

/// An operation a client asks for.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientOp {
    /// Authenticate a socket opened without credentials.
    Auth {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        token: String,
    },
    /// Receive a room's events; with `after_seq`, first everything after it.
    Subscribe {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        room_id: Uuid,
        after_seq: Option<i64>,
    },
    Unsubscribe {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        room_id: Uuid,
    },
    Send {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        room_id: Uuid,
        /// May be empty when `attachments` are given.
        #[serde(default)]
        body: String,
        reply_to: Option<Uuid>,
        /// Ids of the sender's uploads to this room (`POST /api/v1/files` with `send=false`).
        #[serde(default)]
        attachments: Vec<Uuid>,
    },
    Edit {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        message_id: Uuid,
        body: String,
    },
    Delete {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        message_id: Uuid,
    },
    React {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        message_id: Uuid,
        emoji: String,
    },
    Unreact {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        message_id: Uuid,
        emoji: String,
    },
    /// "I am typing in this room" (repeat while typing; it lapses by itself).
    Typing {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        room_id: Uuid,
    },
    /// Read receipt up to `seq`.
    Read {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        room_id: Uuid,
        seq: i64,
    },
    /// Vote in a poll; an empty `option_ids` takes the vote back.
    Vote {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        poll_id: Uuid,
        option_ids: Vec<Uuid>,
    },
    /// This device is `online` or `away`.
    Presence {
        #[serde(rename = "ref")]
        _ref: Option<String>,
        status: DeviceStatus,
    },
    Ping {
        #[serde(rename = "ref")]
        _ref: Option<String>,
    },
}

/// A device's own presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
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
    const OPS: &[&str] = &[
        "auth",
        "subscribe",
        "unsubscribe",
        "send",
        "edit",
        "delete",
        "react",
        "unreact",
        "typing",
        "read",
        "vote",
        "presence",
        "ping",
    ];
    let op = object.get("op").and_then(Value::as_str).unwrap_or("");
    if !OPS.contains(&op) {
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

/// `{"type":"ack","ref":…,"data":…}`.
pub fn ack(reference: Option<&str>, data: Value) -> String {
    json!({ "type": "ack", "ref": reference, "data": data }).to_string()
}

/// `{"type":"error","ref":…,"data":{"code","message",…}}`.
pub fn error(reference: Option<&str>, code: &str, message: &str, extra: Option<Value>) -> String {
    let mut data = json!({ "code": code, "message": message });
    if let (Some(Value::Object(extra)), Value::Object(map)) = (extra, &mut data) {
        map.extend(extra);
    }
    json!({ "type": "error", "ref": reference, "data": data }).to_string()
}

/// The frames that are not part of a room's timeline: they take no seq, are not stored and
/// are not replayed on resume (a client that was away reloads what they describe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    /// You were mentioned (sent to you alone).
    Mention,
    /// A room you belong to appeared (a direct conversation someone opened with you).
    RoomAdded,
    /// A room you belonged to was deleted.
    RoomRemoved,
    /// Someone's read position moved.
    Read,
    Typing,
    /// A poll's counts, batched.
    PollUpdated,
    Presence,
}

impl Transient {
    pub const ALL: [Self; 7] = [
        Self::Mention,
        Self::RoomAdded,
        Self::RoomRemoved,
        Self::Read,
        Self::Typing,
        Self::PollUpdated,
        Self::Presence,
    ];

    /// The frame's `type`; clients depend on it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::RoomAdded => "room.added",
            Self::RoomRemoved => "room.removed",
            Self::Read => "read",
            Self::Typing => "typing",
            Self::PollUpdated => "poll.updated",
            Self::Presence => "presence",
        }
    }
}

/// A frame not part of a room's timeline (no seq): typing, presence, mention, read.
pub fn transient(kind: Transient, room_id: Option<Uuid>, data: Value) -> String {
    let kind = kind.as_str();
    match room_id {
        Some(room_id) => json!({ "type": kind, "room_id": room_id, "data": data }),
        None => json!({ "type": kind, "data": data }),
    }
    .to_string()
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
    fn every_server_frame_type_names_one_thing() {
        use crate::domain::rooms::timeline::EventKind;
        let mut seen = std::collections::BTreeSet::new();
        let timeline = EventKind::ALL.iter().map(|kind| kind.as_str());
        let transient = Transient::ALL.iter().map(|kind| kind.as_str());
        // The connection's own frames: `ready` (session.rs), `ack` and `error` (above).
        for name in timeline.chain(transient).chain(["ready", "ack", "error"]) {
            assert!(seen.insert(name), "{name} names two kinds of frame");
        }
        assert_eq!(seen.len(), 19);
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
        assert!(matches!(
            parse(r#"{"op":"ping"}"#).1,
            Ok(ClientOp::Ping { .. })
        ));
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
