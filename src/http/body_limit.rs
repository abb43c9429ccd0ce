//! Request body limit, enforced while the body streams in: a declared `Content-Length`
//! over the limit is refused before reading, and a chunked body is cut off as soon as it
//! crosses the limit (poem's `SizeLimit` only trusts `Content-Length`).
//!
//! A request answered before its body was read (refused, or cut off by a handler) has the
//! rest read and dropped first, up to [`DRAIN_MAX`]: closing a connection with unread data
//! resets it, and the client may never see the answer.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, stream::BoxStream};
use poem::{Body, Endpoint, Middleware, Request, Result, http::header};

use crate::error::AppError;

/// See the module docs. Routes that take larger bodies (avatars, uploads) get their own
/// limit by exact path.
pub struct BodyLimit {
    max_bytes: u64,
    routes: Arc<[RouteLimit]>,
}

/// A limit for requests to exactly `path`.
#[derive(Clone, Copy)]
struct RouteLimit {
    path: &'static str,
    max_bytes: u64,
    /// Passed on as a stream (cut off at the limit) instead of buffered.
    streamed: bool,
}

impl BodyLimit {
    pub fn new(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            routes: Arc::new([]),
        }
    }

    /// A different limit for requests to exactly `path`.
    pub fn route(self, path: &'static str, max_bytes: u64) -> Self {
        self.with_route(RouteLimit {
            path,
            max_bytes,
            streamed: false,
        })
    }

    /// A limit for `path` whose handler reads the body as it arrives (uploads): it is not
    /// buffered, and a body that grows past `max_bytes` ends in an error at that point.
    pub fn streamed(self, path: &'static str, max_bytes: u64) -> Self {
        self.with_route(RouteLimit {
            path,
            max_bytes,
            streamed: true,
        })
    }

    fn with_route(self, route: RouteLimit) -> Self {
        let mut routes = self.routes.to_vec();
        routes.push(route);
        Self {
            routes: routes.into(),
            ..self
        }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            max_bytes: self.max_bytes,
            routes: self.routes.clone(),
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: u64,
    routes: Arc<[RouteLimit]>,
}

/// Unread body drained before an answer, at most (beyond it the connection is cut).
const DRAIN_MAX: u64 = 1024 * 1024;
/// …and for at most this long.
const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads and drops what is left of a body, within [`DRAIN_MAX`] and [`DRAIN_TIMEOUT`].
async fn drain(mut rest: BoxStream<'static, std::io::Result<Bytes>>) {
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        let mut drained: u64 = 0;
        while let Some(Ok(chunk)) = rest.next().await {
            drained += chunk.len() as u64;
            if drained > DRAIN_MAX {
                break;
            }
        }
    })
    .await;
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> Result<E::Output> {
        let path = req.uri().path();
        let route = self.routes.iter().find(|route| route.path == path).copied();
        let limit = route.map_or(self.max_bytes, |route| route.max_bytes);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(len) = declared.filter(|len| *len > limit) {
            if len - limit <= DRAIN_MAX {
                drain(req.take_body().into_bytes_stream().boxed()).await;
            }
            return Err(AppError::PayloadTooLarge { limit }.into());
        }
        if route.is_some_and(|route| route.streamed) {
            // The handler reads through a shared handle, so what it leaves unread can be
            // drained once it has answered.
            let source = Arc::new(tokio::sync::Mutex::new(
                req.take_body().into_bytes_stream().boxed(),
            ));
            let shared = futures_util::stream::unfold(source.clone(), |source| async move {
                let next = source.lock().await.next().await;
                next.map(|chunk| (chunk, source))
            });
            let mut seen: u64 = 0;
            let stream = shared.map(move |chunk| {
                let chunk = chunk?;
                seen += chunk.len() as u64;
                if seen > limit {
                    return Err(std::io::Error::other(format!(
                        "request body over the {limit} byte limit"
                    )));
                }
                Ok(chunk)
            });
            req.set_body(Body::from_bytes_stream(stream));
            let output = self.inner.call(req).await;
            drain(std::mem::replace(
                &mut *source.lock().await,
                futures_util::stream::empty().boxed(),
            ))
            .await;
            return output;
        } else if !req.headers().contains_key(header::UPGRADE) {
            // Upgrades (WebSocket) carry no body to buffer.
            let mut stream = req.take_body().into_bytes_stream();
            let mut buffered = BytesMut::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|err| AppError::BadRequest(err.to_string()))?;
                if (buffered.len() + chunk.len()) as u64 > limit {
                    return Err(AppError::PayloadTooLarge { limit }.into());
                }
                buffered.extend_from_slice(&chunk);
            }
            req.set_body(Body::from_bytes(buffered.freeze()));
        }
        self.inner.call(req).await
    }
}
