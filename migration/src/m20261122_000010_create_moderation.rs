use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Append-only record of every moderation and admin action, and of security events.
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    // Absent for the system (expired bans, retention, security events).
                    .col(ColumnDef::new(AuditLog::ActorId).uuid().null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditLog::TargetType).string_len(32).null())
                    .col(ColumnDef::new(AuditLog::TargetId).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::Reason).string_len(1000).not_null())
                    .col(ColumnDef::new(AuditLog::Ip).string_len(64).null())
                    // JSON details (e.g. old and new role).
                    .col(ColumnDef::new(AuditLog::Data).text().not_null())
                    .col(
                        ColumnDef::new(AuditLog::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_log_actor", AuditLog::ActorId),
            ("idx_audit_log_action", AuditLog::Action),
            ("idx_audit_log_target", AuditLog::TargetId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .if_not_exists()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Reason,
    Ip,
    Data,
    CreatedAt,
}
