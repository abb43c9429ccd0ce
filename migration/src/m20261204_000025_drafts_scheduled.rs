use sea_orm_migration::prelude::*;

/// Synced drafts (the composer's unsent text, one per person, room and thread) and
/// scheduled messages (sent by a background pass at their time, each claimed by one
/// conditional `UPDATE` so two nodes or a restart send it once).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Drafts::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Drafts::UserId).uuid().not_null())
                    .col(ColumnDef::new(Drafts::RoomId).uuid().not_null())
                    // The nil uuid for the room itself: a key column cannot be null, and a
                    // null would not make two room-level drafts collide in a unique key.
                    .col(ColumnDef::new(Drafts::ThreadKey).uuid().not_null())
                    .col(ColumnDef::new(Drafts::Body).text().not_null())
                    .col(
                        ColumnDef::new(Drafts::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Drafts::UserId)
                            .col(Drafts::RoomId)
                            .col(Drafts::ThreadKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_drafts_user")
                            .from(Drafts::Table, Drafts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_drafts_room")
                            .from(Drafts::Table, Drafts::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ScheduledMessages::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(ScheduledMessages::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ScheduledMessages::UserId).uuid().not_null())
                    // No foreign key: a room deleted meanwhile makes the send fail (and its
                    // author told), rather than the row vanishing unannounced.
                    .col(ColumnDef::new(ScheduledMessages::RoomId).uuid().not_null())
                    .col(ColumnDef::new(ScheduledMessages::Body).text().not_null())
                    .col(
                        ColumnDef::new(ScheduledMessages::SendAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // `pending`, `sent` or `failed`.
                    .col(
                        ColumnDef::new(ScheduledMessages::State)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ScheduledMessages::ErrorCode).string_len(64))
                    .col(ColumnDef::new(ScheduledMessages::MessageId).uuid())
                    .col(
                        ColumnDef::new(ScheduledMessages::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(ScheduledMessages::SentAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_scheduled_messages_user")
                            .from(ScheduledMessages::Table, ScheduledMessages::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_scheduled_messages_due")
                    .table(ScheduledMessages::Table)
                    .col(ScheduledMessages::State)
                    .col(ScheduledMessages::SendAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_scheduled_messages_user")
                    .table(ScheduledMessages::Table)
                    .col(ScheduledMessages::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScheduledMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Drafts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Drafts {
    Table,
    UserId,
    RoomId,
    ThreadKey,
    Body,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ScheduledMessages {
    Table,
    Id,
    UserId,
    RoomId,
    Body,
    SendAt,
    State,
    ErrorCode,
    MessageId,
    CreatedAt,
    SentAt,
}
