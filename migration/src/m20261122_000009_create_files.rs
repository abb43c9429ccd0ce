use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Stored contents, addressed by SHA-256: identical bytes are kept once however many
        // files name them.
        manager
            .create_table(
                Table::create()
                    .table(Blobs::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Blobs::Sha256)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Blobs::Size).big_integer().not_null())
                    .col(ColumnDef::new(Blobs::Mime).string_len(128).not_null())
                    .col(ColumnDef::new(Blobs::Width).integer().null())
                    .col(ColumnDef::new(Blobs::Height).integer().null())
                    .col(ColumnDef::new(Blobs::ThumbMime).string_len(64).null())
                    .col(
                        ColumnDef::new(Blobs::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Files::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Files::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Files::Sha256).string_len(64).not_null())
                    .col(ColumnDef::new(Files::RoomId).uuid().not_null())
                    .col(ColumnDef::new(Files::UploaderId).uuid().not_null())
                    // Null until the file is attached to a message.
                    .col(ColumnDef::new(Files::MessageId).uuid().null())
                    .col(ColumnDef::new(Files::Name).string_len(255).not_null())
                    .col(ColumnDef::new(Files::Size).big_integer().not_null())
                    .col(ColumnDef::new(Files::Mime).string_len(128).not_null())
                    .col(
                        ColumnDef::new(Files::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_files_blob")
                            .from(Files::Table, Files::Sha256)
                            .to(Blobs::Table, Blobs::Sha256),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_files_room")
                            .from(Files::Table, Files::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_files_uploader")
                            .from(Files::Table, Files::UploaderId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_files_message")
                            .from(Files::Table, Files::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_files_message", Files::MessageId),
            ("idx_files_sha256", Files::Sha256),
            ("idx_files_uploader", Files::UploaderId),
            ("idx_files_room", Files::RoomId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .if_not_exists()
                        .name(name)
                        .table(Files::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Files::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Blobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Blobs {
    Table,
    Sha256,
    Size,
    Mime,
    Width,
    Height,
    ThumbMime,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    Sha256,
    RoomId,
    UploaderId,
    MessageId,
    Name,
    Size,
    Mime,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}
