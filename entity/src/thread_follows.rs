use sea_orm::entity::prelude::*;

/// Someone following a thread, and how far they have read it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "thread_follows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// The thread's root message.
    #[sea_orm(primary_key, auto_increment = false)]
    pub root_id: Uuid,
    pub room_id: Uuid,
    /// Replies up to this room seq are read.
    pub last_read_seq: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
