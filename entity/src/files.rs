use sea_orm::entity::prelude::*;

/// A file someone shared in a room: a name and an owner for a blob's bytes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sha256: String,
    pub room_id: Uuid,
    pub uploader_id: Uuid,
    /// Null until attached to a message.
    pub message_id: Option<Uuid>,
    /// Sanitized original name.
    pub name: String,
    pub size: i64,
    pub mime: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
