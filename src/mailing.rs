//! Mail actions, shared by the REST API and the pages: queue the verification mail when an
//! address is set, verify it, password reset, unsubscribe, the missed-activity mail's entry
//! point, and the outbox worker's delivery round. Requests only queue rows (then ring the
//! worker); the worker alone talks to the SMTP server.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entity::users;
use fluent::FluentArgs;
use sea_orm::{ConnectionTrait, TransactionTrait};
use unic_langid::LanguageIdentifier;
use uuid::Uuid;

use crate::{
    actions,
    domain::{
        audit,
        auth::{self as domain_auth},
        mail::{
            self as domain_mail, MailKind,
            compose::{self, Letter, MissedItem},
            outbox::{self, NewMail},
            tokens::{self, Purpose},
        },
        messages::thread,
        notifications::{
            digest, inbox,
            prefs::{ShowContent, preferences_get},
            scheduled_reason_id,
        },
        rooms::kinds::RoomKind,
        users::{self as domain_users, profile::parse_email},
        views::NotificationView,
    },
    error::{AppError, AppResult, ErrorCode},
    i18n::{DEFAULT_LOCALE, localize_digits},
    infra::smtp::Outgoing,
    state::AppState,
};

/// Mails taken per round; a full round is followed by another at once.
const ROUND: u64 = 20;

/// `mail.disabled` unless an SMTP server is configured.
pub fn require_enabled(state: &AppState) -> AppResult<()> {
    if state.mail.enabled() {
        Ok(())
    } else {
        Err(AppError::Conflict(ErrorCode::MailDisabled))
    }
}

/// The language a user's mail is written in: theirs, else the default.
fn language_of(state: &AppState, user: &users::Model) -> LanguageIdentifier {
    user.locale
        .as_deref()
        .and_then(|locale| locale.parse::<LanguageIdentifier>().ok())
        .filter(|lang| state.i18n.available().contains(lang))
        .unwrap_or(DEFAULT_LOCALE)
}

async fn queue(
    state: &AppState,
    user: &users::Model,
    to: &str,
    kind: MailKind,
    letter: Letter,
    headers: Vec<(String, String)>,
) -> AppResult<()> {
    queue_in(state, &state.db, user, to, kind, letter, headers).await?;
    state.mail.wake();
    Ok(())
}

/// [`queue`] inside the caller's transaction, which rings the worker after committing.
async fn queue_in(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &users::Model,
    to: &str,
    kind: MailKind,
    letter: Letter,
    headers: Vec<(String, String)>,
) -> AppResult<()> {
    let mail = NewMail {
        user_id: Some(user.id),
        to: to.to_owned(),
        kind,
        subject: letter.subject,
        text: letter.text,
        html: letter.html,
        headers,
    };
    outbox::outbox_enqueue(db, mail, state.clock.now()).await?;
    Ok(())
}

/// After a profile change: if the address changed to one not yet verified, mail a link
/// to it (replacing any earlier link). Nothing is mailed while mail is off, or while the
/// address has had its share of mail for now (the resend endpoint says so): the address is
/// kept, unverified.
pub async fn email_changed(
    state: &AppState,
    old_email: Option<&str>,
    user: &users::Model,
) -> AppResult<()> {
    if user.email.as_deref() == old_email || !state.mail.enabled() {
        return Ok(());
    }
    match verification_queue(state, user).await {
        Err(AppError::RateLimited { .. }) => {
            tracing::info!(user.id = %user.id, "verification mail not sent: address over its budget");
            Ok(())
        }
        other => other,
    }
}

/// Mails a verification link to the user's address, if it has one that is not verified.
/// Each address gets at most `mail.resets_per_window` of them per window, so the form
/// cannot be used to flood someone else's mailbox.
async fn verification_queue(state: &AppState, user: &users::Model) -> AppResult<()> {
    let Some(address) = user.email.as_deref() else {
        return Ok(());
    };
    if user.email_verified_at.is_some() {
        return Ok(());
    }
    state
        .limits
        .verification_mail(address)
        .await
        .map_err(AppError::rate_limited)?;
    let now = state.clock.now();
    let ttl_secs = state.settings.mail.verify_ttl_secs;
    tokens::tokens_retire(&state.db, Purpose::VerifyEmail, user.id, now).await?;
    let token = tokens::token_issue(
        &state.db,
        Purpose::VerifyEmail,
        user.id,
        Some(address),
        now,
        Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 1000)),
    )
    .await?;
    let link = state.mail.link(&format!("/verify-email?token={token}"));
    let letter = compose::verify_email(
        &state.i18n,
        &language_of(state, user),
        &user.display_name,
        address,
        &link,
        ttl_secs.div_ceil(3600),
    );
    queue(state, user, address, MailKind::VerifyEmail, letter, vec![]).await
}

/// Follows a verification link. With `caller`, the link must be for the caller's account.
pub async fn email_verify(
    state: &AppState,
    token: &str,
    caller: Option<&users::Model>,
) -> AppResult<users::Model> {
    require_enabled(state)?;
    let now = state.clock.now();
    let found = tokens::token_peek(&state.db, Purpose::VerifyEmail, token, now).await?;
    if caller.is_some_and(|user| user.id != found.user_id) {
        return Err(AppError::Invalid {
            code: ErrorCode::MailTokenInvalid,
            args: vec![],
        });
    }
    let found = tokens::token_consume(&state.db, Purpose::VerifyEmail, token, now).await?;
    let address = found.email.unwrap_or_default();
    if !domain_mail::email_mark_verified(&state.db, found.user_id, &address, now).await? {
        // The account has another address now (or none): this link proves nothing.
        return Err(AppError::Invalid {
            code: ErrorCode::MailTokenInvalid,
            args: vec![],
        });
    }
    tracing::info!(user.id = %found.user_id, "e-mail address verified");
    domain_users::user_get_by_id(&state.db, found.user_id).await
}

/// Mails a fresh verification link to the caller's unverified address.
pub async fn email_verification_resend(state: &AppState, user: &users::Model) -> AppResult<()> {
    require_enabled(state)?;
    if user.email.is_none() {
        return Err(AppError::Conflict(ErrorCode::MailNoAddress));
    }
    verification_queue(state, user).await
}

/// "I forgot my password": a reset link to every account whose verified address this is.
/// The answer is the same whether there is one or not; both budgets are charged either way.
pub async fn password_reset_request(
    state: &AppState,
    address: &str,
    ip: Option<IpAddr>,
) -> AppResult<()> {
    require_enabled(state)?;
    let address = parse_email(address)?;
    state
        .limits
        .password_reset(ip, &address)
        .await
        .map_err(AppError::rate_limited)?;
    let now = state.clock.now();
    let ttl_secs = state.settings.mail.reset_ttl_secs;
    for user in domain_mail::users_by_verified_email(&state.db, &address).await? {
        tokens::tokens_retire(&state.db, Purpose::PasswordReset, user.id, now).await?;
        let token = tokens::token_issue(
            &state.db,
            Purpose::PasswordReset,
            user.id,
            None,
            now,
            Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 1000)),
        )
        .await?;
        let link = state
            .mail
            .link(&format!("/password-reset/confirm?token={token}"));
        let letter = compose::password_reset(
            &state.i18n,
            &language_of(state, &user),
            &user.display_name,
            &user.username,
            &link,
            ttl_secs.div_ceil(60),
        );
        let to = user.email.clone().unwrap_or_default();
        queue(state, &user, &to, MailKind::PasswordReset, letter, vec![]).await?;
        audit::audit_record(
            &state.db,
            audit::Actor { user: None, ip },
            audit::Entry {
                action: "auth.password_reset_requested",
                target: Some(("user", user.id.to_string())),
                reason: "",
                data: serde_json::json!({}),
            },
        )
        .await?;
    }
    Ok(())
}

/// Sets a new password with a reset link: the link is used up, every session ends.
pub async fn password_reset_confirm(
    state: &AppState,
    token: &str,
    new_password: &str,
    ip: Option<IpAddr>,
) -> AppResult<()> {
    require_enabled(state)?;
    let now = state.clock.now();
    let found = tokens::token_peek(&state.db, Purpose::PasswordReset, token, now).await?;
    let user = domain_users::user_get_by_id(&state.db, found.user_id).await?;
    // The rules first, so a refused password does not use the link up.
    domain_auth::password_check(&user, new_password)?;
    tokens::token_consume(&state.db, Purpose::PasswordReset, token, now).await?;
    let ended =
        domain_auth::auth_password_reset(&state.db, &state.auth, &user, new_password).await?;
    tokens::tokens_retire(&state.db, Purpose::PasswordReset, user.id, now).await?;
    audit::audit_record(
        &state.db,
        audit::Actor {
            user: Some(user.id),
            ip,
        },
        audit::Entry {
            action: "auth.password_reset",
            target: Some(("user", user.id.to_string())),
            reason: "",
            data: serde_json::json!({ "sessions_ended": ended }),
        },
    )
    .await?;
    actions::sessions_changed(state, user.id);
    Ok(())
}

/// The one-click unsubscribe: turns the token's user's missed-activity mail off.
pub async fn unsubscribe(state: &AppState, token: &str) -> AppResult<()> {
    let user_id = state
        .mail
        .links
        .unsubscribe_user(token)
        .ok_or(AppError::Invalid {
            code: ErrorCode::MailTokenInvalid,
            args: vec![],
        })?;
    domain_mail::email_missed_set(&state.db, user_id, false).await?;
    tracing::info!(user.id = %user_id, "missed-activity mail unsubscribed");
    Ok(())
}

/// Queues the missed-activity mail telling `user` of `items`, in the caller's transaction
/// `db`. `false` when it may not be sent: mail is off, the address is unverified, or they
/// unsubscribed. It carries RFC 8058 one-click unsubscribe headers and the same link in
/// its footer.
async fn missed_queue(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &users::Model,
    items: Vec<MissedItem>,
) -> AppResult<bool> {
    if !state.mail.enabled() || !domain_mail::may_receive_missed(user) || items.is_empty() {
        return Ok(false);
    }
    let unsubscribe = state.mail.link(&format!(
        "/unsubscribe?token={}",
        state.mail.links.unsubscribe_token(user.id)
    ));
    let letter = compose::missed(
        &state.i18n,
        &language_of(state, user),
        &user.display_name,
        items,
        &state.mail.link("/"),
        &unsubscribe,
    );
    let headers = vec![
        ("List-Unsubscribe".to_owned(), format!("<{unsubscribe}>")),
        (
            "List-Unsubscribe-Post".to_owned(),
            "List-Unsubscribe=One-Click".to_owned(),
        ),
    ];
    let to = user.email.clone().unwrap_or_default();
    queue_in(state, db, user, &to, MailKind::Missed, letter, headers).await?;
    Ok(true)
}

/// People whose digest one round considers; a full round is followed by another at once.
const DIGEST_ROUND: u64 = 50;
/// Full rounds one tick of the mail worker runs at most.
const DIGEST_ROUNDS_PER_TICK: usize = 20;

/// One missed-activity round of this node: everyone with a notification unread for
/// `mail.missed_delay_secs` gets one mail of all their waiting notifications. Each
/// person's rows are claimed and their mail queued in one transaction, so a crash loses
/// neither, and of two nodes only one mails them. Returns how many mails were queued.
pub async fn digests_due(state: &AppState) -> usize {
    let delay = Duration::seconds(
        i64::try_from(state.settings.mail.missed_delay_secs).unwrap_or(i64::MAX / 1000),
    );
    let mut queued = 0;
    // Bounded: people whose mail keeps failing (or whom another node holds) stay due, and
    // must not keep this round spinning; the next tick goes on where this one stopped.
    for _ in 0..DIGEST_ROUNDS_PER_TICK {
        let now = state.clock.now();
        let people = match digest::digest_due(&state.db, now - delay, DIGEST_ROUND).await {
            Ok(people) => people,
            Err(err) => {
                tracing::warn!(error = %err, "missed-activity round failed");
                return queued;
            }
        };
        for user_id in &people {
            match digest_one(state, *user_id, now).await {
                Ok(true) => queued += 1,
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(user.id = %user_id, error = %err, "missed-activity mail failed");
                }
            }
        }
        if (people.len() as u64) < DIGEST_ROUND {
            break;
        }
    }
    if queued > 0 {
        state.mail.wake();
    }
    queued
}

/// Claims `user_id`'s waiting notifications and queues their mail, in one transaction.
async fn digest_one(state: &AppState, user_id: Uuid, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = state.db.begin().await?;
    let Some(rows) = digest::digest_claim(&txn, user_id, now).await? else {
        // Another node is mailing them; it has the rows.
        txn.rollback().await?;
        return Ok(false);
    };
    let user = domain_users::user_get_by_id(&txn, user_id).await?;
    let queued = if rows.is_empty() || !domain_mail::may_receive_missed(&user) {
        false
    } else {
        let show_text = preferences_get(&txn, user_id).await?.show_content == ShowContent::Full;
        let lang = language_of(state, &user);
        let items = inbox::views(&txn, rows)
            .await?
            .iter()
            .map(|view| missed_item(state, &lang, view, show_text))
            .collect();
        missed_queue(state, &txn, &user, items).await?
    };
    txn.commit().await?;
    Ok(queued)
}

/// Characters of a message shown in the mail; the link leads to the rest.
const EXCERPT_CHARS: usize = 280;

/// One line of the mail: where, who and what (or only where, for those who asked their
/// notifications not to show messages), with a link that opens the room at the message.
/// A scheduled message not sent is told with its reason, whatever they asked: it is their
/// own text that is not shown.
fn missed_item(
    state: &AppState,
    lang: &LanguageIdentifier,
    view: &NotificationView,
    show_text: bool,
) -> MissedItem {
    let room = (view.room.kind != RoomKind::Direct.as_str()).then(|| view.room.name.clone());
    let Some(message) = &view.message else {
        let reason = state.i18n.message(
            lang,
            scheduled_reason_id(view.error_code.as_deref().unwrap_or_default()),
            None,
            None,
        );
        let mut args = FluentArgs::new();
        args.set("reason", reason);
        let line = state
            .i18n
            .message(lang, "mail-missed-scheduled-failed", None, Some(&args));
        return MissedItem {
            room,
            content: Some((String::new(), localize_digits(lang, &line))),
            url: state.mail.link(&format!("/#room={}", view.room.id)),
        };
    };
    let author = message
        .author
        .as_ref()
        .map(|author| author.display_name.clone())
        .unwrap_or_default();
    MissedItem {
        room,
        content: show_text.then(|| (author, excerpt_of(&message.body))),
        url: state.mail.link(&thread::page_address(
            view.room.id,
            message.id,
            message.seq,
            message.thread_id,
            message.also_to_room,
        )),
    }
}

/// The start of a message's text, on one line.
fn excerpt_of(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// Sent mail is kept this long (for looking into a complaint), then deleted.
const KEEP_SENT_DAYS: i64 = 30;

/// Deletes sent mail older than [`KEEP_SENT_DAYS`] and expired link tokens. Any node may
/// run it at any time: it only removes what can never be used again.
pub async fn prune(state: &AppState) {
    let now = state.clock.now();
    let sent = outbox::outbox_prune(&state.db, now - Duration::days(KEEP_SENT_DAYS)).await;
    let expired = tokens::tokens_prune(&state.db, now).await;
    match (sent, expired) {
        (Ok(0), Ok(0)) => {}
        (Ok(sent), Ok(expired)) => {
            tracing::info!(
                mails = sent,
                tokens = expired,
                "old mail and expired links removed"
            );
        }
        (Err(err), _) | (_, Err(err)) => tracing::warn!(error = %err, "mail pruning failed"),
    }
}

/// One delivery round of this node: take each due mail (one node wins each), send it, and
/// mark it sent or schedule the next attempt. Returns how many were sent.
pub async fn deliver_due(state: &AppState) -> usize {
    let Some(sender) = &state.mail.sender else {
        return 0;
    };
    // Longer than any one conversation can take, so a mail is never sent by two nodes
    // unless this node died holding it.
    let lease = Duration::seconds(
        i64::try_from(state.settings.mail.timeout_secs.saturating_mul(2) + 60).unwrap_or(3600),
    );
    let mut sent = 0;
    loop {
        let now = state.clock.now();
        let due = match outbox::outbox_due(&state.db, now, ROUND).await {
            Ok(due) => due,
            Err(err) => {
                tracing::warn!(error = %err, "mail outbox unreadable");
                return sent;
            }
        };
        let full = due.len() as u64 == ROUND;
        for mail in due {
            match outbox::outbox_claim(&state.db, mail.id, now, lease).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(err) => {
                    tracing::warn!(error = %err, "mail outbox claim failed");
                    continue;
                }
            }
            let headers = outbox::headers_of(&mail);
            let outgoing = Outgoing {
                to: &mail.to_address,
                subject: &mail.subject,
                text: &mail.body_text,
                html: &mail.body_html,
                headers: &headers,
            };
            let attempts = mail.attempts + 1;
            let result = sender.send(&outgoing).await;
            let done = state.clock.now();
            let marked = match &result {
                Ok(()) => outbox::outbox_sent(&state.db, mail.id, done).await,
                Err(error) => {
                    tracing::warn!(mail.id = %mail.id, mail.kind = %mail.kind, attempts, error = %error, "mail not sent; will retry");
                    outbox::outbox_failed(&state.db, mail.id, attempts, error, done).await
                }
            };
            if result.is_ok() {
                sent += 1;
                tracing::info!(mail.id = %mail.id, mail.kind = %mail.kind, "mail sent");
            }
            if let Err(err) = marked {
                tracing::warn!(mail.id = %mail.id, error = %err, "mail outbox update failed");
            }
        }
        if !full {
            return sent;
        }
    }
}
