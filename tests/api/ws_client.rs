//! A WebSocket test client: real sockets to the real server, every wait bounded.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue, protocol::CloseFrame},
};

use crate::helpers::TestApp;

/// Every wait for a frame is bounded by this (see [`crate::helpers::PATIENCE`]).
pub const WAIT: Duration = crate::helpers::PATIENCE;

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_ref: u64,
    /// Frames read while waiting for something else, in arrival order.
    pub backlog: Vec<Value>,
}

/// The `ws://` URL of the app.
pub fn ws_url(app: &TestApp, query: &str) -> String {
    format!("{}/ws{query}", app.address.replacen("http://", "ws://", 1))
}

impl WsClient {
    /// Connects with a bearer token and waits for `ready`.
    pub async fn connect(app: &TestApp, token: &str) -> WsClient {
        Self::try_connect(app, token)
            .await
            .expect("connects and gets ready")
    }

    /// Like [`WsClient::connect`], `None` when the server is not there (or not ready).
    pub async fn try_connect(app: &TestApp, token: &str) -> Option<WsClient> {
        let mut request = ws_url(app, "").into_client_request().unwrap();
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        let (socket, _) = tokio::time::timeout(WAIT, connect_async(request))
            .await
            .ok()?
            .ok()?;
        let mut client = WsClient {
            socket,
            next_ref: 0,
            backlog: Vec::new(),
        };
        match client.next_or_end().await {
            Some(frame) if frame["type"] == "ready" => Some(client),
            _ => None,
        }
    }

    /// Connects with a tiny receive buffer (so the server's writes back up as soon as this
    /// client stops reading) and waits for `ready`.
    pub async fn connect_small_buffer(app: &TestApp, token: &str) -> WsClient {
        let addr: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(addr).await.unwrap();
        let mut request = ws_url(app, "").into_client_request().unwrap();
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        let (socket, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
        let mut client = WsClient {
            socket,
            next_ref: 0,
            backlog: Vec::new(),
        };
        client.expect("ready").await;
        client
    }

    /// Connects without credentials (nothing awaited).
    pub async fn connect_raw(url: String) -> WsClient {
        let (socket, _) = tokio::time::timeout(WAIT, connect_async(url))
            .await
            .unwrap()
            .unwrap();
        WsClient {
            socket,
            next_ref: 0,
            backlog: Vec::new(),
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.try_send_text(text).await.unwrap();
    }

    /// Sends without asserting: the server may drop the connection mid-frame.
    pub async fn try_send_text(
        &mut self,
        text: &str,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        self.socket.send(Message::text(text)).await
    }

    /// Sends an op with a fresh `ref` and returns that ref.
    pub async fn op(&mut self, frame: Value) -> String {
        self.try_op(frame).await.unwrap()
    }

    /// Like [`WsClient::op`], an error when the connection is gone.
    pub async fn try_op(
        &mut self,
        mut frame: Value,
    ) -> Result<String, tokio_tungstenite::tungstenite::Error> {
        self.next_ref += 1;
        let reference = format!("r{}", self.next_ref);
        frame["ref"] = json!(reference);
        self.try_send_text(&frame.to_string()).await?;
        Ok(reference)
    }

    /// Sends an op and waits for its `ack` or `error`.
    pub async fn request(&mut self, frame: Value) -> Value {
        let reference = self.op(frame).await;
        self.wait_for(|f| f["ref"] == reference.as_str()).await
    }

    /// Reads one frame from the socket; `None` when it closed.
    async fn read(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("frame within the wait")?;
            match message.ok()? {
                Message::Text(text) => return Some(serde_json::from_str(&text).unwrap()),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Waits for a frame matching `pred`, keeping the others in the backlog.
    pub async fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(pos) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(pos);
        }
        loop {
            let frame = self.read().await.expect("socket closed while waiting");
            if pred(&frame) {
                return frame;
            }
            self.backlog.push(frame);
        }
    }

    /// Waits for a frame of type `kind`.
    pub async fn expect(&mut self, kind: &str) -> Value {
        self.wait_for(|f| f["type"] == kind).await
    }

    /// The next frame, or `None` once the connection has ended.
    pub async fn next_or_end(&mut self) -> Option<Value> {
        if !self.backlog.is_empty() {
            return Some(self.backlog.remove(0));
        }
        self.read().await
    }

    /// Reads until the server closes; returns its close code.
    pub async fn closed(&mut self) -> Option<u16> {
        // A write error (e.g. an automatic pong to a peer that already closed) can surface
        // before the buffered close frame does; read past a few of those.
        let mut errors = 0;
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("close within the wait");
            match message {
                Some(Ok(Message::Close(frame))) => {
                    return frame.map(|CloseFrame { code, .. }| u16::from(code));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) if errors < 5 => errors += 1,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Asserts no frame matching `pred` arrives within `within`.
    pub async fn assert_silent(&mut self, pred: impl Fn(&Value) -> bool, within: Duration) {
        assert!(
            !self.backlog.iter().any(&pred),
            "already in backlog: {:?}",
            self.backlog
        );
        let deadline = tokio::time::Instant::now() + within;
        while let Ok(Some(Ok(message))) =
            tokio::time::timeout_at(deadline, self.socket.next()).await
        {
            if let Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).unwrap();
                assert!(!pred(&frame), "unexpected {frame}");
                self.backlog.push(frame);
            }
        }
    }
}
