use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Server-owned key/value rows: secrets generated on first start (the JWT signing key)
        // and one-time claims (who became the first admin). In the database so that every
        // node of a scaled-out install sees the same values.
        manager
            .create_table(
                Table::create()
                    .table(InstanceState::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(InstanceState::Name)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(InstanceState::Value).text().not_null())
                    .col(
                        ColumnDef::new(InstanceState::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(InstanceState::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum InstanceState {
    Table,
    Name,
    Value,
    CreatedAt,
}
