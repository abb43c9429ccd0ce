use sea_orm::entity::prelude::*;

/// One mail waiting to be sent (or sent: `sent_at`). Nodes take a due mail by setting
/// `claimed_until` with a conditional update only one of them wins.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub to_address: String,
    /// `verify_email`, `password_reset`, `missed`, …
    pub kind: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// Extra headers as a JSON object of name to value.
    pub headers: String,
    pub created_at: DateTimeUtc,
    pub next_attempt_at: DateTimeUtc,
    pub attempts: i32,
    pub claimed_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
