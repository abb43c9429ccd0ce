//! SeaORM entities, one module per table. These are storage models only: the HTTP and
//! WebSocket layers map them to their own wire types and never serialize them directly.

pub mod audit_log;
pub mod blobs;
pub mod blocks;
pub mod custom_emoji;
pub mod drafts;
pub mod files;
pub mod instance_state;
pub mod invites;
pub mod link_previews;
pub mod mail_outbox;
pub mod mail_tokens;
pub mod mentions;
pub mod message_embeds;
pub mod message_forwards;
pub mod message_pins;
pub mod messages;
pub mod notification_rooms;
pub mod notification_settings;
pub mod notifications;
pub mod poll_ballots;
pub mod poll_options;
pub mod poll_votes;
pub mod polls;
pub mod push_subscriptions;
pub mod reactions;
pub mod reports;
pub mod room_events;
pub mod room_members;
pub mod rooms;
pub mod saved_messages;
pub mod scheduled_messages;
pub mod sessions;
pub mod thread_follows;
pub mod users;
