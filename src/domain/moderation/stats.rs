//! Numbers for the admin dashboard, computed from the database on request.

use chrono::{Duration, NaiveDate, Utc};
use entity::{blobs, files, messages, reports, rooms, sessions, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{domain::moderation::reports::ReportStatus, error::AppResult};

/// Days in the messages-per-day series.
pub const DAYS: i64 = 30;
const TOP_ROOMS: u64 = 5;

#[derive(Debug)]
pub struct Stats {
    pub users_total: u64,
    /// Signed-in users seen in the last 24 hours.
    pub users_active_today: u64,
    pub rooms_total: u64,
    pub direct_rooms: u64,
    pub messages_total: u64,
    /// Oldest first, today last.
    pub messages_per_day: Vec<(NaiveDate, u64)>,
    pub files_total: u64,
    /// Bytes on disk (identical files counted once).
    pub storage_bytes: i64,
    pub open_reports: u64,
    /// Rooms with the most messages in the last 7 days: (id, name, messages).
    pub top_rooms: Vec<(Uuid, String, u64)>,
}

pub async fn stats(db: &impl ConnectionTrait) -> AppResult<Stats> {
    let now = Utc::now();
    let today = now.date_naive();
    let mut messages_per_day = Vec::with_capacity(DAYS as usize);
    for back in (0..DAYS).rev() {
        let day = today - Duration::days(back);
        let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let count = messages::Entity::find()
            .filter(messages::Column::CreatedAt.gte(start))
            .filter(messages::Column::CreatedAt.lt(start + Duration::days(1)))
            .filter(messages::Column::DeletedAt.is_null())
            .count(db)
            .await?;
        messages_per_day.push((day, count));
    }
    let storage: Option<i64> = blobs::Entity::find()
        .select_only()
        .column_as(crate::db::sum_bigint("size"), "total")
        .into_tuple()
        .one(db)
        .await?;
    let busiest: Vec<(Uuid, i64)> = messages::Entity::find()
        .select_only()
        .column(messages::Column::RoomId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(messages::Column::CreatedAt.gte(now - Duration::days(7)))
        .filter(messages::Column::DeletedAt.is_null())
        .group_by(messages::Column::RoomId)
        .order_by_desc(Expr::cust("COUNT(*)"))
        .limit(TOP_ROOMS)
        .into_tuple()
        .all(db)
        .await?;
    let names: Vec<rooms::Model> = rooms::Entity::find()
        .filter(rooms::Column::Id.is_in(busiest.iter().map(|(id, _)| *id)))
        .all(db)
        .await?;
    let top_rooms = busiest
        .into_iter()
        .map(|(id, count)| {
            let name = names
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            (id, name, count.max(0) as u64)
        })
        .collect();
    let active: Vec<Uuid> = sessions::Entity::find()
        .select_only()
        .column(sessions::Column::UserId)
        .distinct()
        .filter(sessions::Column::LastSeenAt.gte(now - Duration::days(1)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(Stats {
        users_total: users::Entity::find().count(db).await?,
        users_active_today: active.len() as u64,
        rooms_total: rooms::Entity::find()
            .filter(rooms::Column::Kind.ne("direct"))
            .count(db)
            .await?,
        direct_rooms: rooms::Entity::find()
            .filter(rooms::Column::Kind.eq("direct"))
            .count(db)
            .await?,
        messages_total: messages::Entity::find()
            .filter(messages::Column::DeletedAt.is_null())
            .count(db)
            .await?,
        messages_per_day,
        files_total: files::Entity::find().count(db).await?,
        storage_bytes: storage.unwrap_or(0),
        open_reports: reports::Entity::find()
            .filter(reports::Column::Status.eq(ReportStatus::Open.as_str()))
            .count(db)
            .await?,
        top_rooms,
    })
}
