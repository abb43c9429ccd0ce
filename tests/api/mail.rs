//! E-mail against a real SMTP server: `tests/mail/smtp_sink.py` (Python `aiosmtpd`, from
//! the virtualenv `.ci/run` makes of tests/deploy/requirements.txt) listens on loopback and
//! writes every message it receives to a directory as JSON. Verification, password reset,
//! a Persian mail, one-click unsubscribe, an SMTP outage, and two nodes sharing the outbox.

use std::{path::PathBuf, time::Duration};

use entity::notifications;
use figment::Figment;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::process::Child;

use crate::{
    helpers::{Backend, PATIENCE, TestApp, problem_code, spawn_app_with},
    on_both_backends,
    python::{free_port, python_with, spawn_ready},
};

const SINK: &str = "tests/mail/smtp_sink.py";
const PUBLIC_URL: &str = "https://chat.example.org";
const PASSWORD: &str = "correct horse battery";

/// The SMTP server a test starts, and the directory its mail lands in.
struct SmtpSink {
    child: Option<Child>,
    port: u16,
    dir: TempDir,
}

impl SmtpSink {
    /// Starts the sink on a free port, or `None` (outside CI) when aiosmtpd is missing.
    async fn start() -> Option<SmtpSink> {
        if !python_with("aiosmtpd", "mail").await {
            return None;
        }
        let mut sink = SmtpSink {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().expect("mail dir"),
        };
        sink.restart().await;
        Some(sink)
    }

    /// (Re)starts the server on its port; returns once it listens.
    async fn restart(&mut self) {
        let port = self.port.to_string();
        let dir = self.dir.path().to_str().expect("a UTF-8 path");
        self.child = Some(spawn_ready(&[SINK, &port, dir]).await);
    }

    /// Stops the server: nothing listens on its port until [`SmtpSink::restart`].
    async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("stop the sink");
        }
    }

    /// What the app needs to send here.
    fn configure(&self) -> impl FnOnce(Figment) -> Figment + use<> {
        let port = self.port;
        move |figment| {
            figment
                .merge(("mail.smtp_host", "127.0.0.1"))
                .merge(("mail.smtp_port", port))
                .merge(("mail.security", "none"))
                .merge(("mail.from", "Anjoman <chat@example.org>"))
                .merge(("mail.timeout_secs", 20))
                .merge(("server.public_url", PUBLIC_URL))
        }
    }

    fn files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path())
            .expect("mail dir")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect()
    }

    /// Every mail received so far.
    fn mails(&self) -> Vec<Value> {
        self.files()
            .iter()
            .map(|path| {
                serde_json::from_str(&std::fs::read_to_string(path).expect("mail file"))
                    .expect("mail json")
            })
            .collect()
    }

    /// Mails to `to`, once there are at least `count` of them (a bound on a hang only).
    async fn wait_for(&self, to: &str, count: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let mails: Vec<Value> = self
                .mails()
                .into_iter()
                .filter(|mail| mail["rcpt_tos"][0] == to)
                .collect();
            if mails.len() >= count {
                return mails;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{count} mail(s) to {to} did not arrive; got {mails:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The token of the first link to `path` in a mail's text.
fn link_token(mail: &Value, path: &str) -> String {
    let text = mail["text"].as_str().expect("text part");
    let prefix = format!("{PUBLIC_URL}{path}?token=");
    let start = text.find(&prefix).expect("the link is in the text") + prefix.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn patch_me(app: &TestApp, token: &str, body: Value) -> Value {
    let resp = app
        .authed(reqwest::Method::PATCH, "/api/v1/users/me", token)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("me")
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.get_json("/api/v1/users/me", token).await
}

/// Registers `name` (in `locale`), sets `address` and follows the mailed link.
async fn verified_account(
    app: &TestApp,
    sink: &SmtpSink,
    name: &str,
    address: &str,
    locale: &str,
) -> String {
    let resp = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"username": name, "password": PASSWORD, "locale": locale}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 201);
    let token = crate::helpers::token_of(&resp.json().await.expect("json"));
    patch_me(app, &token, json!({ "email": address })).await;
    let mail = sink.wait_for(address, 1).await.remove(0);
    let verify = link_token(&mail, "/verify-email");
    let resp = app
        .authed(
            reqwest::Method::POST,
            "/api/v1/users/me/email/verify",
            &token,
        )
        .json(&json!({ "token": verify }))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    token
}

async fn post_verify(app: &TestApp, token: &str, link: &str) -> reqwest::Response {
    app.authed(
        reqwest::Method::POST,
        "/api/v1/users/me/email/verify",
        token,
    )
    .json(&json!({ "token": link }))
    .send()
    .await
    .expect("request")
}

async fn verification_flow(backend: Backend) {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(backend, sink.configure()).await;
    let login = app.get("/login").await.text().await.expect("login page");
    assert!(login.contains(r#"href="/password-reset""#), "{login}");
    let (token, _) = app.account("sara").await;

    let me_now = patch_me(&app, &token, json!({"email": "sara@example.org"})).await;
    assert_eq!(me_now["email"], "sara@example.org");
    assert_eq!(me_now["email_verified"], false);

    let mail = sink.wait_for("sara@example.org", 1).await.remove(0);
    assert_eq!(mail["mail_from"], "chat@example.org");
    assert_eq!(mail["subject"], "Confirm your e-mail address");
    assert!(
        mail["html"]
            .as_str()
            .expect("html")
            .contains(r#"dir="ltr""#)
    );
    // Essential mail: no unsubscribe.
    assert!(mail["headers"].get("List-Unsubscribe").is_none());
    let link = link_token(&mail, "/verify-email");
    assert!(mail["html"].as_str().expect("html").contains(&link));
    // Saving the profile with the same address mails nothing more.
    patch_me(
        &app,
        &token,
        json!({"display_name": "Sara", "email": "sara@example.org"}),
    )
    .await;
    assert_eq!(outbox_count(&app, "verify_email").await, 1);

    // The link's page verifies, without a session.
    let page = app.get(&format!("/verify-email?token={link}")).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("page").contains("is verified"));
    assert_eq!(me(&app, &token).await["email_verified"], true);

    // Used once: never again.
    let resp = post_verify(&app, &token, &link).await;
    assert_eq!(problem_code(resp, 422).await, "mail.token_invalid");
    let page = app.get(&format!("/verify-email?token={link}")).await;
    assert_eq!(page.status(), 422);

    // A new address is unverified again; its link expires.
    let me_now = patch_me(&app, &token, json!({"email": "sara@example.net"})).await;
    assert_eq!(me_now["email_verified"], false);
    let mail = sink.wait_for("sara@example.net", 1).await.remove(0);
    let expired = link_token(&mail, "/verify-email");
    app.clock.advance(Duration::from_secs(25 * 3600));
    let resp = post_verify(&app, &token, &expired).await;
    assert_eq!(problem_code(resp, 422).await, "mail.token_invalid");
    assert_eq!(me(&app, &token).await["email_verified"], false);

    // A fresh link works, over the API; someone else cannot use it.
    let resp = app
        .authed(
            reqwest::Method::POST,
            "/api/v1/users/me/email/resend",
            &token,
        )
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 204);
    let mails = sink.wait_for("sara@example.net", 2).await;
    let fresh = mails
        .iter()
        .map(|mail| link_token(mail, "/verify-email"))
        .find(|link| *link != expired)
        .expect("a new link");
    let (other, _) = app.account("omid").await;
    let resp = post_verify(&app, &other, &fresh).await;
    assert_eq!(problem_code(resp, 422).await, "mail.token_invalid");
    let resp = post_verify(&app, &token, &fresh).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("me");
    assert_eq!(body["email_verified"], true);
    assert_eq!(body["email"], "sara@example.net");

    // An address gets five links per window, however often someone asks.
    patch_me(&app, &token, json!({"email": "mina@example.org"})).await;
    let resend = async || {
        app.authed(
            reqwest::Method::POST,
            "/api/v1/users/me/email/resend",
            &token,
        )
        .send()
        .await
        .expect("request")
    };
    for _ in 0..4 {
        assert_eq!(resend().await.status(), 204);
    }
    let refused = resend().await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(problem_code(refused, 429).await, "rate_limited");
}

async fn reset_request(app: &TestApp, address: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/password-reset"))
        .json(&json!({ "email": address }))
        .send()
        .await
        .expect("request")
}

async fn reset_confirm(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/password-reset/confirm"))
        .json(&json!({ "token": token, "new_password": password }))
        .send()
        .await
        .expect("request")
}

/// Rows of the outbox of one kind.
async fn outbox_count(app: &TestApp, kind: &str) -> i64 {
    let row = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM mail_outbox WHERE kind = '{kind}'"),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("count")
}

async fn password_reset(backend: Backend) {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let configure = sink.configure();
    let app = spawn_app_with(backend, |figment| {
        configure(figment).merge(("mail.resets_per_window", 4))
    })
    .await;
    let token = verified_account(&app, &sink, "sara", "Sara@Example.org", "en-US").await;
    let other_device = app.login_token("sara", PASSWORD).await;

    // The same answer whether the address is an account's or not.
    let unknown = reset_request(&app, "nobody@example.org").await;
    assert_eq!(unknown.status(), 202);
    let unknown_body = unknown.bytes().await.expect("body");
    let known = reset_request(&app, "sara@example.org").await;
    assert_eq!(known.status(), 202);
    assert_eq!(known.bytes().await.expect("body"), unknown_body);
    let mails = sink.wait_for("Sara@Example.org", 2).await;
    let mail = mails
        .iter()
        .find(|mail| mail["subject"] == "Reset your password")
        .expect("the reset mail");
    assert_eq!(
        outbox_count(&app, "password_reset").await,
        1,
        "none for nobody@"
    );
    let link = link_token(mail, "/password-reset/confirm");

    // A password the rules refuse does not use the link up.
    let resp = reset_confirm(&app, &link, "short").await;
    assert_eq!(problem_code(resp, 422).await, "password.too_short");
    let resp = reset_confirm(&app, &link, "a brand new passphrase").await;
    assert_eq!(resp.status(), 204);

    // Every session ended; the new password works, the old one does not.
    assert_eq!(app.me_status(&token).await, 401);
    assert_eq!(app.me_status(&other_device).await, 401);
    assert_eq!(app.login("sara", PASSWORD, "t").await.status(), 401);
    let admin = app.login_token("sara", "a brand new passphrase").await;

    // Once only.
    let resp = reset_confirm(&app, &link, "yet another passphrase").await;
    assert_eq!(problem_code(resp, 422).await, "mail.token_invalid");

    // It expires.
    assert_eq!(reset_request(&app, "sara@example.org").await.status(), 202);
    let mails = sink.wait_for("Sara@Example.org", 3).await;
    let late = mails
        .iter()
        .map(|mail| mail["text"].as_str().unwrap_or_default())
        .filter(|text| text.contains("/password-reset/confirm?token="))
        .count();
    assert_eq!(late, 2);
    let second = mails
        .iter()
        .filter(|mail| mail["subject"] == "Reset your password")
        .map(|mail| link_token(mail, "/password-reset/confirm"))
        .find(|token| *token != link)
        .expect("a second link");
    app.clock.advance(Duration::from_secs(3601));
    let resp = reset_confirm(&app, &second, "yet another passphrase").await;
    assert_eq!(problem_code(resp, 422).await, "mail.token_invalid");

    // Both were recorded.
    let audit: Value = app.get_json("/api/v1/admin/audit?limit=50", &admin).await;
    let actions: Vec<&str> = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert!(actions.contains(&"auth.password_reset"), "{actions:?}");
    assert!(
        actions.contains(&"auth.password_reset_requested"),
        "{actions:?}"
    );

    // Four requests per window from this client: the fifth waits.
    let resp = reset_request(&app, "someone@example.org").await;
    assert_eq!(resp.status(), 202);
    let resp = reset_request(&app, "someone@example.org").await;
    assert!(resp.headers().contains_key("retry-after"));
    assert_eq!(problem_code(resp, 429).await, "rate_limited");
}

async fn persian_mail_is_right_to_left(backend: Backend) {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(backend, sink.configure()).await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&json!({"username": "مریم", "password": PASSWORD, "locale": "fa-IR"}))
        .send()
        .await
        .expect("request");
    let token = crate::helpers::token_of(&resp.json().await.expect("json"));
    patch_me(&app, &token, json!({"email": "maryam@example.org"})).await;
    let mail = sink.wait_for("maryam@example.org", 1).await.remove(0);
    let html = mail["html"].as_str().expect("html");
    assert!(html.contains(r#"<html lang="fa" dir="rtl">"#), "{html}");
    assert!(html.contains("font-family:Vazirmatn"), "{html}");
    assert_eq!(mail["subject"], "نشانی ایمیل خود را تأیید کنید");
    assert!(html.contains("سلام"), "{html}");
    // "24 hours" in Persian digits; the link's token is left alone.
    assert!(mail["text"].as_str().expect("text").contains("۲۴"));
    let link = link_token(&mail, "/verify-email");
    assert!(html.contains(&link));
}

async fn one_click_unsubscribe(backend: Backend) {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(backend, sink.configure()).await;
    let token = verified_account(&app, &sink, "sara", "sara@example.org", "en-US").await;
    let (ali, _) = app.account("ali").await;
    let room = app.public_room(&ali, &[&token]).await;
    app.post_message(&ali, &room, "@sara are you coming?").await;
    app.clock.advance(MISSED_DELAY);
    let mails = sink.wait_for("sara@example.org", 2).await;
    let mail = mails
        .iter()
        .find(|mail| mail["subject"] == "You missed a message")
        .expect("the missed-activity mail");
    let header = mail["headers"]["List-Unsubscribe"]
        .as_str()
        .expect("List-Unsubscribe");
    assert_eq!(
        mail["headers"]["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let url = header
        .strip_prefix('<')
        .and_then(|h| h.strip_suffix('>'))
        .expect("<url>");
    assert!(url.starts_with(&format!("{PUBLIC_URL}/unsubscribe?token=")));
    assert!(mail["html"].as_str().expect("html").contains(url));
    let path = url.trim_start_matches(PUBLIC_URL);

    // Opened in a browser: a button, nothing changes yet.
    let page = app.get(path).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("page").contains("method=\"post\""));
    assert_eq!(me(&app, &token).await["email_missed"], true);

    // A forged token changes nothing.
    let forged = app
        .client
        .post(app.url("/unsubscribe?token=AAAA"))
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status(), 422);

    // RFC 8058: a POST with nothing but the link, no session, no form token.
    let resp = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);
    assert_eq!(me(&app, &token).await["email_missed"], false);
    // Unsubscribed: the next mention is looked at by the round and mailed to no one.
    let later = app.post_message(&ali, &room, "@sara still there?").await;
    app.clock.advance(MISSED_DELAY);
    wait_digested(&app, later["id"].as_str().expect("id")).await;
    assert_eq!(outbox_count(&app, "missed").await, 1);

    // The settings switch turns it back on.
    let body = patch_me(&app, &token, json!({"email_missed": true})).await;
    assert_eq!(body["email_missed"], true);
}

/// Unsent rows that have failed at least once.
async fn failed_rows(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM mail_outbox WHERE sent_at IS NULL AND attempts > 0 \
             AND last_error IS NOT NULL"
                .to_owned(),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("count")
}

async fn unsent_rows(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM mail_outbox WHERE sent_at IS NULL".to_owned(),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("count")
}

async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn an_smtp_outage_loses_nothing_and_sends_nothing_twice(backend: Backend) {
    let Some(mut sink) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(backend, sink.configure()).await;
    sink.stop().await;
    let names = ["ana", "bijan", "cyrus"];
    for name in names {
        let (token, _) = app.account(name).await;
        patch_me(
            &app,
            &token,
            json!({"email": format!("{name}@example.org")}),
        )
        .await;
    }
    // Each was tried, failed, and is kept for later.
    until(
        "every mail failed once while the server was down",
        async || failed_rows(&app).await == 3,
    )
    .await;
    assert!(sink.mails().is_empty());

    sink.restart().await;
    // Past the first back-off (a minute): the worker wakes and tries again.
    app.clock.advance(Duration::from_secs(120));
    for name in names {
        sink.wait_for(&format!("{name}@example.org"), 1).await;
    }
    until("every row marked sent", async || {
        unsent_rows(&app).await == 0
    })
    .await;

    // Later rounds send none of them again: a new mail goes through a round after them.
    app.clock.advance(Duration::from_secs(3600));
    let (token, _) = app.account("dara").await;
    patch_me(&app, &token, json!({"email": "dara@example.org"})).await;
    sink.wait_for("dara@example.org", 1).await;
    app.clock.advance(Duration::from_secs(3600));
    let (token, _) = app.account("elham").await;
    patch_me(&app, &token, json!({"email": "elham@example.org"})).await;
    sink.wait_for("elham@example.org", 1).await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 5, "each mail exactly once: {mails:?}");

    // A month on, sent mail and expired links are gone; nothing unsent ever is. (A mail is
    // marked sent just after the server took it: wait for that before moving the clock.)
    until("every row marked sent", async || {
        unsent_rows(&app).await == 0
    })
    .await;
    app.clock.advance(Duration::from_secs(31 * 86_400));
    until("sent mail older than 30 days removed", async || {
        outbox_count(&app, "verify_email").await == 0
    })
    .await;
    until("expired links removed", async || {
        let row = app
            .db
            .query_one(Statement::from_string(
                app.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM mail_tokens".to_owned(),
            ))
            .await
            .expect("query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count") == 0
    })
    .await;
}

/// Past the default `mail.missed_delay_secs` (15 minutes).
const MISSED_DELAY: Duration = Duration::from_secs(901);

/// Waits until the missed-activity round has looked at the notification of `message_id`.
async fn wait_digested(app: &TestApp, message_id: &str) {
    let message_id: uuid::Uuid = message_id.parse().expect("uuid");
    tokio::time::timeout(PATIENCE, async {
        loop {
            let looked_at = notifications::Entity::find()
                .filter(notifications::Column::MessageId.eq(message_id))
                .filter(notifications::Column::DigestedAt.is_not_null())
                .count(&app.db)
                .await
                .expect("query");
            if looked_at > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the round looks at the notification");
}

/// The mails sent to `address` whose subject is not the verification mail's.
async fn digests(sink: &SmtpSink, address: &str, count: usize) -> Vec<Value> {
    let mut mails = sink.wait_for(address, count + 1).await;
    mails.retain(|mail| mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click");
    mails
}

async fn missed_activity_mail_gathers_what_waited_unread(backend: Backend) {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(backend, sink.configure()).await;
    let maryam = verified_account(&app, &sink, "مریم", "maryam@example.org", "fa-IR").await;
    let omid = verified_account(&app, &sink, "omid", "omid@example.org", "en-US").await;
    let (ali, _) = app.account("ali").await;
    // Omid's notifications show only where something happened, mail included.
    let hide = json!({
        "level": "mentions", "keywords": [], "show_content": "room_only", "email_missed": true,
    });
    let resp = app.api(&omid).notification_prefs_put(&hide).await;
    assert_eq!(resp.status(), 200);
    let room = app.public_room(&ali, &[&maryam, &omid]).await;
    let rename = app
        .authed(
            reqwest::Method::PATCH,
            &format!("/api/v1/rooms/{room}"),
            &ali,
        )
        .json(&json!({ "name": "چای‌خانه" }))
        .send()
        .await
        .expect("request");
    assert_eq!(rename.status(), 200);

    // Read before the delay: never mailed. A plain message asks for no one.
    let early = app.post_message(&ali, &room, "@مریم early bird").await;
    let inbox: Value = app.get_json("/api/v1/notifications", &maryam).await;
    let early_note = inbox["items"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(inbox["items"][0]["message"]["id"], early["id"]);
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/notifications/{early_note}/read"),
            &maryam,
        )
        .send()
        .await
        .expect("request");
    assert!(resp.status().is_success(), "{}", resp.status());
    app.post_message(&ali, &room, "nothing special").await;
    app.post_message(&ali, &room, "@مریم @omid چای می‌خورید؟")
        .await;
    let dm: Value = app.api(&ali).dm("مریم").await.json().await.expect("json");
    let dm = dm["id"].as_str().expect("id");
    app.post_message(&ali, dm, "<b>psst</b>").await;

    app.clock.advance(MISSED_DELAY);
    let mail = digests(&sink, "maryam@example.org", 1).await.remove(0);
    let html = mail["html"].as_str().expect("html");
    let text = mail["text"].as_str().expect("text");
    assert!(html.contains(r#"<html lang="fa" dir="rtl">"#), "{html}");
    // Persian digits, and no isolation marks in a header.
    assert_eq!(mail["subject"], "۲ پیام خوانده‌نشده دارید");
    assert!(html.contains("#چای‌خانه"), "{html}");
    assert!(html.contains("چای می‌خورید؟"), "{html}");
    assert!(html.contains("پیام خصوصی"), "{html}");
    // Escaped as text, never markup.
    assert!(html.contains("&lt;b&gt;psst&lt;/b&gt;"), "{html}");
    assert!(
        !text.contains("early bird") && !text.contains("nothing special"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{PUBLIC_URL}/#room={room}&message=")),
        "links open the room at the message: {text}"
    );

    let omid_mail = digests(&sink, "omid@example.org", 1).await.remove(0);
    let omid_text = omid_mail["text"].as_str().expect("text");
    assert_eq!(omid_mail["subject"], "You missed a message");
    assert!(omid_text.contains("#چای‌خانه"), "{omid_text}");
    assert!(
        omid_text.contains("your settings hide the text"),
        "{omid_text}"
    );
    assert!(!omid_text.contains("چای می‌خورید"), "{omid_text}");

    // What was mailed is not mailed again; what came later makes the next mail.
    let later = app.post_message(&ali, &room, "@مریم again").await;
    app.clock.advance(MISSED_DELAY);
    let both = digests(&sink, "maryam@example.org", 2).await;
    assert_eq!(both.len(), 2);
    let second = both
        .iter()
        .find(|mail| mail["text"].as_str().is_some_and(|t| t.contains("again")))
        .expect("the second mail");
    assert!(!second["text"].as_str().expect("text").contains("psst"));
    wait_digested(&app, later["id"].as_str().expect("id")).await;
    assert_eq!(outbox_count(&app, "missed").await, 3);
}

on_both_backends!(
    verification_flow,
    password_reset,
    persian_mail_is_right_to_left,
    one_click_unsubscribe,
    missed_activity_mail_gathers_what_waited_unread,
    an_smtp_outage_loses_nothing_and_sends_nothing_twice,
    a_scheduled_message_not_sent_is_mailed_with_its_reason,
);

/// A scheduled message refused when its time came (its author was muted meanwhile) waits
/// in the inbox like a mention: left unread, it is in the missed-activity mail, with the
/// room, the reason in the author's language and a link to the room.
async fn a_scheduled_message_not_sent_is_mailed_with_its_reason(backend: Backend) {
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(backend, sink.configure()).await;
    // The first account runs the server, and an admin cannot be muted: Ali comes first.
    let (ali, _) = app.account("ali").await;
    let maryam = verified_account(&app, &sink, "مریم", "maryam@example.org", "fa-IR").await;
    let maryam_id = me(&app, &maryam).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let room = app.public_room(&ali, &[&maryam]).await;
    let send_at = chrono::Utc::now() + chrono::Duration::seconds(60);
    let resp = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{room}/scheduled"),
            &maryam,
        )
        .json(&json!({"body": "برنامهٔ فردا", "send_at": send_at}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 201);
    let muted = app
        .authed(
            reqwest::Method::POST,
            &format!("/api/v1/rooms/{room}/members/{maryam_id}/mute"),
            &ali,
        )
        .json(&json!({"minutes": 24 * 60, "reason": "cool down"}))
        .send()
        .await
        .expect("request");
    assert_eq!(muted.status(), 200);
    let mut socket = crate::ws_client::WsClient::connect(&app, &maryam).await;
    // The clock passes the time in steps, each one a round trip for the pass to run.
    for _ in 0..5 {
        app.clock.advance(Duration::from_secs(15));
        let ack = socket.request(json!({"op": "ping"})).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    let told = socket.expect("notification").await;
    assert_eq!(told["data"]["notification"]["kind"], "scheduled_failed");

    app.clock.advance(MISSED_DELAY);
    let mail = digests(&sink, "maryam@example.org", 1).await.remove(0);
    let plain = |v: &Value| {
        v.as_str()
            .expect("text")
            .chars()
            .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
            .collect::<String>()
    };
    let html = plain(&mail["html"]);
    let text = plain(&mail["text"]);
    assert_eq!(plain(&mail["subject"]), "۱ پیام خوانده‌نشده دارید");
    assert!(html.contains("#چای‌خانه"), "{html}");
    assert!(
        text.contains("پیام زمان‌بندی‌شدهٔ شما فرستاده نشد: شما بی‌صدا شده‌اید"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{PUBLIC_URL}/#room={room}"))
            && !text.contains(&format!("#room={room}&")),
        "the link opens the room, at no message: {text}"
    );
}

/// Two nodes on one PostgreSQL database, both sending from the same outbox: each mail is
/// taken by one of them and arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_send_each_mail_of_a_shared_outbox_once() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let first = spawn_app_with(backend, sink.configure()).await;
    let second = first.another_node(sink.configure()).await;
    let count = 12;
    for n in 0..count {
        // Queued on both nodes; both workers race for every row.
        let node = if n % 2 == 0 { &first } else { &second };
        let (token, _) = node.account(&format!("user{n}")).await;
        patch_me(
            node,
            &token,
            json!({"email": format!("user{n}@example.org")}),
        )
        .await;
        first.clock.advance(Duration::from_secs(1));
        second.clock.advance(Duration::from_secs(1));
    }
    for n in 0..count {
        sink.wait_for(&format!("user{n}@example.org"), 1).await;
    }
    until("every row marked sent", async || {
        unsent_rows(&first).await == 0
    })
    .await;
    // Both nodes go round again; a last mail passes after them.
    first.clock.advance(Duration::from_secs(3600));
    second.clock.advance(Duration::from_secs(3600));
    let (token, _) = second.account("last").await;
    patch_me(&second, &token, json!({"email": "last@example.org"})).await;
    sink.wait_for("last@example.org", 1).await;
    let mails = sink.mails();
    assert_eq!(mails.len(), count + 1, "each mail exactly once: {mails:?}");
}

/// Two nodes' missed-activity rounds race for the same people: each person gets one mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_mail_each_missed_activity_once() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    let Some(sink) = SmtpSink::start().await else {
        return;
    };
    let first = spawn_app_with(backend, sink.configure()).await;
    let second = first.another_node(sink.configure()).await;
    let (ali, _) = first.account("ali").await;
    let mut readers = Vec::new();
    for n in 0..6 {
        let name = format!("reader{n}");
        let token = verified_account(
            &first,
            &sink,
            &name,
            &format!("{name}@example.org"),
            "en-US",
        )
        .await;
        readers.push((name, token));
    }
    let tokens: Vec<&str> = readers.iter().map(|(_, token)| token.as_str()).collect();
    let room = first.public_room(&ali, &tokens).await;
    let everyone: Vec<String> = readers.iter().map(|(name, _)| format!("@{name}")).collect();
    let mut last = Value::Null;
    for round in 0..3 {
        last = second
            .post_message(
                &ali,
                &room,
                &format!("{} round {round}", everyone.join(" ")),
            )
            .await;
    }
    first.clock.advance(MISSED_DELAY);
    second.clock.advance(MISSED_DELAY);
    for (name, _) in &readers {
        let mail = digests(&sink, &format!("{name}@example.org"), 1)
            .await
            .remove(0);
        assert_eq!(mail["subject"], "You missed 3 messages");
    }
    wait_digested(&first, last["id"].as_str().expect("id")).await;
    // Both go round again: nothing is left to mail.
    first.clock.advance(MISSED_DELAY);
    second.clock.advance(MISSED_DELAY);
    let (token, _) = second.account("last").await;
    patch_me(&second, &token, json!({"email": "last@example.org"})).await;
    sink.wait_for("last@example.org", 1).await;
    assert_eq!(outbox_count(&first, "missed").await, 6);
    // A verification and one digest each, and the last verification.
    let mails = sink.mails();
    assert_eq!(
        mails.len(),
        6 * 2 + 1,
        "each digest exactly once: {mails:?}"
    );
}

/// Without an SMTP server everything mail-related says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_is_off_and_says_so() {
    let app = crate::helpers::spawn_app(Backend::Sqlite).await;
    let (token, _) = app.account("sara").await;
    let resp = reset_request(&app, "sara@example.org").await;
    assert_eq!(problem_code(resp, 409).await, "mail.disabled");
    let resp = reset_confirm(&app, "x", "a brand new passphrase").await;
    assert_eq!(problem_code(resp, 409).await, "mail.disabled");
    let body = patch_me(&app, &token, json!({"email": "sara@example.org"})).await;
    assert_eq!(body["email_verified"], false);
    let resp = post_verify(&app, &token, "x").await;
    assert_eq!(problem_code(resp, 409).await, "mail.disabled");
    let login = app.get("/login").await.text().await.expect("login page");
    assert!(
        !login.contains("/password-reset"),
        "no way to a reset that cannot come"
    );
    let page = app.get("/password-reset").await;
    assert_eq!(page.status(), 409);
    assert!(
        page.text()
            .await
            .expect("page")
            .contains("does not send e-mail")
    );
    assert_eq!(outbox_count(&app, "verify_email").await, 0);
}
