//! The `anjoman` binary itself: help, configuration errors, migrations, create-admin, and
//! `serve` from a bare directory, including a graceful SIGTERM.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
    time::Duration,
};

use entity::users;
use futures_util::stream;
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::binary::{anjoman, serve, wait_for};
use crate::helpers::{Backend, TestApp, TestDatabase, client, token_of};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(
    migrate_applies_everything_once_and_a_second_run_is_a_no_op,
    create_admin_makes_an_admin_and_refuses_a_taken_name,
    the_binary_serves_on_this_backend_and_drains_on_sigterm,
    sigterm_closes_open_sockets_with_going_away,
);

fn with_db(mut cmd: Command, db: &TestDatabase) -> Command {
    cmd.env("DATABASE_URL", &db.url);
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("run anjoman")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_and_version_describe_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let help = run({
        let mut c = anjoman(dir.path());
        c.arg("--help");
        c
    });
    assert!(help.status.success());
    let text = stdout(&help);
    for word in ["serve", "migrate", "create-admin", "reindex", "--config"] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
    let version = run({
        let mut c = anjoman(dir.path());
        c.arg("--version");
        c
    });
    assert_eq!(
        stdout(&version).trim(),
        format!("anjoman {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn invalid_configuration_stops_the_start_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("typo.toml"),
        "[server]\ncolour = \"blue\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.toml"), "[server\nport = 1\n").unwrap();
    type Env = &'static [(&'static str, &'static str)];
    let cases: &[(Env, &[&str], &str)] = &[
        (&[("ANJOMAN_SERVER__PORT", "eighty")], &[], "server.port"),
        (&[("PORT", "99999")], &[], "server.port"),
        (
            &[("ANJOMAN_CORS_ORIGINS", "example.org")],
            &[],
            "http.cors_origins",
        ),
        (
            &[("DATABASE_URL", "mysql://localhost/x")],
            &[],
            "database.url",
        ),
        (&[("ANJOMAN_LOG_FORMAT", "xml")], &[], "log.format"),
        (
            &[("ANJOMAN_HTTP__MAX_CONNECTIONS_PER_IP", "0")],
            &[],
            "http.max_connections_per_ip",
        ),
        (
            &[("ANJOMAN_AUTH__JWT_SECRET", "too-short")],
            &[],
            "auth.jwt_secret",
        ),
        (&[("ANJOMAN_SERVER__MODE", "yolo")], &[], "server.mode"),
        (
            &[("ANJOMAN_UPLOADS__STORE", "s3")],
            &[],
            "uploads.s3.bucket",
        ),
        (&[], &["--config", "typo.toml"], "colour"),
        (&[], &["--config", "broken.toml"], "broken.toml"),
        (&[("ANJOMAN_CONFIG", "missing.toml")], &[], "missing.toml"),
    ];
    for (env, args, key) in cases {
        let mut cmd = anjoman(dir.path());
        cmd.envs(env.iter().copied()).args(args.iter().copied());
        let out = run(cmd);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{env:?} {args:?}: {err}");
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "one line expected: {err}"
        );
        assert!(
            err.contains(key),
            "{env:?} {args:?} should name {key}: {err}"
        );
    }
    assert!(
        !dir.path().join("data").exists(),
        "nothing may be created on a config error"
    );
}

async fn migrate_applies_everything_once_and_a_second_run_is_a_no_op(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let dir = tempfile::tempdir().unwrap();
    let migrate = |args: &[&str]| {
        let mut cmd = with_db(anjoman(dir.path()), &db);
        cmd.arg("migrate").args(args);
        let out = run(cmd);
        assert!(out.status.success(), "migrate {args:?}: {}", stderr(&out));
        stdout(&out)
    };

    let before = migrate(&["status"]);
    assert!(
        before.lines().all(|l| l.starts_with("pending ")),
        "{before}"
    );
    let total = before.lines().count();
    assert!(total >= 2);

    assert_eq!(
        migrate(&["up"]).trim(),
        format!("applied {total} migration(s)")
    );
    assert_eq!(migrate(&["up"]).trim(), "applied 0 migration(s)");
    let after = migrate(&["status"]);
    assert!(after.lines().all(|l| l.starts_with("applied ")), "{after}");

    migrate(&["down"]);
    let rolled_back = migrate(&["status"]);
    assert!(
        rolled_back.lines().last().unwrap().starts_with("pending "),
        "{rolled_back}"
    );
    assert_eq!(migrate(&["up"]).trim(), "applied 1 migration(s)");
}

async fn create_admin_makes_an_admin_and_refuses_a_taken_name(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let dir = tempfile::tempdir().unwrap();
    let create = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = with_db(anjoman(dir.path()), &db);
        cmd.arg("create-admin")
            .args(args)
            .env("LANG", "en_US.UTF-8");
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        drop(pipe);
        child.wait_with_output().unwrap()
    };

    let ok = create(&["--username", "Admin", "--password", "a strong one"], None);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("created admin Admin"));

    // Password from standard input when it is not a terminal (scripted setups).
    let piped = create(&["--username", "مدیر"], Some("گذرواژهٔ محکم\n"));
    assert!(piped.status.success(), "{}", stderr(&piped));

    let taken = create(&["--username", "ADMIN", "--password", "another one"], None);
    assert_eq!(taken.status.code(), Some(1));
    assert!(
        stderr(&taken).contains("username.taken"),
        "{}",
        stderr(&taken)
    );

    let weak = create(&["--username", "someone", "--password", "short"], None);
    assert_eq!(weak.status.code(), Some(1));
    assert!(
        stderr(&weak).contains("password.too_short"),
        "{}",
        stderr(&weak)
    );

    let conn = Database::connect(&db.url).await.unwrap();
    let admins = users::Entity::find()
        .filter(users::Column::Role.eq("admin"))
        .all(&conn)
        .await
        .unwrap();
    let mut names: Vec<&str> = admins.iter().map(|u| u.username.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Admin", "مدیر"]);
    assert!(
        admins
            .iter()
            .all(|u| u.password_hash.starts_with("$argon2id$"))
    );
    assert!(admins.iter().all(|u| !u.password_hash.contains("strong")));
}

/// A running `anjoman serve` child and the lines it logs.
async fn the_binary_serves_on_this_backend_and_drains_on_sigterm(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::create(&backend).await;
    let cmd = match backend {
        // No DATABASE_URL: the default SQLite file under ./data must be created.
        Backend::Sqlite => anjoman(dir.path()),
        Backend::Postgres => with_db(anjoman(dir.path()), &db),
    };
    let served = serve(cmd);
    let base = format!("http://127.0.0.1:{}", served.port);
    let http = client();

    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let version: Value = http
        .get(format!("{base}/api/v1/version"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    match backend {
        Backend::Sqlite => {
            assert_eq!(version["database"], "sqlite");
            assert!(dir.path().join("data/anjoman.db").exists());
        }
        Backend::Postgres => assert_eq!(version["database"], "postgres"),
    }
    let logged = wait_for(&served.lines, |l| l["message"] == "request completed")
        .expect("requests are logged as JSON");
    assert!(logged["span"]["request.id"].is_string(), "{logged}");

    // Start a request whose body is still arriving, then ask the server to stop.
    let (body_tx, body_rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let body = stream::unfold(
        body_rx,
        |mut rx| async move { rx.recv().await.map(|c| (c, rx)) },
    );
    let in_flight = tokio::spawn(
        client()
            .post(format!("{base}/api/v1/version"))
            .body(reqwest::Body::wrap_stream(body))
            .send(),
    );
    body_tx.send(Ok(b"{".to_vec())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = served.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    wait_for(&served.lines, |l| {
        l["message"]
            .as_str()
            .is_some_and(|m| m.contains("shutdown requested"))
    })
    .expect("shutdown is logged");
    body_tx.send(Ok(b"}".to_vec())).await.unwrap();
    drop(body_tx);

    let resp = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered, not cut");
    assert_eq!(resp.status(), 405);
    let status = tokio::task::spawn_blocking(move || {
        let mut served = served;
        served.child.wait()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        http.get(format!("{base}/healthz")).send().await.is_err(),
        "no longer listening"
    );
}

/// On SIGTERM every open socket gets a 1001 close frame, so its client reconnects (to
/// another node) at once instead of seeing the connection drop.
async fn sigterm_closes_open_sockets_with_going_away(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::create(&backend).await;
    let served = serve(with_db(anjoman(dir.path()), &db));
    let app = TestApp::attach(format!("http://127.0.0.1:{}", served.port), db).await;
    let token = token_of(&app.register("leaving", "correct horse battery").await);
    let mut sockets = Vec::new();
    for _ in 0..3 {
        sockets.push(WsClient::connect(&app, &token).await);
    }
    let pid = served.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    for ws in &mut sockets {
        assert_eq!(ws.closed().await, Some(1001), "going away");
    }
    let status = tokio::task::spawn_blocking(move || {
        let mut served = served;
        served.child.wait()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(status.success(), "exit status {status:?}");
}
