//! What the `rooms.kind` and `room_members.role` columns hold, as types: the rules compare
//! these, never the stored strings.

use entity::{room_members, rooms};

/// Who may find and join a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomKind {
    /// Listed, and anyone may join.
    Public,
    /// Joined by invite code only.
    Private,
    /// The conversation of two people; nobody joins it.
    Direct,
}

impl RoomKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Direct => "direct",
        }
    }

    /// The kind of `room`. A value this version does not know reads as private: the kind
    /// that opens the least.
    pub fn of(room: &rooms::Model) -> Self {
        match room.kind.as_str() {
            "public" => Self::Public,
            "direct" => Self::Direct,
            _ => Self::Private,
        }
    }
}

/// A member's standing in one room, lowest first (global staff rank above it, see
/// `users::Role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MemberRole {
    Member,
    Moderator,
    Owner,
}

impl MemberRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Moderator => "moderator",
            Self::Owner => "owner",
        }
    }

    /// The role of `member`. A value this version does not know reads as a plain member:
    /// the role that may do the least.
    pub fn of(member: &room_members::Model) -> Self {
        match member.role.as_str() {
            "owner" => Self::Owner,
            "moderator" => Self::Moderator,
            _ => Self::Member,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back_as_the_same_kind_and_role() {
        let now = chrono::Utc::now();
        for kind in [RoomKind::Public, RoomKind::Private, RoomKind::Direct] {
            let room = rooms::Model {
                id: uuid::Uuid::nil(),
                kind: kind.as_str().to_owned(),
                name: String::new(),
                topic: String::new(),
                owner_id: None,
                invite_code: None,
                direct_key: None,
                last_seq: 0,
                created_at: now,
                updated_at: now,
                locked_at: None,
                retention_days: None,
                members_can_pin: false,
            };
            assert_eq!(RoomKind::of(&room), kind);
        }
        for role in [MemberRole::Member, MemberRole::Moderator, MemberRole::Owner] {
            let member = room_members::Model {
                room_id: uuid::Uuid::nil(),
                user_id: uuid::Uuid::nil(),
                role: role.as_str().to_owned(),
                joined_at: now,
                last_read_seq: 0,
                muted_until: None,
            };
            assert_eq!(MemberRole::of(&member), role);
        }
        assert!(
            MemberRole::Owner > MemberRole::Moderator && MemberRole::Moderator > MemberRole::Member
        );
    }
}
