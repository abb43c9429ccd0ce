use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Messages::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Messages::RoomId).uuid().not_null())
                    .col(ColumnDef::new(Messages::Seq).big_integer().not_null())
                    .col(ColumnDef::new(Messages::AuthorId).uuid().null())
                    // `text` (polls and files later).
                    .col(
                        ColumnDef::new(Messages::Kind)
                            .string_len(16)
                            .not_null()
                            .default("text"),
                    )
                    .col(ColumnDef::new(Messages::Body).text().not_null())
                    .col(ColumnDef::new(Messages::ReplyTo).uuid().null())
                    .col(
                        ColumnDef::new(Messages::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Messages::EditedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Messages::DeletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Messages::DeletedBy).uuid().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_room")
                            .from(Messages::Table, Messages::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_author")
                            .from(Messages::Table, Messages::AuthorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_room_seq")
                    .table(Messages::Table)
                    .col(Messages::RoomId)
                    .col(Messages::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Reactions::MessageId).uuid().not_null())
                    .col(ColumnDef::new(Reactions::UserId).uuid().not_null())
                    .col(ColumnDef::new(Reactions::Emoji).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Reactions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Reactions::MessageId)
                            .col(Reactions::UserId)
                            .col(Reactions::Emoji),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reactions_message")
                            .from(Reactions::Table, Reactions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reactions_user")
                            .from(Reactions::Table, Reactions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Mentions::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Mentions::MessageId).uuid().not_null())
                    .col(ColumnDef::new(Mentions::UserId).uuid().not_null())
                    .col(ColumnDef::new(Mentions::RoomId).uuid().not_null())
                    .col(ColumnDef::new(Mentions::Seq).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(Mentions::MessageId)
                            .col(Mentions::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentions_message")
                            .from(Mentions::Table, Mentions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mentions_user_room")
                    .table(Mentions::Table)
                    .col(Mentions::UserId)
                    .col(Mentions::RoomId)
                    .col(Mentions::Seq)
                    .to_owned(),
            )
            .await?;
        // Every event that changes a room, in seq order: what `subscribe` with `after_seq`
        // replays. The payload is the event's JSON `data` exactly as it was sent live.
        manager
            .create_table(
                Table::create()
                    .table(RoomEvents::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(RoomEvents::RoomId).uuid().not_null())
                    .col(ColumnDef::new(RoomEvents::Seq).big_integer().not_null())
                    .col(ColumnDef::new(RoomEvents::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(RoomEvents::Payload).text().not_null())
                    .col(
                        ColumnDef::new(RoomEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(RoomEvents::RoomId).col(RoomEvents::Seq))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_events_room")
                            .from(RoomEvents::Table, RoomEvents::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RoomEvents::Table.into_iden(),
            Mentions::Table.into_iden(),
            Reactions::Table.into_iden(),
            Messages::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    RoomId,
    Seq,
    AuthorId,
    Kind,
    Body,
    ReplyTo,
    CreatedAt,
    EditedAt,
    DeletedAt,
    DeletedBy,
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    MessageId,
    UserId,
    Emoji,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Mentions {
    Table,
    MessageId,
    UserId,
    RoomId,
    Seq,
}

#[derive(DeriveIden)]
enum RoomEvents {
    Table,
    RoomId,
    Seq,
    Kind,
    Payload,
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
