//! Which problems each operation can answer: the one table the spec's error responses are
//! written from (`spec_doc`). Rules every operation of a kind shares (a bearer token, a
//! JSON body, the database) are added by [`shared`]; the table lists the rest.
//!
//! A row is `(operation_id, &[code, …])`; each code brings its own status
//! ([`ErrorCode::status`]). A test checks that every operation has a row and every row an
//! operation.

use crate::{
    error::ErrorCode,
    i18n::{DEFAULT_LOCALE, I18n},
};

/// What an operation can fail with besides the shared rules.
pub type Answers = &'static [ErrorCode];

const NONE: Answers = &[];

/// What acting on a room member (mute, unmute, kick) can answer.
const MEMBER_ACTION: Answers = &[
    ErrorCode::Forbidden,
    ErrorCode::ModerationSelf,
    ErrorCode::ModerationOutranked,
    ErrorCode::RoomNotFound,
    ErrorCode::UserNotFound,
    ErrorCode::RoomMemberNotFound,
];

/// What reading a thread (or following it) can answer: no such root, or not in its room.
const THREAD_READ: Answers = &[
    ErrorCode::MessageNotFound,
    ErrorCode::RoomNotMember,
    ErrorCode::RoomNotFound,
];

/// Per operation, the codes it can answer, grouped by status. An operation may have more
/// than one row; it answers what they all list.
pub const TABLE: &[(&str, Answers)] = &[
    // Health and meta.
    ("health_live", NONE),
    ("health_ready", NONE),
    ("meta_version", NONE),
    // Auth.
    (
        "auth_register",
        &[
            ErrorCode::AuthRegistrationClosed,
            ErrorCode::AuthInviteInvalid,
            ErrorCode::UsernameTaken,
            ErrorCode::UsernameTooShort,
            ErrorCode::UsernameTooLong,
            ErrorCode::UsernameInvalidChar,
            ErrorCode::PasswordTooShort,
            ErrorCode::PasswordTooLong,
            ErrorCode::PasswordEqualsUsername,
            ErrorCode::ProfileDisplayNameInvalid,
            ErrorCode::ProfileLocaleUnsupported,
            ErrorCode::RateLimited,
        ],
    ),
    (
        "auth_login",
        &[
            ErrorCode::AuthInvalidCredentials,
            ErrorCode::AuthBanned,
            ErrorCode::RateLimited,
        ],
    ),
    ("auth_logout", NONE),
    ("auth_logout_all", NONE),
    ("auth_sessions_list", NONE),
    ("auth_session_revoke", &[ErrorCode::SessionNotFound]),
    (
        "auth_password_change",
        &[
            ErrorCode::PasswordCurrentWrong,
            ErrorCode::PasswordTooShort,
            ErrorCode::PasswordTooLong,
            ErrorCode::PasswordEqualsUsername,
            ErrorCode::RateLimited,
        ],
    ),
    (
        "auth_password_reset",
        &[
            ErrorCode::MailDisabled,
            ErrorCode::ProfileEmailInvalid,
            ErrorCode::RateLimited,
        ],
    ),
    (
        "auth_password_reset_confirm",
        &[
            ErrorCode::MailDisabled,
            ErrorCode::MailTokenInvalid,
            ErrorCode::PasswordTooShort,
            ErrorCode::PasswordTooLong,
            ErrorCode::PasswordEqualsUsername,
        ],
    ),
    // Users.
    ("users_me", NONE),
    (
        "users_me_email_verify",
        &[ErrorCode::MailDisabled, ErrorCode::MailTokenInvalid],
    ),
    (
        "users_me_email_resend",
        &[
            ErrorCode::MailDisabled,
            ErrorCode::MailNoAddress,
            ErrorCode::RateLimited,
        ],
    ),
    (
        "users_me_update",
        &[
            ErrorCode::ProfileDisplayNameInvalid,
            ErrorCode::ProfileBioTooLong,
            ErrorCode::ProfileEmailInvalid,
            ErrorCode::ProfileLocaleUnsupported,
            ErrorCode::ProfileThemeUnknown,
            ErrorCode::ProfileTimezoneInvalid,
        ],
    ),
    ("users_search", NONE),
    ("users_get", &[ErrorCode::UserNotFound]),
    (
        "users_avatar_set",
        &[
            ErrorCode::PayloadTooLarge,
            ErrorCode::AvatarTypeNotAllowed,
            ErrorCode::AvatarInvalidImage,
            ErrorCode::AvatarTooLarge,
            ErrorCode::StorageFull,
        ],
    ),
    ("users_avatar_remove", NONE),
    (
        "users_avatar_get",
        &[ErrorCode::UserNotFound, ErrorCode::NotFound],
    ),
    ("users_blocks_list", NONE),
    (
        "users_block",
        &[ErrorCode::UserNotFound, ErrorCode::BlockSelf],
    ),
    ("users_unblock", &[ErrorCode::UserNotFound]),
    // Rooms and messages.
    ("rooms_list", NONE),
    ("rooms_public", NONE),
    (
        "rooms_create",
        &[ErrorCode::RoomNameInvalid, ErrorCode::RoomTopicTooLong],
    ),
    (
        "rooms_get",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    (
        "rooms_update",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::Forbidden,
            ErrorCode::RoomNotFound,
            ErrorCode::RoomNameInvalid,
            ErrorCode::RoomTopicTooLong,
        ],
    ),
    (
        "rooms_delete",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::Forbidden,
            ErrorCode::RoomNotFound,
        ],
    ),
    (
        "rooms_join",
        &[
            ErrorCode::RoomInviteRequired,
            ErrorCode::Forbidden,
            ErrorCode::RoomNotFound,
        ],
    ),
    ("rooms_join_by_code", &[ErrorCode::RoomInviteInvalid]),
    (
        "rooms_leave",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::Forbidden,
            ErrorCode::RoomNotFound,
        ],
    ),
    (
        "rooms_invite_rotate",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::Forbidden,
            ErrorCode::RoomNotFound,
        ],
    ),
    (
        "rooms_members",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    (
        "rooms_messages",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    (
        "rooms_message_send",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::DmBlocked,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageBodyEmpty,
            ErrorCode::MessageTooLong,
            ErrorCode::MessageReplyInvalid,
            ErrorCode::ThreadRootInvalid,
            ErrorCode::ThreadNested,
            ErrorCode::MentionSpecialForbidden,
            ErrorCode::MessageTooManyAttachments,
            ErrorCode::FileAttachmentInvalid,
            ErrorCode::RateLimited,
        ],
    ),
    (
        "rooms_read",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    (
        "messages_preview",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageBodyEmpty,
            ErrorCode::MessageTooLong,
        ],
    ),
    (
        "messages_edit",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::MessageNotAuthor,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::MessageNotFound,
            ErrorCode::MessageBodyEmpty,
            ErrorCode::MessageTooLong,
            ErrorCode::MessageNotEditable,
        ],
    ),
    (
        "messages_forward",
        &[
            ErrorCode::MessageNotFound,
            ErrorCode::MessageNotForwardable,
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::DmBlocked,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageTooLong,
            ErrorCode::MentionSpecialForbidden,
            ErrorCode::FileQuotaExceeded,
            ErrorCode::RateLimited,
        ],
    ),
    (
        "messages_delete",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::MessageNotAuthor,
            ErrorCode::ModerationOutranked,
            ErrorCode::MessageNotFound,
        ],
    ),
    (
        "messages_react",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::MessageNotFound,
            ErrorCode::ReactionInvalid,
        ],
    ),
    (
        "messages_embed_remove",
        &[
            ErrorCode::MessageNotAuthor,
            ErrorCode::MessageNotFound,
            ErrorCode::EmbedNotFound,
        ],
    ),
    (
        "messages_unreact",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::MessageNotFound,
            ErrorCode::ReactionInvalid,
        ],
    ),
    (
        "dm_open",
        &[
            ErrorCode::DmBlocked,
            ErrorCode::UserNotFound,
            ErrorCode::DmSelf,
        ],
    ),
    // Pinned and saved messages.
    (
        "messages_pin",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::Forbidden,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageNotFound,
            ErrorCode::PinLimitReached,
        ],
    ),
    (
        "messages_unpin",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::Forbidden,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageNotFound,
        ],
    ),
    (
        "rooms_pins",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    (
        "messages_save",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageNotFound,
            ErrorCode::SavedNoteTooLong,
        ],
    ),
    ("messages_unsave", NONE),
    ("saved_list", NONE),
    // Polls.
    (
        "polls_create",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::RoomNotFound,
            ErrorCode::PollQuestionInvalid,
            ErrorCode::PollOptionsCount,
            ErrorCode::PollOptionTextInvalid,
            ErrorCode::PollOptionsDuplicate,
            ErrorCode::PollMaxChoicesInvalid,
            ErrorCode::PollClosesAtPast,
            ErrorCode::RateLimited,
        ],
    ),
    (
        "polls_list",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    (
        "polls_get",
        &[ErrorCode::RoomNotMember, ErrorCode::PollNotFound],
    ),
    (
        "polls_vote",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::PollNotFound,
            ErrorCode::PollClosed,
            ErrorCode::PollNoChoice,
            ErrorCode::PollTooManyChoices,
            ErrorCode::PollOptionInvalid,
        ],
    ),
    (
        "polls_retract",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::PollNotFound,
            ErrorCode::PollClosed,
        ],
    ),
    (
        "polls_close",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::Forbidden,
            ErrorCode::PollNotFound,
            ErrorCode::PollClosed,
        ],
    ),
    // Custom emoji.
    (
        "emoji_upload",
        &[
            ErrorCode::Forbidden,
            ErrorCode::EmojiNameInvalid,
            ErrorCode::EmojiNameTaken,
            ErrorCode::FileMissing,
            ErrorCode::FileEmpty,
            ErrorCode::FileTooLarge,
            ErrorCode::PayloadTooLarge,
            ErrorCode::FileExecutable,
            ErrorCode::FileActiveContent,
            ErrorCode::FileTypeNotAllowed,
            ErrorCode::FileTypeMismatch,
            ErrorCode::EmojiInvalidImage,
            ErrorCode::EmojiTooLargeToDecode,
            ErrorCode::StorageFull,
        ],
    ),
    ("emoji_list", NONE),
    (
        "emoji_image",
        &[ErrorCode::EmojiNotFound, ErrorCode::PreconditionFailed],
    ),
    (
        "emoji_delete",
        &[ErrorCode::Forbidden, ErrorCode::EmojiNotFound],
    ),
    // Files.
    (
        "files_upload",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::RoomNotFound,
            ErrorCode::FileTooLarge,
            ErrorCode::FileQuotaExceeded,
            ErrorCode::PayloadTooLarge,
            ErrorCode::FileExecutable,
            ErrorCode::FileActiveContent,
            ErrorCode::FileMissing,
            ErrorCode::FileEmpty,
            ErrorCode::FileTypeNotAllowed,
            ErrorCode::FileTypeMismatch,
            ErrorCode::TextNulCharacter,
            ErrorCode::MentionSpecialForbidden,
            ErrorCode::RateLimited,
            ErrorCode::StorageFull,
        ],
    ),
    (
        "files_download",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::FileNotFound,
            ErrorCode::PreconditionFailed,
            ErrorCode::RangeNotSatisfiable,
        ],
    ),
    (
        "files_withdraw",
        &[
            ErrorCode::Forbidden,
            ErrorCode::FileNotFound,
            ErrorCode::FileAlreadySent,
        ],
    ),
    (
        "rooms_files",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    (
        "messages_embed_image",
        &[
            ErrorCode::MessageNotFound,
            ErrorCode::EmbedNotFound,
            ErrorCode::PreconditionFailed,
        ],
    ),
    (
        "files_thumbnail",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::FileNotFound,
            ErrorCode::FileNoThumbnail,
            ErrorCode::PreconditionFailed,
            ErrorCode::RangeNotSatisfiable,
        ],
    ),
    // Moderation.
    ("rooms_member_mute", MEMBER_ACTION),
    ("rooms_member_mute", &[ErrorCode::ModerationDurationInvalid]),
    ("rooms_member_unmute", MEMBER_ACTION),
    ("rooms_member_kick", MEMBER_ACTION),
    (
        "rooms_lock",
        &[ErrorCode::Forbidden, ErrorCode::RoomNotFound],
    ),
    (
        "rooms_unlock",
        &[ErrorCode::Forbidden, ErrorCode::RoomNotFound],
    ),
    (
        "rooms_pinning",
        &[ErrorCode::Forbidden, ErrorCode::RoomNotFound],
    ),
    (
        "rooms_retention",
        &[
            ErrorCode::Forbidden,
            ErrorCode::RoomNotFound,
            ErrorCode::RoomRetentionInvalid,
        ],
    ),
    (
        "messages_report",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::MessageNotFound,
            ErrorCode::ReportDuplicate,
            ErrorCode::ReportReasonInvalid,
            ErrorCode::ReportOwnMessage,
        ],
    ),
    ("admin_reports", &[ErrorCode::Forbidden]),
    (
        "search_messages",
        &[
            ErrorCode::RoomNotFound,
            ErrorCode::UserNotFound,
            ErrorCode::SearchQueryInvalid,
            ErrorCode::SearchCursorInvalid,
        ],
    ),
    (
        "admin_report_handle",
        &[
            ErrorCode::Forbidden,
            ErrorCode::ModerationOutranked,
            ErrorCode::ReportNotFound,
            ErrorCode::ReportClosed,
            ErrorCode::ReportNoteInvalid,
            ErrorCode::ReportActionInvalid,
            ErrorCode::ModerationDurationInvalid,
        ],
    ),
    // Administration.
    (
        "admin_user_ban",
        &[
            ErrorCode::Forbidden,
            ErrorCode::BanSelf,
            ErrorCode::BanOutranked,
            ErrorCode::UserNotFound,
        ],
    ),
    (
        "admin_user_unban",
        &[ErrorCode::Forbidden, ErrorCode::UserNotFound],
    ),
    (
        "admin_user_role",
        &[
            ErrorCode::Forbidden,
            ErrorCode::UserNotFound,
            ErrorCode::RoleLastAdmin,
        ],
    ),
    ("admin_audit", &[ErrorCode::Forbidden]),
    ("admin_users", &[ErrorCode::Forbidden]),
    ("admin_stats", &[ErrorCode::Forbidden]),
    ("admin_invite_create", &[ErrorCode::Forbidden]),
    // Notifications.
    ("notifications_preferences_get", NONE),
    (
        "notifications_preferences_put",
        &[
            ErrorCode::NotificationKeywordsInvalid,
            ErrorCode::NotificationQuietHoursInvalid,
        ],
    ),
    ("notifications_rooms_list", NONE),
    (
        "notifications_room_put",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    ("notifications_room_delete", NONE),
    ("notifications_list", NONE),
    ("notifications_read", &[ErrorCode::NotificationNotFound]),
    ("notifications_read_all", NONE),
    // Threads.
    ("threads_get", THREAD_READ),
    ("threads_follow", THREAD_READ),
    ("threads_unfollow", THREAD_READ),
    (
        "threads_read",
        &[
            ErrorCode::MessageNotFound,
            ErrorCode::RoomNotMember,
            ErrorCode::RoomNotFound,
            ErrorCode::ThreadNotFollowing,
        ],
    ),
    (
        "threads_room",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    ("threads_mine", NONE),
    // Web Push.
    ("push_config", &[ErrorCode::PushDisabled]),
    (
        "push_subscribe",
        &[
            ErrorCode::PushDisabled,
            ErrorCode::PushEndpointInvalid,
            ErrorCode::PushKeysInvalid,
        ],
    ),
    ("push_unsubscribe", &[ErrorCode::PushSubscriptionNotFound]),
    // Drafts and scheduled messages.
    (
        "drafts_save",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageTooLong,
        ],
    ),
    (
        "drafts_delete",
        &[ErrorCode::RoomNotMember, ErrorCode::RoomNotFound],
    ),
    ("drafts_list", NONE),
    (
        "scheduled_create",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::RoomNotFound,
            ErrorCode::MessageBodyEmpty,
            ErrorCode::MessageTooLong,
            ErrorCode::ScheduledSendAtInvalid,
        ],
    ),
    ("scheduled_list", NONE),
    (
        "scheduled_update",
        &[
            ErrorCode::ScheduledNotFound,
            ErrorCode::ScheduledAlreadySent,
            ErrorCode::MessageBodyEmpty,
            ErrorCode::MessageTooLong,
            ErrorCode::ScheduledSendAtInvalid,
        ],
    ),
    (
        "scheduled_cancel",
        &[
            ErrorCode::ScheduledNotFound,
            ErrorCode::ScheduledAlreadySent,
        ],
    ),
    (
        "scheduled_send",
        &[
            ErrorCode::RoomNotMember,
            ErrorCode::RoomLocked,
            ErrorCode::RoomMuted,
            ErrorCode::DmBlocked,
            ErrorCode::RoomNotFound,
            ErrorCode::MentionSpecialForbidden,
            ErrorCode::ScheduledNotFound,
            ErrorCode::ScheduledAlreadySent,
            ErrorCode::RateLimited,
        ],
    ),
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
pub fn shared(operation: &str, shape: Shape) -> Vec<ErrorCode> {
    let mut answers = Vec::new();
    if shape.json_body || shape.parsed_input {
        answers.push(ErrorCode::BadRequest);
    }
    // Any text of the request (path, query, body) is checked for NUL.
    answers.push(ErrorCode::TextNulCharacter);
    if shape.authenticated {
        answers.push(ErrorCode::Unauthorized);
    }
    if shape.json_body {
        answers.extend([
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::BodyWrongType,
            ErrorCode::BodyNullNotAllowed,
            ErrorCode::BodyFieldMissing,
        ]);
    }
    if !WITHOUT_DATABASE.contains(&operation) {
        answers.push(ErrorCode::ServiceUnavailable);
    }
    answers
}

/// Every answer of `operation`: the shared ones and its row, grouped by status (in order of
/// status, each group in the order the codes are listed).
pub fn answers(operation: &str, shape: Shape) -> Vec<(u16, Vec<ErrorCode>)> {
    let own = TABLE
        .iter()
        .filter(|(id, _)| *id == operation)
        .flat_map(|(_, answers)| answers.iter().copied());
    let mut grouped: Vec<(u16, Vec<ErrorCode>)> = Vec::new();
    for code in shared(operation, shape).into_iter().chain(own) {
        match grouped
            .iter_mut()
            .find(|(status, _)| *status == code.status())
        {
            Some((_, list)) if list.contains(&code) => {}
            Some((_, list)) => list.push(code),
            None => grouped.push((code.status(), vec![code])),
        }
    }
    grouped.sort_by_key(|(status, _)| *status);
    grouped
}

/// A code's title as the spec shows it: in the default locale, without Fluent's bidi
/// isolation marks, which are noise in Markdown.
pub fn title(i18n: &I18n, code: ErrorCode) -> String {
    i18n.message(&DEFAULT_LOCALE, code.fluent_id(), Some("title"), None)
        .chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        rows.dedup();
        assert_eq!(operations, rows);
        Ok(())
    }

    #[test]
    fn every_code_in_the_table_is_a_problem_code() {
        for (operation, codes) in TABLE {
            for code in *codes {
                assert!(
                    ErrorCode::PROBLEMS.contains(code),
                    "{operation}: {code} is a socket frame's code, not a problem's"
                );
            }
        }
    }
}
