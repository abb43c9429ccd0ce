use sea_orm::entity::prelude::*;

/// One moderation, admin or security event. Rows are only ever inserted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Who did it; absent for the system.
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `user.ban`, `user.role`.
    pub action: String,
    /// The kind of thing acted on (`user`, `message`, `room`, `ip`).
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub reason: String,
    /// The actor's address.
    pub ip: Option<String>,
    /// JSON details.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
