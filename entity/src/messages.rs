use sea_orm::entity::prelude::*;

/// A message. Deleting is soft: `deleted_at` is set and the body emptied.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub room_id: Uuid,
    /// The seq of the `message.created` event.
    pub seq: i64,
    pub author_id: Option<Uuid>,
    pub kind: String,
    pub body: String,
    pub reply_to: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub deleted_by: Option<Uuid>,
    /// What search indexes: body, file names and poll question, normalized
    /// (`domain::search_text`); empty once deleted.
    pub search_text: String,
    /// `body` rendered from Markdown and sanitized (`domain::messages::markup`); absent for
    /// messages written before Markdown, which show as plain text.
    pub body_html: Option<String>,
    /// For a thread reply: the thread's root (a top-level message of the same room).
    pub thread_id: Option<Uuid>,
    /// A thread reply that also shows in the room's main timeline.
    pub also_to_room: bool,
    /// On a thread's root: the seq of its latest reply; null without replies.
    pub thread_last_seq: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
