use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The moderation queue: members flag messages, moderators handle them.
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Reports::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Reports::MessageId).uuid().not_null())
                    .col(ColumnDef::new(Reports::RoomId).uuid().not_null())
                    .col(ColumnDef::new(Reports::ReporterId).uuid().not_null())
                    .col(ColumnDef::new(Reports::Reason).string_len(1000).not_null())
                    // `open`, `resolved` or `dismissed`.
                    .col(ColumnDef::new(Reports::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Reports::HandledBy).uuid().null())
                    .col(
                        ColumnDef::new(Reports::HandledAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Reports::Action).string_len(32).null())
                    .col(ColumnDef::new(Reports::Note).string_len(1000).not_null())
                    .col(
                        ColumnDef::new(Reports::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reports_message")
                            .from(Reports::Table, Reports::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reports_reporter")
                            .from(Reports::Table, Reports::ReporterId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One report per person and message.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_reports_message_reporter")
                    .table(Reports::Table)
                    .col(Reports::MessageId)
                    .col(Reports::ReporterId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_reports_status")
                    .table(Reports::Table)
                    .col(Reports::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reports::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    MessageId,
    RoomId,
    ReporterId,
    Reason,
    Status,
    HandledBy,
    HandledAt,
    Action,
    Note,
    CreatedAt,
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
