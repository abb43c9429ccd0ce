//! `/admin` over HTTP: who gets the page, what it shows, in which language, and that
//! user-supplied text comes out escaped. (Clicking its buttons runs the admin API, whose
//! rules are tested in admin.rs, moderation.rs and authorization.rs.)

use serde_json::json;

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;

on_both_backends!(
    staff_see_the_dashboard_with_escaped_user_text,
    the_dashboard_speaks_persian_right_to_left,
    others_get_a_localized_refusal,
);

async fn page(app: &TestApp, token: Option<&str>, path: &str, lang: &str) -> (u16, String) {
    let mut request = app
        .client
        .get(app.url(path))
        .header("accept-language", lang);
    if let Some(token) = token {
        request = request.header("cookie", format!("anjoman_session={token}"));
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    if status == 200 {
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    (status, resp.text().await.unwrap())
}

async fn seed(app: &TestApp) -> (String, String) {
    let (root, _) = app.account("root").await;
    let (alice, _) = app.account("alice").await;
    let (mallory, _) = app.account("mallory").await;
    let resp = app
        .api(&mallory)
        .me_update(json!({"display_name": "<script>alert(1)</script>"}))
        .await;
    assert_eq!(resp.status(), 200);
    let room = app.public_room(&alice, &[&mallory]).await;
    let sent: serde_json::Value = app
        .api(&mallory)
        .message_send(&room, json!({"body": "<b>bold</b> lies"}))
        .await
        .json()
        .await
        .unwrap();
    let report = app
        .api(&alice)
        .message_report(
            sent["id"].as_str().unwrap(),
            json!({"reason": "<img src=x onerror=alert(2)>"}),
        )
        .await;
    assert_eq!(report.status(), 201);
    (root, alice)
}

async fn staff_see_the_dashboard_with_escaped_user_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = seed(&app).await;
    let (status, html) = page(&app, Some(&root), "/admin", "en-US").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"<html lang="en-US" dir="ltr""#));
    for heading in ["At a glance", "Report queue", "Users", "Audit log"] {
        assert!(html.contains(heading), "missing {heading}");
    }
    assert!(
        html.contains(r#"<dd data-stat="users">3</dd>"#),
        "three users"
    );
    assert!(html.contains(r#"<dd data-stat="reports">1</dd>"#));
    assert_eq!(html.matches("<rect ").count(), 30, "a bar per day");
    // By its content-hashed URL (`/static/admin.<hash>.js`).
    assert!(html.contains(r#"src="/static/admin."#), "{html}");
    assert!(
        html.contains(r#"data-remedy="delete_message""#),
        "one-click report actions"
    );
    // User-supplied text is text, never markup.
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("<b>bold</b>"));
    // A moderator moderates from the same page but does not read the audit log (it holds
    // addresses and the moderators' own actions): admins only, as in the API.
    let (moderator, moderator_id) = app.account("moderator").await;
    let promoted = app
        .api(&root)
        .admin_role(&moderator_id, json!({"role": "moderator"}))
        .await;
    assert_eq!(promoted.status(), 200);
    let (status, html) = page(&app, Some(&moderator), "/admin", "en-US").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Report queue"));
    assert!(!html.contains("Audit log"), "no audit log for moderators");
    assert!(
        !html.contains("user.role"),
        "no audit entries for moderators"
    );
    // The search narrows the users table.
    let (_, found) = page(&app, Some(&root), "/admin?q=ali", "en-US").await;
    assert!(found.contains("<bdi>@alice</bdi>"));
    assert!(!found.contains("<bdi>@mallory</bdi>"));
    // The script the page loads is served, and revalidated with 304 (not an error page).
    let js = app.get("/static/admin.js").await;
    assert_eq!(js.status(), 200);
    let etag = js.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(app.url("/static/admin.js"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

async fn the_dashboard_speaks_persian_right_to_left(backend: Backend) {
    let app = spawn_app(backend).await;
    let (root, _) = seed(&app).await;
    // The saved preference wins over the browser's language.
    let resp = app.api(&root).me_update(json!({"locale": "fa-IR"})).await;
    assert_eq!(resp.status(), 200);
    let (status, html) = page(&app, Some(&root), "/admin", "en-US").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="fa-IR" dir="rtl""#));
    assert!(html.contains("صف گزارش‌ها"));
    assert!(
        html.contains(r#"<dd data-stat="users">۳</dd>"#),
        "Persian digits"
    );
    assert!(!html.contains("Report queue"));
}

async fn others_get_a_localized_refusal(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, alice) = seed(&app).await;
    let (status, html) = page(&app, Some(&alice), "/admin", "en-US").await;
    assert_eq!(status, 403);
    assert!(html.contains("Only moderators and admins"));
    assert!(!html.contains("Report queue"));
    // Signed out (or with a dead cookie): the sign-in form, which comes back here after.
    for token in [None, Some("not-a-token")] {
        let (status, html) = page(&app, token, "/admin", "fa-IR").await;
        assert_eq!(status, 200);
        assert!(html.contains(r#"dir="rtl""#));
        assert!(html.contains(r#"action="/login""#), "{html}");
        assert!(
            html.contains(r#"name="next" value="&#x2F;admin""#),
            "{html}"
        );
        assert!(!html.contains("Report queue"));
    }
}
