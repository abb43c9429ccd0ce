//! Whether someone is here: the value the socket hub computes, the cluster shares and the
//! REST answers read. A plain value in the domain, so none of them imports another for it.

/// Presence of a user over all their devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Online,
    Away,
    Offline,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}
