//! The server-rendered pages over real HTTP: sign-in and register forms with CSRF tokens,
//! the language order (saved preference, `?lang=` / cookie, `Accept-Language`), settings,
//! the chat page's boot data, escaping of user strings.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, TestApp, spawn_app, spawn_app_with},
    on_both_backends,
};

on_both_backends!(
    the_register_form_signs_in_and_opens_the_chat,
    the_register_form_shows_the_registration_limit,
    forms_without_a_valid_token_change_nothing,
    the_login_form_shows_localized_failures,
    the_language_follows_preference_then_switch_then_browser,
    settings_forms_change_the_profile,
    the_settings_page_sets_notification_defaults,
    user_strings_are_escaped_in_pages,
    signing_in_from_a_page_that_asked_returns_to_it,
);

/// A browser: keeps cookies by hand and never follows redirects, so each step is seen.
struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
    accept_language: &'static str,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp, accept_language: &'static str) -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            app,
            client,
            cookies: vec![],
            accept_language,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn keep_cookies(&mut self, resp: &reqwest::Response) {
        for value in resp.headers().get_all(header::SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let resp = self
            .client
            .get(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, self.accept_language)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&resp);
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, resp.text().await.unwrap(), headers)
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let resp = self
            .client
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, self.accept_language)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&resp);
        let (status, headers) = (resp.status(), resp.headers().clone());
        (status, resp.text().await.unwrap(), headers)
    }

    /// Opens a form page and returns its CSRF token.
    async fn token(&mut self, path: &str) -> String {
        let (status, html, _) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {html}");
        field_value(&html, "csrf").expect("the form carries a token")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An attribute value as tera escaped it, read back.
fn unescape(raw: &str) -> String {
    raw.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `value` of the input named `name` (HTML-unescaped).
fn field_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    Some(unescape(html[start..].split('"').next()?))
}

/// The JSON in the chat page's `data-boot` attribute (HTML-unescaped).
fn boot_data(html: &str) -> Value {
    let start = html.find(r#"data-boot=""#).expect("data-boot") + 11;
    let raw = html[start..].split('"').next().unwrap();
    serde_json::from_str(&unescape(raw)).unwrap()
}

async fn the_register_form_signs_in_and_opens_the_chat(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut browser = Browser::new(&app, "en-US");
    let (status, _, headers) = browser.get("/").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login");

    let token = browser.token("/register?lang=fa-IR").await;
    assert_eq!(browser.cookie("anjoman_lang"), Some("fa-IR"));
    let (status, _, headers) = browser
        .post(
            "/register",
            &[
                ("csrf", &token),
                ("username", "نرگس"),
                ("display_name", "Narges N."),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/");
    let session = browser.cookie("anjoman_session").unwrap().to_owned();

    // The page's language became the account's language.
    let me: Value = app.get_json("/api/v1/users/me", &session).await;
    assert_eq!(me["locale"], "fa-IR");
    assert_eq!(me["username"], "نرگس");

    let (status, html, headers) = browser.get("/").await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(html.contains(r#"<html lang="fa-IR" dir="rtl""#), "{html}");
    // By its content-hashed URL (`/static/chat/main.<hash>.js`).
    assert!(html.contains(r#"src="/static/chat/main."#), "{html}");
    let boot = boot_data(&html);
    assert_eq!(boot["me"]["username"], "نرگس");
    assert_eq!(boot["lang"], "fa-IR");
    assert_eq!(boot["dir"], "rtl");
    assert_eq!(boot["calendar"], "persian");
    assert_eq!(boot["limits"]["message_max_chars"], 4000);
    let strings = boot["strings"].as_object().unwrap();
    assert!(strings.len() > 20, "{strings:?}");
    assert!(strings.keys().all(|id| id.starts_with("chat-")));
    // Plurals arrive as one pattern per CLDR category, with the number as a placeholder.
    let plural = strings
        .values()
        .find_map(Value::as_object)
        .expect("at least one plural message");
    assert!(plural.contains_key("one") && plural.contains_key("other"));
    assert!(plural["other"].as_str().unwrap().contains("{count}"));

    // The chat page's script and styles are served with the page's CSP.
    let script = app.get("/static/chat/main.js").await;
    assert_eq!(script.status(), 200);
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));

    // Signing out needs the token too, then the cookie is gone and the session dead.
    let token = browser.token("/settings").await;
    let (status, _, headers) = browser.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login");
    assert_eq!(browser.cookie("anjoman_session"), None);
    assert_eq!(app.me_status(&session).await, 401);
}

async fn the_register_form_shows_the_registration_limit(backend: Backend) {
    let app = spawn_app_with(backend, |figment| {
        figment.merge(("limits.registrations_per_window", 1))
    })
    .await;
    app.account("first").await;

    let mut browser = Browser::new(&app, "fa-IR,fa;q=0.9");
    let token = browser.token("/register").await;
    let (status, html, _) = browser.post("/register", &register_form(&token)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        html.contains(r#"class="form-error" role="alert""#),
        "{html}"
    );
    // The localized limit message (Persian: "too many attempts … try again"), no raw error.
    assert!(html.contains("تلاش‌ها بیش از حد است"), "{html}");
    assert!(!html.contains("rate_limited"), "{html}");
    let login = app.login("mallory", "correct horse battery", "x").await;
    assert_eq!(login.status(), 401, "no account was created");
}

fn register_form(csrf: &str) -> [(&'static str, &str); 3] {
    [
        ("csrf", csrf),
        ("username", "mallory"),
        ("password", "correct horse battery"),
    ]
}

async fn forms_without_a_valid_token_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut victim = Browser::new(&app, "en-US");
    let real = victim.token("/register").await;

    // No token, another browser's token, or a token without its cookie: all refused.
    let mut attacker = Browser::new(&app, "en-US");
    let foreign = attacker.token("/register").await;
    let (status, html, _) = victim.post("/register", &register_form("")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("This form has expired"), "{html}");
    let (status, _, _) = victim.post("/register", &register_form(&foreign)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut cookieless = Browser::new(&app, "en-US");
    let (status, _, _) = cookieless.post("/register", &register_form(&real)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A form posted from another site is refused before the handler by the Origin check.
    let resp = victim
        .client
        .post(app.url("/register"))
        .header(header::COOKIE, victim.cookie_header())
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={}&username=mallory&password=correct+horse+battery",
            urlencode(&real)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let login = app.login("mallory", "correct horse battery", "x").await;
    assert_eq!(login.status(), 401, "no account was created");

    // The real token works.
    let (status, _, _) = victim.post("/register", &register_form(&real)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Signed in, a forged settings post changes nothing either.
    let session = victim.cookie("anjoman_session").unwrap().to_owned();
    let (status, _, _) = victim
        .post(
            "/settings",
            &[
                ("csrf", "forged"),
                ("display_name", "Hacked"),
                ("theme", "dark"),
                ("locale", "en-US"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let me: Value = app.get_json("/api/v1/users/me", &session).await;
    assert_eq!(me["display_name"], "mallory");
}

async fn the_login_form_shows_localized_failures(backend: Backend) {
    let app = spawn_app(backend).await;
    app.account("parisa").await;
    let mut browser = Browser::new(&app, "fa-IR,fa;q=0.9");
    let token = browser.token("/login").await;
    let (status, html, _) = browser
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("username", "parisa"),
                ("password", "wrong password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains(r#"dir="rtl""#));
    assert!(
        html.contains(r#"class="form-error" role="alert""#),
        "{html}"
    );
    // The username stays in the form; the password does not.
    assert!(html.contains(r#"value="parisa""#));
    assert!(!html.contains("wrong password"));
    assert_eq!(browser.cookie("anjoman_session"), None);

    let (status, _, headers) = browser
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("username", "parisa"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/");
    // Signed in, the sign-in page sends you to the chat.
    let (status, _, _) = browser.get("/login").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn the_language_follows_preference_then_switch_then_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    // The browser's language.
    let mut browser = Browser::new(&app, "fa");
    let (_, html, _) = browser.get("/login").await;
    assert!(html.contains(r#"<html lang="fa-IR" dir="rtl""#));
    assert!(html.contains("ورود"));
    // A switch beats it and is remembered by a cookie.
    let (_, html, _) = browser.get("/login?lang=en-US").await;
    assert!(html.contains(r#"<html lang="en-US" dir="ltr""#));
    let (_, html, _) = browser.get("/register").await;
    assert!(html.contains(r#"<html lang="en-US" dir="ltr""#));
    // API errors follow the same choice.
    let resp = app
        .client
        .get(app.url("/api/v1/users/me"))
        .header(header::COOKIE, "anjoman_lang=fa-IR")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let problem: Value = resp.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "{problem}"
    );

    // A signed-in user's saved language beats both.
    let (token, _) = app.account("dariush").await;
    let resp = app
        .authed(reqwest::Method::PATCH, "/api/v1/users/me", &token)
        .json(&serde_json::json!({"locale": "fa-IR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut signed_in = Browser::new(&app, "en-US");
    signed_in.cookies = vec![
        ("anjoman_session".into(), token.clone()),
        ("anjoman_lang".into(), "en-US".into()),
    ];
    let (_, html, _) = signed_in.get("/settings").await;
    assert!(html.contains(r#"<html lang="fa-IR" dir="rtl""#), "{html}");
}

async fn settings_forms_change_the_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = app.account("kaveh").await;
    let mut browser = Browser::new(&app, "en-US");
    browser.cookies = vec![("anjoman_session".into(), session.clone())];
    let token = browser.token("/settings").await;

    let (status, _, headers) = browser
        .post(
            "/settings",
            &[
                ("csrf", &token),
                ("display_name", "Kaveh ✦"),
                ("bio", "چای و کتاب"),
                ("locale", "fa-IR"),
                ("theme", "green"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "sound unticked");
    assert_eq!(headers[header::LOCATION], "/settings?saved=1");
    let me: Value = app.get_json("/api/v1/users/me", &session).await;
    assert_eq!(me["display_name"], "Kaveh ✦");
    assert_eq!(me["bio"], "چای و کتاب");
    assert_eq!(me["locale"], "fa-IR");
    assert_eq!(me["theme"], "green");
    assert_eq!(me["notification_sound"], false);
    let (_, html, _) = browser.get("/settings?saved=1").await;
    assert!(html.contains(r#"data-theme="green""#));
    assert!(html.contains(r#"role="status""#));

    // A bad value is refused with the reason, and nothing changes.
    let (status, html, _) = browser
        .post(
            "/settings",
            &[
                ("csrf", &token),
                ("display_name", "Kaveh"),
                ("locale", "fa-IR"),
                ("theme", "purple"),
                ("notification_sound", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("form-error"), "{html}");
    let me: Value = app.get_json("/api/v1/users/me", &session).await;
    assert_eq!(me["theme"], "green");
    assert_eq!(me["display_name"], "Kaveh ✦");

    // The avatar form: a real PNG, sent as a browser sends the form.
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let boundary = "----anjomanform";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(&png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let resp = browser
        .client
        .post(app.url("/settings/avatar"))
        .header(header::COOKIE, browser.cookie_header())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let me: Value = app.get_json("/api/v1/users/me", &session).await;
    assert!(me["avatar_url"].is_string(), "{me}");
    // Everyone sees it next to the user's messages.
    let general: Vec<Value> = app.get_json("/api/v1/rooms", &session).await;
    let sent: Value = app
        .authed(
            reqwest::Method::POST,
            &format!(
                "/api/v1/rooms/{}/messages",
                general[0]["id"].as_str().unwrap()
            ),
            &session,
        )
        .json(&serde_json::json!({"body": "new face"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["author"]["avatar_url"], me["avatar_url"]);

    // Password: the wrong current one is refused; the right one changes it.
    let (status, html, _) = browser
        .post(
            "/settings/password",
            &[
                ("csrf", &token),
                ("current_password", "not it at all"),
                ("new_password", "a brand new secret"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, _, _) = browser
        .post(
            "/settings/password",
            &[
                ("csrf", &token),
                ("current_password", "correct horse battery"),
                ("new_password", "a brand new secret"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.login("kaveh", "a brand new secret", "x").await.status(),
        200
    );
}

async fn user_strings_are_escaped_in_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = app.account("eve").await;
    let payload = r#"<script>alert(1)</script>"#;
    let resp = app
        .authed(reqwest::Method::PATCH, "/api/v1/users/me", &session)
        .json(
            &serde_json::json!({"display_name": payload, "bio": "\"><img src=x onerror=alert(1)>"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut browser = Browser::new(&app, "en-US");
    browser.cookies = vec![("anjoman_session".into(), session)];
    for path in ["/settings", "/"] {
        let (status, html, _) = browser.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains(payload), "{path} shows the payload raw");
        assert!(!html.contains("<img src=x"), "{path} shows the payload raw");
        assert!(html.contains("&lt;script&gt;"), "{path}: escaped");
    }
}

/// `/admin` and `/settings` send a signed-out visitor to the sign-in form and, once signed
/// in, back where they were; `next` never leads off the site or back to the account pages.
async fn signing_in_from_a_page_that_asked_returns_to_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.account("root").await;
    let mut browser = Browser::new(&app, "en-US");
    let (status, _, headers) = browser.get("/settings").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?next=%2Fsettings");
    let (status, _, headers) = browser.get("/admin?q=ali").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let login = headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(login, "/login?next=%2Fadmin%3Fq%3Dali");

    let (status, html, _) = browser.get(&login).await;
    assert_eq!(status, 200);
    let next = field_value(&html, "next").expect("the form carries next");
    assert_eq!(next, "/admin?q=ali");
    let token = field_value(&html, "csrf").unwrap();
    let sign_in = |next: String| {
        [
            ("csrf", token.clone()),
            ("username", "root".to_owned()),
            ("password", "correct horse battery".to_owned()),
            ("next", next),
        ]
    };
    // A wrong password keeps `next` in the form shown again.
    let mut wrong = sign_in(next.clone());
    wrong[2].1 = "not the password".to_owned();
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html, _) = browser.post("/login", &wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(field_value(&html, "next").as_deref(), Some("/admin?q=ali"));

    let form = sign_in(next);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, headers) = browser.post("/login", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin?q=ali");
    let (status, html, _) = browser.get("/admin?q=ali").await;
    assert_eq!(status, 200, "{html}");
    // Signed in already: the sign-in page goes straight on.
    let (status, _, headers) = browser.get("/login?next=%2Fsettings").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/settings");

    // Another site, a scheme-relative address or the account pages are never followed.
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/logout",
        "/\\evil.example",
    ] {
        let mut fresh = Browser::new(&app, "en-US");
        let (_, html, _) = fresh.get(&format!("/login?next={}", urlencode(evil))).await;
        assert!(field_value(&html, "next").is_none(), "{evil}");
        let token = fresh.token("/login").await;
        let form = [
            ("csrf", token.as_str()),
            ("username", "root"),
            ("password", "correct horse battery"),
            ("next", evil),
        ];
        let (status, _, headers) = fresh.post("/login", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{evil}");
        assert_eq!(headers[header::LOCATION], "/", "{evil}");
    }
}

/// The settings page's notification section saves what the REST preferences hold (level,
/// highlight words a line each, quiet hours, what alerts show), shows it back in Persian,
/// and refuses bad quiet hours with the reason, changing nothing.
async fn the_settings_page_sets_notification_defaults(backend: Backend) {
    let app = spawn_app(backend).await;
    let (session, _) = app.account("kaveh").await;
    let mut browser = Browser::new(&app, "fa-IR");
    browser.cookies = vec![("anjoman_session".into(), session.clone())];
    let token = browser.token("/settings").await;
    let (_, html, _) = browser.get("/settings").await;
    assert!(
        html.contains(r#"action="/settings/notifications""#),
        "{html}"
    );
    assert!(html.contains("اعلان‌ها"), "the section is in Persian");
    assert!(
        html.contains(r#"value="mentions" checked"#),
        "the default level is checked"
    );

    let (status, _, headers) = browser
        .post(
            "/settings/notifications",
            &[
                ("csrf", &token),
                ("level", "all"),
                ("keywords", "کاوه\r\n release \r\n\r\n"),
                ("quiet", "on"),
                ("quiet_start", "23:00"),
                ("quiet_end", "07:30"),
                ("show_content", "room_only"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "/settings?saved=1#notifications-title"
    );
    let prefs: Value = app
        .get_json("/api/v1/notifications/preferences", &session)
        .await;
    assert_eq!(
        prefs,
        json!({
            "level": "all",
            "keywords": ["کاوه", "release"],
            "quiet_hours": { "start": "23:00", "end": "07:30" },
            "show_content": "room_only",
            "email_missed": true,
        })
    );
    let (_, html, _) = browser.get("/settings?saved=1").await;
    assert!(html.contains(r#"value="all" checked"#), "{html}");
    assert!(html.contains("کاوه\nrelease</textarea>"), "{html}");
    assert!(html.contains(r#"value="23:00""#), "{html}");

    // Quiet hours that start and end at once: refused with the reason, nothing changes.
    let (status, html, _) = browser
        .post(
            "/settings/notifications",
            &[
                ("csrf", &token),
                ("level", "nothing"),
                ("quiet", "on"),
                ("quiet_start", "08:00"),
                ("quiet_end", "08:00"),
                ("show_content", "full"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("form-error"), "{html}");
    let after: Value = app
        .get_json("/api/v1/notifications/preferences", &session)
        .await;
    assert_eq!(after, prefs);
}
