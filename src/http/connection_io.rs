//! An accepted socket as the HTTP server sees it: reads are reported to the connection's
//! [`ConnectionDeadlines`] (the first byte after an idle keep-alive starts the header
//! deadline), and the cap slot travels with the socket, so a connection upgraded to a
//! WebSocket still counts until it closes.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
};

use super::{connection_caps::ConnectionSlot, connection_deadlines::ConnectionDeadlines};

pub struct ConnectionIo {
    /// Declared first so it is dropped first: the slot is free (and the gauge down) by the
    /// time the client sees the connection close.
    _slot: ConnectionSlot,
    stream: TcpStream,
    deadlines: ConnectionDeadlines,
}

impl ConnectionIo {
    pub fn new(stream: TcpStream, deadlines: ConnectionDeadlines, slot: ConnectionSlot) -> Self {
        Self {
            _slot: slot,
            stream,
            deadlines,
        }
    }
}

impl AsyncRead for ConnectionIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.deadlines.bytes_read();
        }
        polled
    }
}

impl AsyncWrite for ConnectionIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
