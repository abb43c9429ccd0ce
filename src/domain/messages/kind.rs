//! What the `messages.kind` column holds, as a type: the rules compare this, never the
//! stored string.

use entity::messages;

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Text (and files) someone wrote; its author may edit it.
    Text,
    /// A poll's question; it carries the poll, and nobody edits what people voted on.
    Poll,
}

impl MessageKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Poll => "poll",
        }
    }

    /// The kind of `message`; none for a kind this version does not know.
    pub fn of(message: &messages::Model) -> Option<Self> {
        match message.kind.as_str() {
            "text" => Some(Self::Text),
            "poll" => Some(Self::Poll),
            _ => None,
        }
    }
}
