//! Server-rendered pages: the handlers and what they share. Templates and static files
//! are drawn by `render`.

pub mod account;
pub mod admin;
pub mod app_shell;
pub mod chat;
pub mod csrf;
pub mod email;
pub mod return_to;
pub mod settings;
pub mod strings;

use entity::{sessions, users};
use poem::{
    IntoResponse, Response,
    error::ResponseError,
    http::{HeaderValue, StatusCode, header},
    web::Html,
};
use tera::Context;
use unic_langid::LanguageIdentifier;

use crate::{
    http::{
        auth::{secure_cookies, token_from},
        lang,
    },
    state::AppState,
};

/// The user and session behind the request's token or session cookie, if any.
pub async fn signed_in(
    state: &AppState,
    req: &poem::Request,
) -> Option<(users::Model, sessions::Model)> {
    let token = token_from(req)?;
    state.auth.authenticate(&state.db, token).await.ok()
}

/// A page's language and the context every page starts from: the strings of its Fluent
/// group as `t`, the theme and the calendar.
pub fn page_context(
    state: &AppState,
    req: &poem::Request,
    user: Option<&users::Model>,
    group: &str,
) -> (LanguageIdentifier, Context) {
    let lang = lang::for_page(&state.i18n, req, user);
    let mut context = Context::new();
    context.insert("t", &strings::page_strings(&state.i18n, &lang, group));
    context.insert("theme", user.map_or("auto", |user| user.theme.as_str()));
    context.insert(
        "calendar",
        if lang.language.as_str() == "fa" {
            state.settings.ui.persian_calendar.unicode_name()
        } else {
            "gregory"
        },
    );
    (lang, context)
}

/// Renders a page; a template error is an internal error (its details go to the log).
pub fn render_page(
    state: &AppState,
    name: &str,
    lang: &LanguageIdentifier,
    context: Context,
    status: StatusCode,
    cookies: &[String],
) -> poem::Result<Response> {
    let html = state
        .templates
        .render(name, &state.i18n, lang, context)
        .map_err(|err| crate::error::AppError::Internal(err.into()))?;
    let mut response = Html(html).with_status(status).into_response();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    // Pages show private data and carry form tokens: never from a shared cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Draws a signed-out form page (the `account-` strings): a fresh form token (its field
/// and cookie), the language switch, the failure if there is one (its status and reason,
/// as `error`), and whatever `fill` adds for this page.
pub fn account_form_page(
    state: &AppState,
    req: &poem::Request,
    template: &str,
    failure: Option<(StatusCode, String)>,
    fill: impl FnOnce(&mut Context),
) -> poem::Result<Response> {
    let (lang, mut context) = page_context(state, req, None, "account-");
    let token = csrf::issue(&state.auth.csrf, req, secure_cookies(state));
    context.insert("csrf", &token.token);
    context.insert("csrf_field", csrf::CSRF_FIELD);
    context.insert("languages", &languages(state, &lang));
    let (status, error) = failure.unwrap_or((StatusCode::OK, String::new()));
    context.insert("error", &error);
    fill(&mut context);
    let cookies: Vec<String> = token
        .set_cookie
        .into_iter()
        .chain(lang::switch_cookie(&state.i18n, req))
        .collect();
    render_page(state, template, &lang, context, status, &cookies)
}

/// Every language by its own name, and whether it is `lang` (the switch and the picker).
pub fn languages(state: &AppState, lang: &LanguageIdentifier) -> Vec<(String, String, bool)> {
    state
        .i18n
        .available()
        .iter()
        .map(|available| {
            let name = state.i18n.message(available, "language-name", None, None);
            (available.to_string(), name, available == lang)
        })
        .collect()
}

/// Why a form failed, as its status and the localized reason.
pub fn form_error(
    state: &AppState,
    req: &poem::Request,
    user: Option<&users::Model>,
    err: &crate::error::AppError,
) -> (StatusCode, String) {
    let lang = lang::for_page(&state.i18n, req, user);
    (err.status(), err.to_problem(&state.i18n, &lang).detail)
}

/// A form posted without a valid CSRF token: a localized 403 page that says to reload.
pub fn form_forged(state: &AppState, req: &poem::Request, user: Option<&users::Model>) -> Response {
    let lang = lang::for_page(&state.i18n, req, user);
    tracing::info!("form refused: CSRF token missing or wrong");
    state
        .templates
        .message_page(&state.i18n, &lang, StatusCode::FORBIDDEN, "page-csrf", "")
}

/// `303 See Other` to `location`, with cookies.
pub fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut response = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .finish();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{i18n::I18n, render::Templates};

    #[test]
    fn every_page_renders_in_both_languages() -> Result<(), Box<dyn std::error::Error>> {
        // Tera refuses an undefined `t.key`, so rendering proves each key exists.
        let templates = Templates::load()?;
        let i18n = I18n::load()?;
        for lang in i18n.available() {
            for (name, group) in [
                ("login.html", "account-"),
                ("register.html", "account-"),
                ("settings.html", "settings-"),
                ("email.html", "account-"),
            ] {
                let mut context = Context::new();
                context.insert("t", &strings::page_strings(&i18n, lang, group));
                for key in [
                    "csrf",
                    "csrf_field",
                    "username",
                    "display_name",
                    "error",
                    "error_form",
                    "bio",
                    "user_theme",
                    "avatar_url",
                    "current_locale",
                    "timezone",
                ] {
                    context.insert(key, "");
                }
                context.insert("registration", "invite");
                context.insert("languages", &Vec::<(String, String, bool)>::new());
                context.insert("themes", &crate::domain::users::profile::THEMES);
                context.insert("timezones", &["Asia/Tehran"]);
                context.insert("saved", &true);
                context.insert("sound", &true);
                context.insert("email", "");
                context.insert("email_verified", &false);
                context.insert("email_missed", &true);
                context.insert("mail_enabled", &false);
                context.insert("notify_level", "mentions");
                context.insert("notify_keywords", "کاوه\nrelease");
                context.insert("notify_quiet", &true);
                context.insert("notify_quiet_start", "22:00");
                context.insert("notify_quiet_end", "07:00");
                context.insert("notify_show_content", "full");
                context.insert("token", "");
                context.insert("mode", "reset_request");
                let html = templates.render(name, &i18n, lang, context.clone())?;
                assert!(html.contains(&format!(r#"lang="{lang}""#)), "{name}");
                if name == "email.html" {
                    // Every mode of the mail pages.
                    for mode in [
                        "reset_confirm",
                        "reset_sent",
                        "reset_done",
                        "verified",
                        "unsubscribe",
                        "unsubscribed",
                        "disabled",
                        "failed",
                    ] {
                        context.insert("mode", mode);
                        templates.render(name, &i18n, lang, context.clone())?;
                    }
                }
            }
        }
        Ok(())
    }
}
