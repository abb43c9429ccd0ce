//! `/settings`: profile (display name, bio), language, theme, sound, avatar and password,
//! as HTML forms with CSRF tokens. Every change goes through the same domain functions
//! as `PATCH /api/v1/users/me`, so the checks and limits are the API's.

use entity::users;
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Form, Multipart, Query},
};
use serde::Deserialize;

use super::{
    csrf::{self, CSRF_FIELD},
    page_context, redirect, render_page, signed_in,
};
use crate::{
    actions,
    domain::{
        auth,
        notifications::{
            Level,
            prefs::{self, Preferences, ShowContent},
        },
        users::{self as domain_users, ProfileChanges, avatar},
    },
    error::{AppError, ErrorCode},
    http::auth::secure_cookies,
    mailing,
    state::AppState,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    csrf: String,
    display_name: String,
    bio: String,
    locale: String,
    theme: String,
    /// An IANA name; empty clears it.
    timezone: String,
    /// A checkbox: present ("on") when ticked.
    notification_sound: Option<String>,
    /// Empty removes it.
    email: String,
    /// A checkbox: the missed-activity mail.
    email_missed: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
}

/// The notification defaults: level, highlight words (one a line), quiet hours, and what
/// an alert shows. The e-mail switch is the profile form's.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NotificationsForm {
    csrf: String,
    level: String,
    keywords: String,
    /// A checkbox: present ("on") when quiet hours are on.
    quiet: Option<String>,
    quiet_start: String,
    quiet_end: String,
    show_content: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    saved: Option<String>,
}

/// A failure to show on the page, next to the form it came from.
struct Failure {
    form: &'static str,
    status: StatusCode,
    message: String,
}

async fn show(
    state: &AppState,
    req: &Request,
    user: &users::Model,
    saved: bool,
    failure: Option<Failure>,
) -> poem::Result<Response> {
    let (lang, mut context) = page_context(state, req, Some(user), "settings-");
    let notify = prefs::preferences_get(&state.db, user.id)
        .await
        .map_err(poem::Error::from)?;
    context.insert("notify_level", notify.level.as_str());
    context.insert("notify_keywords", &notify.keywords.join("\n"));
    context.insert("notify_quiet", &notify.quiet_hours.is_some());
    let quiet = notify.quiet_hours.map(|q| {
        (
            q.start.format("%H:%M").to_string(),
            q.end.format("%H:%M").to_string(),
        )
    });
    let (quiet_start, quiet_end) =
        quiet.unwrap_or_else(|| ("22:00".to_owned(), "07:00".to_owned()));
    context.insert("notify_quiet_start", &quiet_start);
    context.insert("notify_quiet_end", &quiet_end);
    context.insert("notify_show_content", notify.show_content.as_str());
    let token = csrf::issue(&state.auth.csrf, req, secure_cookies(state));
    context.insert("csrf", &token.token);
    context.insert("csrf_field", CSRF_FIELD);
    context.insert("display_name", &user.display_name);
    context.insert("username", &user.username);
    context.insert("bio", &user.bio);
    context.insert("user_theme", &user.theme);
    context.insert("sound", &user.notification_sound);
    context.insert("email", user.email.as_deref().unwrap_or(""));
    context.insert("email_verified", &user.email_verified_at.is_some());
    context.insert("email_missed", &user.email_missed);
    context.insert("mail_enabled", &state.mail.enabled());
    context.insert("timezone", user.timezone.as_deref().unwrap_or(""));
    context.insert(
        "timezones",
        &crate::domain::users::profile::timezone_names(),
    );
    context.insert(
        "avatar_url",
        &crate::domain::views::avatar_url(user).unwrap_or_default(),
    );
    context.insert("languages", &super::languages(state, &lang));
    context.insert("themes", &crate::domain::users::profile::THEMES);
    context.insert("saved", &saved);
    let status = failure.as_ref().map_or(StatusCode::OK, |f| f.status);
    context.insert("error_form", failure.as_ref().map_or("", |f| f.form));
    context.insert("error", failure.as_ref().map_or("", |f| f.message.as_str()));
    let cookies: Vec<String> = token.set_cookie.into_iter().collect();
    render_page(state, "settings.html", &lang, context, status, &cookies)
}

/// The signed-in user, or the way to the login page.
async fn require_user(state: &AppState, req: &Request) -> Result<users::Model, Response> {
    match signed_in(state, req).await {
        Some((user, _)) => Ok(user),
        None => Err(redirect(&super::return_to::login_url(req), &[])),
    }
}

fn failure(
    state: &AppState,
    req: &Request,
    user: &users::Model,
    form: &'static str,
    err: &AppError,
) -> Failure {
    let (status, message) = super::form_error(state, req, Some(user), err);
    Failure {
        form,
        status,
        message,
    }
}

#[handler]
pub async fn page(
    state: Data<&AppState>,
    req: &Request,
    Query(query): Query<SettingsQuery>,
) -> poem::Result<Response> {
    let user = match require_user(&state, req).await {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    show(&state, req, &user, query.saved.is_some(), None).await
}

#[handler]
pub async fn save_profile(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<ProfileForm>,
) -> poem::Result<Response> {
    let user = match require_user(&state, req).await {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(super::form_forged(&state, req, Some(&user)));
    }
    let changes = ProfileChanges {
        display_name: Some(form.display_name),
        bio: Some(form.bio),
        locale: Some(form.locale),
        theme: Some(form.theme),
        notification_sound: Some(form.notification_sound.is_some()),
        email: Some(Some(form.email)),
        timezone: Some(Some(form.timezone)),
        // The switch is disabled (so never sent) while mail is off: leave it as it is.
        email_missed: state.mail.enabled().then_some(form.email_missed.is_some()),
    };
    let saved = match domain_users::user_update_profile(&state.db, user.clone(), changes).await {
        Ok(saved) => mailing::email_changed(&state, user.email.as_deref(), &saved).await,
        Err(err) => Err(err),
    };
    match saved {
        Ok(()) => Ok(redirect("/settings?saved=1", &[])),
        Err(err) => {
            let failed = failure(&state, req, &user, "profile", &err);
            show(&state, req, &user, false, Some(failed)).await
        }
    }
}

/// The avatar form: `multipart/form-data` with the token first, then the picture.
#[handler]
pub async fn save_avatar(
    state: Data<&AppState>,
    req: &Request,
    mut multipart: Multipart,
) -> poem::Result<Response> {
    let user = match require_user(&state, req).await {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let mut token_ok = false;
    let mut remove = false;
    let mut picture = None;
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some(CSRF_FIELD) => {
                token_ok = csrf::verify(&state.auth.csrf, req, &field.text().await?)
            }
            Some("remove") => remove = true,
            Some("avatar") if token_ok => picture = Some(field.bytes().await?),
            _ => {}
        }
    }
    if !token_ok {
        return Ok(super::form_forged(&state, req, Some(&user)));
    }
    let storage = state.files.storage();
    let result = match picture.filter(|bytes| !bytes.is_empty()) {
        _ if remove => avatar::avatar_remove(&state.db, storage, user.clone())
            .await
            .map(|_| ()),
        Some(bytes) => {
            let processed =
                avatar::avatar_prepare(state.files.decode_budget(), bytes.to_vec()).await;
            match processed {
                Ok(processed) => avatar::avatar_set(&state.db, storage, user.clone(), processed)
                    .await
                    .map(|_| ()),
                Err(err) => Err(err),
            }
        }
        None => Err(AppError::Invalid {
            code: ErrorCode::FileMissing,
            args: vec![],
        }),
    };
    match result {
        Ok(()) => Ok(redirect("/settings?saved=1", &[])),
        Err(err) => {
            let failed = failure(&state, req, &user, "avatar", &err);
            show(&state, req, &user, false, Some(failed)).await
        }
    }
}

#[handler]
pub async fn save_password(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let Some((user, session)) = signed_in(&state, req).await else {
        return Ok(redirect("/login", &[]));
    };
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(super::form_forged(&state, req, Some(&user)));
    }
    let changed = auth::auth_password_change(
        &state.db,
        &state.auth,
        &user,
        session.id,
        &form.current_password,
        &form.new_password,
    )
    .await;
    match changed {
        Ok(()) => {
            actions::sessions_changed(&state, user.id);
            Ok(redirect("/settings?saved=1", &[]))
        }
        Err(err) => {
            let failed = failure(&state, req, &user, "password", &err);
            show(&state, req, &user, false, Some(failed)).await
        }
    }
}

#[handler]
pub async fn save_notifications(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<NotificationsForm>,
) -> poem::Result<Response> {
    let user = match require_user(&state, req).await {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(super::form_forged(&state, req, Some(&user)));
    }
    // A choice that is not one of the form's own is a forged or stale form.
    let (Some(level), Some(show_content)) = (
        Level::parse(&form.level),
        ShowContent::parse(&form.show_content),
    ) else {
        return Err(AppError::BadRequest("unknown notification choice".to_owned()).into());
    };
    let keywords: Vec<String> = form
        .keywords
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    let quiet = form
        .quiet
        .is_some()
        .then_some((form.quiet_start.as_str(), form.quiet_end.as_str()));
    let saved = async {
        let preferences =
            Preferences::parse(level, &keywords, quiet, show_content, user.email_missed)?;
        prefs::preferences_put(&state.db, user.id, &preferences, state.clock.now()).await
    }
    .await;
    match saved {
        Ok(()) => Ok(redirect("/settings?saved=1#notifications-title", &[])),
        Err(err) => {
            let failed = failure(&state, req, &user, "notifications", &err);
            show(&state, req, &user, false, Some(failed)).await
        }
    }
}
