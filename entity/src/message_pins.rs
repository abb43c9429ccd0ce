use sea_orm::entity::prelude::*;

/// A message pinned in its room (at most one pin per message).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_pins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: Uuid,
    pub room_id: Uuid,
    /// Absent once the pinner's account is gone.
    pub pinned_by: Option<Uuid>,
    pub pinned_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
