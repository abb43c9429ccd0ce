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
use entity::{
    blobs, files, message_embeds, message_forwards, messages, room_members, rooms,
    scheduled_messages, users,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::messages::markup;

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
            /// A message as clients see it: `body` is what its author typed (Markdown, for
            /// editing), `html` is how it reads.
            pub struct MessageView {
                pub id: Uuid,
                pub room_id: Uuid,
                pub seq: i64,
                /// Absent for system messages or deleted accounts.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub author: Option<UserRef>,
                /// `text`.
                pub kind: String,
                /// The source as typed (Markdown). Empty once deleted. Show `html`, not this.
                pub body: String,
                /// `body` rendered by the server and sanitized: only `p br strong em del code
                /// pre blockquote ul ol li a span img`, links to `http(s)`/`mailto` only with
                /// `rel="noopener noreferrer nofollow ugc"`, pictures only custom emoji. Safe to
                /// insert as HTML. Empty once deleted.
                #[serde(default)]
                pub html: String,
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
                /// Link previews, added after the message is sent (`message.embeds`); empty
                /// once deleted. Texts come from other sites: render them as text.
                #[serde(default)]
                pub embeds: Vec<EmbedView>,
                /// Set when the message is a forwarded copy: where it came from, as it was
                /// when forwarded. Absent otherwise.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub forwarded_from: Option<ForwardedFrom>,
                /// For a thread reply: the thread's root (a top-level message of the room).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub thread_id: Option<Uuid>,
                /// A thread reply that also shows in the room's main timeline.
                #[serde(default)]
                pub also_to_room: bool,
                /// For a thread's root: its replies so far; absent while it has none. Kept
                /// live by the client: each `message.created` whose `thread_id` is this id
                /// adds one reply, sets `last_reply_at` to its `created_at` and puts its
                /// author first among `repliers` (distinct, at most 5). Replies are timeline
                /// events, so this holds on resume and on every node.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub thread: Option<ThreadSummary>,
            }
            /// The replies of a thread, as its root shows them.
            pub struct ThreadSummary {
                pub reply_count: u64,
                pub last_reply_at: DateTime<Utc>,
                /// Up to 5 distinct people who replied, the most recent first.
                pub repliers: Vec<UserRef>,
            }
            /// A thread and, for the asking user, whether they follow it and what is unread.
            pub struct ThreadView {
                /// The root, with its `thread` summary (shown as a deleted placeholder once
                /// deleted: the replies stay readable).
                pub root: MessageView,
                pub following: bool,
                /// For a follower: replies by others after `last_read_seq`; 0 otherwise.
                pub unread: u64,
                /// For a follower: replies up to this room seq are read; 0 otherwise.
                pub last_read_seq: i64,
            }
            /// A page of a thread: its root and replies, oldest first.
            pub struct ThreadPage {
                pub root: MessageView,
                pub replies: Vec<MessageView>,
            }
            /// Where a forwarded message came from, as it was when forwarded: everyone in
            /// the room it was forwarded to sees this snapshot.
            pub struct ForwardedFrom {
                /// The source room's kind: `public`, `private` or `direct`.
                pub room_kind: String,
                /// The source room's name when forwarded; absent for a direct conversation,
                /// which is never named (show it as "a direct conversation").
                #[serde(skip_serializing_if = "Option::is_none")]
                pub room_name: Option<String>,
                /// The source message's author when forwarded (absent for a removed account).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub author_username: Option<String>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub author_display_name: Option<String>,
                /// When the source message was written.
                pub created_at: DateTime<Utc>,
                /// The source room: only for a viewer who is a member of it now, and only in
                /// REST answers (socket frames never carry it; fetch the message to get it).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub room_id: Option<Uuid>,
                /// The source message, under the same rule as `room_id`.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub message_id: Option<Uuid>,
            }
            /// A preview of a link in a message, as the linked page describes itself.
            pub struct EmbedView {
                /// The link's place among the message's links (0-based); the author removes
                /// a preview by it.
                pub position: i32,
                pub url: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub title: Option<String>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub description: Option<String>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub site_name: Option<String>,
                /// The page's picture, re-encoded and served here (members of the room only).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub image_url: Option<String>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub image_width: Option<i32>,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub image_height: Option<i32>,
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
                /// Members may pin messages (moderators and owners always can).
                #[serde(default)]
                pub members_can_pin: bool,
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
            /// A custom emoji, written `:name:` in messages and reactions.
            pub struct EmojiView {
                /// `[a-z0-9_]{2,32}`.
                pub name: String,
                /// Where its picture (a PNG of at most 128 px on its long side) is served;
                /// the URL changes when the picture does, so it can be cached for good.
                pub url: String,
                pub width: i32,
                pub height: i32,
                pub created_at: DateTime<Utc>,
                /// The administrator who uploaded it (absent once their account is gone).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub created_by: Option<UserRef>,
            }
            /// A person's notification preferences.
            pub struct NotificationPreferencesView {
                /// What notifies by default: `all` (every message), `mentions` (mentions,
                /// replies, direct messages, `@here`/`@room` and highlight words; the
                /// default) or `nothing` (silent; direct mentions and replies still reach
                /// the inbox).
                pub level: String,
                /// Highlight words that count as mentions: whole words, case-insensitive,
                /// Arabic and Persian letters alike, outside code. Up to 20, each 1–64
                /// characters.
                pub keywords: Vec<String>,
                /// Alerts wait while these hours last, in the person's time zone (their
                /// profile's, UTC without one). Absent: none.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub quiet_hours: Option<QuietHoursView>,
                /// What an alert shows: `full` (sender and text) or `room_only` ("new
                /// message in #room").
                pub show_content: String,
                /// Whether mentions and direct messages left unread are e-mailed.
                pub email_missed: bool,
            }
            /// A daily window of quiet hours; it may cross midnight (`22:00`–`07:00`).
            pub struct QuietHoursView {
                /// `HH:MM`, 24-hour.
                pub start: String,
                /// `HH:MM`, 24-hour; differs from `start`.
                pub end: String,
            }
            /// A person's notification override for one room.
            pub struct RoomNotificationView {
                pub room_id: Uuid,
                /// `all`, `mentions` or `nothing`; absent: the default level.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub level: Option<String>,
                /// Muted until then (absent: no timed mute).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub muted_until: Option<DateTime<Utc>>,
                pub muted_forever: bool,
                /// Whether the room is muted now.
                pub muted: bool,
            }
            /// The room a notification is from.
            pub struct NotificationRoom {
                pub id: Uuid,
                pub name: String,
                /// `public`, `private` or `direct`.
                pub kind: String,
            }
            /// A row of the inbox: a message that asked for you, and why; or one of your
            /// scheduled messages the server could not send (`scheduled_failed`).
            pub struct NotificationView {
                pub id: Uuid,
                /// Why (the strongest reason when there are several): `mention` (`@you`),
                /// `reply` (to your message), `direct` (a direct conversation), `here` or
                /// `room` (`@here`, `@room`), `keyword` (one of your highlight words),
                /// `thread` (a reply in a thread you follow), `message` (any message, in a
                /// room you set to `all`), or `scheduled_failed` (your scheduled message to
                /// `room` was refused when its time came: see `error_code` and `scheduled`).
                pub kind: String,
                pub room: NotificationRoom,
                /// The message as it is now; absent for `scheduled_failed`, which has none.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub message: Option<MessageView>,
                /// `scheduled_failed`: the scheduled message as it is now (absent once you
                /// cancelled it).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub scheduled: Option<ScheduledMessageView>,
                /// `scheduled_failed`: the error code that refused it, e.g. `room.muted`.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub error_code: Option<String>,
                pub created_at: DateTime<Utc>,
                pub read: bool,
            }
            /// Your unsent text in a room's composer (or a thread's), as your last device
            /// left it. Only you see it.
            pub struct DraftView {
                pub room_id: Uuid,
                /// The thread it belongs to; absent for the room itself.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub thread_id: Option<Uuid>,
                /// Empty when the draft was cleared (sent, or emptied).
                pub body: String,
                pub updated_at: DateTime<Utc>,
            }
            /// A message you scheduled: sent by the server at `send_at`, as if you sent it
            /// then.
            pub struct ScheduledMessageView {
                pub id: Uuid,
                pub room_id: Uuid,
                pub body: String,
                pub send_at: DateTime<Utc>,
                /// `pending`, `sent` or `failed`.
                pub state: String,
                /// Why it was not sent (`failed`): the error code sending it met, e.g.
                /// `room.muted`.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub error_code: Option<String>,
                /// The message it became (`sent`).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub message_id: Option<Uuid>,
                pub created_at: DateTime<Utc>,
            }
            /// A pinned message of a room.
            pub struct PinView {
                /// The message as it is now.
                pub message: MessageView,
                /// Who pinned it (absent once their account is gone).
                #[serde(skip_serializing_if = "Option::is_none")]
                pub pinned_by: Option<UserRef>,
                pub pinned_at: DateTime<Utc>,
            }
            /// A message you saved, with your note. One you can no longer see (you left its
            /// room, it was deleted, or its room was) is `unavailable` and has no `message`.
            pub struct SavedView {
                pub message_id: Uuid,
                pub room_id: Uuid,
                /// Your note (empty without one): your own text, render it as text.
                pub note: String,
                pub saved_at: DateTime<Utc>,
                pub unavailable: bool,
                /// The message as it is now; absent when `unavailable`.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub message: Option<MessageView>,
                /// The room's name; absent when `unavailable`.
                #[serde(skip_serializing_if = "Option::is_none")]
                pub room_name: Option<String>,
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

impl From<&scheduled_messages::Model> for ScheduledMessageView {
    fn from(row: &scheduled_messages::Model) -> Self {
        Self {
            id: row.id,
            room_id: row.room_id,
            body: row.body.clone(),
            send_at: row.send_at,
            state: row.state.clone(),
            error_code: row.error_code.clone(),
            message_id: row.message_id,
            created_at: row.created_at,
        }
    }
}

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
            html: match &message.body_html {
                Some(html) => html.clone(),
                None => markup::render_plain(&message.body),
            },
            reply_to: message.reply_to,
            created_at: message.created_at,
            edited_at: message.edited_at,
            deleted: message.deleted_at.is_some(),
            deleted_by: message.deleted_by,
            reactions,
            poll_id: None,
            attachments: vec![],
            embeds: vec![],
            thread_id: message.thread_id,
            also_to_room: message.also_to_room,
            thread: None,
            forwarded_from: None,
        }
    }
}

impl ForwardedFrom {
    /// The snapshot without the link (what broadcasts carry).
    pub fn new(forward: &message_forwards::Model) -> Self {
        Self {
            room_kind: forward.room_kind.clone(),
            room_name: (!forward.room_name.is_empty()).then(|| forward.room_name.clone()),
            author_username: forward.author_username.clone(),
            author_display_name: forward.author_display_name.clone(),
            created_at: forward.original_created_at,
            room_id: None,
            message_id: None,
        }
    }
}

impl EmbedView {
    pub fn new(embed: &message_embeds::Model) -> Self {
        Self {
            position: embed.position,
            url: embed.url.clone(),
            title: embed.title.clone(),
            description: embed.description.clone(),
            site_name: embed.site_name.clone(),
            image_url: embed.image_sha256.as_ref().map(|_| {
                format!(
                    "/api/v1/messages/{}/embeds/{}/image",
                    embed.message_id, embed.position
                )
            }),
            image_width: embed.image_width,
            image_height: embed.image_height,
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
            members_can_pin: room.members_can_pin,
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
