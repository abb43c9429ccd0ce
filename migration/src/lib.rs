//! Schema migrations for Anjoman. Every migration runs unchanged on SQLite and PostgreSQL,
//! so only portable column types and sea-query builders are used here (no raw SQL).

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_users;
mod m20261122_000002_create_instance_state;
mod m20261122_000003_create_sessions;
mod m20261122_000004_create_blocks;
mod m20261122_000005_create_invites;
mod m20261122_000006_create_rooms;
mod m20261122_000007_create_messages;
mod m20261122_000008_create_polls;
mod m20261122_000009_create_files;
mod m20261122_000010_create_moderation;
mod m20261122_000011_room_moderation;
mod m20261122_000012_create_reports;
mod m20261122_000013_message_search;
mod m20261203_000014_user_timezone;
mod m20261204_000015_message_markup;
mod m20261204_000016_link_previews;
mod m20261204_000017_custom_emoji;
mod m20261204_000018_notifications;
mod m20261204_000019_mail;
mod m20261204_000020_push;
mod m20261204_000021_digest;
mod m20261204_000022_threads;
mod m20261204_000023_pins_saved;
mod m20261204_000024_forwarding;
mod m20261204_000025_drafts_scheduled;
mod m20261204_000026_scheduled_inbox;

/// The ordered list of every migration Anjoman knows.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_instance_state::Migration),
            Box::new(m20261122_000003_create_sessions::Migration),
            Box::new(m20261122_000004_create_blocks::Migration),
            Box::new(m20261122_000005_create_invites::Migration),
            Box::new(m20261122_000006_create_rooms::Migration),
            Box::new(m20261122_000007_create_messages::Migration),
            Box::new(m20261122_000008_create_polls::Migration),
            Box::new(m20261122_000009_create_files::Migration),
            Box::new(m20261122_000010_create_moderation::Migration),
            Box::new(m20261122_000011_room_moderation::Migration),
            Box::new(m20261122_000012_create_reports::Migration),
            Box::new(m20261122_000013_message_search::Migration),
            Box::new(m20261203_000014_user_timezone::Migration),
            Box::new(m20261204_000015_message_markup::Migration),
            Box::new(m20261204_000016_link_previews::Migration),
            Box::new(m20261204_000017_custom_emoji::Migration),
            Box::new(m20261204_000018_notifications::Migration),
            Box::new(m20261204_000019_mail::Migration),
            Box::new(m20261204_000020_push::Migration),
            Box::new(m20261204_000021_digest::Migration),
            Box::new(m20261204_000022_threads::Migration),
            Box::new(m20261204_000023_pins_saved::Migration),
            Box::new(m20261204_000024_forwarding::Migration),
            Box::new(m20261204_000025_drafts_scheduled::Migration),
            Box::new(m20261204_000026_scheduled_inbox::Migration),
        ]
    }
}
