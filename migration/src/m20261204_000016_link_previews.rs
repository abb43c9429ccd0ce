use sea_orm_migration::prelude::*;

/// Link previews: `link_previews` caches what was fetched for a URL (a failure too, for a
/// shorter time), shared by every node; `message_embeds` holds the previews shown under a
/// message, in link order, each removable by the message's author. The picture is stored
/// re-encoded in the file store under its SHA-256 (`previews/…`), never linked to.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LinkPreviews::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(LinkPreviews::Url)
                            .string_len(2048)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(LinkPreviews::Failure).string_len(32).null())
                    .col(ColumnDef::new(LinkPreviews::Title).text().null())
                    .col(ColumnDef::new(LinkPreviews::Description).text().null())
                    .col(ColumnDef::new(LinkPreviews::SiteName).text().null())
                    .col(
                        ColumnDef::new(LinkPreviews::ImageSha256)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(LinkPreviews::ImageMime)
                            .string_len(32)
                            .null(),
                    )
                    .col(ColumnDef::new(LinkPreviews::ImageWidth).integer().null())
                    .col(ColumnDef::new(LinkPreviews::ImageHeight).integer().null())
                    .col(
                        ColumnDef::new(LinkPreviews::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MessageEmbeds::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(MessageEmbeds::MessageId).uuid().not_null())
                    .col(ColumnDef::new(MessageEmbeds::Position).integer().not_null())
                    .col(
                        ColumnDef::new(MessageEmbeds::Url)
                            .string_len(2048)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MessageEmbeds::Title).text().null())
                    .col(ColumnDef::new(MessageEmbeds::Description).text().null())
                    .col(ColumnDef::new(MessageEmbeds::SiteName).text().null())
                    .col(
                        ColumnDef::new(MessageEmbeds::ImageSha256)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(MessageEmbeds::ImageMime)
                            .string_len(32)
                            .null(),
                    )
                    .col(ColumnDef::new(MessageEmbeds::ImageWidth).integer().null())
                    .col(ColumnDef::new(MessageEmbeds::ImageHeight).integer().null())
                    .col(
                        ColumnDef::new(MessageEmbeds::Removed)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(MessageEmbeds::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(MessageEmbeds::MessageId)
                            .col(MessageEmbeds::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_embeds_message")
                            .from(MessageEmbeds::Table, MessageEmbeds::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageEmbeds::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LinkPreviews::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LinkPreviews {
    Table,
    Url,
    Failure,
    Title,
    Description,
    SiteName,
    ImageSha256,
    ImageMime,
    ImageWidth,
    ImageHeight,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum MessageEmbeds {
    Table,
    MessageId,
    Position,
    Url,
    Title,
    Description,
    SiteName,
    ImageSha256,
    ImageMime,
    ImageWidth,
    ImageHeight,
    Removed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}
