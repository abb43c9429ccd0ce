//! Request and response bodies that report to their connection's
//! [`ConnectionDeadlines`]: how fast a request body arrives while the handler waits for
//! it, and when a response has gone out (the connection is then idle).

use std::{
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
};

use http_body::{Body, Frame, SizeHint};

use super::connection_deadlines::ConnectionDeadlines;

/// A request body that counts its bytes and the time its reader spends waiting.
pub struct RateObservedBody<B> {
    inner: B,
    deadlines: ConnectionDeadlines,
    done: bool,
    read_to_end: ReadToEnd,
}

/// Whether a request body was read to its end. Unread bytes mean the connection cannot
/// carry another request, so the answer must say `Connection: close`: otherwise a client
/// may send its next request on a connection the server is closing.
#[derive(Clone, Default)]
pub struct ReadToEnd(Arc<AtomicBool>);

impl ReadToEnd {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Release);
    }
}

impl<B> RateObservedBody<B> {
    pub fn new(inner: B, deadlines: ConnectionDeadlines, read_to_end: ReadToEnd) -> Self {
        Self {
            inner,
            deadlines,
            done: false,
            read_to_end,
        }
    }

    fn finish(&mut self) {
        if !self.done {
            self.done = true;
            self.deadlines.body_done();
        }
    }
}

impl<B: Body + Unpin> Body for RateObservedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Pending => self.deadlines.body_progress(0, true),
            Poll::Ready(Some(Ok(frame))) => {
                let n = frame
                    .data_ref()
                    .map_or(0, |data| bytes::Buf::remaining(data) as u64);
                self.deadlines.body_progress(n, false);
            }
            Poll::Ready(None) => {
                self.read_to_end.set();
                self.finish();
            }
            Poll::Ready(Some(Err(_))) => self.finish(),
        }
        if self.inner.is_end_stream() {
            self.read_to_end.set();
            self.finish();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for RateObservedBody<B> {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A response body that tells the connection when it has been sent (or dropped).
pub struct CompletionObservedBody<B> {
    inner: B,
    deadlines: Option<ConnectionDeadlines>,
}

impl<B> CompletionObservedBody<B> {
    pub fn new(inner: B, deadlines: ConnectionDeadlines) -> Self {
        Self {
            inner,
            deadlines: Some(deadlines),
        }
    }

    fn finish(&mut self) {
        if let Some(deadlines) = self.deadlines.take() {
            deadlines.response_done();
        }
    }
}

impl<B: Body + Unpin> Body for CompletionObservedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.finish();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for CompletionObservedBody<B> {
    fn drop(&mut self) {
        self.finish();
    }
}
