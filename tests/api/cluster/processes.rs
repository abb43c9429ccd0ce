//! Nodes as real processes (the `anjoman` binary) sharing PostgreSQL and Redis: one is
//! killed with SIGKILL while clients send, and Redis itself is restarted mid-run.

use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};

use super::{fresh_namespace, shared_broker, status_of};
use crate::{
    binary::{Served, anjoman, serve},
    helpers::{Backend, TestApp, TestDatabase, redis_or_skip, spawn_app_with},
    ws_client::WsClient,
};

const CLIENTS: usize = 20;
const MESSAGES_EACH: usize = 25;
/// Presence of the killed node's users lapses after this (heartbeats every second).
const PRESENCE_TTL_SECS: u64 = 3;

/// Starts one node of the installation as a child process.
fn node(database: &TestDatabase, redis: &str, namespace: &str) -> (Served, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = anjoman(dir.path());
    cmd.env("DATABASE_URL", &database.url)
        .env("ANJOMAN_BROKER__URL", redis)
        .env("ANJOMAN_BROKER__NAMESPACE", namespace)
        .env(
            "ANJOMAN_BROKER__PRESENCE_TTL_SECS",
            PRESENCE_TTL_SECS.to_string(),
        )
        // Twenty clients on one address, reconnecting at once, sending as fast as acked.
        .env("ANJOMAN_WS__CONNECT_PER_IP", "10000")
        .env("ANJOMAN_LIMITS__MESSAGES_PER_MINUTE", "100000");
    (serve(cmd), dir)
}

/// A chat client that survives its node: on a dropped connection it connects to the next
/// node that answers and resumes from the last seq it saw. It checks, as it goes, that the
/// room's events reach it gap-free, in order and exactly once.
struct Member {
    name: String,
    token: String,
    room: String,
    nodes: Arc<Vec<TestApp>>,
    node: usize,
    ws: Option<WsClient>,
    last_seq: i64,
    bodies: HashSet<String>,
    acked: Vec<String>,
    reconnects: usize,
}

impl Member {
    async fn join(&mut self) {
        for attempt in 0..self.nodes.len() * 20 {
            let node = (self.node + attempt) % self.nodes.len();
            if let Some(mut ws) = WsClient::try_connect(&self.nodes[node], &self.token).await {
                let Ok(reference) = ws
                    .try_op(json!({"op": "subscribe", "room_id": self.room, "after_seq": self.last_seq}))
                    .await
                else {
                    continue;
                };
                self.node = node;
                self.ws = Some(ws);
                if self
                    .read_until(|f| f["ref"] == reference.as_str())
                    .await
                    .is_some()
                {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} found no node to resume on", self.name);
    }

    /// Reads frames, checking the room's events, until `done` matches one (returned) or the
    /// connection ends (`None`; the caller resumes).
    async fn read_until(&mut self, done: impl Fn(&Value) -> bool) -> Option<Value> {
        loop {
            let frame = self.ws.as_mut()?.next_or_end().await;
            let Some(frame) = frame else {
                self.ws = None;
                return None;
            };
            if let Some(seq) = frame["seq"].as_i64() {
                if frame["room_id"] == self.room.as_str() {
                    assert_eq!(
                        seq,
                        self.last_seq + 1,
                        "{} got seq {seq} after {}: {frame}",
                        self.name,
                        self.last_seq
                    );
                    self.last_seq = seq;
                    if frame["type"] == "message.created" {
                        let body = frame["data"]["body"].as_str().unwrap().to_owned();
                        assert!(self.bodies.insert(body), "{} got a duplicate", self.name);
                    }
                }
            }
            if done(&frame) {
                return Some(frame);
            }
        }
    }

    /// Sends its messages one after another; only acknowledged ones are counted as sent.
    async fn send_all(&mut self, acked_total: &AtomicUsize) {
        for k in 0..MESSAGES_EACH {
            if self.ws.is_none() {
                self.reconnects += 1;
                self.join().await;
            }
            let body = format!("{}-{k}", self.name);
            let sent = self
                .ws
                .as_mut()
                .unwrap()
                .try_op(json!({"op": "send", "room_id": self.room, "body": body}))
                .await;
            let Ok(reference) = sent else {
                self.ws = None;
                continue;
            };
            if let Some(reply) = self.read_until(|f| f["ref"] == reference.as_str()).await {
                if reply["type"] == "ack" {
                    self.acked.push(body);
                    acked_total.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Reads (resuming as needed) until every body in `expected` has arrived.
    async fn receive_all(&mut self, expected: &HashSet<String>) {
        while !expected.is_subset(&self.bodies) {
            if self.ws.is_none() {
                self.reconnects += 1;
                self.join().await;
            }
            let _ = self.read_until(|f| f["type"] == "message.created").await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_while_twenty_clients_send_loses_no_acknowledged_message() {
    let Some(redis) = redis_or_skip().await else {
        return;
    };
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let database = TestDatabase::create(&backend).await;
    let namespace = fresh_namespace();
    // The first node migrates the database; the others start on the migrated schema.
    let mut servers = vec![node(&database, &redis, &namespace)];
    servers.push(node(&database, &redis, &namespace));
    servers.push(node(&database, &redis, &namespace));
    let mut nodes = Vec::new();
    for (served, _) in &servers {
        let address = format!("http://127.0.0.1:{}", served.port);
        nodes.push(TestApp::attach(address, TestDatabase::shared(&database.url)).await);
    }
    let nodes = Arc::new(nodes);

    let (owner, _) = nodes[0].account("owner").await;
    let mut tokens = Vec::new();
    for i in 0..CLIENTS {
        tokens.push(nodes[i % 3].account(&format!("member{i}")).await.0);
    }
    let (ghost, _) = nodes[1].account("ghost").await;
    let mut joiners: Vec<&str> = tokens.iter().map(String::as_str).collect();
    joiners.push(&ghost);
    let room = nodes[0].public_room(&owner, &joiners).await;

    // An observer on node 0 and a user connected to node 1 alone.
    let mut observer = WsClient::connect(&nodes[0], &owner).await;
    observer
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    let _ghost_on_1 = WsClient::connect(&nodes[1], &ghost).await;
    let online = observer.wait_for(|f| status_of(f, "ghost").is_some()).await;
    assert_eq!(status_of(&online, "ghost").as_deref(), Some("online"));

    let acked_total = Arc::new(AtomicUsize::new(0));
    let mut members = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let mut member = Member {
            name: format!("member{i}"),
            token,
            room: room.clone(),
            nodes: nodes.clone(),
            node: i % 3,
            ws: None,
            last_seq: 0,
            bodies: HashSet::new(),
            acked: Vec::new(),
            reconnects: 0,
        };
        let acked_total = acked_total.clone();
        members.push(tokio::spawn(async move {
            member.join().await;
            member.send_all(&acked_total).await;
            member
        }));
    }

    // SIGKILL node 1 once a third of the messages are acknowledged.
    let total = CLIENTS * MESSAGES_EACH;
    for _ in 0..600 {
        if acked_total.load(Ordering::Relaxed) >= total / 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut killed, _dir) = servers.remove(1);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    let killed_at = acked_total.load(Ordering::Relaxed);

    let mut members: Vec<Member> = futures_util::future::join_all(members)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let expected: HashSet<String> = members.iter().flat_map(|m| m.acked.clone()).collect();
    assert!(
        expected.len() > killed_at,
        "sending went on after the kill ({killed_at} then {})",
        expected.len()
    );
    let resumed: usize = members.iter().map(|m| m.reconnects).sum();
    assert!(resumed > 0, "clients of the killed node resumed elsewhere");
    for member in &mut members {
        tokio::time::timeout(Duration::from_secs(60), member.receive_all(&expected))
            .await
            .unwrap_or_else(|_| panic!("{} is missing messages", member.name));
    }
    // Exactly once was checked frame by frame. The database agrees: every acknowledged
    // message is stored once (those committed without their ack reaching the client are
    // the only extras).
    let stored: Vec<String> = entity::messages::Entity::find()
        .select_only()
        .column(entity::messages::Column::Body)
        .filter(entity::messages::Column::RoomId.eq(uuid::Uuid::parse_str(&room).unwrap()))
        .into_tuple()
        .all(&nodes[0].db)
        .await
        .unwrap();
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "no message stored twice");
    assert!(expected.iter().all(|body| unique.contains(body)));
    assert!(
        stored.len() <= expected.len() + CLIENTS,
        "at most one unacked per client"
    );

    // The ghost was only on the killed node: its presence lapses and node 0 says so.
    let offline = observer.wait_for(|f| status_of(f, "ghost").is_some()).await;
    assert_eq!(status_of(&offline, "ghost").as_deref(), Some("offline"));
}

/// A private `redis-server` on its own port, so the test can kill and restart it.
struct PrivateRedis {
    child: std::process::Child,
    port: u16,
}

impl PrivateRedis {
    fn start(port: u16) -> PrivateRedis {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed (CI installs it)");
        let redis = PrivateRedis { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_mid_run_loses_nothing_and_cross_node_delivery_resumes() {
    // The machine's Redis must answer in CI; this test runs its own beside it.
    if redis_or_skip().await.is_none() {
        return;
    }
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let mut redis = PrivateRedis::start(free_port());
    let namespace = fresh_namespace();
    let a = spawn_app_with(backend, shared_broker(&redis.url(), &namespace)).await;
    let b = a
        .another_node(shared_broker(&redis.url(), &namespace))
        .await;
    let (alice, _) = a.account("alice").await;
    let (bob, _) = a.account("bob").await;
    let room = a.public_room(&alice, &[&bob]).await;
    let mut alice_on_a = WsClient::connect(&a, &alice).await;
    alice_on_a
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    let first = b.post_message(&bob, &room, "before the outage").await;
    let created = alice_on_a.expect("message.created").await;
    assert_eq!(created["seq"], first["seq"]);

    redis.stop();
    let mut during = Vec::new();
    for i in 0..5 {
        // Committed and acknowledged without Redis.
        during.push(b.post_message(&bob, &room, &format!("during {i}")).await);
    }
    let redis = PrivateRedis::start(redis.port);

    // Node A's subscription comes back and asks its clients to resume (4000); Alice does,
    // from the last seq she saw, and gets exactly what she missed.
    let code = alice_on_a.closed().await;
    assert!(matches!(code, Some(4000) | None), "closed with {code:?}");
    let mut alice_on_a = WsClient::connect(&a, &alice).await;
    alice_on_a
        .request(json!({"op": "subscribe", "room_id": room, "after_seq": created["seq"]}))
        .await;
    for sent in &during {
        let replayed = alice_on_a.expect("message.created").await;
        assert_eq!(replayed["seq"], sent["seq"]);
        assert_eq!(replayed["data"]["body"], sent["body"]);
    }
    // Live cross-node delivery works again (once B's publisher has reconnected).
    let after = b.post_message(&bob, &room, "after the outage").await;
    let live = alice_on_a.expect("message.created").await;
    assert_eq!(live["seq"], after["seq"]);
    drop(redis);
}
