//! Shared files: streamed to a local file while hashed, stored once per content (SHA-256),
//! named and owned per upload, attached to messages, readable by the room's members, and
//! removed when the last message that shows them goes. Custom emoji pictures are kept as
//! contents too (`emoji_pictures`).
//!
//! In the store (see `storage`): `files/<2 hex>/<sha256>` (contents) and
//! `thumbs/<2 hex>/<sha256>` (previews); uploads in flight stay in the local `tmp/`.

pub mod attachments;
pub mod blobs;
pub mod emoji_pictures;
pub mod names;
pub mod sweep;
pub mod types;
pub mod upload;

use tempfile::TempPath;
use tokio::sync::Semaphore;

use crate::{
    config::UploadSettings,
    infra::{
        content_lock::ContentLocks,
        decode_budget::DecodeBudget,
        storage::{Key, Storage},
    },
};

/// Files one message may carry.
pub const ATTACHMENTS_MAX: usize = 10;
/// Largest page of a room's files.
pub const ROOM_FILES_MAX: u64 = 100;

/// The store, and the locks that keep "is this content still used?" and "store this
/// content" from interleaving for the same SHA-256.
pub struct FileStore {
    storage: Storage,
    locks: ContentLocks,
    /// Decoding a large picture takes a lot of CPU for a moment: one per core at most.
    decoders: Semaphore,
    /// ... and a lot of memory: all decodes together stay within this.
    decode_budget: DecodeBudget,
    /// Pictures with more pixels than this get no thumbnail (they are never decoded).
    thumbnail_max_pixels: u64,
}

impl FileStore {
    /// The store `settings` name, ready for uploads.
    pub async fn open(settings: &UploadSettings) -> anyhow::Result<Self> {
        Ok(Self::new(Storage::open(settings).await?, settings))
    }

    /// A store over `storage`, with the picture limits of `settings`.
    pub fn new(storage: Storage, settings: &UploadSettings) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            storage,
            locks: ContentLocks::new(),
            decoders: Semaphore::new(cores),
            decode_budget: DecodeBudget::new(settings.decode_budget_bytes),
            thumbnail_max_pixels: settings.thumbnail_max_pixels,
        }
    }

    /// The memory picture decodes share (avatars use it too).
    pub fn decode_budget(&self) -> &DecodeBudget {
        &self.decode_budget
    }

    /// Where the bytes are (avatars live there too).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }
}

/// An upload written to a temporary file (removed when dropped unless stored). Made by
/// `upload::stage`, kept by `blobs`; here so neither of the two imports the other.
pub struct Staged {
    temp: TempPath,
    pub sha256: String,
    pub size: u64,
    head: Vec<u8>,
}

/// `files/ab/ab12…`: two hex digits of fan-out keep directories small on `fs`.
fn blob_key(sha256: &str) -> Key {
    Key::from_iter(["files", sha256.get(..2).unwrap_or("00"), sha256])
}

fn thumb_key(sha256: &str) -> Key {
    Key::from_iter(["thumbs", sha256.get(..2).unwrap_or("00"), sha256])
}

/// `previews/ab/ab12…`: link preview pictures, apart from shared files (cleanup never
/// takes them for orphans).
fn preview_key(sha256: &str) -> Key {
    Key::from_iter(["previews", sha256.get(..2).unwrap_or("00"), sha256])
}

/// Lowercase hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
