use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                    // As typed by the user; shown in the UI.
                    .col(ColumnDef::new(Users::Username).string_len(64).not_null())
                    // NFKC + case fold + Arabic/Persian letter folding: the uniqueness key,
                    // so `Ali`/`ali` or `علي`/`علی` cannot both be registered.
                    .col(
                        ColumnDef::new(Users::UsernameKey)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Users::DisplayName)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                    .col(
                        ColumnDef::new(Users::Role)
                            .string_len(16)
                            .not_null()
                            .default("member"),
                    )
                    .col(ColumnDef::new(Users::Locale).string_len(16).null())
                    .col(
                        ColumnDef::new(Users::Bio)
                            .string_len(2000)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Users::Theme)
                            .string_len(16)
                            .not_null()
                            .default("light"),
                    )
                    .col(
                        ColumnDef::new(Users::NotificationSound)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(ColumnDef::new(Users::Email).string_len(254).null())
                    // File name under the uploads dir, and its sniffed media type.
                    .col(ColumnDef::new(Users::AvatarFile).string_len(128).null())
                    .col(ColumnDef::new(Users::AvatarType).string_len(32).null())
                    // Kept up to date by the message service, so profiles need no COUNT(*).
                    .col(
                        ColumnDef::new(Users::MessageCount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    // banned_at set = banned; banned_until NULL = until lifted.
                    .col(
                        ColumnDef::new(Users::BannedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Users::BannedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Users::BanReason).string_len(500).null())
                    .col(
                        ColumnDef::new(Users::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Users::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    UsernameKey,
    DisplayName,
    PasswordHash,
    Role,
    Locale,
    Bio,
    Theme,
    NotificationSound,
    Email,
    AvatarFile,
    AvatarType,
    MessageCount,
    BannedAt,
    BannedUntil,
    BanReason,
    CreatedAt,
    UpdatedAt,
}
