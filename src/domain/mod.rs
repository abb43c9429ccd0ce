//! Business rules, free of HTTP types: the REST handlers, the WebSocket hub and the CLI
//! all call these.

pub mod audit;
pub mod auth;
pub mod avatar;
pub mod blocks;
pub mod content_lock;
pub mod decode_budget;
pub mod events;
pub mod file_names;
pub mod file_types;
pub mod files;
pub mod invites;
pub mod login_limiter;
pub mod messages;
pub mod moderation;
pub mod password;
pub mod polls;
pub mod profile;
pub mod reports;
pub mod retention;
pub mod room_moderation;
pub mod rooms;
pub mod search;
pub mod search_index;
pub mod search_query;
pub mod search_text;
pub mod sessions;
pub mod stats;
pub mod storage;
pub mod thumbnails;
pub mod tokens;
pub mod username;
pub mod users;
