use sea_orm::entity::prelude::*;

/// Membership of a user in a room, with their read position.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// `owner`, `moderator` or `member`.
    pub role: String,
    pub joined_at: DateTimeUtc,
    pub last_read_seq: i64,
    /// Until when the member may read but not write.
    pub muted_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
