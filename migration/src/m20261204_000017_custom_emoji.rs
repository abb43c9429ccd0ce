use sea_orm_migration::prelude::*;

/// Custom emoji: a name (`:party_parrot:`) for a small picture an administrator uploaded.
/// The picture is a stored content (`blobs`), shared and released like a file's bytes, so
/// every store (directory, S3, memory) keeps it and the cleanup pass knows it is in use.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CustomEmoji::Table)
                    .if_not_exists()
                    // `[a-z0-9_]{2,32}`: the name is the key, reactions store `:name:`.
                    .col(
                        ColumnDef::new(CustomEmoji::Name)
                            .string_len(32)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CustomEmoji::Sha256)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CustomEmoji::Mime).string_len(64).not_null())
                    .col(ColumnDef::new(CustomEmoji::Width).integer().not_null())
                    .col(ColumnDef::new(CustomEmoji::Height).integer().not_null())
                    // Null once the uploader's account is gone: the emoji stays.
                    .col(ColumnDef::new(CustomEmoji::CreatedBy).uuid().null())
                    .col(
                        ColumnDef::new(CustomEmoji::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_custom_emoji_blob")
                            .from(CustomEmoji::Table, CustomEmoji::Sha256)
                            .to(Blobs::Table, Blobs::Sha256),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_custom_emoji_creator")
                            .from(CustomEmoji::Table, CustomEmoji::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // "Does a file or an emoji still use this content?" looks emoji up by hash.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_custom_emoji_sha256")
                    .table(CustomEmoji::Table)
                    .col(CustomEmoji::Sha256)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CustomEmoji::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CustomEmoji {
    Table,
    Name,
    Sha256,
    Mime,
    Width,
    Height,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Blobs {
    Table,
    Sha256,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
