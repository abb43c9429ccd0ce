use sea_orm_migration::prelude::*;

/// E-mail: whether (and since when) an account's address is proven to be its owner's, the
/// switch for the missed-activity mail, single-use links (verification, password reset)
/// kept only as hashes, and the outbox every mail waits in until an SMTP server took it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds only one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::EmailVerifiedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::EmailMissed)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailTokens::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MailTokens::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    // SHA-256 of the token, hex: the link itself is never stored.
                    .col(
                        ColumnDef::new(MailTokens::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    // `verify_email` or `password_reset`.
                    .col(
                        ColumnDef::new(MailTokens::Purpose)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailTokens::UserId).uuid().not_null())
                    // The address a verification link proves (it must still be the account's).
                    .col(ColumnDef::new(MailTokens::Email).string_len(254).null())
                    .col(
                        ColumnDef::new(MailTokens::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailTokens::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailTokens::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mail_tokens_user")
                            .from(MailTokens::Table, MailTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(MailOutbox::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    // Null for mail to no account; kept when the account goes, the mail is sent.
                    .col(ColumnDef::new(MailOutbox::UserId).uuid().null())
                    .col(
                        ColumnDef::new(MailOutbox::ToAddress)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(ColumnDef::new(MailOutbox::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(MailOutbox::Subject).text().not_null())
                    .col(ColumnDef::new(MailOutbox::BodyText).text().not_null())
                    .col(ColumnDef::new(MailOutbox::BodyHtml).text().not_null())
                    // Extra headers as a JSON object (`List-Unsubscribe`, …).
                    .col(ColumnDef::new(MailOutbox::Headers).text().not_null())
                    .col(
                        ColumnDef::new(MailOutbox::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    // A node sending the mail holds it until then; past it another may take it.
                    .col(
                        ColumnDef::new(MailOutbox::ClaimedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(MailOutbox::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(MailOutbox::LastError).text().null())
                    .to_owned(),
            )
            .await?;
        // The worker's question: unsent mail that is due.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_mail_outbox_due")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::SentAt)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MailOutbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MailTokens::Table).to_owned())
            .await?;
        for column in [Users::EmailMissed, Users::EmailVerifiedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerifiedAt,
    EmailMissed,
}

#[derive(DeriveIden)]
enum MailTokens {
    Table,
    Id,
    TokenHash,
    Purpose,
    UserId,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    UserId,
    ToAddress,
    Kind,
    Subject,
    BodyText,
    BodyHtml,
    Headers,
    CreatedAt,
    NextAttemptAt,
    Attempts,
    ClaimedUntil,
    SentAt,
    LastError,
}
