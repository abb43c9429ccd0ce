//! The pages mailed links lead to, and the password-reset forms: `/password-reset`,
//! `/password-reset/confirm`, `/verify-email` and `/unsubscribe`. None needs a session (the
//! link is opened wherever the mail is read). The forms carry CSRF tokens, except the
//! unsubscribe POST: RFC 8058's one-click POST comes from a mail client with nothing but
//! the link, whose token is the proof.

use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Form, Query},
};
use serde::Deserialize;

use super::{account_form_page, csrf, form_error, form_forged};
use crate::{error::AppError, http::auth::device, mailing, state::AppState};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetRequestForm {
    csrf: String,
    email: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetConfirmForm {
    csrf: String,
    token: String,
    new_password: String,
}

/// What the page shows: a form (`reset_request`, `reset_confirm`, `unsubscribe`) or the
/// outcome (`reset_sent`, `reset_done`, `verified`, `unsubscribed`, `failed`, `disabled`).
struct Page<'a> {
    mode: &'static str,
    email: &'a str,
    token: &'a str,
    error: Option<(StatusCode, String)>,
}

fn show(state: &AppState, req: &Request, page: Page<'_>) -> poem::Result<Response> {
    account_form_page(state, req, "email.html", page.error, |context| {
        context.insert("mode", page.mode);
        context.insert("email", page.email);
        context.insert("token", page.token);
    })
}

/// The page for a mail action that needs mail while it is off.
fn disabled(state: &AppState, req: &Request) -> poem::Result<Response> {
    let page = Page {
        mode: "disabled",
        email: "",
        token: "",
        error: Some((StatusCode::CONFLICT, String::new())),
    };
    show(state, req, page)
}

/// The outcome of a link that did not work (unknown, used, expired), or any other failure.
fn failed(state: &AppState, req: &Request, err: &AppError) -> poem::Result<Response> {
    let page = Page {
        mode: "failed",
        email: "",
        token: "",
        error: Some(form_error(state, req, None, err)),
    };
    show(state, req, page)
}

#[handler]
pub async fn reset_page(state: Data<&AppState>, req: &Request) -> poem::Result<Response> {
    if !state.mail.enabled() {
        return disabled(&state, req);
    }
    let page = Page {
        mode: "reset_request",
        email: "",
        token: "",
        error: None,
    };
    show(&state, req, page)
}

#[handler]
pub async fn reset_submit(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<ResetRequestForm>,
) -> poem::Result<Response> {
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(form_forged(&state, req, None));
    }
    if !state.mail.enabled() {
        return disabled(&state, req);
    }
    let result = mailing::password_reset_request(&state, &form.email, device(req).ip).await;
    let page = match result {
        Ok(()) => Page {
            mode: "reset_sent",
            email: &form.email,
            token: "",
            error: None,
        },
        Err(err) => Page {
            mode: "reset_request",
            email: &form.email,
            token: "",
            error: Some(form_error(&state, req, None, &err)),
        },
    };
    show(&state, req, page)
}

#[handler]
pub async fn reset_confirm_page(
    state: Data<&AppState>,
    req: &Request,
    Query(query): Query<TokenQuery>,
) -> poem::Result<Response> {
    if !state.mail.enabled() {
        return disabled(&state, req);
    }
    let page = Page {
        mode: "reset_confirm",
        email: "",
        token: &query.token,
        error: None,
    };
    show(&state, req, page)
}

#[handler]
pub async fn reset_confirm_submit(
    state: Data<&AppState>,
    req: &Request,
    Form(form): Form<ResetConfirmForm>,
) -> poem::Result<Response> {
    if !csrf::verify(&state.auth.csrf, req, &form.csrf) {
        return Ok(form_forged(&state, req, None));
    }
    if !state.mail.enabled() {
        return disabled(&state, req);
    }
    let result =
        mailing::password_reset_confirm(&state, &form.token, &form.new_password, device(req).ip)
            .await;
    let page = match result {
        Ok(()) => Page {
            mode: "reset_done",
            email: "",
            token: "",
            error: None,
        },
        Err(err) => Page {
            mode: "reset_confirm",
            email: "",
            token: &form.token,
            error: Some(form_error(&state, req, None, &err)),
        },
    };
    show(&state, req, page)
}

/// Following a verification link proves the mailbox; nothing else is asked.
#[handler]
pub async fn verify_page(
    state: Data<&AppState>,
    req: &Request,
    Query(query): Query<TokenQuery>,
) -> poem::Result<Response> {
    if !state.mail.enabled() {
        return disabled(&state, req);
    }
    match mailing::email_verify(&state, &query.token, None).await {
        Ok(_) => show(
            &state,
            req,
            Page {
                mode: "verified",
                email: "",
                token: "",
                error: None,
            },
        ),
        Err(err) => failed(&state, req, &err),
    }
}

/// The unsubscribe link opened in a browser: a button, so that link scanners that fetch
/// every link of a mail do not unsubscribe anyone.
#[handler]
pub async fn unsubscribe_page(
    state: Data<&AppState>,
    req: &Request,
    Query(query): Query<TokenQuery>,
) -> poem::Result<Response> {
    let page = Page {
        mode: "unsubscribe",
        email: "",
        token: &query.token,
        error: None,
    };
    show(&state, req, page)
}

/// RFC 8058 one-click unsubscribe (and the page's button): the token in the query is the
/// proof, so there is no session and no CSRF token.
#[handler]
pub async fn unsubscribe_submit(
    state: Data<&AppState>,
    req: &Request,
    Query(query): Query<TokenQuery>,
) -> poem::Result<Response> {
    match mailing::unsubscribe(&state, &query.token).await {
        Ok(()) => show(
            &state,
            req,
            Page {
                mode: "unsubscribed",
                email: "",
                token: "",
                error: None,
            },
        ),
        Err(err) => failed(&state, req, &err),
    }
}
