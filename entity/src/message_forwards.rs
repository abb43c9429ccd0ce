use sea_orm::entity::prelude::*;

/// Where a forwarded message came from, as it was when forwarded. `source_*` ids have no
/// foreign key: the copy outlives its source.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_forwards")]
pub struct Model {
    /// The forwarded copy.
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: Uuid,
    pub source_room_id: Uuid,
    pub source_message_id: Uuid,
    /// Empty for a direct conversation, which is never named.
    pub room_name: String,
    /// `public`, `private` or `direct`.
    pub room_kind: String,
    /// Absent when the source had no author (a removed account).
    pub author_username: Option<String>,
    pub author_display_name: Option<String>,
    pub original_created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
