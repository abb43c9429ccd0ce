//! `GET /api/v1/search/messages` over the real index (SQLite FTS5, PostgreSQL tsvector):
//! who may find what, the query language, Persian/Arabic spellings, filters, ranking,
//! snippets, paging, and an index that follows sends, edits and deletes.

use serde_json::{Value, json};

use crate::{
    helpers::{Backend, TestApp, problem_code, spawn_app},
    on_both_backends,
};

on_both_backends!(
    only_readable_rooms_are_searched_and_deletes_leave_the_index,
    persian_and_arabic_spellings_find_each_other,
    the_query_language_and_filters_work,
    results_are_ranked_paged_and_highlighted,
    the_reindex_command_rebuilds_a_lost_index,
);

async fn send(app: &TestApp, token: &str, room: &str, body: &str) -> String {
    let sent = app.post_message(token, room, body).await;
    sent["id"].as_str().unwrap().to_owned()
}

fn search_query(query: &str) -> String {
    let q = percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC);
    format!("q={q}")
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let resp = app.api(token).search(&search_query(query)).await;
    assert_eq!(resp.status(), 200, "{query}");
    resp.json().await.unwrap()
}

/// The bodies of the hits, in order.
fn bodies(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["message"]["body"].as_str().unwrap().to_owned())
        .collect()
}

async fn room(app: &TestApp, owner: &str, name: &str, visibility: &str) -> String {
    let room: Value = app
        .api(owner)
        .room_create(json!({"name": name, "visibility": visibility}))
        .await
        .json()
        .await
        .unwrap();
    room["id"].as_str().unwrap().to_owned()
}

async fn only_readable_rooms_are_searched_and_deletes_leave_the_index(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let (omid, _) = app.account("omid").await;
    let shared = app.public_room(&ali, &[&sara]).await;
    let open = room(&app, &omid, "lobby", "public").await;
    let secret = room(&app, &omid, "secret", "private").await;
    send(&app, &ali, &shared, "Tea at five?").await;
    let mint = send(&app, &ali, &shared, "I prefer TEA with mint").await;
    send(&app, &omid, &open, "tea in the lobby").await;
    send(&app, &omid, &secret, "secret tea recipe").await;

    // Sara's room and the public lobby, not Omid's private room.
    let found = bodies(&search(&app, &sara, "tea").await);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(!found.iter().any(|b| b.contains("secret")));
    let hit = &search(&app, &sara, "mint").await["hits"][0];
    assert_eq!(hit["room"]["name"], "چای‌خانه");
    assert_eq!(hit["message"]["author"]["username"], "ali");
    assert!(hit["message"]["seq"].as_i64().unwrap() > 0);

    // A private room by id is not found for outsiders.
    let resp = app
        .api(&sara)
        .search(&format!("q=tea&room_id={secret}"))
        .await;
    assert_eq!(problem_code(resp, 404).await, "room.not_found");

    // Edits re-index; deletes leave the index at once.
    let resp = app
        .api(&ali)
        .message_edit(&mint, json!({"body": "I prefer coffee with cardamom"}))
        .await;
    assert_eq!(resp.status(), 200);
    assert!(bodies(&search(&app, &sara, "mint").await).is_empty());
    assert_eq!(bodies(&search(&app, &sara, "cardamom").await).len(), 1);
    let resp = app.api(&ali).message_delete(&mint).await;
    assert!(resp.status().is_success());
    assert!(bodies(&search(&app, &sara, "cardamom").await).is_empty());
}

async fn persian_and_arabic_spellings_find_each_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let shared = app.public_room(&ali, &[]).await;
    for body in [
        "فردا به كتابخانه مي‌روم",  // Arabic kaf and yeh, ZWNJ
        "نمیدانم کجاست",           // joined, no ZWNJ
        "جلسهٔ ساعت ۱۴۰۵ در مدرسة", // Persian digits, teh marbuta
        "أحمد سـلام رساند",         // hamza on alef, tatweel
        "کتاب ها را آوردم",        // detached plural suffix with a space
        "Meeting in TEHRAN at 5",
    ] {
        send(&app, &ali, &shared, body).await;
    }
    for (query, expected) in [
        ("کتابخانه", "فردا به كتابخانه مي‌روم"),
        ("میروم", "فردا به كتابخانه مي‌روم"),
        ("می روم", "فردا به كتابخانه مي‌روم"),
        ("نمی‌دانم", "نمیدانم کجاست"),
        ("1405", "جلسهٔ ساعت ۱۴۰۵ در مدرسة"),
        ("١٤٠٥", "جلسهٔ ساعت ۱۴۰۵ در مدرسة"),
        ("مدرسه", "جلسهٔ ساعت ۱۴۰۵ در مدرسة"),
        ("احمد", "أحمد سـلام رساند"),
        ("سلام", "أحمد سـلام رساند"),
        ("کتاب‌ها", "کتاب ها را آوردم"),
        ("tehran", "Meeting in TEHRAN at 5"),
        ("كتاب*", "فردا به كتابخانه مي‌روم"),
    ] {
        let found = bodies(&search(&app, &ali, query).await);
        assert!(found.contains(&expected.to_owned()), "{query} → {found:?}");
    }
    assert!(bodies(&search(&app, &ali, "کتابخانه‌ای").await).is_empty());
}

async fn the_query_language_and_filters_work(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, ali_id) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let shared = app.public_room(&ali, &[&sara]).await;
    let other = room(&app, &ali, "Project Atlas", "public").await;
    let joined = app.api(&sara).room_join(&other).await;
    assert_eq!(joined.status(), 200);
    send(&app, &ali, &shared, "deploy the new server tonight").await;
    send(&app, &sara, &shared, "server tonight? new plan").await;
    send(&app, &sara, &other, "the new server is deployed").await;

    let found = |results: Value| bodies(&results);
    // All words; exact phrase; exclusion; prefix.
    assert_eq!(found(search(&app, &ali, "new server").await).len(), 3);
    assert_eq!(
        found(search(&app, &ali, "\"new server\"").await).len(),
        2,
        "phrase order matters"
    );
    assert_eq!(found(search(&app, &ali, "server -plan").await).len(), 2);
    assert_eq!(found(search(&app, &ali, "deploy*").await).len(), 2);
    // from: and in:, also as request filters.
    assert_eq!(found(search(&app, &ali, "server from:sara").await).len(), 2);
    assert_eq!(
        found(search(&app, &ali, "server in:\"project atlas\"").await),
        ["the new server is deployed"]
    );
    assert!(found(search(&app, &ali, "server from:nobody").await).is_empty());
    let by_id: Value = app
        .get_json(
            &format!("/api/v1/search/messages?q=server&author={ali_id}"),
            &sara,
        )
        .await;
    assert_eq!(found(by_id), ["deploy the new server tonight"]);
    // Filters alone list newest first.
    assert_eq!(
        found(search(&app, &ali, "in:\"Project Atlas\"").await),
        ["the new server is deployed"]
    );
    let none: Value = app
        .get_json(
            "/api/v1/search/messages?q=server&before=2000-01-01T00:00:00Z",
            &ali,
        )
        .await;
    assert!(found(none).is_empty());
    let all: Value = app
        .get_json(
            "/api/v1/search/messages?q=server&after=2000-01-01T00:00:00Z&has_file=false",
            &ali,
        )
        .await;
    assert_eq!(found(all).len(), 3);

    // Bad syntax is plain words, never an error.
    for odd in [
        "\"unclosed server",
        "server -",
        "***",
        "from:",
        "\"\"",
        "-\"",
        "(server OR",
    ] {
        let resp = app.api(&ali).search(&search_query(odd)).await;
        assert!(
            resp.status() == 200 || resp.status() == 422,
            "{odd}: {}",
            resp.status()
        );
    }
    assert_eq!(
        found(search(&app, &ali, "\"unclosed server").await).len(),
        0
    );
    let resp = app.api(&ali).search("q=%20").await;
    assert_eq!(problem_code(resp, 422).await, "search.query_invalid");
    let resp = app.api(&ali).search("q=server&cursor=zz").await;
    assert_eq!(problem_code(resp, 422).await, "search.cursor_invalid");
}

async fn results_are_ranked_paged_and_highlighted(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let shared = app.public_room(&ali, &[]).await;
    send(
        &app,
        &ali,
        &shared,
        "a long note that mentions chai only once among many other words here",
    )
    .await;
    send(&app, &ali, &shared, "chai chai chai").await;
    for i in 0..5 {
        send(&app, &ali, &shared, &format!("note {i} about chai")).await;
    }
    // A poll question and a file name are found too.
    let poll = app
        .api(&ali)
        .poll_create(
            &shared,
            json!({"question": "Which chai blend?", "options": ["Masala", "Saffron"]}),
        )
        .await;
    assert_eq!(poll.status(), 201);
    assert_eq!(
        bodies(&search(&app, &ali, "saffron").await),
        ["Which chai blend?"]
    );

    let first = search(&app, &ali, "chai").await;
    let hits = first["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 8);
    assert_eq!(
        hits[0]["message"]["body"], "chai chai chai",
        "most relevant first"
    );
    let snippet = &hits[0]["snippet"];
    assert!(snippet.as_array().unwrap().iter().any(|p| p["hit"] == true));

    // Pages of 3, no overlap, all of them.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let mut url = "/api/v1/search/messages?q=chai&limit=3".to_owned();
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = app.get_json(&url, &ali).await;
        for hit in page["hits"].as_array().unwrap() {
            seen.push(hit["message"]["id"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (8, 8));
}

async fn the_reindex_command_rebuilds_a_lost_index(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let shared = app.public_room(&ali, &[]).await;
    for i in 0..30 {
        send(&app, &ali, &shared, &format!("پیام شماره {i} دربارهٔ كتاب")).await;
    }
    // Lose the index (as an old version without it, or a broken restore would).
    app.db
        .execute_unprepared("UPDATE messages SET search_text = ''")
        .await
        .unwrap();
    assert!(bodies(&search(&app, &ali, "کتاب").await).is_empty());

    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_anjoman"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ANJOMAN_") {
            command.env_remove(key);
        }
    }
    let out = command
        .arg("reindex")
        .env("DATABASE_URL", &app.database.url)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("reindexed 30 message(s)"), "{stdout}");
    let page: Value = app
        .get_json(
            &format!("/api/v1/search/messages?{}&limit=50", search_query("کتاب")),
            &ali,
        )
        .await;
    assert_eq!(bodies(&page).len(), 30);
}
