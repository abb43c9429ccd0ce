use sea_orm_migration::prelude::*;

/// Web Push: the subscriptions browsers register (one per device, tied to the session that
/// made it), and on each inbox row the state of its push — sent, held by a node sending it
/// (a lease, so one node decides it), or waiting for another try.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(PushSubscriptions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PushSubscriptions::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(PushSubscriptions::SessionId)
                            .uuid()
                            .not_null(),
                    )
                    // The push service's URL for this device: the same URL again replaces it.
                    .col(
                        ColumnDef::new(PushSubscriptions::Endpoint)
                            .string_len(2048)
                            .not_null()
                            .unique_key(),
                    )
                    // The browser's P-256 public key and auth secret, base64url as sent.
                    .col(
                        ColumnDef::new(PushSubscriptions::P256dh)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::Auth)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PushSubscriptions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_push_subscriptions_user")
                            .from(PushSubscriptions::Table, PushSubscriptions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_push_subscriptions_session")
                            .from(PushSubscriptions::Table, PushSubscriptions::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_push_subscriptions_user")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::UserId)
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite adds only one at a time.
        let columns = [
            // Sent (or given up on): the row is never pushed again.
            ColumnDef::new(Notifications::PushedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            // The round of the node that holds it, and until when.
            ColumnDef::new(Notifications::PushClaim)
                .uuid()
                .null()
                .to_owned(),
            ColumnDef::new(Notifications::PushClaimedUntil)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Notifications::PushAttempts)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
            // After a failed attempt: not before then.
            ColumnDef::new(Notifications::PushNextAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Notifications::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        // The worker's question: unpushed unread rows.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_notifications_push_due")
                    .table(Notifications::Table)
                    .col(Notifications::PushedAt)
                    .col(Notifications::ReadAt)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_notifications_push_due")
                    .table(Notifications::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Notifications::PushNextAt,
            Notifications::PushAttempts,
            Notifications::PushClaimedUntil,
            Notifications::PushClaim,
            Notifications::PushedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Notifications::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(PushSubscriptions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    UserId,
    SessionId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    ReadAt,
    CreatedAt,
    PushedAt,
    PushClaim,
    PushClaimedUntil,
    PushAttempts,
    PushNextAt,
}
