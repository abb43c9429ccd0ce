//! `spawn_app`: the real server on a random port over a fresh database — a new SQLite file
//! in a temp dir, or a new PostgreSQL database created for this one test and dropped after.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use anjoman::{
    app::Application, clock::Clock, config::Settings, domain::files::FileStore, telemetry,
};
use figment::Figment;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tempfile::TempDir;

/// Where the PostgreSQL suite runs; `test` is the machine's database with trust auth.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Which storage a test runs against.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The PostgreSQL backend if the server answers. In CI an unreachable server fails the
    /// test; elsewhere the test is skipped with a note, so a laptop without PostgreSQL can
    /// still run the SQLite half.
    pub async fn postgres() -> Option<Backend> {
        static REACHABLE: OnceLock<bool> = OnceLock::new();
        if REACHABLE.get().is_none() {
            let ok = Database::connect(postgres_admin_url()).await.is_ok();
            let _ = REACHABLE.set(ok);
        }
        if REACHABLE.get() == Some(&true) {
            return Some(Backend::Postgres);
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL at {} is not reachable, and CI must run the PostgreSQL suite",
            postgres_admin_url()
        );
        eprintln!(
            "SKIPPED: PostgreSQL is not reachable at {}",
            postgres_admin_url()
        );
        None
    }
}

/// Runs the same test body once per backend: `mod sqlite { fn name }`, `mod postgres { fn name }`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::helpers::Backend::postgres().await {
                        super::$name(backend).await
                    }
                }
            )*
        }
    };
}

/// A fresh, empty database for one test.
pub struct TestDatabase {
    pub url: String,
    /// Kept alive so the SQLite file outlives the test.
    _dir: Option<TempDir>,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// A database another test value owns (and drops).
    pub fn shared(url: &str) -> TestDatabase {
        TestDatabase {
            url: url.to_owned(),
            _dir: None,
            pg_name: None,
        }
    }

    pub async fn create(backend: &Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/anjoman.db?mode=rwc", dir.path().display());
                TestDatabase {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("anjoman_test_{}", uuid::Uuid::now_v7().simple());
                postgres_admin(&format!("CREATE DATABASE {name}")).await;
                let base = postgres_admin_url();
                let (server, _) = base.rsplit_once('/').expect("database URL has a path");
                TestDatabase {
                    url: format!("{server}/{name}"),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Makes the database disappear under a running server. PostgreSQL: the database is
    /// dropped (its connections are terminated). SQLite, which has no server to stop:
    /// the server's pool is closed, so it can no longer reach its file.
    pub async fn take_away(&self, app_db: &DatabaseConnection) {
        match &self.pg_name {
            Some(name) => drop_pg_database(name.clone()).await,
            None => app_db.close_by_ref().await.expect("close pool"),
        }
    }
}

async fn drop_pg_database(name: String) {
    postgres_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}

/// Runs one statement on the PostgreSQL maintenance database.
async fn postgres_admin(sql: &str) {
    let admin = Database::connect(postgres_admin_url())
        .await
        .expect("connect to PostgreSQL");
    admin.execute_unprepared(sql).await.expect(sql);
    admin.close().await.expect("close admin connection");
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside async; a private runtime on a scoped thread does the cleanup.
            std::thread::scope(|scope| {
                scope.spawn(|| {
                    if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        rt.block_on(drop_pg_database(name));
                    }
                });
            });
        }
    }
}

/// Where the Redis tests connect; the machine's Redis by default.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The Redis URL if Redis answers. In CI an unreachable Redis fails the test; elsewhere
/// it is skipped with a note.
pub async fn redis_or_skip() -> Option<String> {
    let url = redis_url();
    let address = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap_or("127.0.0.1:6379")
        .to_owned();
    if tokio::net::TcpStream::connect(&address).await.is_ok() {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "Redis at {url} is not reachable, and CI must run the Redis suite"
    );
    println!("SKIPPED: Redis is not reachable at {url}");
    None
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database: TestDatabase,
    /// The server's file store, to look at what it holds whatever the backend.
    pub files: Arc<FileStore>,
    /// The server's clock: a test moves it forward instead of sleeping until an expiry.
    pub clock: Clock,
    uploads: TempDir,
}

/// Settings every test server shares: port 0, the given database, cheap argon2.
pub fn test_figment(database_url: &str) -> Figment {
    Settings::figment(None)
        .merge(("server.port", 0))
        .merge(("server.host", "127.0.0.1"))
        .merge(("database.url", database_url))
        .merge(("auth.argon2.memory_kib", 1024))
        .merge(("auth.argon2.iterations", 1))
        // Tests register many accounts from 127.0.0.1; the registration tests set it low.
        .merge(("limits.registrations_per_window", 100_000))
        .merge(("limits.registrations_total_per_window", 100_000))
        // Tests log in many users at once; the password-queue test sets it low.
        .merge(("auth.argon2.max_waiting", 100_000))
        // A loaded CI machine can be slow to hand out connections; a flaky timeout helps no one.
        .merge(("database.connect_timeout_secs", 30))
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |figment| figment).await
}

/// Like [`spawn_app`], with extra configuration merged on top.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(Figment) -> Figment,
) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        telemetry::init(anjoman::config::LogFormat::Text);
    }
    let database = TestDatabase::create(&backend).await;
    start_node(database, configure).await
}

/// A server on `database` with its own port and uploads directory.
async fn start_node(database: TestDatabase, configure: impl FnOnce(Figment) -> Figment) -> TestApp {
    start_node_with_state(database, configure).await.0
}

/// Like [`spawn_app_with`], with the server's state, for a test that must hold something
/// the server takes (a room's publishing order) to make a race happen every time.
pub async fn spawn_app_with_state(
    backend: Backend,
    configure: impl FnOnce(Figment) -> Figment,
) -> (TestApp, anjoman::state::AppState) {
    let database = TestDatabase::create(&backend).await;
    start_node_with_state(database, configure).await
}

async fn start_node_with_state(
    database: TestDatabase,
    configure: impl FnOnce(Figment) -> Figment,
) -> (TestApp, anjoman::state::AppState) {
    let uploads = tempfile::tempdir().expect("uploads dir");
    let figment = test_figment(&database.url).merge(("uploads.dir", uploads.path()));
    let settings = Settings::from_figment(configure(figment)).expect("test settings are valid");
    let clock = Clock::default();
    let app = Application::build_with_clock(settings, clock.clone())
        .await
        .expect("server builds");
    let address = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    let db = state.db.clone();
    let files = state.files.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let app = TestApp {
        address,
        client: client(),
        db,
        database,
        files,
        clock,
        uploads,
    };
    (app, state)
}

/// How long a test waits for any one answer (HTTP response, socket frame, a server
/// coming up). Generous on purpose: a busy laptop or CI machine can be slow by a factor
/// of ten, and the waits only bound a hang; nothing is measured against them.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// An HTTP client that never uses a proxy and never waits forever.
pub fn client() -> reqwest::Client {
    // reqwest has no rustls provider of its own here. Every `TestApp` is made with this
    // client, so the clients a test builds after spawning its app find one too.
    anjoman::infra::tls::install_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(PATIENCE)
        .build()
        .expect("client")
}

impl TestApp {
    /// Registers `name` with the test password; returns (token, user id).
    pub async fn account(&self, name: &str) -> (String, String) {
        let body = self.register(name, "correct horse battery").await;
        (
            body["access_token"].as_str().expect("token").to_owned(),
            body["user"]["id"].as_str().expect("user id").to_owned(),
        )
    }

    /// `owner` creates a public room that everyone in `members` joins; returns its id.
    pub async fn public_room(&self, owner: &str, members: &[&str]) -> String {
        let room: Value = self
            .authed(reqwest::Method::POST, "/api/v1/rooms", owner)
            .json(&serde_json::json!({"name": "چای‌خانه", "topic": "tea", "visibility": "public"}))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("room json");
        let id = room["id"].as_str().expect("room id").to_owned();
        for token in members {
            let joined = self
                .authed(
                    reqwest::Method::POST,
                    &format!("/api/v1/rooms/{id}/join"),
                    token,
                )
                .send()
                .await
                .expect("request");
            assert_eq!(joined.status(), 200);
        }
        id
    }

    /// Another node of the same installation: the same database, its own port and uploads
    /// directory, `configure` applied on top (e.g. the shared broker, or
    /// `uploads.dir` = this node's [`TestApp::uploads`] for a shared one).
    pub async fn another_node(&self, configure: impl FnOnce(Figment) -> Figment) -> TestApp {
        start_node(TestDatabase::shared(&self.database.url), configure).await
    }

    /// A server running elsewhere (a child process) at `address`, on `database`. Its
    /// files and clock are its own: `files` here is an empty store of the default kind,
    /// and moving `clock` does not reach it.
    pub async fn attach(address: String, database: TestDatabase) -> TestApp {
        let db = sea_orm::Database::connect(&database.url)
            .await
            .expect("test database");
        let uploads = tempfile::tempdir().expect("uploads dir");
        let settings = Settings::from_figment(
            test_figment(&database.url).merge(("uploads.dir", uploads.path())),
        )
        .expect("test settings are valid");
        let files = FileStore::open(&settings.uploads)
            .await
            .expect("file store");
        TestApp {
            address,
            client: client(),
            db,
            database,
            files: Arc::new(files),
            clock: Clock::default(),
            uploads,
        }
    }

    /// `token`'s user posts `body` to `room` over REST; the stored message.
    pub async fn post_message(&self, token: &str, room: &str, body: &str) -> Value {
        let resp = self
            .authed(
                reqwest::Method::POST,
                &format!("/api/v1/rooms/{room}/messages"),
                token,
            )
            .json(&json!({ "body": body }))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 201, "sending {body:?}");
        resp.json().await.expect("message json")
    }

    /// The server's uploads directory.
    pub fn uploads(&self) -> &std::path::Path {
        self.uploads.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// A request with `Authorization: Bearer <token>`.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// GET `path` with `token` and parse the JSON body (any status).
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str, token: &str) -> T {
        self.authed(reqwest::Method::GET, path, token)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    }

    /// Registers and returns the token response body; the registration must succeed.
    pub async fn register(&self, username: &str, password: &str) -> Value {
        let resp = self
            .client
            .post(self.url("/api/v1/auth/register"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("request");
        let status = resp.status();
        let body: Value = resp.json().await.expect("json");
        assert_eq!(status, 201, "register {username}: {body}");
        body
    }

    /// Registers and returns just the access token.
    pub async fn register_token(&self, username: &str, password: &str) -> String {
        token_of(&self.register(username, password).await)
    }

    /// POST /auth/login from a device named `device` (its User-Agent).
    pub async fn login(&self, username: &str, password: &str, device: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .header("user-agent", device)
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("request")
    }

    /// Logs in (must succeed) and returns the token.
    pub async fn login_token(&self, username: &str, password: &str) -> String {
        let resp = self.login(username, password, "test").await;
        assert_eq!(resp.status(), 200, "login {username}");
        token_of(&resp.json().await.expect("json"))
    }

    /// GET /users/me with `token`, returning the status.
    pub async fn me_status(&self, token: &str) -> u16 {
        self.authed(reqwest::Method::GET, "/api/v1/users/me", token)
            .send()
            .await
            .expect("request")
            .status()
            .as_u16()
    }
}

pub fn token_of(body: &Value) -> String {
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// The problem `code` of a response, after checking its status.
pub async fn problem_code(resp: reqwest::Response, status: u16) -> String {
    let actual = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(actual, status, "unexpected status, body: {body}");
    body["code"].as_str().expect("code").to_owned()
}

/// A password hasher with the tests' cheap argon2 parameters, for creating users directly.
pub fn test_hasher() -> anjoman::domain::password::PasswordHasher {
    anjoman::domain::password::PasswordHasher::new(&anjoman::config::Argon2Settings {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
        max_concurrent: 0,
        max_waiting: 64,
    })
    .expect("hasher")
}
