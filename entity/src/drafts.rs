use sea_orm::entity::prelude::*;

/// A person's unsent composer text in a room (or a thread of it), kept for their other
/// devices. Never shown to anyone else, never indexed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: Uuid,
    /// The thread's root message, or the nil uuid for the room itself.
    #[sea_orm(primary_key, auto_increment = false)]
    pub thread_key: Uuid,
    pub body: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
