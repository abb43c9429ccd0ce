use sea_orm_migration::prelude::*;

/// Notifications (issue 21): each person's preferences, their per-room overrides, and the
/// inbox of what asked for them. Every row hangs off its user, room and message with
/// `ON DELETE CASCADE`, so retention, a deleted room or a removed account take them along.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No row means the defaults: level `mentions`, no keywords, no quiet hours.
        manager
            .create_table(
                Table::create()
                    .table(NotificationSettings::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(NotificationSettings::UserId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::Level)
                            .string_len(16)
                            .not_null(),
                    )
                    // A JSON array of strings: at most 20 short words, read with the row.
                    .col(
                        ColumnDef::new(NotificationSettings::Keywords)
                            .text()
                            .not_null(),
                    )
                    // `HH:MM` in the user's own time zone; both set or both null.
                    .col(
                        ColumnDef::new(NotificationSettings::QuietStart)
                            .string_len(5)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::QuietEnd)
                            .string_len(5)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::ShowContent)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationSettings::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_settings_user")
                            .from(NotificationSettings::Table, NotificationSettings::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationRooms::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(NotificationRooms::UserId).uuid().not_null())
                    .col(ColumnDef::new(NotificationRooms::RoomId).uuid().not_null())
                    // Null: follow the user's default level.
                    .col(
                        ColumnDef::new(NotificationRooms::Level)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(NotificationRooms::MutedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(NotificationRooms::MutedForever)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(NotificationRooms::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(NotificationRooms::UserId)
                            .col(NotificationRooms::RoomId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_rooms_user")
                            .from(NotificationRooms::Table, NotificationRooms::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_rooms_room")
                            .from(NotificationRooms::Table, NotificationRooms::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Notifications::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Notifications::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(Notifications::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notifications::RoomId).uuid().not_null())
                    .col(ColumnDef::new(Notifications::MessageId).uuid().not_null())
                    .col(ColumnDef::new(Notifications::Seq).big_integer().not_null())
                    .col(
                        ColumnDef::new(Notifications::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Notifications::ReadAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    // The delivery channels' decision, made once when the row is written.
                    .col(ColumnDef::new(Notifications::Alert).boolean().not_null())
                    .col(
                        ColumnDef::new(Notifications::HeldUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_user")
                            .from(Notifications::Table, Notifications::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_room")
                            .from(Notifications::Table, Notifications::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_message")
                            .from(Notifications::Table, Notifications::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per person and message: the strongest reason wins.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_notifications_user_message")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::MessageId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The inbox pages by id (v7, so by time) per user.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_notifications_user_id")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::Id)
                    .to_owned(),
            )
            .await?;
        // Reading a room marks its rows up to a seq.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_notifications_user_room_seq")
                    .table(Notifications::Table)
                    .col(Notifications::UserId)
                    .col(Notifications::RoomId)
                    .col(Notifications::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            NotificationRooms::Table.into_iden(),
            NotificationSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum NotificationSettings {
    Table,
    UserId,
    Level,
    Keywords,
    QuietStart,
    QuietEnd,
    ShowContent,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationRooms {
    Table,
    UserId,
    RoomId,
    Level,
    MutedUntil,
    MutedForever,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    RoomId,
    MessageId,
    Seq,
    CreatedAt,
    ReadAt,
    Alert,
    HeldUntil,
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
enum Messages {
    Table,
    Id,
}
