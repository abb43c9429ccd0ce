use sea_orm::entity::prelude::*;

/// A link preview under a message, at the link's `position` among the message's links.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_embeds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub url: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub site_name: Option<String>,
    pub image_sha256: Option<String>,
    pub image_mime: Option<String>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    /// Taken away by the author: not shown, and not fetched again on edit.
    pub removed: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
