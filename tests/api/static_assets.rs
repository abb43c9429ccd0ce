//! Static files under content-hashed URLs and compressed responses, over real HTTP: what
//! a browser (and a cache between it and the server) is told and gets.

use std::collections::{BTreeSet, VecDeque};
use std::io::Read;

use reqwest::{Method, StatusCode};

use crate::helpers::{Backend, TestApp, spawn_app};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// GET `path` with `Accept-Encoding: accept` (reqwest decodes nothing here).
async fn get_encoded(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    crate::helpers::client()
        .get(app.url(path))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => {
            brotli::Decompressor::new(bytes, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        "gzip" => {
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .unwrap();
        }
        "" => out = bytes.to_vec(),
        other => panic!("unexpected content-encoding {other}"),
    }
    out
}

/// The chat page's HTML as `token` sees it.
async fn chat_page(app: &TestApp, token: &str) -> String {
    let resp = crate::helpers::client()
        .get(app.url("/"))
        .header("cookie", format!("anjoman_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.unwrap()
}

/// The values of `attribute="…"` in tags that contain `marker`.
fn attributes(html: &str, marker: &str, attribute: &str) -> Vec<String> {
    html.split('<')
        .filter(|tag| tag.contains(marker))
        .filter_map(|tag| {
            let at = tag.find(&format!("{attribute}=\""))? + attribute.len() + 2;
            Some(tag[at..].split('"').next()?.to_owned())
        })
        .collect()
}

/// `./x.js`, `../y.js` import specifiers of a module's source.
fn imports(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in source.lines() {
        let line = line.trim();
        // A long import list ends on a line of its own: `} from "./x.js";`.
        if !(line.starts_with("import ")
            || line.starts_with("export ")
            || line.starts_with("} from "))
        {
            continue;
        }
        for quote in ['"', '\''] {
            let mut parts = line.split(quote);
            parts.next();
            if let Some(specifier) = parts.next()
                && specifier.starts_with('.')
            {
                found.push(specifier.to_owned());
            }
        }
    }
    found
}

/// The relative specifiers of `import("./x.js")` calls: modules loaded when first used.
fn imports_on_demand(source: &str) -> Vec<String> {
    source
        .split("import(")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let specifier = rest[1..].split(quote).next()?;
            specifier.starts_with('.').then(|| specifier.to_owned())
        })
        .collect()
}

/// `specifier` relative to the module at `url` (an absolute path).
fn resolve(url: &str, specifier: &str) -> String {
    let mut parts: Vec<&str> = url.split('/').collect();
    parts.pop();
    for part in specifier.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    parts.join("/")
}

/// `/static/chat/api.0123456789ab.js`: a 12-hex-digit hash before the extension.
fn is_hashed(url: &str) -> bool {
    let name = url.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[parts.len() - 2].len() == 12
        && parts[parts.len() - 2]
            .chars()
            .all(|c| c.is_ascii_hexdigit())
}

#[tokio::test]
async fn text_is_sent_brotli_gzip_or_plain_as_the_client_asks() {
    let app = spawn_app(Backend::Sqlite).await;
    let login = get_encoded(&app, "/login", "identity")
        .await
        .text()
        .await
        .unwrap();
    let css = attributes(&login, "stylesheet", "href").remove(0);
    // A static file (compressed at startup), a page and the OpenAPI document (compressed as
    // they leave).
    for path in [css.as_str(), "/login", "/api/openapi.json"] {
        let plain = get_encoded(&app, path, "identity").await;
        assert_eq!(plain.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&plain, "content-encoding"), "", "{path}");
        assert!(
            header(&plain, "vary")
                .to_lowercase()
                .contains("accept-encoding"),
            "{path}"
        );
        let plain = plain.bytes().await.unwrap();
        assert!(plain.len() > 1024, "{path} is big enough to compress");
        for (accept, expected) in [
            ("gzip, deflate, br", "br"),
            ("br", "br"),
            ("gzip", "gzip"),
            ("br;q=0, gzip", "gzip"),
            ("deflate", ""),
        ] {
            let resp = get_encoded(&app, path, accept).await;
            assert_eq!(resp.status(), StatusCode::OK, "{path} {accept}");
            let encoding = header(&resp, "content-encoding");
            assert_eq!(encoding, expected, "{path} with Accept-Encoding: {accept}");
            assert!(
                header(&resp, "vary")
                    .to_lowercase()
                    .contains("accept-encoding"),
                "{path}"
            );
            let bytes = resp.bytes().await.unwrap();
            if !expected.is_empty() {
                assert!(bytes.len() < plain.len(), "{path} {accept} shrinks");
            }
            let decoded = decode(&encoding, &bytes);
            if path.starts_with("/static/") || path.starts_with("/api/") {
                assert_eq!(decoded, plain, "{path} {accept} decodes to the same bytes");
            } else {
                // A page carries a fresh form token each time: the same page, not the same bytes.
                let text = String::from_utf8(decoded).unwrap();
                assert!(text.contains(&css), "{path} {accept}");
            }
        }
    }
}

#[tokio::test]
async fn pictures_fonts_and_stored_files_are_never_compressed() {
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, _) = app.account("alice").await;
    let room = app.public_room(&alice, &[]).await;
    let text = "A plain text file that compresses very well. ".repeat(200);
    let picture = crate::files::png(300, 200);
    for (name, bytes) in [
        ("notes.txt", text.as_bytes()),
        ("picture.png", &picture[..]),
    ] {
        let shared = crate::files::share(&app, &alice, &room, name, bytes).await;
        let url = shared["file"]["url"].as_str().unwrap().to_owned();
        let resp = app
            .authed(Method::GET, &url, &alice)
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{name}");
        assert_eq!(header(&resp, "content-encoding"), "", "{name}");
        assert_eq!(resp.bytes().await.unwrap().as_ref(), bytes, "{name}");
        let part = app
            .authed(Method::GET, &url, &alice)
            .header("accept-encoding", "br, gzip")
            .header("range", "bytes=0-99")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT, "{name}");
        assert_eq!(header(&part, "content-encoding"), "", "{name}");
        assert_eq!(
            part.bytes().await.unwrap().as_ref(),
            &bytes[..100],
            "{name}"
        );
    }
    // The font is compressed already.
    let css = get_encoded(&app, "/static/base.css", "identity")
        .await
        .text()
        .await
        .unwrap();
    let font = css
        .split("url(\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert!(font.ends_with(".woff2") && is_hashed(&font), "{font}");
    let resp = get_encoded(&app, &font, "br, gzip").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(header(&resp, "content-type"), "font/woff2");
    assert_eq!(header(&resp, "content-encoding"), "");
    assert_eq!(header(&resp, "cache-control"), IMMUTABLE);
}

#[tokio::test]
async fn hashed_static_urls_are_immutable_plain_ones_revalidate_and_stale_ones_are_gone() {
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, _) = app.account("alice").await;
    let page = chat_page(&app, &alice).await;
    let styles = attributes(&page, "stylesheet", "href");
    let scripts = attributes(&page, "type=\"module\"", "src");
    assert_eq!(styles.len(), 2, "{page}");
    // The entry module, and early.js, which asks for the first data while it loads.
    assert_eq!(scripts.len(), 2, "{page}");
    for url in styles.iter().chain(&scripts) {
        assert!(url.starts_with("/static/") && is_hashed(url), "{url}");
        let resp = get_encoded(&app, url, "br").await;
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
        assert_eq!(header(&resp, "cache-control"), IMMUTABLE, "{url}");

        // The same file under its plain name: still served, revalidated each time.
        let name = url.rsplit('/').next().unwrap();
        let mut pieces: Vec<&str> = name.split('.').collect();
        let hash = pieces.remove(pieces.len() - 2);
        let plain_url = format!("{}/{}", url.rsplit_once('/').unwrap().0, pieces.join("."));
        let plain = get_encoded(&app, &plain_url, "identity").await;
        assert_eq!(plain.status(), StatusCode::OK, "{plain_url}");
        assert_eq!(header(&plain, "cache-control"), "no-cache", "{plain_url}");
        let etag = header(&plain, "etag");
        assert!(etag.contains(hash), "{plain_url}: {etag}");
        let again = crate::helpers::client()
            .get(app.url(&plain_url))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{plain_url}");
        let hashed_bytes = get_encoded(&app, url, "identity")
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(plain.bytes().await.unwrap(), hashed_bytes, "{plain_url}");

        // Another version's hash is not these bytes under a name cached for a year.
        let stale = url.replace(hash, "0123456789ab");
        let resp = get_encoded(&app, &stale, "br").await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{stale}");
        assert!(
            !header(&resp, "cache-control").contains("immutable"),
            "{stale}"
        );
    }
}

#[tokio::test]
async fn every_module_import_resolves_to_a_hashed_url_and_all_are_preloaded() {
    let app = spawn_app(Backend::Sqlite).await;
    let (alice, _) = app.account("alice").await;
    let page = chat_page(&app, &alice).await;
    let scripts = attributes(&page, "type=\"module\"", "src");
    let (entries, early): (Vec<_>, Vec<_>) = scripts
        .into_iter()
        .partition(|url| url.starts_with("/static/chat/main."));
    let entry = entries.into_iter().next().expect("the chat's entry module");
    let preloaded: BTreeSet<String> = attributes(&page, "modulepreload", "href")
        .into_iter()
        .collect();

    // Walk the graph from the page's entry module, as the browser does: `seen` is what
    // loads with the page, `later` what loads on first use (and everything it imports).
    let mut seen = BTreeSet::from([entry.clone()]);
    let mut later = BTreeSet::new();
    let mut todo = VecDeque::from([(entry.clone(), false)]);
    while let Some((url, on_demand)) = todo.pop_front() {
        let resp = get_encoded(&app, &url, "br").await;
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
        assert_eq!(header(&resp, "cache-control"), IMMUTABLE, "{url}");
        assert!(
            header(&resp, "content-type").starts_with("text/javascript"),
            "{url}"
        );
        let encoding = header(&resp, "content-encoding");
        let source = String::from_utf8(decode(&encoding, &resp.bytes().await.unwrap())).unwrap();
        let statically = imports(&source).into_iter().map(|s| (s, on_demand));
        let dynamically = imports_on_demand(&source).into_iter().map(|s| (s, true));
        for (specifier, on_demand) in statically.chain(dynamically) {
            let target = resolve(&url, &specifier);
            assert!(
                is_hashed(&target),
                "{url} imports {specifier}, not a hashed URL"
            );
            let new = if on_demand {
                !seen.contains(&target) && later.insert(target.clone())
            } else {
                seen.insert(target.clone())
            };
            if new {
                todo.push_back((target, on_demand));
            }
        }
    }
    // The first screen is a few bundled files (web/bundle.mjs), not one request per module:
    // over HTTP/1.1 a browser fetches at most six at a time.
    assert!(
        (2..=8).contains(&seen.len()),
        "the first screen loads a few files: {seen:?}"
    );
    // What the first screen does not show loads when first used.
    for part in [
        "room-settings",
        "profile-card",
        "switcher",
        "viewer",
        "emoji-picker",
        "emoji-data",
    ] {
        assert!(
            later.iter().any(|url| {
                url.starts_with(&format!("/static/chat/{part}.")) && !seen.contains(url)
            }),
            "{part} loads on first use: {later:?}"
        );
    }
    // The page's other module is one the entry imports too: one module, evaluated once.
    assert!(
        !early.is_empty() && early.iter().all(|url| seen.contains(url)),
        "{early:?} are imported by {entry}"
    );
    let imported: BTreeSet<String> = seen.into_iter().filter(|url| url != &entry).collect();
    assert_eq!(
        preloaded, imported,
        "the page preloads exactly the modules its entry imports"
    );
}

/// The chat client the server embeds (`templates/static/chat/`) is what `web/bundle.mjs`
/// makes of its sources (`web/chat/`) today: a source edited without bundling again fails
/// here, not in a user's browser.
#[test]
fn the_served_chat_client_is_the_bundle_of_its_sources() {
    // esbuild bundles; the emoji data sets make `emoji-data.js` (web/emoji-data.mjs).
    for package in [
        "esbuild",
        "emojibase-data",
        "cldr-annotations-full",
        "cldr-annotations-derived-full",
    ] {
        if !std::path::Path::new("web/node_modules")
            .join(package)
            .exists()
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "the bundle check needs {package} (npm ci --prefix web)"
            );
            println!("SKIPPED bundle check: {package} is missing (npm ci --prefix web)");
            return;
        }
    }
    let output = std::process::Command::new("node")
        .args(["web/bundle.mjs", "--check"])
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
