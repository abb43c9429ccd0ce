//! Where stored bytes live — a directory, an S3-compatible bucket or process memory, one
//! module each. Keys mirror the directory layout (`files/ab/<sha256>`, `thumbs/…`,
//! `avatars/…`), so an `fs` store is the tree earlier versions wrote, and copying that tree
//! into a bucket as it is moves an installation to S3.
//!
//! Uploads always stream into a local scratch directory first (they are hashed and
//! checked before anyone may see them); only finished files enter the store.

mod fs;
mod memory;
mod object;
mod s3;
mod s3_xml;

use std::{
    ops::Range,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, SystemTime},
};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use tempfile::{NamedTempFile, TempPath};

use crate::config::{StoreKind, UploadSettings};
pub use object::{ByteStream, Key};

/// Part size of a multipart upload: S3's minimum (every part but the last must be this big).
const PART_BYTES: usize = 5 * 1024 * 1024;
/// The scratch directory's name, under `uploads.dir`.
const TEMP_DIR: &str = "tmp";

/// The three kinds of store.
enum Objects {
    Fs(fs::Dir),
    Memory(memory::Memory),
    S3(Arc<s3::S3>),
}

/// An object store and the local scratch directory uploads are staged in.
pub struct Storage {
    objects: Objects,
    temp_dir: PathBuf,
    part_bytes: usize,
}

impl Storage {
    /// The store `settings` name, with its scratch directory (and the `fs` store's root)
    /// created.
    pub async fn open(settings: &UploadSettings) -> anyhow::Result<Self> {
        let temp_dir = settings.dir.join(TEMP_DIR);
        tokio::fs::create_dir_all(&temp_dir).await.map_err(|e| {
            anyhow::anyhow!("cannot create uploads dir {}: {e}", temp_dir.display())
        })?;
        match settings.store {
            StoreKind::Fs => {
                tracing::info!(uploads.dir = %settings.dir.display(), "files stored in a directory");
                Self::local(&settings.dir)
            }
            StoreKind::Memory => {
                tracing::warn!("files stored in memory: lost at exit, not shared");
                Ok(Self::in_memory(temp_dir))
            }
            StoreKind::S3 => {
                let bucket = settings.s3.bucket.as_deref().unwrap_or_default();
                tracing::info!(uploads.bucket = bucket, "files stored in an S3 bucket");
                let objects = Objects::S3(Arc::new(s3::S3::new(&settings.s3)?));
                Ok(Self::new(objects, temp_dir))
            }
        }
    }

    /// A store in the directory `root` (which must exist), staging in `root/tmp`.
    pub fn local(root: &Path) -> anyhow::Result<Self> {
        anyhow::ensure!(
            root.is_dir(),
            "uploads directory {} does not exist",
            root.display()
        );
        Ok(Self::new(
            Objects::Fs(fs::Dir::new(root, &root.join(TEMP_DIR))),
            root.join(TEMP_DIR),
        ))
    }

    /// A store in this process's memory (tests, trials; never shared with another node),
    /// staging in `temp_dir`.
    pub fn in_memory(temp_dir: PathBuf) -> Self {
        Self::new(Objects::Memory(memory::Memory::default()), temp_dir)
    }

    fn new(objects: Objects, temp_dir: PathBuf) -> Self {
        Self {
            objects,
            temp_dir,
            part_bytes: PART_BYTES,
        }
    }

    /// The same store, uploading in parts of `bytes` (tests exercise multipart uploads
    /// with small files this way).
    #[cfg(test)]
    fn with_part_bytes(mut self, bytes: usize) -> Self {
        self.part_bytes = bytes;
        self
    }

    /// The local scratch directory uploads stream into.
    pub fn temp_dir(&self) -> &Path {
        &self.temp_dir
    }

    /// A new scratch file, deleted when dropped.
    pub fn temp_file(&self) -> std::io::Result<NamedTempFile> {
        tempfile::Builder::new()
            .prefix(".upload-")
            .tempfile_in(&self.temp_dir)
    }

    /// Stores a finished scratch file of `size` bytes as `key`. The scratch file is gone
    /// afterwards, whatever the outcome.
    pub async fn put_file(&self, temp: TempPath, size: u64, key: &Key) -> anyhow::Result<()> {
        let context = || format!("storing {key}");
        match &self.objects {
            // The scratch directory is inside the store: renamed into place, not copied.
            Objects::Fs(dir) => {
                dir.rename_in(&temp, key)
                    .await
                    .map_err(|e| anyhow::Error::new(e).context(context()))?;
                // Renamed away: nothing left for the drop to delete.
                let _ = temp.keep();
                Ok(())
            }
            Objects::S3(bucket) if size > self.part_bytes as u64 => bucket
                .put_file(&temp, key, self.part_bytes)
                .await
                .map_err(|e| e.context(context())),
            Objects::Memory(_) | Objects::S3(_) => {
                let bytes = tokio::fs::read(&temp)
                    .await
                    .map_err(|e| anyhow::Error::new(e).context("reading a staged upload"))?;
                self.put_bytes(key, bytes.into()).await
            }
        }
    }

    /// Stores small bytes (a thumbnail, an avatar) whole.
    pub async fn put_bytes(&self, key: &Key, bytes: Bytes) -> anyhow::Result<()> {
        let stored = match &self.objects {
            Objects::Fs(dir) => dir.put(key, bytes).await.map_err(anyhow::Error::new),
            Objects::Memory(memory) => {
                memory.put(key, bytes);
                Ok(())
            }
            Objects::S3(bucket) => bucket.put(key, bytes).await,
        };
        stored.map_err(|e| e.context(format!("storing {key}")))
    }

    /// All of a small object; `None` if there is no such object.
    pub async fn get_bytes(&self, key: &Key) -> anyhow::Result<Option<Bytes>> {
        let got = match &self.objects {
            Objects::Fs(dir) => dir.get(key).await.map_err(anyhow::Error::new),
            Objects::Memory(memory) => Ok(memory.get(key)),
            Objects::S3(bucket) => bucket.get(key).await,
        };
        got.map_err(|e| anyhow::anyhow!("reading {key}: {e:#}"))
    }

    /// The object's size; `None` if there is no such object.
    pub async fn size(&self, key: &Key) -> anyhow::Result<Option<u64>> {
        let size = match &self.objects {
            Objects::Fs(dir) => dir.size(key).await.map_err(anyhow::Error::new),
            Objects::Memory(memory) => Ok(memory.get(key).map(|bytes| bytes.len() as u64)),
            Objects::S3(bucket) => bucket.size(key).await,
        };
        size.map_err(|e| anyhow::anyhow!("looking up {key}: {e:#}"))
    }

    /// Streams `range` of the object; `None` if there is no such object.
    pub async fn read(&self, key: &Key, range: Range<u64>) -> anyhow::Result<Option<ByteStream>> {
        let read = match &self.objects {
            Objects::Fs(dir) => dir.read(key, range).await.map_err(anyhow::Error::new),
            Objects::Memory(memory) => Ok(memory.read(key, range)),
            Objects::S3(bucket) => bucket.read(key, range).await,
        };
        read.map_err(|e| anyhow::anyhow!("reading {key}: {e:#}"))
    }

    /// Deletes the object; one that is already gone is fine.
    pub async fn delete(&self, key: &Key) -> anyhow::Result<()> {
        let deleted = match &self.objects {
            Objects::Fs(dir) => dir.delete(key).await.map_err(anyhow::Error::new),
            Objects::Memory(memory) => {
                memory.delete(key);
                Ok(())
            }
            Objects::S3(bucket) => bucket.delete(key).await,
        };
        deleted.map_err(|e| anyhow::anyhow!("deleting {key}: {e:#}"))
    }

    /// Objects under `prefix` stored at least `grace` before `now`, with the last part of their
    /// names (the stores list in pages; this reads them as they come).
    pub fn list_older(
        &self,
        prefix: &str,
        grace: Duration,
        now: SystemTime,
    ) -> BoxStream<'static, anyhow::Result<(Key, String)>> {
        let prefix = Key::from(prefix);
        let listed = match &self.objects {
            Objects::Fs(dir) => dir.list(&prefix).map_err(anyhow::Error::new).boxed(),
            Objects::Memory(memory) => memory.list(&prefix).map_err(anyhow::Error::new).boxed(),
            Objects::S3(bucket) => bucket.clone().list(&prefix),
        };
        listed
            .map_err(move |e| anyhow::anyhow!("listing {prefix}: {e:#}"))
            .try_filter_map(move |listed| async move {
                let age = now.duration_since(listed.modified).unwrap_or_default();
                let Some(name) = listed.key.filename().map(str::to_owned) else {
                    return Ok(None);
                };
                Ok((age >= grace).then_some((listed.key, name)))
            })
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::S3Settings;
    use std::io::Write;
    use tokio::io::AsyncReadExt;

    /// A store of each kind the tests can run, over a fresh directory.
    fn stores(dir: &Path) -> Vec<(&'static str, Storage)> {
        std::fs::create_dir_all(dir.join(TEMP_DIR)).unwrap();
        vec![
            ("fs", Storage::local(dir).unwrap().with_part_bytes(1024)),
            (
                "memory",
                Storage::in_memory(dir.join(TEMP_DIR)).with_part_bytes(1024),
            ),
        ]
    }

    fn staged(storage: &Storage, bytes: &[u8]) -> TempPath {
        let mut temp = storage.temp_file().unwrap();
        temp.write_all(bytes).unwrap();
        temp.into_temp_path()
    }

    async fn read_all(storage: &Storage, key: &Key, range: Range<u64>) -> Vec<u8> {
        let stream = storage.read(key, range).await.unwrap().unwrap();
        let chunks: Vec<Bytes> = stream.try_collect().await.unwrap();
        chunks.concat()
    }

    fn temp_files(storage: &Storage) -> usize {
        std::fs::read_dir(storage.temp_dir()).unwrap().count()
    }

    #[tokio::test]
    async fn files_are_stored_whole_or_in_parts_and_read_back_by_range() {
        let dir = tempfile::tempdir().unwrap();
        for (kind, storage) in stores(dir.path()) {
            // 500 bytes go in one put; 5,000 in five parts of 1,024 and a short one.
            for size in [500usize, 5000] {
                let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
                let key = Key::from(format!("files/ab/{kind}-{size}"));
                let temp = staged(&storage, &bytes);
                storage.put_file(temp, size as u64, &key).await.unwrap();
                assert_eq!(temp_files(&storage), 0, "{kind}: the staged file is gone");
                assert_eq!(storage.size(&key).await.unwrap(), Some(size as u64));
                assert_eq!(read_all(&storage, &key, 0..size as u64).await, bytes);
                assert_eq!(read_all(&storage, &key, 100..300).await, &bytes[100..300]);
            }
        }
    }

    #[tokio::test]
    async fn the_directory_store_keeps_the_layout_earlier_versions_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::local(dir.path()).unwrap();
        std::fs::create_dir_all(storage.temp_dir()).unwrap();
        let key = Key::from("files/ab/abcdef");
        storage
            .put_file(staged(&storage, b"bytes"), 5, &key)
            .await
            .unwrap();
        storage
            .put_bytes(&Key::from("thumbs/ab/abcdef"), Bytes::from_static(b"thumb"))
            .await
            .unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("files/ab/abcdef")).unwrap(),
            b"bytes"
        );
        assert_eq!(
            std::fs::read(dir.path().join("thumbs/ab/abcdef")).unwrap(),
            b"thumb"
        );
        // A file an earlier version stored is found by its key.
        std::fs::create_dir_all(dir.path().join("files/cd")).unwrap();
        std::fs::write(dir.path().join("files/cd/cdef"), b"old").unwrap();
        let old = storage
            .get_bytes(&Key::from("files/cd/cdef"))
            .await
            .unwrap();
        assert_eq!(old.as_deref(), Some(&b"old"[..]));
    }

    #[tokio::test]
    async fn missing_objects_are_none_and_deleting_twice_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        for (kind, storage) in stores(dir.path()) {
            let key = Key::from("avatars/someone.png");
            assert!(storage.get_bytes(&key).await.unwrap().is_none(), "{kind}");
            assert!(storage.size(&key).await.unwrap().is_none(), "{kind}");
            assert!(storage.read(&key, 0..1).await.unwrap().is_none(), "{kind}");
            storage
                .put_bytes(&key, Bytes::from_static(b"png"))
                .await
                .unwrap();
            assert_eq!(
                storage.get_bytes(&key).await.unwrap().as_deref(),
                Some(&b"png"[..])
            );
            storage.delete(&key).await.unwrap();
            storage.delete(&key).await.unwrap();
            assert!(storage.get_bytes(&key).await.unwrap().is_none(), "{kind}");
        }
    }

    #[tokio::test]
    async fn listing_finds_objects_under_a_prefix_once_old_enough() {
        let dir = tempfile::tempdir().unwrap();
        for (kind, storage) in stores(dir.path()) {
            for key in ["files/ab/one", "files/cd/two", "thumbs/ab/one"] {
                storage
                    .put_bytes(&Key::from(key), Bytes::from_static(b"x"))
                    .await
                    .unwrap();
            }
            let mut names: Vec<String> = storage
                .list_older("files", Duration::ZERO, SystemTime::now())
                .map_ok(|(_, name)| name)
                .try_collect()
                .await
                .unwrap();
            names.sort();
            assert_eq!(names, ["one", "two"], "{kind}");
            let young: Vec<_> = storage
                .list_older("files", Duration::from_secs(3600), SystemTime::now())
                .try_collect()
                .await
                .unwrap();
            assert!(young.is_empty(), "{kind}: nothing is an hour old yet");
            let absent: Vec<_> = storage
                .list_older("avatars", Duration::ZERO, SystemTime::now())
                .try_collect()
                .await
                .unwrap();
            assert!(
                absent.is_empty(),
                "{kind}: a prefix nothing was stored under"
            );
        }
    }

    #[test]
    fn an_s3_store_is_built_without_contacting_anyone() {
        let settings = S3Settings {
            bucket: Some("anjoman".into()),
            region: "us-east-1".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            access_key_id: Some("minio".into()),
            secret_access_key: Some("minio-secret".to_owned().into()),
            allow_http: true,
        };
        assert!(s3::S3::new(&settings).is_ok());
        let missing = S3Settings {
            bucket: None,
            ..settings.clone()
        };
        let err = s3::S3::new(&missing)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("uploads.s3"), "{err}");
        let keyless = S3Settings {
            access_key_id: None,
            secret_access_key: None,
            ..settings
        };
        let err = s3::S3::new(&keyless)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("access_key_id"), "{err}");
    }

    /// The S3 client opens TLS with ring, not aws-lc: a request to an https endpoint starts
    /// with a TLS handshake record (no panic for want of a provider).
    #[tokio::test]
    async fn an_s3_store_signs_and_opens_tls_to_an_https_endpoint() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let settings = S3Settings {
            bucket: Some("anjoman".into()),
            region: "us-east-1".into(),
            endpoint: Some(format!("https://{}", listener.local_addr().unwrap())),
            access_key_id: Some("minio".into()),
            secret_access_key: Some("minio-secret".to_owned().into()),
            allow_http: false,
        };
        let store = s3::S3::new(&settings).unwrap();
        let request = tokio::spawn(async move { store.size(&Key::from("files/x")).await });
        let wait = Duration::from_secs(30);
        let (mut conn, _) = tokio::time::timeout(wait, listener.accept())
            .await
            .unwrap()
            .unwrap();
        let mut record = [0u8; 3];
        tokio::time::timeout(wait, conn.read_exact(&mut record))
            .await
            .unwrap()
            .unwrap();
        request.abort();
        // Content type 22 (handshake), then a TLS 1.x record version.
        assert_eq!(record, [0x16, 0x03, record[2]], "{record:?}");
    }
}
