//! `/login`, `/register` and `/logout`: plain HTML forms that work without scripts. Each
//! POST carries a CSRF token; success sets the same HttpOnly session cookie the API sets
//! and goes to the chat, failure shows the form again with the localized reason.

use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Form, Query},
};
use serde::Deserialize;

use super::{account_form_page, csrf, form_error, form_forged, redirect, return_to, signed_in};
use crate::{
    actions,
    config::Registration,
    domain::{
        auth::{self, Registrant, SignedIn, sessions},
        push::subscriptions as push_subscriptions,
    },
    http::{
        auth::{device, session_cookie},
        lang,
    },
    state::AppState,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    /// The page to return to after signing in (see `return_to`).
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    username: String,
    display_name: String,
    password: String,
    invite_code: String,
    csrf: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

/// Which form to show and what to put back into it after a failure.
struct FormPage<'a> {
    template: &'static str,
    username: &'a str,
    display_name: &'a str,
    /// Where a successful sign-in goes (a checked local path), carried by the form.
    next: &'a str,
    error: Option<(StatusCode, String)>,
}

fn show(state: &AppState, req: &Request, page: FormPage<'_>) -> poem::Result<Response> {
    account_form_page(state, req, page.template, page.error, |context| {
        context.insert("username", page.username);
        context.insert("display_name", page.display_name);
        context.insert("next", page.next);
        context.insert(
            "registration",
            match state.settings.auth.registration {
                Registration::Open => "open",
                Registration::Invite => "invite",
                Registration::Closed => "closed",
            },
        );
        // "Forgot your password?" leads nowhere on a server that sends no mail.
        context.insert("mail_enabled", &state.mail.enabled());
    })
}

fn signed_in_response(state: &AppState, signed: SignedIn, next: &str) -> Response {
    let max_age = state.auth.policy.max_age.num_seconds();
    let to = return_to::safe(next).unwrap_or("/");
    redirect(to, &[session_cookie(state, &signed.token, max_age)])
}

#[handler]
pub async fn login_page(
    state: Data<&AppState>,
    req: &Request,
    Query(query): Query<LoginQuery>,
) -> poem::Result<Response> {
    let next = return_to::safe(&query.next).unwrap_or_default();
    if signed_in(&state, req).await.is_some() {
        return Ok(redirect(if next.is_empty() { "/" } else { next }, &[]));
    }
    let page = FormPage {
        template: "login.html",
        username: "",
        display_name: "",
        next,
        error: None,
    };
    show(&state, req, page)
}

#[handler]
pub async fn login_submit(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<LoginForm>,
) -> poem::Result<Response> {
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(form_forged(&state, req, None));
    }
    match auth::auth_login(
        &state.db,
        &state.auth,
        &form.username,
        &form.password,
        &device(req),
    )
    .await
    {
        Ok(signed) => Ok(signed_in_response(&state, signed, &form.next)),
        Err(err) => {
            let page = FormPage {
                template: "login.html",
                username: &form.username,
                display_name: "",
                next: return_to::safe(&form.next).unwrap_or_default(),
                error: Some(form_error(&state, req, None, &err)),
            };
            show(&state, req, page)
        }
    }
}

#[handler]
pub async fn register_page(state: Data<&AppState>, req: &Request) -> poem::Result<Response> {
    if signed_in(&state, req).await.is_some() {
        return Ok(redirect("/", &[]));
    }
    let page = FormPage {
        template: "register.html",
        username: "",
        display_name: "",
        next: "",
        error: None,
    };
    show(&state, req, page)
}

#[handler]
pub async fn register_submit(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<RegisterForm>,
) -> poem::Result<Response> {
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(form_forged(&state, req, None));
    }
    // The language the page was read in becomes the account's language.
    let locale = lang::requested(&state.i18n, req).to_string();
    let registrant = Registrant {
        username: &form.username,
        password: &form.password,
        display_name: Some(form.display_name.as_str()).filter(|name| !name.trim().is_empty()),
        invite_code: Some(form.invite_code.as_str()).filter(|code| !code.trim().is_empty()),
        locale: Some(&locale),
    };
    match actions::account_register(&state, registrant, &device(req)).await {
        Ok(signed) => Ok(signed_in_response(&state, signed, "")),
        Err(err) => {
            let page = FormPage {
                template: "register.html",
                username: &form.username,
                display_name: &form.display_name,
                next: "",
                error: Some(form_error(&state, req, None, &err)),
            };
            show(&state, req, page)
        }
    }
}

/// Signs this device out and clears the cookie.
#[handler]
pub async fn logout(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<CsrfForm>,
) -> poem::Result<Response> {
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(form_forged(&state, req, None));
    }
    if let Some((user, session)) = signed_in(&state, req).await {
        sessions::session_revoke(&state.db, user.id, session.id).await?;
        push_subscriptions::subscriptions_of_session_delete(&state.db, session.id).await?;
        actions::sessions_changed(&state, user.id);
    }
    Ok(redirect("/login", &[session_cookie(&state, "", 0)]))
}
