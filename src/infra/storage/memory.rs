//! The `memory` store: objects in this process (tests, trials), lost at exit and never shared
//! with another node.

use std::{collections::BTreeMap, ops::Range, sync::Mutex, time::SystemTime};

use bytes::Bytes;
use futures_util::{StreamExt, stream::BoxStream};

use super::object::{ByteStream, Key, Listed};

/// Objects by key, with when each was stored (for the cleanup's grace period).
#[derive(Default)]
pub struct Memory {
    objects: Mutex<BTreeMap<String, (Bytes, SystemTime)>>,
}

impl Memory {
    fn objects(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, (Bytes, SystemTime)>> {
        // Nothing panics while holding it; a poisoned map is still a whole map.
        self.objects.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn put(&self, key: &Key, bytes: Bytes) {
        self.objects()
            .insert(key.as_str().to_owned(), (bytes, SystemTime::now()));
    }

    pub fn get(&self, key: &Key) -> Option<Bytes> {
        self.objects()
            .get(key.as_str())
            .map(|(bytes, _)| bytes.clone())
    }

    pub fn read(&self, key: &Key, range: Range<u64>) -> Option<ByteStream> {
        let bytes = self.get(key)?;
        let end = usize::try_from(range.end)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let start = usize::try_from(range.start).unwrap_or(usize::MAX).min(end);
        let part = bytes.slice(start..end);
        Some(futures_util::stream::once(async move { Ok(part) }).boxed())
    }

    pub fn delete(&self, key: &Key) {
        self.objects().remove(key.as_str());
    }

    /// Objects under `prefix`, as they are now.
    pub fn list(&self, prefix: &Key) -> BoxStream<'static, std::io::Result<Listed>> {
        let under = format!("{}/", prefix.as_str());
        let listed: Vec<_> = self
            .objects()
            .range(under.clone()..)
            .take_while(|(key, _)| key.starts_with(&under))
            .map(|(key, (_, modified))| {
                Ok(Listed {
                    key: Key::from(key.as_str()),
                    modified: *modified,
                })
            })
            .collect();
        futures_util::stream::iter(listed).boxed()
    }
}
