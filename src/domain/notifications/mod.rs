//! Notifications: what each person wants to hear about (a default level, highlight words,
//! quiet hours, per-room overrides and mutes), and their inbox — one row per message that
//! asked for them, written in the message's own transaction (see [`inbox::Writer`]), with
//! the alert decision the delivery channels (desktop, Web Push, e-mail) act on.

pub mod decide;
pub mod digest;
pub mod inbox;
pub mod keywords;
pub mod prefs;

/// How much of a room (or of every room, as the default) notifies someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Every message.
    All,
    /// Mentions, replies, direct messages, `@here`/`@room` and highlight words.
    Mentions,
    /// Nothing alerts; direct mentions and replies still reach the inbox.
    Nothing,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Mentions => "mentions",
            Self::Nothing => "nothing",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "all" => Some(Self::All),
            "mentions" => Some(Self::Mentions),
            "nothing" => Some(Self::Nothing),
            _ => None,
        }
    }
}

/// Why a message is in someone's inbox, strongest first: a message that is several of
/// these gets one row, of the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `@name`.
    Mention,
    /// A reply to one of their messages.
    Reply,
    /// A message in a direct conversation.
    Direct,
    /// `@here` while they were online.
    Here,
    /// `@room`.
    Room,
    /// One of their highlight words.
    Keyword,
    /// A reply in a thread they follow (counts like a mention unless the level is
    /// `nothing` or the room is muted).
    Thread,
    /// Any message, in a room whose level is `all`.
    Message,
    /// One of their scheduled messages the server could not send (no message: the row
    /// names the scheduled message and why). Never together with another reason.
    ScheduledFailed,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::Reply => "reply",
            Self::Direct => "direct",
            Self::Here => "here",
            Self::Room => "room",
            Self::Keyword => "keyword",
            Self::Thread => "thread",
            Self::Message => "message",
            Self::ScheduledFailed => "scheduled_failed",
        }
    }

    /// Every kind, as the inbox's `kind` may say it.
    pub const ALL: [Self; 9] = [
        Self::Mention,
        Self::Reply,
        Self::Direct,
        Self::Here,
        Self::Room,
        Self::Keyword,
        Self::Thread,
        Self::Message,
        Self::ScheduledFailed,
    ];

    /// The kinds that reach the inbox even in a muted room or at level `nothing`: someone
    /// asked for this person by name, or the server tells them of their own message.
    pub const fn is_personal(self) -> bool {
        matches!(self, Self::Mention | Self::Reply | Self::ScheduledFailed)
    }
}

/// The Fluent id of the short reason a scheduled message was refused with `code` ("you are
/// muted"), shared by the chat client, Web Push and the missed-activity mail.
pub fn scheduled_reason_id(code: &str) -> &'static str {
    match code {
        "room.muted" => "chat-scheduled-reason-muted",
        "room.locked" => "chat-scheduled-reason-locked",
        "room.not_member" => "chat-scheduled-reason-not-member",
        "room.not_found" => "chat-scheduled-reason-not-found",
        "auth.banned" => "chat-scheduled-reason-banned",
        "dm.blocked" => "chat-scheduled-reason-blocked",
        _ => "chat-scheduled-reason-other",
    }
}
