//! `GET /api/v1/search`: only your rooms, never deleted messages, wildcards literal.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, problem_code, spawn_app},
    on_both_backends,
};

on_both_backends!(search_finds_messages_in_your_rooms_only);

async fn search_finds_messages_in_your_rooms_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ali, _) = app.account("ali").await;
    let (sara, _) = app.account("sara").await;
    let (omid, _) = app.account("omid").await;
    let shared = app.public_room(&ali, &[&sara]).await;
    let private: Value = app
        .authed(Method::POST, "/api/v1/rooms", &omid)
        .json(&json!({"name": "secret", "visibility": "private"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let send = |token: &str, room: &str, body: &str| {
        app.authed(
            Method::POST,
            &format!("/api/v1/rooms/{room}/messages"),
            token,
        )
        .json(&json!({"body": body}))
        .send()
    };
    let mut ids = Vec::new();
    for body in [
        "Tea at five? چای ساعت پنج",
        "I prefer TEA with mint",
        "coffee only",
        "50% off _today_",
    ] {
        let sent: Value = send(&ali, &shared, body)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(sent["id"].as_str().unwrap().to_owned());
    }
    let private_id = private["id"].as_str().unwrap();
    let resp = send(&omid, private_id, "secret tea recipe").await.unwrap();
    assert_eq!(resp.status(), 201);

    let hits: Vec<Value> = app.get_json("/api/v1/search?q=tea", &sara).await;
    let bodies: Vec<&str> = hits
        .iter()
        .map(|h| h["message"]["body"].as_str().unwrap())
        .collect();
    // Case-insensitive, newest first, and nothing from the room Sara is not in.
    assert_eq!(
        bodies,
        ["I prefer TEA with mint", "Tea at five? چای ساعت پنج"]
    );
    assert_eq!(hits[0]["room"]["id"], shared.as_str());
    assert_eq!(hits[0]["room"]["name"], "چای‌خانه");

    let persian: Vec<Value> = app
        .get_json("/api/v1/search?q=%DA%86%D8%A7%DB%8C", &sara)
        .await;
    assert_eq!(persian.len(), 1);
    // `%` and `_` are not wildcards.
    let literal: Vec<Value> = app.get_json("/api/v1/search?q=%25%20off%20_", &sara).await;
    assert_eq!(literal.len(), 1);
    let none: Vec<Value> = app.get_json("/api/v1/search?q=_%25_", &sara).await;
    assert!(none.is_empty());

    // A deleted message is gone from the results.
    let resp = app
        .authed(
            Method::DELETE,
            &format!("/api/v1/messages/{}", ids[1]),
            &ali,
        )
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let hits: Vec<Value> = app.get_json("/api/v1/search?q=tea", &sara).await;
    assert_eq!(hits.len(), 1);

    // One room only; a room you are not in is refused; too short a query is refused.
    let hits: Vec<Value> = app
        .get_json(&format!("/api/v1/search?q=tea&room_id={shared}"), &ali)
        .await;
    assert_eq!(hits.len(), 1);
    let resp = app
        .authed(
            Method::GET,
            &format!("/api/v1/search?q=tea&room_id={private_id}"),
            &sara,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 404).await, "room.not_found");
    let resp = app
        .authed(Method::GET, "/api/v1/search?q=t", &sara)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(resp, 422).await, "search.query_invalid");
}
