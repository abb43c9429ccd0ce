//! The spec's operation groups, apart from `api/mod.rs` so each resource can name its group
//! without importing the module that combines them all.

use poem_openapi::Tags;

/// Groups of operations in the spec, in the order Swagger UI shows them.
#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness probes for orchestrators and load balancers.
    Health,
    /// Facts about this server.
    Meta,
    /// Registration, login, sessions and passwords.
    Auth,
    /// Profiles, avatars and blocks.
    Users,
    /// Moderation and administration.
    Admin,
    /// Rooms, direct conversations, messages and reactions (the REST side of `/ws`).
    Rooms,
    /// Polls and votes.
    Polls,
    /// File sharing: uploads, downloads and previews.
    Files,
    /// Custom emoji: the list and their pictures; admins add and delete them.
    Emoji,
    /// Finding messages.
    Search,
    /// Notification preferences and the inbox of what asked for you.
    Notifications,
    /// Drafts that follow you between devices, and messages scheduled for later.
    Drafts,
    /// Threads: a message's replies, following them and what is unread in them.
    Threads,
}
