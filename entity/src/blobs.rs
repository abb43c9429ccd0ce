use sea_orm::entity::prelude::*;

/// Stored file contents, addressed by their SHA-256 (hex): the same bytes are kept once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "blobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sha256: String,
    pub size: i64,
    /// The type sniffed from the bytes.
    pub mime: String,
    /// Pixel size, for images.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Set when a thumbnail was made (images only).
    pub thumb_mime: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
