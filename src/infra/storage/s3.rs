//! The `s3` store: objects in an S3-compatible bucket (AWS, MinIO, Ceph, Garage…), at the
//! keys the directory layout uses. rusty-s3 signs each request (a presigned URL, path-style
//! addressing), reqwest sends it, [`super::s3_xml`] reads the answers.
//!
//! Credentials are the configured key pair; the instance's own (an EC2 or ECS role) are not
//! looked up.

use std::{ops::Range, path::Path, sync::Arc, time::Duration, time::SystemTime};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use reqwest::{RequestBuilder, Response, StatusCode};
use rusty_s3::{Bucket, Credentials, Map, Method, UrlStyle};
use secrecy::ExposeSecret;
use tokio::io::AsyncReadExt;

use super::{
    object::{ByteStream, Key, Listed},
    s3_xml,
};
use crate::config::S3Settings;

/// How long a signed request stays valid; it is sent at once.
const SIGNED_FOR: Duration = Duration::from_secs(15 * 60);
/// Parts uploading at once; with the part being read this bounds one upload's memory to
/// about three parts, whatever the file's size.
const PARTS_IN_FLIGHT: usize = 2;
/// S3 numbers a multipart upload's parts 1 to 10,000.
const MAX_PARTS: u16 = 10_000;
/// How long to wait to connect, and for each next piece of an answer (a pause, not the
/// whole of a download, which may be slow on the client's side).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Sends of one request at most, and the wait before the second (four times longer before
/// each next).
const TRIES: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// A bucket and the client that talks to it.
pub struct S3 {
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

impl S3 {
    /// The client the settings describe. Nothing is sent yet: a wrong key or a missing bucket
    /// shows on the first upload, and in the logs.
    pub fn new(settings: &S3Settings) -> anyhow::Result<Self> {
        let invalid = |why: &dyn std::fmt::Display| {
            anyhow::anyhow!("invalid configuration: key `uploads.s3`: {why}")
        };
        let region = settings.region.trim().to_owned();
        let endpoint = match &settings.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => format!("https://s3.{region}.amazonaws.com"),
        };
        let endpoint: url::Url = endpoint.parse().map_err(|e| invalid(&e))?;
        if endpoint.scheme() == "http" && !settings.allow_http {
            return Err(invalid(&"a plain http:// endpoint needs allow_http = true"));
        }
        let bucket = settings
            .bucket
            .clone()
            .ok_or_else(|| invalid(&"no bucket"))?;
        let bucket =
            Bucket::new(endpoint, UrlStyle::Path, bucket, region).map_err(|e| invalid(&e))?;
        let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key)
        else {
            return Err(invalid(
                &"access_key_id and secret_access_key must be set (instance credentials are not looked up)",
            ));
        };
        let credentials = Credentials::new(id.clone(), secret.expose_secret().to_owned());
        // reqwest needs a rustls provider by the time it makes a client.
        crate::infra::tls::install_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .build()
            .map_err(|e| invalid(&e))?;
        Ok(Self {
            bucket,
            credentials,
            http,
        })
    }

    /// A request for `method` on `key` (the bucket itself if `None`), signed with `query`.
    fn request(
        &self,
        method: Method,
        key: Option<&Key>,
        query: &[(&str, &str)],
    ) -> anyhow::Result<RequestBuilder> {
        let url = match key {
            Some(key) => self
                .bucket
                .object_url(key.as_str())
                .map_err(|e| anyhow::anyhow!("the URL of {key}: {e}"))?,
            None => self.bucket.base_url().clone(),
        };
        // rusty-s3 reads the query in order of names.
        let mut sorted = Map::new();
        for (name, value) in query {
            sorted.insert(*name, *value);
        }
        let url = rusty_s3::signing::sign(
            &jiff::Timestamp::now(),
            method,
            url,
            self.credentials.key(),
            self.credentials.secret(),
            self.credentials.token(),
            self.bucket.region(),
            SIGNED_FOR.as_secs(),
            sorted.iter(),
            std::iter::empty(),
        );
        let method = match method {
            Method::Head => reqwest::Method::HEAD,
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        Ok(self.http.request(method, url))
    }

    pub async fn put(&self, key: &Key, bytes: Bytes) -> anyhow::Result<()> {
        let request = self.request(Method::Put, Some(key), &[])?.body(bytes);
        found(send(request).await?, "the bucket")?;
        Ok(())
    }

    pub async fn get(&self, key: &Key) -> anyhow::Result<Option<Bytes>> {
        let Some(answer) = send(self.request(Method::Get, Some(key), &[])?).await? else {
            return Ok(None);
        };
        Ok(Some(answer.bytes().await?))
    }

    pub async fn size(&self, key: &Key) -> anyhow::Result<Option<u64>> {
        let Some(answer) = send(self.request(Method::Head, Some(key), &[])?).await? else {
            return Ok(None);
        };
        // The header itself: a HEAD answer's body is empty, whatever the length says.
        let length = answer
            .headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no Content-Length"))?;
        Ok(Some(length))
    }

    pub async fn read(&self, key: &Key, range: Range<u64>) -> anyhow::Result<Option<ByteStream>> {
        if range.is_empty() {
            // No Range header can ask for nothing.
            let size = self.size(key).await?;
            return Ok(size.map(|_| futures_util::stream::empty().boxed()));
        }
        let request = self
            .request(Method::Get, Some(key), &[])?
            .header("range", format!("bytes={}-{}", range.start, range.end - 1));
        let Some(answer) = send(request).await? else {
            return Ok(None);
        };
        anyhow::ensure!(
            answer.status() == StatusCode::PARTIAL_CONTENT || range.start == 0,
            "the server ignored the range ({})",
            answer.status()
        );
        let stream = answer.bytes_stream().map_err(std::io::Error::other);
        // A server that ignored a range from 0 sends more: only the range is passed on.
        Ok(Some(take_bytes(stream.boxed(), range.end - range.start)))
    }

    pub async fn delete(&self, key: &Key) -> anyhow::Result<()> {
        send(self.request(Method::Delete, Some(key), &[])?).await?;
        Ok(())
    }

    /// Objects under `prefix`, a page (up to 1,000) at a time.
    pub fn list(self: Arc<Self>, prefix: &Key) -> BoxStream<'static, anyhow::Result<Listed>> {
        let prefix = format!("{}/", prefix.as_str());
        // `Some(token)`: a page to fetch (`None` for the first); `None`: done.
        let pages =
            futures_util::stream::try_unfold(Some(None), move |state: Option<Option<String>>| {
                let (store, prefix) = (self.clone(), prefix.clone());
                async move {
                    let Some(token) = state else {
                        return anyhow::Ok(None);
                    };
                    let page = store.list_page(&prefix, token.as_deref()).await?;
                    let listed: Vec<anyhow::Result<Listed>> = page
                        .objects
                        .into_iter()
                        .map(|(key, modified)| {
                            let modified = chrono::DateTime::parse_from_rfc3339(&modified)
                                .map_err(|e| anyhow::anyhow!("LastModified {modified:?}: {e}"))?;
                            Ok(Listed {
                                key: Key::from(key),
                                modified: SystemTime::from(modified),
                            })
                        })
                        .collect();
                    let next = page.next.map(Some);
                    Ok(Some((futures_util::stream::iter(listed), next)))
                }
            });
        pages.try_flatten().boxed()
    }

    async fn list_page(
        &self,
        prefix: &str,
        token: Option<&str>,
    ) -> anyhow::Result<s3_xml::ListPage> {
        let mut query = vec![("list-type", "2"), ("prefix", prefix)];
        if let Some(token) = token {
            query.push(("continuation-token", token));
        }
        let answer = found(
            send(self.request(Method::Get, None, &query)?).await?,
            "the bucket",
        )?;
        s3_xml::list_page(&answer.text().await?)
    }

    /// Uploads the file at `path` in parts of `part_bytes`, at most [`PARTS_IN_FLIGHT`] at a
    /// time (so about three parts in memory whatever the file's size). A failed upload is
    /// aborted, so the bucket keeps no parts of it.
    pub async fn put_file(&self, path: &Path, key: &Key, part_bytes: usize) -> anyhow::Result<()> {
        let started = self.request(Method::Post, Some(key), &[("uploads", "")])?;
        let answer = found(send(started).await?, "the bucket")?;
        let upload = s3_xml::upload_id(&answer.text().await?)?;
        let finished = async {
            let etags = self.put_parts(path, key, &upload, part_bytes).await?;
            let request = self
                .request(Method::Post, Some(key), &[("uploadId", &upload)])?
                .body(s3_xml::complete(&etags));
            let answer = found(send(request).await?, "the upload")?;
            // S3 may answer 200 and then report a failure in the body.
            match s3_xml::error(&answer.text().await?) {
                Some(error) => Err(anyhow::anyhow!("{error}")),
                None => Ok(()),
            }
        };
        let result = finished.await;
        if result.is_err() {
            let abort = async {
                send(self.request(Method::Delete, Some(key), &[("uploadId", &upload)])?).await
            };
            if let Err(err) = abort.await {
                tracing::warn!(error = %err, key = %key, "multipart upload not aborted");
            }
        }
        result
    }

    /// Sends the parts; their ETags, part 1 first.
    async fn put_parts(
        &self,
        path: &Path,
        key: &Key,
        upload: &str,
        part_bytes: usize,
    ) -> anyhow::Result<Vec<String>> {
        let file = tokio::fs::File::open(path).await?;
        let parts =
            futures_util::stream::try_unfold((file, 1u16), move |(mut file, number)| async move {
                let mut part = vec![0; part_bytes];
                let mut filled = 0;
                while filled < part_bytes {
                    match file.read(&mut part[filled..]).await? {
                        0 => break,
                        read => filled += read,
                    }
                }
                if filled == 0 {
                    return Ok(None);
                }
                anyhow::ensure!(number <= MAX_PARTS, "more than {MAX_PARTS} parts");
                part.truncate(filled);
                Ok(Some(((number, Bytes::from(part)), (file, number + 1))))
            });
        // The next part is read only once fewer than PARTS_IN_FLIGHT are uploading.
        parts
            .map_ok(|(number, bytes)| self.put_part(key, upload, number, bytes))
            .try_buffered(PARTS_IN_FLIGHT)
            .try_collect()
            .await
    }

    async fn put_part(
        &self,
        key: &Key,
        upload: &str,
        number: u16,
        bytes: Bytes,
    ) -> anyhow::Result<String> {
        let number = number.to_string();
        let request = self
            .request(
                Method::Put,
                Some(key),
                &[("partNumber", &number), ("uploadId", upload)],
            )?
            .body(bytes);
        let answer = found(send(request).await?, "the upload")?;
        let etag = answer
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| anyhow::anyhow!("part {number} has no ETag"))?;
        Ok(etag.to_owned())
    }
}

/// Sends `request`: the answer, `None` for 404, an error with S3's code and message for
/// any other failure. A request that did not connect, timed out or met a busy or failing
/// server (429, 5xx; S3 answers 503 SlowDown now and then) is sent again, up to [`TRIES`]
/// times in all: every request here may be repeated (the bodies are bytes in memory).
async fn send(mut request: RequestBuilder) -> anyhow::Result<Option<Response>> {
    let mut backoff = FIRST_BACKOFF;
    for _ in 1..TRIES {
        let Some(again) = request.try_clone() else {
            break;
        };
        let sent = request.send().await;
        let transient = match &sent {
            Err(err) => err.is_connect() || err.is_timeout(),
            Ok(answer) => {
                let status = answer.status();
                status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
            }
        };
        if !transient {
            return judge(sent?).await;
        }
        tracing::debug!(outcome = ?sent.map(|a| a.status()), "S3 request sent again");
        tokio::time::sleep(backoff).await;
        backoff *= 4;
        request = again;
    }
    judge(request.send().await?).await
}

async fn judge(answer: Response) -> anyhow::Result<Option<Response>> {
    let status = answer.status();
    if status.is_success() {
        return Ok(Some(answer));
    }
    if status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    let body = answer.text().await.unwrap_or_default();
    match s3_xml::error(&body) {
        Some(error) => anyhow::bail!("{status}: {error}"),
        None => anyhow::bail!("{status}"),
    }
}

/// Where a 404 means no object, not its container.
fn found(answer: Option<Response>, what: &str) -> anyhow::Result<Response> {
    answer.ok_or_else(|| anyhow::anyhow!("404: {what} does not exist"))
}

/// The first `len` bytes of `stream`.
fn take_bytes(stream: ByteStream, len: u64) -> ByteStream {
    futures_util::stream::try_unfold((stream, len), |(mut stream, left)| async move {
        if left == 0 {
            return Ok(None);
        }
        let Some(mut chunk) = stream.try_next().await? else {
            return Ok(None);
        };
        chunk.truncate(usize::try_from(left).unwrap_or(usize::MAX).min(chunk.len()));
        let left = left - chunk.len() as u64;
        Ok(Some((chunk, (stream, left))))
    })
    .boxed()
}
