use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// A scheduled message the server could not send reaches its author's inbox (kind
/// `scheduled_failed`). Such a row points at the scheduled message, not at a message, so
/// `message_id` and `seq` become nullable, and the row gains `scheduled_id` and the
/// refusal's `error_code`.
///
/// PostgreSQL drops the two `NOT NULL`s in place. SQLite cannot alter a column, so there
/// the table is rebuilt with the same columns, keys and indexes, and its rows copied.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every column of `notifications` as migrations 18, 20 and 21 left it, in their order.
const KEPT: &str = "id, user_id, kind, room_id, message_id, seq, created_at, read_at, alert, \
    held_until, pushed_at, push_claim, push_claimed_until, push_attempts, push_next_at, \
    digested_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite(manager).await?,
            _ => {
                let db = manager.get_connection();
                db.execute_unprepared(
                    "ALTER TABLE notifications ALTER COLUMN message_id DROP NOT NULL, \
                     ALTER COLUMN seq DROP NOT NULL",
                )
                .await?;
                for mut column in new_columns() {
                    manager
                        .alter_table(
                            Table::alter()
                                .table(Notifications::Table)
                                .add_column(&mut column)
                                .to_owned(),
                        )
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The rows that name no message cannot go back.
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM notifications WHERE message_id IS NULL")
            .await?;
        if manager.get_database_backend() == DbBackend::Sqlite {
            // SQLite keeps the nullable columns: a later `up` rebuilds the table anyway.
            return Ok(());
        }
        for column in [Notifications::ErrorCode, Notifications::ScheduledId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Notifications::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        db.execute_unprepared(
            "ALTER TABLE notifications ALTER COLUMN message_id SET NOT NULL, \
             ALTER COLUMN seq SET NOT NULL",
        )
        .await?;
        Ok(())
    }
}

/// The scheduled message a `scheduled_failed` row tells of (no foreign key: the row stays
/// when its author cancels the message), and why it was refused.
fn new_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new(Notifications::ScheduledId)
            .uuid()
            .null()
            .to_owned(),
        ColumnDef::new(Notifications::ErrorCode)
            .string_len(64)
            .null()
            .to_owned(),
    ]
}

/// One script, run on one connection in one transaction: a pooled connection whose cached
/// schema still lists the old table would refuse the rename, and a crash half way must
/// leave the table as it was.
async fn rebuild_sqlite(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut script = vec![
        "BEGIN IMMEDIATE".to_owned(),
        "DROP TABLE IF EXISTS notifications_rebuilt".to_owned(),
    ];
    let mut table = Table::create();
    table
        .table(Rebuilt::Table)
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
        .col(ColumnDef::new(Notifications::MessageId).uuid().null())
        .col(ColumnDef::new(Notifications::Seq).big_integer().null())
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
        .col(ColumnDef::new(Notifications::Alert).boolean().not_null())
        .col(
            ColumnDef::new(Notifications::HeldUntil)
                .timestamp_with_time_zone()
                .null(),
        )
        .col(
            ColumnDef::new(Notifications::PushedAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .col(ColumnDef::new(Notifications::PushClaim).uuid().null())
        .col(
            ColumnDef::new(Notifications::PushClaimedUntil)
                .timestamp_with_time_zone()
                .null(),
        )
        .col(
            ColumnDef::new(Notifications::PushAttempts)
                .integer()
                .not_null()
                .default(0),
        )
        .col(
            ColumnDef::new(Notifications::PushNextAt)
                .timestamp_with_time_zone()
                .null(),
        )
        .col(
            ColumnDef::new(Notifications::DigestedAt)
                .timestamp_with_time_zone()
                .null(),
        );
    for mut column in new_columns() {
        table.col(&mut column);
    }
    table
        .foreign_key(
            ForeignKey::create()
                .name("fk_notifications_user")
                .from(Rebuilt::Table, Notifications::UserId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_notifications_room")
                .from(Rebuilt::Table, Notifications::RoomId)
                .to(Rooms::Table, Rooms::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_notifications_message")
                .from(Rebuilt::Table, Notifications::MessageId)
                .to(Messages::Table, Messages::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
    script.push(table.to_string(SqliteQueryBuilder));
    script.push(format!(
        "INSERT INTO notifications_rebuilt ({KEPT}) SELECT {KEPT} FROM notifications"
    ));
    // No table refers to `notifications`, so dropping it deletes nothing elsewhere; its
    // indexes go with it and are made again below.
    script.push("DROP TABLE notifications".to_owned());
    script.push("ALTER TABLE notifications_rebuilt RENAME TO notifications".to_owned());
    let indexes = [
        // One row per person and message (rows with no message never collide).
        Index::create()
            .name("idx_notifications_user_message")
            .table(Notifications::Table)
            .col(Notifications::UserId)
            .col(Notifications::MessageId)
            .unique()
            .to_owned(),
        Index::create()
            .name("idx_notifications_user_id")
            .table(Notifications::Table)
            .col(Notifications::UserId)
            .col(Notifications::Id)
            .to_owned(),
        Index::create()
            .name("idx_notifications_user_room_seq")
            .table(Notifications::Table)
            .col(Notifications::UserId)
            .col(Notifications::RoomId)
            .col(Notifications::Seq)
            .to_owned(),
        Index::create()
            .name("idx_notifications_push_due")
            .table(Notifications::Table)
            .col(Notifications::PushedAt)
            .col(Notifications::ReadAt)
            .col(Notifications::CreatedAt)
            .to_owned(),
        Index::create()
            .name("idx_notifications_digest")
            .table(Notifications::Table)
            .col(Notifications::DigestedAt)
            .col(Notifications::CreatedAt)
            .to_owned(),
    ];
    for index in indexes {
        script.push(index.to_string(SqliteQueryBuilder));
    }
    script.push("COMMIT".to_owned());
    manager
        .get_connection()
        .execute_unprepared(&script.join(";\n"))
        .await?;
    Ok(())
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
    PushedAt,
    PushClaim,
    PushClaimedUntil,
    PushAttempts,
    PushNextAt,
    DigestedAt,
    ScheduledId,
    ErrorCode,
}

#[derive(DeriveIden)]
enum Rebuilt {
    #[sea_orm(iden = "notifications_rebuilt")]
    Table,
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
