//! Link previews, against a real HTTP server this test starts on 127.0.0.1 (listed in
//! `outbound.allow_hosts`, the only way loopback is reachable): an OpenGraph page, redirects
//! to private and metadata addresses, a redirect loop, a 10 MiB page, a page that trickles,
//! an SVG picture. Nothing crashes, nothing inside is reached, and sending never waits.

use std::{
    convert::Infallible,
    io::Cursor,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use bytes::Bytes;
use entity::link_previews;
use futures_util::{StreamExt, stream};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::{Request, Response, body::Frame, service::service_fn};
use hyper_util::rt::TokioIo;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

use crate::helpers::{Backend, TestApp, problem_code, spawn_app_with};
use crate::on_both_backends;
use crate::ws_client::WsClient;

on_both_backends!(an_opengraph_page_previews_live_in_history_and_with_a_served_picture);

type Body = BoxBody<Bytes, Infallible>;

/// The test's web site. `trickle_arrived` hears of each `/trickle` request, which is then
/// held until `trickle_release` is notified.
pub(crate) struct Site {
    pub address: SocketAddr,
    /// `Host` headers of the requests received, in order.
    hosts: Arc<Mutex<Vec<String>>>,
    trickle_arrived: mpsc::UnboundedReceiver<()>,
    trickle_release: Arc<Notify>,
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::from_pixel(640, 320, Rgb([200, 30, 30])))
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

fn full(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response.body(Full::new(body.into()).boxed()).unwrap()
}

fn page(title: &str, image: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>plain</title>
        <meta property="og:title" content="{title}">
        <meta property="og:description" content="A page about tea &amp; friends">
        <meta property="og:site_name" content="Tea House">
        <meta property="og:image" content="{image}"></head><body>hi</body></html>"#
    )
}

pub(crate) async fn site_start() -> Site {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let hosts = Arc::new(Mutex::new(Vec::new()));
    let (arrived_tx, trickle_arrived) = mpsc::unbounded_channel();
    let trickle_release = Arc::new(Notify::new());
    let (seen, release) = (hosts.clone(), trickle_release.clone());
    let picture = Bytes::from(png());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (seen, release, arrived, picture) = (
                seen.clone(),
                release.clone(),
                arrived_tx.clone(),
                picture.clone(),
            );
            let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                let (release, arrived, picture) =
                    (release.clone(), arrived.clone(), picture.clone());
                let host = request
                    .headers()
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                seen.lock().unwrap().push(host);
                async move {
                    let html = [("content-type", "text/html; charset=utf-8")];
                    Ok::<_, Infallible>(match request.uri().path() {
                        "/og" => full(200, &html, page("Tea &amp; talk", "/picture.png")),
                        "/markup" => full(
                            200,
                            &html,
                            page(
                                "&lt;b&gt;Bold&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;",
                                "/picture.png",
                            ),
                        ),
                        "/svg-page" => full(200, &html, page("Vector", "/picture.svg")),
                        "/picture.png" => full(200, &[("content-type", "image/png")], picture),
                        "/picture.svg" => full(
                            200,
                            // Claimed to be a PNG; the bytes say otherwise.
                            &[("content-type", "image/png")],
                            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
                        ),
                        "/to-private" => full(302, &[("location", "http://10.0.0.1/")], ""),
                        "/to-metadata" => full(
                            302,
                            &[("location", "http://169.254.169.254/latest/meta-data/")],
                            "",
                        ),
                        "/loop-a" => full(302, &[("location", "/loop-b")], ""),
                        "/loop-b" => full(302, &[("location", "/loop-a")], ""),
                        "/not-html" => full(200, &[("content-type", "application/json")], "{}"),
                        "/huge" => {
                            // The card first, then 10 MiB the client must not read.
                            let head = page("Huge", "/picture.png");
                            let filler = stream::iter((0..10 * 16).map(|_| {
                                Ok::<_, Infallible>(Frame::data(Bytes::from(vec![b'x'; 64 * 1024])))
                            }));
                            let body =
                                stream::once(async move { Ok(Frame::data(Bytes::from(head))) })
                                    .chain(filler);
                            Response::builder()
                                .header("content-type", "text/html")
                                .body(BodyExt::boxed(StreamBody::new(body)))
                                .unwrap()
                        }
                        "/trickle" => {
                            let _ = arrived.send(());
                            release.notified().await;
                            // One byte a second, for ever: the client's time limit ends it.
                            let body = stream::unfold((), |()| async {
                                tokio::time::sleep(Duration::from_secs(1)).await;
                                Some((
                                    Ok::<_, Infallible>(Frame::data(Bytes::from_static(b"<"))),
                                    (),
                                ))
                            });
                            Response::builder()
                                .header("content-type", "text/html")
                                .body(BodyExt::boxed(StreamBody::new(body)))
                                .unwrap()
                        }
                        _ => full(404, &[], "no"),
                    })
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Site {
        address,
        hosts,
        trickle_arrived,
        trickle_release,
    }
}

/// An app that may fetch from the test site on 127.0.0.1 (and `localhost`).
pub(crate) async fn app_for_site(backend: Backend, extra: &[(&str, Value)]) -> TestApp {
    let extra: Vec<(String, Value)> = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    spawn_app_with(backend, move |figment| {
        let mut figment = figment.merge((
            "outbound.allow_hosts",
            vec!["127.0.0.1".to_owned(), "localhost".to_owned()],
        ));
        for (key, value) in extra {
            figment = figment.merge((key, value));
        }
        figment
    })
    .await
}

async fn subscribed(app: &TestApp, token: &str, room: &str) -> WsClient {
    let mut ws = WsClient::connect(app, token).await;
    let ack = ws
        .request(json!({"op": "subscribe", "room_id": room}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    ws
}

/// The `message.embeds` frame for `message_id`.
async fn embeds_of(ws: &mut WsClient, message_id: &Value) -> Value {
    let frame = ws
        .wait_for(|f| f["type"] == "message.embeds" && f["data"]["message_id"] == *message_id)
        .await;
    frame["data"]["embeds"].clone()
}

async fn message_delete(app: &TestApp, token: &str, message: &Value) {
    let path = format!("/api/v1/messages/{}", message["id"].as_str().unwrap());
    let deleted = app
        .authed(Method::DELETE, &path, token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

/// Why the cache says `url` has no preview.
async fn failure_of(app: &TestApp, url: &str) -> Option<String> {
    link_previews::Entity::find_by_id(url.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .and_then(|row| row.failure)
}

async fn an_opengraph_page_previews_live_in_history_and_with_a_served_picture(backend: Backend) {
    let site = site_start().await;
    let app = app_for_site(backend, &[]).await;
    let (alice, _) = app.account("alice").await;
    let (bob, _) = app.account("bob").await;
    let (eve, _) = app.account("eve").await;
    let room = app.public_room(&alice, &[&bob]).await;
    let mut ws = subscribed(&app, &bob, &room).await;

    let link = site.url("/og");
    let sent = app
        .post_message(&alice, &room, &format!("چای؟ {link}"))
        .await;
    let embeds = embeds_of(&mut ws, &sent["id"]).await;
    assert_eq!(embeds.as_array().unwrap().len(), 1, "{embeds}");
    let embed = &embeds[0];
    assert_eq!(embed["position"], 0);
    assert_eq!(embed["url"], link.as_str());
    assert_eq!(embed["title"], "Tea & talk");
    assert_eq!(embed["description"], "A page about tea & friends");
    assert_eq!(embed["site_name"], "Tea House");
    assert_eq!(
        (
            embed["image_width"].as_i64(),
            embed["image_height"].as_i64()
        ),
        (Some(640), Some(320))
    );
    let image_url = embed["image_url"].as_str().expect("a picture").to_owned();

    // History shows it as well.
    let history: Value = app
        .get_json(&format!("/api/v1/rooms/{room}/messages"), &bob)
        .await;
    let listed = history
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == sent["id"])
        .expect("the message");
    assert_eq!(listed["embeds"], embeds);

    // The picture is served from here, re-encoded (320 px wide), to members only.
    let picture = app
        .authed(Method::GET, &image_url, &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), 200);
    assert_eq!(picture.headers()["cache-control"], "private, max-age=86400");
    assert!(picture.headers().contains_key("etag"));
    let bytes = picture.bytes().await.unwrap();
    let decoded = image::load_from_memory(&bytes).expect("a picture");
    assert_eq!((decoded.width(), decoded.height()), (320, 160));
    let stranger = app
        .authed(Method::GET, &image_url, &eve)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(stranger, 404).await, "message.not_found");

    // Only the author removes a preview; the room hears it gone.
    let remove = format!("/api/v1/messages/{}/embeds/0", sent["id"].as_str().unwrap());
    let by_bob = app
        .authed(Method::DELETE, &remove, &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(by_bob, 403).await, "message.not_author");
    let unknown = app
        .authed(
            Method::DELETE,
            &remove.replace("/embeds/0", "/embeds/5"),
            &alice,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(unknown, 404).await, "embed.not_found");
    let removed = app
        .authed(Method::DELETE, &remove, &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(embeds_of(&mut ws, &sent["id"]).await, json!([]));
    let gone = app
        .authed(Method::GET, &image_url, &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(gone, 404).await, "embed.not_found");

    // An edit keeps the removal: the link is not previewed again; a new link is.
    let second = site.url("/svg-page");
    let edited = app
        .authed(
            Method::PATCH,
            &format!("/api/v1/messages/{}", sent["id"].as_str().unwrap()),
            &alice,
        )
        .json(&json!({ "body": format!("{link} {second}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let embeds = embeds_of(&mut ws, &sent["id"]).await;
    assert_eq!(embeds.as_array().unwrap().len(), 1, "{embeds}");
    assert_eq!(embeds[0]["position"], 1);
    assert_eq!(embeds[0]["title"], "Vector");

    // Deleting the message takes its previews, and empties its earlier events.
    message_delete(&app, &alice, &sent).await;
    let mut replay = WsClient::connect(&app, &bob).await;
    let ack = replay
        .request(json!({"op": "subscribe", "room_id": room, "after_seq": 0}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let deleted_seen = replay.expect("message.deleted").await;
    let replayed: Vec<&Value> = replay
        .backlog
        .iter()
        .filter(|f| f["type"] == "message.embeds")
        .collect();
    assert!(!replayed.is_empty(), "{:?}", replay.backlog);
    for frame in replayed {
        assert_eq!(frame["data"]["embeds"], json!([]), "{frame}");
    }
    assert_eq!(deleted_seen["data"]["id"], sent["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_addresses_loops_huge_pages_and_svg_pictures_give_no_harm() {
    let site = site_start().await;
    let app = app_for_site(Backend::Sqlite, &[]).await;
    let (alice, _) = app.account("alice").await;
    let room = app.public_room(&alice, &[]).await;
    let mut ws = subscribed(&app, &alice, &room).await;

    // One message's links are fetched in order, and the event comes after the last: by
    // then the two refused ones are settled.
    let (private, metadata) = (site.url("/to-private"), site.url("/to-metadata"));
    let sent = app
        .post_message(
            &alice,
            &room,
            &format!("{private} {metadata} {}", site.url("/og")),
        )
        .await;
    let embeds = embeds_of(&mut ws, &sent["id"]).await;
    assert_eq!(embeds.as_array().unwrap().len(), 1, "{embeds}");
    assert_eq!(embeds[0]["position"], 2);
    assert_eq!(
        failure_of(&app, &private).await.as_deref(),
        Some("refused_address")
    );
    assert_eq!(
        failure_of(&app, &metadata).await.as_deref(),
        Some("refused_address")
    );

    let (looped, not_html) = (site.url("/loop-a"), site.url("/not-html"));
    let sent = app
        .post_message(
            &alice,
            &room,
            &format!(
                "{looped} {} {} {not_html}",
                site.url("/huge"),
                site.url("/svg-page")
            ),
        )
        .await;
    let embeds = embeds_of(&mut ws, &sent["id"]).await;
    // Three links at most: the fourth is not even looked at.
    assert_eq!(embeds.as_array().unwrap().len(), 2, "{embeds}");
    assert_eq!(
        failure_of(&app, &looped).await.as_deref(),
        Some("redirect_loop")
    );
    assert!(
        link_previews::Entity::find_by_id(not_html)
            .one(&app.db)
            .await
            .unwrap()
            .is_none()
    );
    // The 10 MiB page was cut at 1 MiB and its card read from what came.
    assert_eq!(
        (embeds[0]["position"].as_i64(), embeds[0]["title"].as_str()),
        (Some(1), Some("Huge"))
    );
    // An SVG is never a picture, whatever it is called.
    assert_eq!(embeds[1]["title"], "Vector");
    assert!(embeds[1].get("image_url").is_none(), "{embeds}");
    // Nothing of it reached inside: only the test site was asked.
    let expected = site.address.to_string();
    assert!(site.hosts.lock().unwrap().iter().all(|h| *h == expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_send_is_answered_while_a_trickling_page_is_still_held() {
    let mut site = site_start().await;
    let app = app_for_site(Backend::Sqlite, &[("outbound.timeout_ms", json!(1000))]).await;
    let (alice, _) = app.account("alice").await;
    let room = app.public_room(&alice, &[]).await;
    let mut ws = subscribed(&app, &alice, &room).await;

    let trickle = site.url("/trickle");
    let ack = ws
        .request(json!({"op": "send", "room_id": room, "body": format!("{trickle} {}", site.url("/og"))}))
        .await;
    // The ack came; the site has the fetch and still holds it (it waits for the release).
    assert_eq!(ack["type"], "ack", "{ack}");
    site.trickle_arrived
        .recv()
        .await
        .expect("the page was asked for");
    site.trickle_release.notify_one();
    // The trickle ran out of time; the next link was still previewed.
    let embeds = embeds_of(&mut ws, &ack["data"]["id"]).await;
    assert_eq!(embeds.as_array().unwrap().len(), 1, "{embeds}");
    assert_eq!(embeds[0]["position"], 1);
    assert_eq!(failure_of(&app, &trickle).await.as_deref(), Some("timeout"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_allowed_domains_get_previews() {
    let site = site_start().await;
    let app = app_for_site(
        Backend::Sqlite,
        &[("previews.allow_domains", json!(["localhost"]))],
    )
    .await;
    let (alice, _) = app.account("alice").await;
    let room = app.public_room(&alice, &[]).await;
    let mut ws = subscribed(&app, &alice, &room).await;
    let by_name = format!("http://localhost:{}/og", site.address.port());
    let sent = app
        .post_message(&alice, &room, &format!("{} {by_name}", site.url("/og")))
        .await;
    let embeds = embeds_of(&mut ws, &sent["id"]).await;
    assert_eq!(embeds.as_array().unwrap().len(), 1, "{embeds}");
    assert_eq!(embeds[0]["url"], by_name.as_str());
    // The address the domain list leaves out was never asked.
    let hosts = site.hosts.lock().unwrap().clone();
    assert!(
        hosts.iter().all(|h| h.starts_with("localhost:")),
        "{hosts:?}"
    );
}

/// Preview pictures stored here by their SHA-256, as of `now`.
async fn pictures_stored(app: &TestApp, now: std::time::SystemTime) -> usize {
    app.files
        .storage()
        .list_older("previews", Duration::ZERO, now)
        .count()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_goes_once_neither_the_cache_nor_a_message_shows_it() {
    let site = site_start().await;
    let app = app_for_site(Backend::Sqlite, &[]).await;
    let (alice, _) = app.account("alice").await;
    let room = app.public_room(&alice, &[]).await;
    let mut ws = subscribed(&app, &alice, &room).await;
    let sent = app.post_message(&alice, &room, &site.url("/og")).await;
    embeds_of(&mut ws, &sent["id"]).await;
    let settings =
        anjoman::config::Settings::from_figment(anjoman::config::Settings::figment(None))
            .unwrap()
            .uploads;
    let sweep = |now| anjoman::domain::files::sweep::sweep(&app.db, &app.files, &settings, now);

    // Two days on, the cache has expired but the message still shows the picture.
    let later = std::time::SystemTime::now() + Duration::from_secs(2 * 86_400);
    let swept = sweep(later).await.unwrap();
    assert_eq!(swept.previews, 1, "the expired cache row: {swept:?}");
    assert_eq!(pictures_stored(&app, later).await, 1);

    message_delete(&app, &alice, &sent).await;
    let swept = sweep(later).await.unwrap();
    assert_eq!(swept.previews, 1, "the picture: {swept:?}");
    assert_eq!(pictures_stored(&app, later).await, 0);
}
