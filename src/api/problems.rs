//! Which problems each operation can answer: the one table the spec's error responses are
//! written from (`spec_doc`). Rules every operation of a kind shares (a bearer token, a
//! JSON body, the database) are added by [`shared`]; the table lists the rest.
//!
//! A row is `(operation_id, &[(status, &[code, …])])`. A test checks that every operation
//! has a row, every row an operation, and every code a message in every locale.

use crate::error::ErrorCode;

/// What an operation can fail with besides the shared rules.
pub type Answers = &'static [(u16, &'static [ErrorCode])];

const NONE: Answers = &[];

/// Per operation, the statuses and codes it can answer.
pub const TABLE: &[(&str, Answers)] = &[
    // Health and meta.
    ("health_live", NONE),
    ("health_ready", NONE),
    ("meta_version", NONE),
    // Auth.
    (
        "auth_register",
        &[
            (
                403,
                &[
                    ErrorCode::AuthRegistrationClosed,
                    ErrorCode::AuthInviteInvalid,
                ],
            ),
            (409, &[ErrorCode::UsernameTaken]),
            (
                422,
                &[
                    ErrorCode::UsernameTooShort,
                    ErrorCode::UsernameTooLong,
                    ErrorCode::UsernameInvalidChar,
                    ErrorCode::PasswordTooShort,
                    ErrorCode::PasswordTooLong,
                    ErrorCode::PasswordEqualsUsername,
                    ErrorCode::ProfileDisplayNameInvalid,
                    ErrorCode::ProfileLocaleUnsupported,
                ],
            ),
            (429, &[ErrorCode::RateLimited]),
        ],
    ),
    (
        "auth_login",
        &[
            (401, &[ErrorCode::AuthInvalidCredentials]),
            (403, &[ErrorCode::AuthBanned]),
            (429, &[ErrorCode::RateLimited]),
        ],
    ),
    ("auth_logout", NONE),
    ("auth_logout_all", NONE),
    ("auth_sessions_list", NONE),
    (
        "auth_session_revoke",
        &[(404, &[ErrorCode::SessionNotFound])],
    ),
    (
        "auth_password_change",
        &[
            (
                422,
                &[
                    ErrorCode::PasswordCurrentWrong,
                    ErrorCode::PasswordTooShort,
                    ErrorCode::PasswordTooLong,
                    ErrorCode::PasswordEqualsUsername,
                ],
            ),
            (429, &[ErrorCode::RateLimited]),
        ],
    ),
    // Users.
    ("users_me", NONE),
    (
        "users_me_update",
        &[(
            422,
            &[
                ErrorCode::ProfileDisplayNameInvalid,
                ErrorCode::ProfileBioTooLong,
                ErrorCode::ProfileEmailInvalid,
                ErrorCode::ProfileLocaleUnsupported,
                ErrorCode::ProfileThemeUnknown,
                ErrorCode::ProfileTimezoneInvalid,
            ],
        )],
    ),
    ("users_search", NONE),
    ("users_get", &[(404, &[ErrorCode::UserNotFound])]),
    (
        "users_avatar_set",
        &[
            (413, &[ErrorCode::PayloadTooLarge]),
            (415, &[ErrorCode::AvatarTypeNotAllowed]),
            (
                422,
                &[ErrorCode::AvatarInvalidImage, ErrorCode::AvatarTooLarge],
            ),
            (507, &[ErrorCode::StorageFull]),
        ],
    ),
    ("users_avatar_remove", NONE),
    (
        "users_avatar_get",
        &[(404, &[ErrorCode::UserNotFound, ErrorCode::NotFound])],
    ),
    ("users_blocks_list", NONE),
    (
        "users_block",
        &[
            (404, &[ErrorCode::UserNotFound]),
            (422, &[ErrorCode::BlockSelf]),
        ],
    ),
    ("users_unblock", &[(404, &[ErrorCode::UserNotFound])]),
    // Rooms and messages.
    ("rooms_list", NONE),
    ("rooms_public", NONE),
    (
        "rooms_create",
        &[(
            422,
            &[ErrorCode::RoomNameInvalid, ErrorCode::RoomTopicTooLong],
        )],
    ),
    (
        "rooms_get",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_update",
        &[
            (403, &[ErrorCode::RoomNotMember, ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
            (
                422,
                &[ErrorCode::RoomNameInvalid, ErrorCode::RoomTopicTooLong],
            ),
        ],
    ),
    (
        "rooms_delete",
        &[
            (403, &[ErrorCode::RoomNotMember, ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_join",
        &[
            (403, &[ErrorCode::RoomInviteRequired, ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_join_by_code",
        &[(404, &[ErrorCode::RoomInviteInvalid])],
    ),
    (
        "rooms_leave",
        &[
            (403, &[ErrorCode::RoomNotMember, ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_invite_rotate",
        &[
            (403, &[ErrorCode::RoomNotMember, ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_members",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_messages",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_message_send",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                    ErrorCode::DmBlocked,
                ],
            ),
            (404, &[ErrorCode::RoomNotFound]),
            (
                422,
                &[
                    ErrorCode::MessageBodyEmpty,
                    ErrorCode::MessageTooLong,
                    ErrorCode::MessageReplyInvalid,
                    ErrorCode::MessageTooManyAttachments,
                    ErrorCode::FileAttachmentInvalid,
                ],
            ),
            (429, &[ErrorCode::RateLimited]),
        ],
    ),
    (
        "rooms_read",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "messages_edit",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::MessageNotAuthor,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                ],
            ),
            (404, &[ErrorCode::MessageNotFound]),
            (
                422,
                &[
                    ErrorCode::MessageBodyEmpty,
                    ErrorCode::MessageTooLong,
                    ErrorCode::MessageNotEditable,
                ],
            ),
        ],
    ),
    (
        "messages_delete",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::MessageNotAuthor,
                    ErrorCode::ModerationOutranked,
                ],
            ),
            (404, &[ErrorCode::MessageNotFound]),
        ],
    ),
    (
        "messages_react",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                ],
            ),
            (404, &[ErrorCode::MessageNotFound]),
            (422, &[ErrorCode::ReactionInvalid]),
        ],
    ),
    (
        "messages_unreact",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                ],
            ),
            (404, &[ErrorCode::MessageNotFound]),
            (422, &[ErrorCode::ReactionInvalid]),
        ],
    ),
    (
        "dm_open",
        &[
            (403, &[ErrorCode::DmBlocked]),
            (404, &[ErrorCode::UserNotFound]),
            (422, &[ErrorCode::DmSelf]),
        ],
    ),
    // Polls.
    (
        "polls_create",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                ],
            ),
            (404, &[ErrorCode::RoomNotFound]),
            (
                422,
                &[
                    ErrorCode::PollQuestionInvalid,
                    ErrorCode::PollOptionsCount,
                    ErrorCode::PollOptionTextInvalid,
                    ErrorCode::PollOptionsDuplicate,
                    ErrorCode::PollMaxChoicesInvalid,
                    ErrorCode::PollClosesAtPast,
                ],
            ),
            (429, &[ErrorCode::RateLimited]),
        ],
    ),
    (
        "polls_list",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "polls_get",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::PollNotFound]),
        ],
    ),
    (
        "polls_vote",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                ],
            ),
            (404, &[ErrorCode::PollNotFound]),
            (409, &[ErrorCode::PollClosed]),
            (
                422,
                &[
                    ErrorCode::PollNoChoice,
                    ErrorCode::PollTooManyChoices,
                    ErrorCode::PollOptionInvalid,
                ],
            ),
        ],
    ),
    (
        "polls_retract",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                ],
            ),
            (404, &[ErrorCode::PollNotFound]),
            (409, &[ErrorCode::PollClosed]),
        ],
    ),
    (
        "polls_close",
        &[
            (403, &[ErrorCode::RoomNotMember, ErrorCode::Forbidden]),
            (404, &[ErrorCode::PollNotFound]),
            (409, &[ErrorCode::PollClosed]),
        ],
    ),
    // Files.
    (
        "files_upload",
        &[
            (
                403,
                &[
                    ErrorCode::RoomNotMember,
                    ErrorCode::RoomLocked,
                    ErrorCode::RoomMuted,
                ],
            ),
            (404, &[ErrorCode::RoomNotFound]),
            (
                413,
                &[
                    ErrorCode::FileTooLarge,
                    ErrorCode::FileQuotaExceeded,
                    ErrorCode::PayloadTooLarge,
                ],
            ),
            (
                415,
                &[ErrorCode::FileExecutable, ErrorCode::FileActiveContent],
            ),
            (
                422,
                &[
                    ErrorCode::FileMissing,
                    ErrorCode::FileEmpty,
                    ErrorCode::FileTypeNotAllowed,
                    ErrorCode::FileTypeMismatch,
                    ErrorCode::TextNulCharacter,
                ],
            ),
            (429, &[ErrorCode::RateLimited]),
            (507, &[ErrorCode::StorageFull]),
        ],
    ),
    (
        "files_download",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::FileNotFound]),
            (412, &[ErrorCode::PreconditionFailed]),
            (416, &[ErrorCode::RangeNotSatisfiable]),
        ],
    ),
    (
        "files_withdraw",
        &[
            (403, &[ErrorCode::Forbidden]),
            (404, &[ErrorCode::FileNotFound]),
            (409, &[ErrorCode::FileAlreadySent]),
        ],
    ),
    (
        "rooms_files",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "files_thumbnail",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::FileNotFound, ErrorCode::FileNoThumbnail]),
            (412, &[ErrorCode::PreconditionFailed]),
            (416, &[ErrorCode::RangeNotSatisfiable]),
        ],
    ),
    // Moderation.
    (
        "rooms_member_mute",
        &[
            (
                403,
                &[
                    ErrorCode::Forbidden,
                    ErrorCode::ModerationSelf,
                    ErrorCode::ModerationOutranked,
                ],
            ),
            (
                404,
                &[
                    ErrorCode::RoomNotFound,
                    ErrorCode::UserNotFound,
                    ErrorCode::RoomMemberNotFound,
                ],
            ),
            (422, &[ErrorCode::ModerationDurationInvalid]),
        ],
    ),
    (
        "rooms_member_unmute",
        &[
            (
                403,
                &[
                    ErrorCode::Forbidden,
                    ErrorCode::ModerationSelf,
                    ErrorCode::ModerationOutranked,
                ],
            ),
            (
                404,
                &[
                    ErrorCode::RoomNotFound,
                    ErrorCode::UserNotFound,
                    ErrorCode::RoomMemberNotFound,
                ],
            ),
        ],
    ),
    (
        "rooms_member_kick",
        &[
            (
                403,
                &[
                    ErrorCode::Forbidden,
                    ErrorCode::ModerationSelf,
                    ErrorCode::ModerationOutranked,
                ],
            ),
            (
                404,
                &[
                    ErrorCode::RoomNotFound,
                    ErrorCode::UserNotFound,
                    ErrorCode::RoomMemberNotFound,
                ],
            ),
        ],
    ),
    (
        "rooms_lock",
        &[
            (403, &[ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_unlock",
        &[
            (403, &[ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
        ],
    ),
    (
        "rooms_retention",
        &[
            (403, &[ErrorCode::Forbidden]),
            (404, &[ErrorCode::RoomNotFound]),
            (422, &[ErrorCode::RoomRetentionInvalid]),
        ],
    ),
    (
        "messages_report",
        &[
            (403, &[ErrorCode::RoomNotMember]),
            (404, &[ErrorCode::MessageNotFound]),
            (409, &[ErrorCode::ReportDuplicate]),
            (
                422,
                &[ErrorCode::ReportReasonInvalid, ErrorCode::ReportOwnMessage],
            ),
        ],
    ),
    ("admin_reports", &[(403, &[ErrorCode::Forbidden])]),
    (
        "search_messages",
        &[
            (404, &[ErrorCode::RoomNotFound, ErrorCode::UserNotFound]),
            (
                422,
                &[
                    ErrorCode::SearchQueryInvalid,
                    ErrorCode::SearchCursorInvalid,
                ],
            ),
        ],
    ),
    (
        "admin_report_handle",
        &[
            (403, &[ErrorCode::Forbidden, ErrorCode::ModerationOutranked]),
            (404, &[ErrorCode::ReportNotFound]),
            (409, &[ErrorCode::ReportClosed]),
            (
                422,
                &[
                    ErrorCode::ReportNoteInvalid,
                    ErrorCode::ReportActionInvalid,
                    ErrorCode::ModerationDurationInvalid,
                ],
            ),
        ],
    ),
    // Administration.
    (
        "admin_user_ban",
        &[
            (
                403,
                &[
                    ErrorCode::Forbidden,
                    ErrorCode::BanSelf,
                    ErrorCode::BanOutranked,
                ],
            ),
            (404, &[ErrorCode::UserNotFound]),
        ],
    ),
    (
        "admin_user_unban",
        &[
            (403, &[ErrorCode::Forbidden]),
            (404, &[ErrorCode::UserNotFound]),
        ],
    ),
    (
        "admin_user_role",
        &[
            (403, &[ErrorCode::Forbidden]),
            (404, &[ErrorCode::UserNotFound]),
            (409, &[ErrorCode::RoleLastAdmin]),
        ],
    ),
    ("admin_audit", &[(403, &[ErrorCode::Forbidden])]),
    ("admin_users", &[(403, &[ErrorCode::Forbidden])]),
    ("admin_stats", &[(403, &[ErrorCode::Forbidden])]),
    ("admin_invite_create", &[(403, &[ErrorCode::Forbidden])]),
];

/// What an operation is, as far as the shared rules care.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// It takes a bearer token.
    pub authenticated: bool,
    /// It reads a JSON body.
    pub json_body: bool,
    /// It reads path or query parameters, or a body that is not JSON.
    pub parsed_input: bool,
}

/// Operations that never touch the database (so never answer 503).
const WITHOUT_DATABASE: &[&str] = &["health_live", "meta_version"];

/// The problems every operation of a shape can answer, whatever it does.
pub fn shared(operation: &str, shape: Shape) -> Vec<(u16, &'static [ErrorCode])> {
    let mut answers: Vec<(u16, &'static [ErrorCode])> = Vec::new();
    if shape.json_body || shape.parsed_input {
        answers.push((400, &[ErrorCode::BadRequest]));
    }
    // Any text of the request (path, query, body) is checked for NUL.
    answers.push((422, &[ErrorCode::TextNulCharacter]));
    if shape.authenticated {
        answers.push((401, &[ErrorCode::Unauthorized]));
    }
    if shape.json_body {
        answers.push((413, &[ErrorCode::PayloadTooLarge]));
        answers.push((415, &[ErrorCode::UnsupportedMediaType]));
        answers.push((
            422,
            &[
                ErrorCode::BodyWrongType,
                ErrorCode::BodyNullNotAllowed,
                ErrorCode::BodyFieldMissing,
            ],
        ));
    }
    if !WITHOUT_DATABASE.contains(&operation) {
        answers.push((503, &[ErrorCode::ServiceUnavailable]));
    }
    answers
}

/// Every answer of `operation`: the shared ones and its row, merged per status.
pub fn answers(operation: &str, shape: Shape) -> Vec<(u16, Vec<ErrorCode>)> {
    let own = TABLE
        .iter()
        .find(|(id, _)| *id == operation)
        .map_or(NONE, |(_, answers)| answers);
    let mut merged: Vec<(u16, Vec<ErrorCode>)> = Vec::new();
    for (status, codes) in shared(operation, shape)
        .into_iter()
        .chain(own.iter().copied())
    {
        match merged.iter_mut().find(|(s, _)| *s == status) {
            Some((_, list)) => {
                for code in codes {
                    if !list.contains(code) {
                        list.push(*code);
                    }
                }
            }
            None => merged.push((status, codes.to_vec())),
        }
    }
    merged.sort_by_key(|(status, _)| *status);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;

    #[test]
    fn every_operation_has_a_row_and_every_row_an_operation()
    -> Result<(), Box<dyn std::error::Error>> {
        let i18n = I18n::load()?;
        let spec: serde_json::Value = serde_json::from_str(&crate::api::service(&i18n).spec())?;
        let mut operations: Vec<String> = spec["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(|item| item.as_object())
            .flat_map(|item| item.values())
            .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
            .collect();
        operations.sort();
        let mut rows: Vec<String> = TABLE.iter().map(|(id, _)| (*id).to_owned()).collect();
        rows.sort();
        assert_eq!(operations, rows);
        Ok(())
    }

    #[test]
    fn every_code_in_the_table_is_a_known_code_with_its_status() {
        let shape = Shape {
            authenticated: true,
            json_body: true,
            parsed_input: true,
        };
        for (operation, _) in TABLE {
            for (status, codes) in answers(operation, shape) {
                for code in codes {
                    assert!(
                        ErrorCode::PROBLEMS.contains(&code) && code.status() == status,
                        "{operation}: {status} {code} is not a problem code with that status"
                    );
                }
            }
        }
    }
}
