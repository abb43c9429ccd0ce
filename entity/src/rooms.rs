use sea_orm::entity::prelude::*;

/// A room: `public`, `private` (join by invite code) or `direct` (two people).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rooms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub topic: String,
    pub owner_id: Option<Uuid>,
    pub invite_code: Option<String>,
    pub direct_key: Option<String>,
    /// The seq of the room's latest event.
    pub last_seq: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set while the room is read-only (moderators may still write).
    pub locked_at: Option<DateTimeUtc>,
    /// Messages older than this many days are removed.
    pub retention_days: Option<i32>,
    /// Members (not only moderators) may pin messages.
    pub members_can_pin: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
