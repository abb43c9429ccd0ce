use sea_orm::entity::prelude::*;

/// What a URL's page offered as a preview, or why it could not (`failure`), until
/// `expires_at`. Shared by every node.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "link_previews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub url: String,
    pub failure: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub site_name: Option<String>,
    /// The re-encoded picture in the file store (`previews/…`).
    pub image_sha256: Option<String>,
    pub image_mime: Option<String>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
