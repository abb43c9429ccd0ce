use sea_orm_migration::prelude::*;

/// Threads (issue 22): a reply names its root in `messages.thread_id` (null for top-level
/// messages) and may also show in the room's timeline (`also_to_room`). `thread_follows`
/// holds who follows which thread and how far they have read it (a room seq, as replies
/// take the room's seq). Follows hang off their user, room and root with `ON DELETE
/// CASCADE`, so retention, a deleted room or a removed account take them along.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite cannot add a column with a foreign key, and a root gone by retention (it
        // is older than its replies) must not take the replies with it anyway.
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(ColumnDef::new(Messages::ThreadId).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(
                        ColumnDef::new(Messages::AlsoToRoom)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        // On a root: the seq of its latest reply (null without replies), so a room's threads
        // list by latest activity without grouping every reply.
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(ColumnDef::new(Messages::ThreadLastSeq).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_messages_thread_activity")
                    .table(Messages::Table)
                    .col(Messages::RoomId)
                    .col(Messages::ThreadLastSeq)
                    .to_owned(),
            )
            .await?;
        // A thread's page and its summary read its replies in seq order.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_messages_thread")
                    .table(Messages::Table)
                    .col(Messages::ThreadId)
                    .col(Messages::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ThreadFollows::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(ThreadFollows::UserId).uuid().not_null())
                    .col(ColumnDef::new(ThreadFollows::RootId).uuid().not_null())
                    .col(ColumnDef::new(ThreadFollows::RoomId).uuid().not_null())
                    // Replies up to this room seq are read.
                    .col(
                        ColumnDef::new(ThreadFollows::LastReadSeq)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ThreadFollows::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ThreadFollows::UserId)
                            .col(ThreadFollows::RootId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_thread_follows_user")
                            .from(ThreadFollows::Table, ThreadFollows::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_thread_follows_root")
                            .from(ThreadFollows::Table, ThreadFollows::RootId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_thread_follows_room")
                            .from(ThreadFollows::Table, ThreadFollows::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Who follows a thread is asked on every reply.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_thread_follows_root")
                    .table(ThreadFollows::Table)
                    .col(ThreadFollows::RootId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ThreadFollows::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_messages_thread_activity")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_messages_thread")
                    .table(Messages::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Messages::ThreadLastSeq,
            Messages::AlsoToRoom,
            Messages::ThreadId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(column)
                        .to_owned(),
                )
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
    ThreadId,
    ThreadLastSeq,
    AlsoToRoom,
}

#[derive(DeriveIden)]
enum ThreadFollows {
    Table,
    UserId,
    RootId,
    RoomId,
    LastReadSeq,
    CreatedAt,
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
