//! The shapes the domain hands out: wire views shared by the REST API, WebSocket events and
//! the stored event log. Built from database models explicitly, never by serializing the
//! models themselves.
//!
//! Absent optional fields are left out, not sent as `null`, in REST responses and in events
//! alike: the spec marks them optional, not nullable, and generated clients take that
//! literally.
//!
//! The struct definitions are written once, in [`wire_views`], and expanded twice: here as
//! plain serde types, and in `api::dto` as the poem-openapi `Object`s the REST API and its
//! OpenAPI document use. So the domain never sees poem, and the two cannot drift apart.

use chrono::{DateTime, Utc};
use entity::{blobs, files, messages, room_members, rooms, users};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Calls `$expand! { … }` with every view's definition: a struct's docs, then
/// `pub struct Name { fields }`, each field with its docs and serde attributes.
macro_rules! wire_views {
    ($expand:ident) => {
        $expand! {
            /// Who wrote or did something.
            pub struct UserRef {
                pub id: Uuid,
                pub username: String,
                pub display_name: String,
                /// The avatar picture, if they have one (signed-in users only).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub avatar_url: Option<String>,
            }
            /// One emoji on a message: how many, and who.
            pub struct ReactionCount {
                pub emoji: String,
                pub count: u32,
                /// Usernames of those who reacted, oldest first.
                pub users: Vec<String>,
            }
            /// A message as clients see it. `body` is plain text: render it as text, never as HTML.
            pub struct MessageView {
                pub id: Uuid,
                pub room_id: Uuid,
                pub seq: i64,
                /// Absent for system messages or deleted accounts.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub author: Option<UserRef>,
                /// `text`.
                pub kind: String,
                /// Empty once deleted.
                pub body: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub reply_to: Option<Uuid>,
                pub created_at: DateTime<Utc>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub edited_at: Option<DateTime<Utc>>,
                pub deleted: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub deleted_by: Option<Uuid>,
                pub reactions: Vec<ReactionCount>,
                /// For `kind = "poll"`: the poll this message carries.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub poll_id: Option<Uuid>,
                /// Files shared with the message (empty once deleted).
                #[serde(default)]
                pub attachments: Vec<FileView>,
            }
            /// A shared file. `name` is user-supplied: render it as text.
            pub struct FileView {
                pub id: Uuid,
                pub room_id: Uuid,
                pub uploader_id: Uuid,
                /// The message it is attached to; absent until attached.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub message_id: Option<Uuid>,
                /// Sanitized original name (Persian names are kept).
                pub name: String,
                /// Bytes.
                pub size: i64,
                /// The type it is served with, decided from its bytes.
                pub mime: String,
                /// Download address (access follows room membership).
                pub url: String,
                /// A preview of at most 320 px, for images.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub thumbnail_url: Option<String>,
                /// Pixel size, for images.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub width: Option<i32>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub height: Option<i32>,
                pub created_at: DateTime<Utc>,
            }
            /// A room and, for the member asking, their unread state.
            pub struct RoomView {
                pub id: Uuid,
                /// `public`, `private` or `direct`.
                pub kind: String,
                pub name: String,
                pub topic: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub owner_id: Option<Uuid>,
                /// Only shown to the owner (and moderators) of a private room.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub invite_code: Option<String>,
                pub last_seq: i64,
                pub member_count: u64,
                /// For the asking member: messages after their read position (not their own).
                pub unread: u64,
                /// For the asking member: mentions of them after their read position.
                pub unread_mentions: u64,
                pub last_read_seq: i64,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub last_message: Option<MessageView>,
                /// For direct rooms: the other person.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub peer: Option<UserRef>,
                /// Read-only for members (moderators may still write).
                #[serde(default)]
                pub locked: bool,
                /// Messages older than this many days are removed.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub retention_days: Option<i32>,
            }
            /// A member of a room.
            pub struct MemberView {
                pub user: UserRef,
                /// `owner`, `moderator` or `member`.
                pub role: String,
                pub joined_at: DateTime<Utc>,
                /// `online`, `away` or `offline`.
                pub presence: String,
                /// While set (and in the future) the member may read but not write.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub muted_until: Option<DateTime<Utc>>,
            }
            /// One answer of a poll with its count.
            pub struct PollOptionView {
                pub id: Uuid,
                pub text: String,
                pub votes: u64,
                /// Who chose it; only for public (non-anonymous) polls.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub voters: Option<Vec<UserRef>>,
            }
            /// A poll and its results.
            pub struct PollView {
                pub id: Uuid,
                pub room_id: Uuid,
                /// The timeline message (kind `poll`) that carries it.
                pub message_id: Uuid,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub creator: Option<UserRef>,
                pub question: String,
                pub options: Vec<PollOptionView>,
                pub multiple: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub max_choices: Option<i32>,
                pub anonymous: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub closes_at: Option<DateTime<Utc>>,
                pub closed: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub closed_at: Option<DateTime<Utc>>,
                /// People who voted (a multiple-choice voter counts once).
                pub total_voters: u64,
                /// The asking user's choices (absent in broadcasts).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub my_choices: Option<Vec<Uuid>>,
            }
            /// A report in the moderation queue.
            pub struct ReportView {
                pub id: Uuid,
                pub message_id: Uuid,
                pub room_id: Uuid,
                /// Who wrote the reported message.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub author: Option<UserRef>,
                /// The message as it is now (empty once deleted).
                pub body: String,
                pub message_deleted: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub reporter: Option<UserRef>,
                pub reason: String,
                /// `open`, `resolved` or `dismissed`.
                pub status: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub handled_by: Option<UserRef>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub handled_at: Option<DateTime<Utc>>,
                /// `none`, `message_deleted`, `author_muted` or `author_banned`.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub action: Option<String>,
                pub note: String,
                pub created_at: DateTime<Utc>,
            }
        }
    };
}
pub(crate) use wire_views;

/// The domain's expansion: plain serde types.
macro_rules! plain_views {
    ($($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident: $ty:ty),* $(,)? })*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Serialize, Deserialize)]
            pub struct $name {
                $($(#[$field_meta])* pub $field: $ty,)*
            }
        )*
    };
}

wire_views!(plain_views);

impl From<&users::Model> for UserRef {
    fn from(user: &users::Model) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            avatar_url: avatar_url(user),
        }
    }
}

/// Where a user's avatar is served, if they have one.
pub fn avatar_url(user: &users::Model) -> Option<String> {
    user.avatar_file.as_ref().map(|file| {
        // The file name changes with every upload, so caches never show an old picture.
        let version = file.split('-').next_back().unwrap_or(file);
        let encode =
            |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
        format!(
            "/api/v1/users/{}/avatar?v={}",
            encode(&user.username),
            encode(version)
        )
    })
}

impl FileView {
    pub fn new(file: &files::Model, blob: Option<&blobs::Model>) -> Self {
        let has_thumb = blob.is_some_and(|b| b.thumb_mime.is_some());
        Self {
            id: file.id,
            room_id: file.room_id,
            uploader_id: file.uploader_id,
            message_id: file.message_id,
            name: file.name.clone(),
            size: file.size,
            mime: file.mime.clone(),
            url: format!("/api/v1/files/{}", file.id),
            thumbnail_url: has_thumb.then(|| format!("/api/v1/files/{}/thumbnail", file.id)),
            width: blob.and_then(|b| b.width),
            height: blob.and_then(|b| b.height),
            created_at: file.created_at,
        }
    }
}

impl MessageView {
    pub fn new(
        message: &messages::Model,
        author: Option<&users::Model>,
        reactions: Vec<ReactionCount>,
    ) -> Self {
        Self {
            id: message.id,
            room_id: message.room_id,
            seq: message.seq,
            author: author.map(UserRef::from),
            kind: message.kind.clone(),
            body: message.body.clone(),
            reply_to: message.reply_to,
            created_at: message.created_at,
            edited_at: message.edited_at,
            deleted: message.deleted_at.is_some(),
            deleted_by: message.deleted_by,
            reactions,
            poll_id: None,
            attachments: vec![],
        }
    }
}

impl RoomView {
    /// The public part of a room; unread fields zero, no invite code.
    pub fn basic(room: &rooms::Model, member_count: u64) -> Self {
        Self {
            id: room.id,
            kind: room.kind.clone(),
            name: room.name.clone(),
            topic: room.topic.clone(),
            owner_id: room.owner_id,
            invite_code: None,
            last_seq: room.last_seq,
            member_count,
            unread: 0,
            unread_mentions: 0,
            last_read_seq: 0,
            last_message: None,
            peer: None,
            locked: room.locked_at.is_some(),
            retention_days: room.retention_days,
        }
    }
}

impl MemberView {
    pub fn new(member: room_members::Model, user: &users::Model, presence: &str) -> Self {
        Self {
            presence: presence.to_owned(),
            user: UserRef::from(user),
            role: member.role,
            joined_at: member.joined_at,
            muted_until: member.muted_until.filter(|until| *until > Utc::now()),
        }
    }
}
