use sea_orm::entity::prelude::*;

/// A member's report of a message, and how moderation handled it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub message_id: Uuid,
    pub room_id: Uuid,
    pub reporter_id: Uuid,
    pub reason: String,
    /// `open`, `resolved` or `dismissed`.
    pub status: String,
    pub handled_by: Option<Uuid>,
    pub handled_at: Option<DateTimeUtc>,
    /// What was done: `none`, `message_deleted`, `author_muted`, `author_banned`.
    pub action: Option<String>,
    /// The moderator's note.
    pub note: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
