use sea_orm_migration::prelude::*;

/// The missed-activity mail (issue 21): when a notification was taken into someone's digest.
/// Null while it may still be mailed; the digest round sets it on every row it looked at,
/// mailed or not, so each row is considered once, on one node.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(
                        ColumnDef::new(Notifications::DigestedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // The round's question, "which rows are due", reads only rows not yet digested,
        // oldest first.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_notifications_digest")
                    .table(Notifications::Table)
                    .col(Notifications::DigestedAt)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_notifications_digest")
                    .table(Notifications::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::DigestedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    DigestedAt,
    CreatedAt,
}
