//! Business rules, free of HTTP types: the REST handlers, the WebSocket hub and the CLI
//! all call these.
//!
//! One folder per product noun. A noun only uses the nouns before it in this list, so the
//! rules never import each other in a circle:
//! `text`, `audit` < `users` < `auth` < `rooms` < `files` < `emoji` < `messages` <
//! `threads` < `notifications` < `previews` < `polls` < `pins` < `search` < `moderation` < `mail` <
//! `push` < `drafts`; `views` are the shapes they hand out. What they all stand on (storage, hashing, tokens) is in `crate::infra`.

pub mod audit;
pub mod auth;
pub mod drafts;
pub mod emoji;
pub mod files;
pub mod mail;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod pins;
pub mod polls;
pub mod previews;
pub mod push;
pub mod rooms;
pub mod search;
pub mod text;
pub mod threads;
pub mod users;
pub mod views;

// The paths these modules had before they were grouped by noun. Only tests/ and bench/
// use them; code in src/ names the new paths.
#[doc(hidden)]
pub use crate::infra::password;
#[doc(hidden)]
pub use text as search_text;
#[doc(hidden)]
pub use users::blocks;
