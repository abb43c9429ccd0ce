use sea_orm::entity::prelude::*;

/// An account. `username_key` is the normalized form used for uniqueness.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub username: String,
    #[sea_orm(unique)]
    pub username_key: String,
    pub display_name: String,
    pub password_hash: String,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    pub locale: Option<String>,
    pub bio: String,
    /// `light`, `dark`, `blue` or `green`.
    pub theme: String,
    pub notification_sound: bool,
    pub email: Option<String>,
    /// When `email` was proven to be the owner's; `None` while unverified.
    pub email_verified_at: Option<DateTimeUtc>,
    /// Whether the missed-activity mail may be sent (one-click unsubscribe turns it off).
    pub email_missed: bool,
    /// IANA time zone name (`Asia/Tehran`), if the person set one.
    pub timezone: Option<String>,
    pub avatar_file: Option<String>,
    pub avatar_type: Option<String>,
    pub message_count: i64,
    pub banned_at: Option<DateTimeUtc>,
    pub banned_until: Option<DateTimeUtc>,
    pub ban_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sessions::Entity")]
    Sessions,
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
