//! `/api/v1/notifications/*`: notification preferences, per-room overrides, and the inbox.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{responses::NoContent, security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{NotificationPreferencesView, NotificationView, RoomNotificationView, json},
    domain::notifications::{
        Level,
        inbox::{self, PAGE_DEFAULT},
        prefs::{self, Preferences, RoomPreference, ShowContent},
    },
    error::AppError,
    state::AppState,
};

pub struct NotificationsApi;

/// How much notifies: `all` (every message), `mentions` (mentions, replies, direct
/// messages, `@here`/`@room` and highlight words) or `nothing`.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum NotificationLevel {
    All,
    Mentions,
    Nothing,
}

impl From<NotificationLevel> for Level {
    fn from(level: NotificationLevel) -> Self {
        match level {
            NotificationLevel::All => Self::All,
            NotificationLevel::Mentions => Self::Mentions,
            NotificationLevel::Nothing => Self::Nothing,
        }
    }
}

/// What an alert shows: `full` (sender and text) or `room_only` ("new message in #room").
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum AlertContent {
    Full,
    RoomOnly,
}

/// A daily window when alerts wait, in your own time zone (your profile's; UTC without
/// one). It may cross midnight (`22:00`–`07:00`); start and end differ.
#[derive(Debug, Object)]
#[oai(example)]
pub struct QuietHoursInput {
    /// `HH:MM`, 24-hour.
    pub start: String,
    /// `HH:MM`, 24-hour.
    pub end: String,
}

/// Your notification preferences, replaced whole. `level`: what notifies by default.
/// `show_content`: what alerts show.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NotificationPreferencesPut {
    pub level: NotificationLevel,
    /// Highlight words that count as mentions: whole words, case-insensitive, Arabic and
    /// Persian letters alike, ignoring ZWNJ, outside code. Up to 20, each 1–64 characters
    /// with a letter or digit; repeats are merged.
    pub keywords: Vec<String>,
    /// Null or absent: no quiet hours.
    pub quiet_hours: Option<QuietHoursInput>,
    pub show_content: AlertContent,
    /// E-mail mentions and direct messages left unread.
    pub email_missed: bool,
}

/// Your override for one room. `level`: null or absent follows your default. A mute
/// silences the room (direct mentions and replies still reach the inbox, silently) until
/// `muted_until`, or for good with `muted_forever`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RoomNotificationPut {
    pub level: Option<NotificationLevel>,
    /// Muted until then; null or absent: no timed mute. Ignored with `muted_forever`.
    pub muted_until: Option<DateTime<Utc>>,
    /// Muted until you unmute it.
    #[oai(default)]
    pub muted_forever: bool,
}

/// A page of the inbox, newest first.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    /// All your unread notifications (not only this page's).
    pub unread_count: u64,
    /// Pass as `before` for the next page; absent on the last page.
    pub next_before: Option<Uuid>,
}

/// How many of your notifications are unread.
#[derive(Debug, Object)]
pub struct UnreadCount {
    pub unread_count: u64,
}

/// Which notifications to mark read: all of them, or those of `room_id`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ReadAllRequest {
    /// Only this room's; null or absent: every room's.
    pub room_id: Option<Uuid>,
}

#[OpenApi(prefix_path = "/api/v1/notifications", tag = "ApiTags::Notifications")]
impl NotificationsApi {
    /// Your notification preferences (the defaults until you save some).
    #[oai(
        path = "/preferences",
        method = "get",
        operation_id = "notifications_preferences_get"
    )]
    async fn preferences_get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<NotificationPreferencesView>, AppError> {
        let preferences = prefs::preferences_get(&state.db, auth.user.id).await?;
        Ok(json(preferences.view()))
    }

    /// Replace your notification preferences.
    #[oai(
        path = "/preferences",
        method = "put",
        operation_id = "notifications_preferences_put"
    )]
    async fn preferences_put(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<NotificationPreferencesPut>,
    ) -> Result<Json<NotificationPreferencesView>, AppError> {
        let body = body.0;
        let preferences = Preferences::parse(
            body.level.into(),
            &body.keywords,
            body.quiet_hours
                .as_ref()
                .map(|quiet| (quiet.start.as_str(), quiet.end.as_str())),
            match body.show_content {
                AlertContent::Full => ShowContent::Full,
                AlertContent::RoomOnly => ShowContent::RoomOnly,
            },
            body.email_missed,
        )?;
        prefs::preferences_put(&state.db, auth.user.id, &preferences, state.clock.now()).await?;
        Ok(json(preferences.view()))
    }

    /// Your room overrides (rooms without one follow your defaults).
    #[oai(
        path = "/rooms",
        method = "get",
        operation_id = "notifications_rooms_list"
    )]
    async fn rooms_list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<RoomNotificationView>>, AppError> {
        let now = state.clock.now();
        let list = prefs::room_preferences(&state.db, auth.user.id).await?;
        Ok(json(
            list.into_iter()
                .map(|(room_id, preference)| preference.view(room_id, now))
                .collect::<Vec<_>>(),
        ))
    }

    /// Set your override for a room you belong to.
    #[oai(
        path = "/rooms/:room_id",
        method = "put",
        operation_id = "notifications_room_put"
    )]
    async fn room_put(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        room_id: Path<Uuid>,
        body: Json<RoomNotificationPut>,
    ) -> Result<Json<RoomNotificationView>, AppError> {
        let now = state.clock.now();
        let preference = RoomPreference {
            level: body.level.map(Level::from),
            muted_until: body.muted_until,
            muted_forever: body.muted_forever,
        };
        let saved =
            prefs::room_preference_put(&state.db, auth.user.id, room_id.0, preference, now).await?;
        Ok(json(saved.view(room_id.0, now)))
    }

    /// Drop your override for a room: it follows your defaults again.
    #[oai(
        path = "/rooms/:room_id",
        method = "delete",
        operation_id = "notifications_room_delete"
    )]
    async fn room_delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        room_id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        prefs::room_preference_delete(&state.db, auth.user.id, room_id.0).await?;
        Ok(NoContent::Done)
    }

    /// Your inbox, newest first: mentions, replies, direct messages, `@here`/`@room`,
    /// highlight words, replies in threads you follow (and every message of rooms set to
    /// `all`), and your scheduled messages the server could not send (`scheduled_failed`:
    /// no `message`, but `error_code` and `scheduled`). Live over the socket as
    /// `notification`, `notification.read` and `notification.removed`.
    #[oai(path = "/", method = "get", operation_id = "notifications_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Only notifications older than this one (`next_before` of the previous page).
        before: Query<Option<Uuid>>,
        /// At most this many (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u64>>,
        /// Only unread ones (default: all).
        unread: Query<Option<bool>>,
    ) -> Result<Json<NotificationPage>, AppError> {
        let page = inbox::inbox_page(
            &state.db,
            auth.user.id,
            before.0,
            limit.0.unwrap_or(PAGE_DEFAULT),
            unread.0.unwrap_or(false),
        )
        .await?;
        Ok(Json(NotificationPage {
            items: page.items.into_iter().map(NotificationView::from).collect(),
            unread_count: page.unread_count,
            next_before: page.next_before,
        }))
    }

    /// Mark one notification read; your other devices hear `notification.read`.
    #[oai(
        path = "/:id/read",
        method = "post",
        operation_id = "notifications_read"
    )]
    async fn read(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<Json<UnreadCount>, AppError> {
        let unread_count = actions::notification_read(&state, &auth.user, id.0).await?;
        Ok(Json(UnreadCount { unread_count }))
    }

    /// Mark all your notifications read (`{}`), or those of one room (`{"room_id": …}`);
    /// your devices hear `notification.read`.
    #[oai(
        path = "/read-all",
        method = "post",
        operation_id = "notifications_read_all"
    )]
    async fn read_all(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<ReadAllRequest>,
    ) -> Result<Json<UnreadCount>, AppError> {
        let unread_count = actions::notification_read_all(&state, &auth.user, body.room_id).await?;
        Ok(Json(UnreadCount { unread_count }))
    }
}
