//! `/admin`: the moderation dashboard. Rendered on the server from the same domain
//! functions as `/api/v1/admin`; its buttons (`/static/admin.js`) call that API, so the
//! page adds no second way to act and every action is checked and audited the same.

use std::collections::HashMap;

use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};
use serde::{Deserialize, Serialize};
use tera::Context;
use unic_langid::LanguageIdentifier;
use uuid::Uuid;

use crate::{
    domain::{
        audit::{self, AuditFilter},
        auth::sessions,
        emoji,
        moderation::{reports, stats},
        users::{self as domain_users, Role},
    },
    error::AppError,
    i18n::localize_digits,
    state::AppState,
};

const CHART_WIDTH: u32 = 600;
const CHART_HEIGHT: u32 = 120;
/// Room left of the bars for the count axis, and under them for the date axis.
const AXIS_LEFT: u32 = 40;
const AXIS_BOTTOM: u32 = 18;

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    q: Option<String>,
}

#[derive(Serialize)]
struct Bar {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
    /// ISO date, which the page's script re-renders in the page's calendar.
    day: String,
    count: String,
    label: String,
}

/// The messages-per-day chart's frame: its size and axis labels (counts on the left, dates
/// underneath: the first, middle and last day).
#[derive(Serialize)]
struct Chart {
    width: u32,
    height: u32,
    left: u32,
    bottom: u32,
    labels: Vec<AxisLabel>,
}

#[derive(Serialize)]
struct AxisLabel {
    x: u32,
    y: u32,
    anchor: &'static str,
    text: String,
    /// Set on date labels, for the script's calendar.
    date: Option<String>,
}

/// A moment: machine-readable for `<time datetime>` (the script re-renders it in the
/// page's calendar), and readable without the script.
#[derive(Serialize)]
struct Stamp {
    iso: String,
    text: String,
}

#[derive(Serialize)]
struct UserRow {
    id: Uuid,
    username: String,
    display_name: String,
    role: String,
    joined: Stamp,
    messages: String,
    banned: bool,
}

#[derive(Serialize)]
struct ReportRow {
    id: Uuid,
    author: String,
    reporter: String,
    reason: String,
    body: String,
    when: Stamp,
}

#[derive(Serialize)]
struct EmojiRow {
    name: String,
    url: String,
    width: i32,
    height: i32,
    by: String,
    when: Stamp,
}

#[derive(Serialize)]
struct AuditRow {
    when: Stamp,
    who: String,
    action: String,
    target: String,
    reason: String,
    ip: String,
}

/// A localized 403 page saying who may come here (members are signed in but not staff;
/// signed-out visitors are sent to sign in and back instead).
fn refusal(state: &AppState, lang: &LanguageIdentifier) -> Response {
    state.templates.message_page(
        &state.i18n,
        lang,
        StatusCode::FORBIDDEN,
        "page-forbidden",
        "",
    )
}

#[handler]
pub async fn dashboard(
    state: Data<&AppState>,
    req: &Request,
    query: Query<DashboardQuery>,
) -> poem::Result<Response> {
    let state = state.0;
    let Some((user, _)) = super::signed_in(state, req).await else {
        return Ok(super::redirect(&super::return_to::login_url(req), &[]));
    };
    let (lang, page) = super::page_context(state, req, Some(&user), "admin-");
    if Role::of(&user) < Role::Moderator {
        return Ok(refusal(state, &lang));
    }
    let context = context(state, &lang, page, &user, query.0.q.as_deref())
        .await
        .map_err(poem::Error::from)?;
    super::render_page(state, "admin.html", &lang, context, StatusCode::OK, &[])
}

async fn context(
    state: &AppState,
    lang: &LanguageIdentifier,
    mut context: Context,
    me: &entity::users::Model,
    search: Option<&str>,
) -> Result<Context, AppError> {
    let n = |value: u64| localize_digits(lang, &value.to_string());
    let when = |t: chrono::DateTime<chrono::Utc>| Stamp {
        iso: t.to_rfc3339(),
        text: localize_digits(lang, &t.format("%Y-%m-%d %H:%M").to_string()),
    };

    let stats = stats::stats(&state.db).await?;
    let peak = stats
        .messages_per_day
        .iter()
        .map(|(_, c)| *c)
        .max()
        .unwrap_or(0)
        .max(1);
    let days = &stats.messages_per_day;
    let slot = CHART_WIDTH / days.len().max(1) as u32;
    let bars: Vec<Bar> = days
        .iter()
        .enumerate()
        .map(|(i, (day, count))| {
            let height = (*count * u64::from(CHART_HEIGHT) / peak) as u32;
            Bar {
                x: AXIS_LEFT + i as u32 * slot,
                y: CHART_HEIGHT - height,
                width: slot.saturating_sub(2).max(1),
                height,
                day: day.to_string(),
                count: n(*count),
                label: format!("{}: {}", localize_digits(lang, &day.to_string()), n(*count)),
            }
        })
        .collect();
    let chart = chart_frame(days, slot, peak, &n, lang);
    let numbers = [
        ("users", stats.users_total),
        ("active", stats.users_active_today),
        ("online", state.presence.online_count().await),
        ("rooms", stats.rooms_total),
        ("messages", stats.messages_total),
        ("files", stats.files_total),
        (
            "storage",
            (stats.storage_bytes.max(0) as u64).div_ceil(1024 * 1024),
        ),
        ("reports", stats.open_reports),
    ]
    .map(|(key, value)| (key, n(value)));
    let top_rooms: Vec<(String, String)> = stats
        .top_rooms
        .iter()
        .map(|(_, name, count)| (name.clone(), n(*count)))
        .collect();

    let open = reports::reports_list(
        &state.db,
        Some(reports::ReportStatus::Open.as_str()),
        None,
        50,
    )
    .await?;
    let reports: Vec<ReportRow> = reports::report_views(&state.db, open)
        .await?
        .into_iter()
        .map(|r| ReportRow {
            id: r.id,
            author: r.author.map(|u| u.username).unwrap_or_default(),
            reporter: r.reporter.map(|u| u.username).unwrap_or_default(),
            reason: r.reason,
            body: r.body,
            when: when(r.created_at),
        })
        .collect();

    let now = chrono::Utc::now();
    let users: Vec<UserRow> = domain_users::users_admin_list(&state.db, search, None, None, 0, 50)
        .await?
        .into_iter()
        .map(|u| UserRow {
            banned: sessions::is_banned(&u, now),
            id: u.id,
            joined: when(u.created_at),
            messages: n(u.message_count.max(0) as u64),
            role: u.role,
            username: u.username,
            display_name: u.display_name,
        })
        .collect();

    let is_admin = Role::of(me) == Role::Admin;
    // The audit log (with addresses) is for admins only, as in the API.
    let entries = if is_admin {
        audit::audit_list(
            &state.db,
            AuditFilter {
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await?
    } else {
        Vec::new()
    };
    let mut actor_ids: Vec<Uuid> = entries.iter().filter_map(|e| e.actor_id).collect();
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let names = domain_users::usernames(&state.db, &actor_ids).await?;
    let system = state.i18n.message(lang, "admin-system", None, None);
    let audit: Vec<AuditRow> = entries
        .into_iter()
        .map(|e| AuditRow {
            when: when(e.created_at),
            who: e
                .actor_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| system.clone()),
            action: e.action,
            target: match (e.target_type, e.target_id) {
                (Some(kind), Some(id)) => format!("{kind} {id}"),
                _ => String::new(),
            },
            reason: e.reason,
            ip: e.ip.unwrap_or_default(),
        })
        .collect();

    // Custom emoji are added and deleted by admins only, as in the API.
    let emoji: Vec<EmojiRow> = if is_admin {
        emoji::emoji_list(&state.db)
            .await?
            .into_iter()
            .map(|e| EmojiRow {
                when: when(e.created_at),
                by: e.created_by.map(|u| u.username).unwrap_or_default(),
                name: e.name,
                url: e.url,
                width: e.width,
                height: e.height,
            })
            .collect()
    } else {
        Vec::new()
    };

    context.insert("numbers", &HashMap::from(numbers));
    context.insert("bars", &bars);
    context.insert("chart", &chart);
    context.insert("top_rooms", &top_rooms);
    context.insert("reports", &reports);
    context.insert("users", &users);
    context.insert("audit", &audit);
    context.insert("emoji", &emoji);
    context.insert("search", &search.unwrap_or_default());
    context.insert("is_admin", &is_admin);
    Ok(context)
}

/// Axis labels for the chart: the peak and zero counts, and the first, middle and last
/// dates (as ISO dates with a readable fallback, re-rendered by the page's script).
fn chart_frame(
    days: &[(chrono::NaiveDate, u64)],
    slot: u32,
    peak: u64,
    n: &dyn Fn(u64) -> String,
    lang: &LanguageIdentifier,
) -> Chart {
    let count_label = |y: u32, value: u64| AxisLabel {
        x: AXIS_LEFT - 6,
        y,
        anchor: "end",
        text: n(value),
        date: None,
    };
    let mut labels = vec![count_label(10, peak), count_label(CHART_HEIGHT, 0)];
    let last = days.len().saturating_sub(1);
    let mut picked = vec![(0, "start"), (last / 2, "middle"), (last, "end")];
    picked.dedup_by_key(|(i, _)| *i);
    for (i, anchor) in picked {
        let Some((day, _)) = days.get(i) else {
            continue;
        };
        let x = AXIS_LEFT
            + match anchor {
                "start" => i as u32 * slot,
                "end" => (i as u32 + 1) * slot,
                _ => i as u32 * slot + slot / 2,
            };
        labels.push(AxisLabel {
            x,
            y: CHART_HEIGHT + AXIS_BOTTOM - 4,
            anchor,
            text: localize_digits(lang, &day.format("%m-%d").to_string()),
            date: Some(day.to_string()),
        });
    }
    Chart {
        width: AXIS_LEFT + CHART_WIDTH,
        height: CHART_HEIGHT + AXIS_BOTTOM,
        left: AXIS_LEFT,
        bottom: CHART_HEIGHT,
        labels,
    }
}
