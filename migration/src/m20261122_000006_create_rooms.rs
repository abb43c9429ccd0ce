use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rooms::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Rooms::Id).uuid().not_null().primary_key())
                    // `public`, `private` or `direct`.
                    .col(ColumnDef::new(Rooms::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Rooms::Name).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Rooms::Topic)
                            .string_len(2000)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Rooms::OwnerId).uuid().null())
                    .col(
                        ColumnDef::new(Rooms::InviteCode)
                            .string_len(16)
                            .null()
                            .unique_key(),
                    )
                    // `<smaller user id>:<larger user id>` for direct rooms: one per pair.
                    .col(
                        ColumnDef::new(Rooms::DirectKey)
                            .string_len(80)
                            .null()
                            .unique_key(),
                    )
                    // The seq of the room's latest event; bumped in the transaction that stores it.
                    .col(
                        ColumnDef::new(Rooms::LastSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Rooms::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Rooms::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rooms_owner")
                            .from(Rooms::Table, Rooms::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoomMembers::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(RoomMembers::RoomId).uuid().not_null())
                    .col(ColumnDef::new(RoomMembers::UserId).uuid().not_null())
                    // `owner`, `moderator` or `member`.
                    .col(ColumnDef::new(RoomMembers::Role).string_len(16).not_null())
                    .col(
                        ColumnDef::new(RoomMembers::JoinedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RoomMembers::LastReadSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(RoomMembers::RoomId)
                            .col(RoomMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_members_room")
                            .from(RoomMembers::Table, RoomMembers::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_members_user")
                            .from(RoomMembers::Table, RoomMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_room_members_user")
                    .table(RoomMembers::Table)
                    .col(RoomMembers::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoomMembers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Rooms::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Rooms {
    Table,
    Id,
    Kind,
    Name,
    Topic,
    OwnerId,
    InviteCode,
    DirectKey,
    LastSeq,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoomMembers {
    Table,
    RoomId,
    UserId,
    Role,
    JoinedAt,
    LastReadSeq,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
