use sea_orm::entity::prelude::*;

/// A row of a user's inbox: a message that asked for them, and why (`kind`); or, with kind
/// `scheduled_failed`, one of their scheduled messages the server could not send.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// `mention`, `reply`, `direct`, `here`, `room`, `keyword`, `thread`, `message` or
    /// `scheduled_failed`.
    pub kind: String,
    pub room_id: Uuid,
    /// Null for `scheduled_failed` (no message was made).
    pub message_id: Option<Uuid>,
    /// The message's seq; null for `scheduled_failed`.
    pub seq: Option<i64>,
    pub created_at: DateTimeUtc,
    /// Null while unread.
    pub read_at: Option<DateTimeUtc>,
    /// Whether delivery channels should alert for it.
    pub alert: bool,
    /// Quiet hours: the alert waits until then.
    pub held_until: Option<DateTimeUtc>,
    /// When the missed-activity round looked at it; null while it may still be mailed.
    pub digested_at: Option<DateTimeUtc>,
    /// Web Push: sent (or given up on) then; null while it may still be pushed.
    pub pushed_at: Option<DateTimeUtc>,
    /// The delivery round of the node pushing it, which holds it until `push_claimed_until`.
    pub push_claim: Option<Uuid>,
    pub push_claimed_until: Option<DateTimeUtc>,
    pub push_attempts: i32,
    /// After a failed attempt, not before then.
    pub push_next_at: Option<DateTimeUtc>,
    /// `scheduled_failed`: the scheduled message not sent (it may be cancelled since).
    pub scheduled_id: Option<Uuid>,
    /// `scheduled_failed`: the error code that refused it.
    pub error_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
