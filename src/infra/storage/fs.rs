//! The `fs` store: each object is a file under a root directory at its key's path
//! (`files/ab/<sha256>`), the tree earlier versions wrote. An object enters its place whole:
//! it is written in the scratch directory (`tmp/` under the same root, so on the same file
//! system) and renamed there, so a reader on any node sharing the directory never sees half
//! of one.

use std::{
    io::{self, SeekFrom},
    ops::Range,
    path::{Path, PathBuf},
    time::SystemTime,
};

use bytes::Bytes;
use futures_util::{StreamExt, stream::BoxStream};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::object::{ByteStream, Key, Listed};

/// Bytes read from a file at a time, when serving it.
const READ_CHUNK: usize = 256 * 1024;

/// Objects as files under `root`, written first in `temp` (on the same file system).
pub struct Dir {
    root: PathBuf,
    temp: PathBuf,
}

impl Dir {
    pub fn new(root: &Path, temp: &Path) -> Self {
        Self {
            root: root.to_owned(),
            temp: temp.to_owned(),
        }
    }

    fn path(&self, key: &Key) -> PathBuf {
        key.parts()
            .fold(self.root.clone(), |path, part| path.join(part))
    }

    /// Moves the file at `from` (on the same file system) to `key`'s place, making its
    /// directory on the way.
    pub async fn rename_in(&self, from: &Path, key: &Key) -> io::Result<()> {
        let to = self.path(key);
        match tokio::fs::rename(from, &to).await {
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = to.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                tokio::fs::rename(from, &to).await
            }
            renamed => renamed,
        }
    }

    pub async fn put(&self, key: &Key, bytes: Bytes) -> io::Result<()> {
        let temp = tempfile::Builder::new()
            .prefix(".put-")
            .tempfile_in(&self.temp)?
            .into_temp_path();
        tokio::fs::write(&temp, bytes).await?;
        self.rename_in(&temp, key).await?;
        // Renamed away: nothing left for the drop to delete.
        let _ = temp.keep();
        Ok(())
    }

    pub async fn get(&self, key: &Key) -> io::Result<Option<Bytes>> {
        absent_is_none(tokio::fs::read(self.path(key)).await).map(|read| read.map(Bytes::from))
    }

    pub async fn size(&self, key: &Key) -> io::Result<Option<u64>> {
        let meta = absent_is_none(tokio::fs::metadata(self.path(key)).await)?;
        Ok(meta.filter(|meta| meta.is_file()).map(|meta| meta.len()))
    }

    pub async fn read(&self, key: &Key, range: Range<u64>) -> io::Result<Option<ByteStream>> {
        let Some(mut file) = absent_is_none(tokio::fs::File::open(self.path(key)).await)? else {
            return Ok(None);
        };
        file.seek(SeekFrom::Start(range.start)).await?;
        // 256 KiB at a time: 8 KiB reads serve a 16 MiB file several times slower.
        let stream = tokio_util::io::ReaderStream::with_capacity(
            file.take(range.end.saturating_sub(range.start)),
            READ_CHUNK,
        );
        Ok(Some(stream.boxed()))
    }

    pub async fn delete(&self, key: &Key) -> io::Result<()> {
        match tokio::fs::remove_file(self.path(key)).await {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            removed => removed,
        }
    }

    /// Files under `prefix`, walking one directory at a time (a store of millions of files
    /// is never listed into memory at once).
    pub fn list(&self, prefix: &Key) -> BoxStream<'static, io::Result<Listed>> {
        let walk = Walk {
            root: self.root.clone(),
            pending: vec![self.path(prefix)],
            current: None,
        };
        futures_util::stream::try_unfold(walk, Walk::next).boxed()
    }
}

/// A depth-first walk: the directory being read and those still to read.
struct Walk {
    root: PathBuf,
    pending: Vec<PathBuf>,
    current: Option<tokio::fs::ReadDir>,
}

impl Walk {
    async fn next(mut self) -> io::Result<Option<(Listed, Self)>> {
        loop {
            let Some(dir) = self.current.as_mut() else {
                let Some(next) = self.pending.pop() else {
                    return Ok(None);
                };
                self.current = absent_is_none(tokio::fs::read_dir(next).await)?;
                continue;
            };
            let Some(entry) = dir.next_entry().await? else {
                self.current = None;
                continue;
            };
            // Deleted since it was listed: not there, then.
            let Some(meta) = absent_is_none(entry.metadata().await)? else {
                continue;
            };
            if meta.is_dir() {
                self.pending.push(entry.path());
                continue;
            }
            let path = entry.path();
            let key = path.strip_prefix(&self.root).ok().and_then(|relative| {
                let parts: Option<Vec<&str>> = relative.iter().map(|p| p.to_str()).collect();
                parts.map(Key::from_iter)
            });
            // A name that is not UTF-8 is no key this server wrote.
            let (true, Some(key)) = (meta.is_file(), key) else {
                continue;
            };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            return Ok(Some((Listed { key, modified }, self)));
        }
    }
}

/// `None` for a file that is not there (or is a directory, where a key names one).
fn absent_is_none<T>(result: io::Result<T>) -> io::Result<Option<T>> {
    match result {
        Ok(found) => Ok(Some(found)),
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::IsADirectory
            ) =>
        {
            Ok(None)
        }
        Err(err) => Err(err),
    }
}
