use sea_orm::entity::prelude::*;

/// A user's notification preferences; no row means the defaults. (The missed-activity
/// e-mail switch is `users.email_missed`, which unsubscribe links also turn off.)
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// `all`, `mentions` or `nothing`.
    pub level: String,
    /// A JSON array of highlight words.
    pub keywords: String,
    /// Quiet hours as `HH:MM` in the user's time zone (both or neither).
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    /// `full` or `room_only`.
    pub show_content: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
