use sea_orm::entity::prelude::*;

/// A poll, carried in its room's timeline by a message of kind `poll`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "polls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub room_id: Uuid,
    pub message_id: Uuid,
    pub creator_id: Option<Uuid>,
    pub question: String,
    pub multiple: bool,
    pub max_choices: Option<i32>,
    pub anonymous: bool,
    pub closes_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
