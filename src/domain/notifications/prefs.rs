//! Notification preferences: a person's defaults and their per-room overrides.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use entity::{notification_rooms, notification_settings, users};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::{Level, keywords::parse_keywords};
use crate::{
    domain::{
        rooms::require_member,
        views::{NotificationPreferencesView, QuietHoursView, RoomNotificationView},
    },
    error::{AppError, AppResult, ErrorCode},
};

/// What an alert shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowContent {
    /// The sender and the text.
    Full,
    /// Only "new message in #room".
    RoomOnly,
}

impl ShowContent {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::RoomOnly => "room_only",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "full" => Some(Self::Full),
            "room_only" => Some(Self::RoomOnly),
            _ => None,
        }
    }
}

/// A daily window, in the person's own time zone, when alerts wait. It may cross midnight
/// (`22:00`–`07:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

fn quiet_invalid() -> AppError {
    AppError::Invalid {
        code: ErrorCode::NotificationQuietHoursInvalid,
        args: vec![],
    }
}

/// `HH:MM`, 24-hour, two digits each.
fn parse_time(value: &str) -> AppResult<NaiveTime> {
    let shaped = value.len() == 5
        && value.as_bytes()[2] == b':'
        && value
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 2 || b.is_ascii_digit());
    if !shaped {
        return Err(quiet_invalid());
    }
    NaiveTime::parse_from_str(value, "%H:%M").map_err(|_| quiet_invalid())
}

impl QuietHours {
    /// Two `HH:MM` times that differ.
    pub fn parse(start: &str, end: &str) -> AppResult<Self> {
        let (start, end) = (parse_time(start)?, parse_time(end)?);
        if start == end {
            return Err(quiet_invalid());
        }
        Ok(Self { start, end })
    }

    /// If `now` is within the window in `tz`: when it ends.
    pub fn held_until(&self, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&tz);
        let time = local.time();
        let quiet = if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        };
        if !quiet {
            return None;
        }
        let mut date = local.date_naive();
        if time >= self.end {
            // The evening part of a window that crosses midnight: it ends tomorrow.
            date = date.succ_opt()?;
        }
        let end = date.and_time(self.end);
        // An end that falls in a daylight-saving gap is taken as the hour after.
        let end = tz.from_local_datetime(&end).earliest().or_else(|| {
            tz.from_local_datetime(&(end + Duration::hours(1)))
                .earliest()
        })?;
        Some(end.with_timezone(&Utc))
    }
}

/// A person's notification defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub level: Level,
    pub keywords: Vec<String>,
    pub quiet_hours: Option<QuietHours>,
    pub show_content: ShowContent,
    /// Whether mentions and direct messages left unread are e-mailed: `users.email_missed`,
    /// the one switch that the settings page and unsubscribe links also turn.
    pub email_missed: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            level: Level::Mentions,
            keywords: vec![],
            quiet_hours: None,
            show_content: ShowContent::Full,
            email_missed: true,
        }
    }
}

impl Preferences {
    /// Checks what a person asks for: the highlight words and the quiet hours (level and
    /// content choice arrive typed).
    pub fn parse(
        level: Level,
        keywords: &[String],
        quiet_hours: Option<(&str, &str)>,
        show_content: ShowContent,
        email_missed: bool,
    ) -> AppResult<Self> {
        Ok(Self {
            level,
            keywords: parse_keywords(keywords)?,
            quiet_hours: quiet_hours
                .map(|(start, end)| QuietHours::parse(start, end))
                .transpose()?,
            show_content,
            email_missed,
        })
    }

    fn from_row(row: notification_settings::Model, email_missed: bool) -> Self {
        let defaults = Self::default();
        let quiet_hours = match (&row.quiet_start, &row.quiet_end) {
            (Some(start), Some(end)) => QuietHours::parse(start, end).ok(),
            _ => None,
        };
        Self {
            level: Level::parse(&row.level).unwrap_or(defaults.level),
            keywords: serde_json::from_str(&row.keywords).unwrap_or_default(),
            quiet_hours,
            show_content: ShowContent::parse(&row.show_content).unwrap_or(defaults.show_content),
            email_missed,
        }
    }

    pub fn view(&self) -> NotificationPreferencesView {
        NotificationPreferencesView {
            level: self.level.as_str().to_owned(),
            keywords: self.keywords.clone(),
            quiet_hours: self.quiet_hours.map(|quiet| QuietHoursView {
                start: quiet.start.format("%H:%M").to_string(),
                end: quiet.end.format("%H:%M").to_string(),
            }),
            show_content: self.show_content.as_str().to_owned(),
            email_missed: self.email_missed,
        }
    }
}

/// A person's override for one room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoomPreference {
    /// `None`: the person's default level.
    pub level: Option<Level>,
    pub muted_until: Option<DateTime<Utc>>,
    pub muted_forever: bool,
}

impl RoomPreference {
    /// Whether the room is muted at `now`.
    pub fn muted(&self, now: DateTime<Utc>) -> bool {
        self.muted_forever || self.muted_until.is_some_and(|until| until > now)
    }

    fn from_row(row: &notification_rooms::Model) -> Self {
        Self {
            level: row.level.as_deref().and_then(Level::parse),
            muted_until: row.muted_until,
            muted_forever: row.muted_forever,
        }
    }

    pub fn view(&self, room_id: Uuid, now: DateTime<Utc>) -> RoomNotificationView {
        RoomNotificationView {
            room_id,
            level: self.level.map(|level| level.as_str().to_owned()),
            muted_until: self.muted_until,
            muted_forever: self.muted_forever,
            muted: self.muted(now),
        }
    }
}

/// The person's preferences (the defaults until they save some).
pub async fn preferences_get(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Preferences> {
    let email_missed = users::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .is_none_or(|user| user.email_missed);
    Ok(notification_settings::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map_or_else(
            || Preferences {
                email_missed,
                ..Preferences::default()
            },
            |row| Preferences::from_row(row, email_missed),
        ))
}

/// Several people's preferences at once, for a message's recipients.
pub async fn preferences_of(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Preferences>> {
    Ok(notification_settings::Entity::find()
        .filter(notification_settings::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        // Choosing who is asked never reads the e-mail switch.
        .map(|row| (row.user_id, Preferences::from_row(row, true)))
        .collect())
}

/// Replaces the person's preferences: the settings row and the account's e-mail switch,
/// together.
pub async fn preferences_put(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: Uuid,
    preferences: &Preferences,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let keywords = serde_json::to_string(&preferences.keywords)
        .map_err(|err| AppError::Internal(err.into()))?;
    let fmt = |time: NaiveTime| time.format("%H:%M").to_string();
    notification_settings::Entity::insert(notification_settings::ActiveModel {
        user_id: Set(user_id),
        level: Set(preferences.level.as_str().to_owned()),
        keywords: Set(keywords),
        quiet_start: Set(preferences.quiet_hours.map(|q| fmt(q.start))),
        quiet_end: Set(preferences.quiet_hours.map(|q| fmt(q.end))),
        show_content: Set(preferences.show_content.as_str().to_owned()),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(notification_settings::Column::UserId)
            .update_columns([
                notification_settings::Column::Level,
                notification_settings::Column::Keywords,
                notification_settings::Column::QuietStart,
                notification_settings::Column::QuietEnd,
                notification_settings::Column::ShowContent,
                notification_settings::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    users::Entity::update_many()
        .col_expr(
            users::Column::EmailMissed,
            Expr::value(preferences.email_missed),
        )
        .filter(users::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The person's room overrides, oldest change first.
pub async fn room_preferences(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<(Uuid, RoomPreference)>> {
    Ok(notification_rooms::Entity::find()
        .filter(notification_rooms::Column::UserId.eq(user_id))
        .order_by_asc(notification_rooms::Column::UpdatedAt)
        .all(db)
        .await?
        .iter()
        .map(|row| (row.room_id, RoomPreference::from_row(row)))
        .collect())
}

/// The overrides of several people for one room.
pub async fn room_preferences_of(
    db: &impl ConnectionTrait,
    room_id: Uuid,
    user_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, RoomPreference>> {
    Ok(notification_rooms::Entity::find()
        .filter(notification_rooms::Column::RoomId.eq(room_id))
        .filter(notification_rooms::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?
        .iter()
        .map(|row| (row.user_id, RoomPreference::from_row(row)))
        .collect())
}

/// Sets the person's override for a room they belong to. Muted forever, a time is not
/// kept beside it.
pub async fn room_preference_put(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
    preference: RoomPreference,
    now: DateTime<Utc>,
) -> AppResult<RoomPreference> {
    require_member(db, room_id, user_id).await?;
    let preference = RoomPreference {
        muted_until: preference.muted_until.filter(|_| !preference.muted_forever),
        ..preference
    };
    notification_rooms::Entity::insert(notification_rooms::ActiveModel {
        user_id: Set(user_id),
        room_id: Set(room_id),
        level: Set(preference.level.map(|level| level.as_str().to_owned())),
        muted_until: Set(preference.muted_until),
        muted_forever: Set(preference.muted_forever),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            notification_rooms::Column::UserId,
            notification_rooms::Column::RoomId,
        ])
        .update_columns([
            notification_rooms::Column::Level,
            notification_rooms::Column::MutedUntil,
            notification_rooms::Column::MutedForever,
            notification_rooms::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(preference)
}

/// Drops the person's override for a room: it follows their defaults again. Dropping one
/// that is not there is not an error (a room left since may still have one).
pub async fn room_preference_delete(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    room_id: Uuid,
) -> AppResult<()> {
    notification_rooms::Entity::delete_many()
        .filter(notification_rooms::Column::UserId.eq(user_id))
        .filter(notification_rooms::Column::RoomId.eq(room_id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_are_two_different_times_of_day() {
        assert!(QuietHours::parse("22:00", "07:30").is_ok());
        for (start, end) in [
            ("22:00", "22:00"),
            ("24:00", "07:00"),
            ("7:00", "08:00"),
            ("07:60", "08:00"),
            ("07-00", "08:00"),
            ("۰۷:۰۰", "08:00"),
        ] {
            assert!(QuietHours::parse(start, end).is_err(), "{start}–{end}");
        }
    }
}
