use sea_orm::entity::prelude::*;

/// A message its author asked to be sent later. `state` moves from `pending` to `sent`
/// (with `message_id`) or `failed` (with `error_code`) exactly once, by a conditional
/// `UPDATE` in the transaction that sends it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub room_id: Uuid,
    pub body: String,
    pub send_at: DateTimeUtc,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    /// Why it could not be sent (a stable error code).
    pub error_code: Option<String>,
    pub message_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
