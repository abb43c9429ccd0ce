use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Secrets generated on first start (the JWT signing key) live in the database so every
        // node of a scaled-out install signs and verifies with the same key.
        manager
            .create_table(
                Table::create()
                    .table(InstanceSecrets::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(InstanceSecrets::Name)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(InstanceSecrets::Value).string().not_null())
                    .col(
                        ColumnDef::new(InstanceSecrets::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InstanceSecrets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum InstanceSecrets {
    Table,
    Name,
    Value,
    CreatedAt,
}
