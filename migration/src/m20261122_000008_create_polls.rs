use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Polls::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Polls::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Polls::RoomId).uuid().not_null())
                    // The timeline message (kind `poll`) that carries the poll.
                    .col(
                        ColumnDef::new(Polls::MessageId)
                            .uuid()
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Polls::CreatorId).uuid().null())
                    .col(ColumnDef::new(Polls::Question).string_len(1200).not_null())
                    .col(ColumnDef::new(Polls::Multiple).boolean().not_null())
                    .col(ColumnDef::new(Polls::MaxChoices).integer().null())
                    .col(ColumnDef::new(Polls::Anonymous).boolean().not_null())
                    .col(
                        ColumnDef::new(Polls::ClosesAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Polls::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Polls::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_polls_room")
                            .from(Polls::Table, Polls::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollOptions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(PollOptions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PollOptions::PollId).uuid().not_null())
                    .col(ColumnDef::new(PollOptions::Position).integer().not_null())
                    .col(ColumnDef::new(PollOptions::Text).string_len(800).not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_poll_options_poll")
                            .from(PollOptions::Table, PollOptions::PollId)
                            .to(Polls::Table, Polls::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One ballot per voter and poll: its primary key is what makes concurrent votes of
        // one user serialize, and what `total_voters` counts.
        manager
            .create_table(
                Table::create()
                    .table(PollBallots::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(PollBallots::PollId).uuid().not_null())
                    .col(ColumnDef::new(PollBallots::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(PollBallots::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(PollBallots::PollId)
                            .col(PollBallots::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_poll_ballots_poll")
                            .from(PollBallots::Table, PollBallots::PollId)
                            .to(Polls::Table, Polls::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PollVotes::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(PollVotes::PollId).uuid().not_null())
                    .col(ColumnDef::new(PollVotes::UserId).uuid().not_null())
                    .col(ColumnDef::new(PollVotes::OptionId).uuid().not_null())
                    .primary_key(
                        Index::create()
                            .col(PollVotes::PollId)
                            .col(PollVotes::UserId)
                            .col(PollVotes::OptionId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_poll_votes_option")
                            .from(PollVotes::Table, PollVotes::OptionId)
                            .to(PollOptions::Table, PollOptions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PollVotes::Table.into_iden(),
            PollBallots::Table.into_iden(),
            PollOptions::Table.into_iden(),
            Polls::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Polls {
    Table,
    Id,
    RoomId,
    MessageId,
    CreatorId,
    Question,
    Multiple,
    MaxChoices,
    Anonymous,
    ClosesAt,
    ClosedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PollOptions {
    Table,
    Id,
    PollId,
    Position,
    Text,
}

#[derive(DeriveIden)]
enum PollBallots {
    Table,
    PollId,
    UserId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PollVotes {
    Table,
    PollId,
    UserId,
    OptionId,
}

#[derive(DeriveIden)]
enum Rooms {
    Table,
    Id,
}
