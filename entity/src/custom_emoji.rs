use sea_orm::entity::prelude::*;

/// A custom emoji: a name for a small picture kept as a stored content (`blobs`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custom_emoji")]
pub struct Model {
    /// `[a-z0-9_]{2,32}`, written `:name:` in messages and reactions.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// The re-encoded picture's content.
    pub sha256: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    /// The administrator who uploaded it (null once their account is gone).
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
