use sea_orm::entity::prelude::*;

/// A user's notification override for one room: a level and/or a mute.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_rooms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: Uuid,
    /// `all`, `mentions` or `nothing`; null follows the user's default.
    pub level: Option<String>,
    pub muted_until: Option<DateTimeUtc>,
    pub muted_forever: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
