use sea_orm_migration::prelude::*;

/// Pinned and saved messages (issue 22). A pin belongs to its message and room and goes with
/// them. A saved entry is its owner's alone and outlives what it points at: a message that
/// is deleted, removed by retention or whose room is deleted shows as unavailable, so the
/// entry keeps its ids without a foreign key to them.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rooms::Table)
                    .add_column(
                        ColumnDef::new(Rooms::MembersCanPin)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MessagePins::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MessagePins::MessageId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(MessagePins::RoomId).uuid().not_null())
                    // Null once the pinner's account is gone: the pin stays.
                    .col(ColumnDef::new(MessagePins::PinnedBy).uuid().null())
                    .col(
                        ColumnDef::new(MessagePins::PinnedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_pins_message")
                            .from(MessagePins::Table, MessagePins::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_pins_room")
                            .from(MessagePins::Table, MessagePins::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_pins_user")
                            .from(MessagePins::Table, MessagePins::PinnedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // The pinned list and the limit both read a room's pins, newest first.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_message_pins_room")
                    .table(MessagePins::Table)
                    .col(MessagePins::RoomId)
                    .col(MessagePins::PinnedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SavedMessages::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(SavedMessages::UserId).uuid().not_null())
                    .col(ColumnDef::new(SavedMessages::MessageId).uuid().not_null())
                    .col(ColumnDef::new(SavedMessages::RoomId).uuid().not_null())
                    .col(ColumnDef::new(SavedMessages::Note).text().not_null())
                    .col(
                        ColumnDef::new(SavedMessages::SavedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(SavedMessages::UserId)
                            .col(SavedMessages::MessageId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_saved_messages_user")
                            .from(SavedMessages::Table, SavedMessages::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The saved list is a person's entries, newest first.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_saved_messages_user")
                    .table(SavedMessages::Table)
                    .col(SavedMessages::UserId)
                    .col(SavedMessages::SavedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SavedMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MessagePins::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Rooms::Table)
                    .drop_column(Rooms::MembersCanPin)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
    MembersCanPin,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MessagePins {
    Table,
    MessageId,
    RoomId,
    PinnedBy,
    PinnedAt,
}

#[derive(DeriveIden)]
enum SavedMessages {
    Table,
    UserId,
    MessageId,
    RoomId,
    Note,
    SavedAt,
}
