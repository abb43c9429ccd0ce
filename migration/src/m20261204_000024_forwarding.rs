use sea_orm_migration::prelude::*;

/// Forwarded messages (issue 22): one row per forwarded copy, holding a snapshot of where it
/// came from as it was when forwarded (the source room's name and kind, the author's names,
/// the original time) and the source's ids. The ids have no foreign key: the source may be
/// deleted or its room removed, and the copy keeps its snapshot. Copies of the source's files
/// are ordinary `files` rows of the copy's room, sharing the stored contents.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageForwards::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MessageForwards::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(MessageForwards::SourceRoomId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageForwards::SourceMessageId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageForwards::RoomName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageForwards::RoomKind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MessageForwards::AuthorUsername)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(MessageForwards::AuthorDisplayName)
                            .string_len(128)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(MessageForwards::OriginalCreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_forwards_message")
                            .from(MessageForwards::Table, MessageForwards::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageForwards::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum MessageForwards {
    Table,
    MessageId,
    SourceRoomId,
    SourceMessageId,
    RoomName,
    RoomKind,
    AuthorUsername,
    AuthorDisplayName,
    OriginalCreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}
