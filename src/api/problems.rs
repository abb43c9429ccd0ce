//! Which problems each operation can answer: the one table the spec's error responses are
//! written from (`spec_doc`). Rules every operation of a kind shares (a bearer token, a
//! JSON body, the database) are added by [`shared`]; the table lists the rest.
//!
//! A row is `(operation_id, &[(status, &[code, …])])`. A test checks that every operation
//! has a row, every row an operation, and every code a message in every locale.

/// What an operation can fail with besides the shared rules.
pub type Answers = &'static [(u16, &'static [&'static str])];

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
            (403, &["auth.registration_closed", "auth.invite_invalid"]),
            (409, &["username.taken"]),
            (
                422,
                &[
                    "username.too_short",
                    "username.too_long",
                    "username.invalid_char",
                    "password.too_short",
                    "password.too_long",
                    "password.equals_username",
                    "profile.display_name_invalid",
                    "profile.locale_unsupported",
                ],
            ),
            (429, &["rate_limited"]),
        ],
    ),
    (
        "auth_login",
        &[
            (401, &["auth.invalid_credentials"]),
            (403, &["auth.banned"]),
            (429, &["rate_limited"]),
        ],
    ),
    ("auth_logout", NONE),
    ("auth_logout_all", NONE),
    ("auth_sessions_list", NONE),
    ("auth_session_revoke", &[(404, &["session.not_found"])]),
    (
        "auth_password_change",
        &[
            (
                422,
                &[
                    "password.current_wrong",
                    "password.too_short",
                    "password.too_long",
                    "password.equals_username",
                ],
            ),
            (429, &["rate_limited"]),
        ],
    ),
    // Users.
    ("users_me", NONE),
    (
        "users_me_update",
        &[(
            422,
            &[
                "profile.display_name_invalid",
                "profile.bio_too_long",
                "profile.email_invalid",
                "profile.locale_unsupported",
                "profile.theme_unknown",
                "profile.timezone_invalid",
            ],
        )],
    ),
    ("users_search", NONE),
    ("users_get", &[(404, &["user.not_found"])]),
    (
        "users_avatar_set",
        &[
            (413, &["payload_too_large"]),
            (415, &["avatar.type_not_allowed"]),
            (422, &["avatar.invalid_image", "avatar.too_large"]),
            (507, &["storage.full"]),
        ],
    ),
    ("users_avatar_remove", NONE),
    (
        "users_avatar_get",
        &[(404, &["user.not_found", "not_found"])],
    ),
    ("users_blocks_list", NONE),
    (
        "users_block",
        &[(404, &["user.not_found"]), (422, &["block.self"])],
    ),
    ("users_unblock", &[(404, &["user.not_found"])]),
    // Rooms and messages.
    ("rooms_list", NONE),
    ("rooms_public", NONE),
    (
        "rooms_create",
        &[(422, &["room.name_invalid", "room.topic_too_long"])],
    ),
    (
        "rooms_get",
        &[(403, &["room.not_member"]), (404, &["room.not_found"])],
    ),
    (
        "rooms_update",
        &[
            (403, &["room.not_member", "forbidden"]),
            (404, &["room.not_found"]),
            (422, &["room.name_invalid", "room.topic_too_long"]),
        ],
    ),
    (
        "rooms_delete",
        &[
            (403, &["room.not_member", "forbidden"]),
            (404, &["room.not_found"]),
        ],
    ),
    (
        "rooms_join",
        &[
            (403, &["room.invite_required", "forbidden"]),
            (404, &["room.not_found"]),
        ],
    ),
    ("rooms_join_by_code", &[(404, &["room.invite_invalid"])]),
    (
        "rooms_leave",
        &[
            (403, &["room.not_member", "forbidden"]),
            (404, &["room.not_found"]),
        ],
    ),
    (
        "rooms_invite_rotate",
        &[
            (403, &["room.not_member", "forbidden"]),
            (404, &["room.not_found"]),
        ],
    ),
    (
        "rooms_members",
        &[(403, &["room.not_member"]), (404, &["room.not_found"])],
    ),
    (
        "rooms_messages",
        &[(403, &["room.not_member"]), (404, &["room.not_found"])],
    ),
    (
        "rooms_message_send",
        &[
            (
                403,
                &["room.not_member", "room.locked", "room.muted", "dm.blocked"],
            ),
            (404, &["room.not_found"]),
            (
                422,
                &[
                    "message.body_empty",
                    "message.too_long",
                    "message.reply_invalid",
                    "message.too_many_attachments",
                    "file.attachment_invalid",
                ],
            ),
            (429, &["rate_limited"]),
        ],
    ),
    (
        "rooms_read",
        &[(403, &["room.not_member"]), (404, &["room.not_found"])],
    ),
    (
        "messages_edit",
        &[
            (
                403,
                &[
                    "room.not_member",
                    "message.not_author",
                    "room.locked",
                    "room.muted",
                ],
            ),
            (404, &["message.not_found"]),
            (
                422,
                &[
                    "message.body_empty",
                    "message.too_long",
                    "message.not_editable",
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
                    "room.not_member",
                    "message.not_author",
                    "moderation.outranked",
                ],
            ),
            (404, &["message.not_found"]),
        ],
    ),
    (
        "messages_react",
        &[
            (403, &["room.not_member", "room.locked", "room.muted"]),
            (404, &["message.not_found"]),
            (422, &["reaction.invalid"]),
        ],
    ),
    (
        "messages_unreact",
        &[
            (403, &["room.not_member", "room.locked", "room.muted"]),
            (404, &["message.not_found"]),
            (422, &["reaction.invalid"]),
        ],
    ),
    (
        "dm_open",
        &[
            (403, &["dm.blocked"]),
            (404, &["user.not_found"]),
            (422, &["dm.self"]),
        ],
    ),
    // Polls.
    (
        "polls_create",
        &[
            (403, &["room.not_member", "room.locked", "room.muted"]),
            (404, &["room.not_found"]),
            (
                422,
                &[
                    "poll.question_invalid",
                    "poll.options_count",
                    "poll.option_text_invalid",
                    "poll.options_duplicate",
                    "poll.max_choices_invalid",
                    "poll.closes_at_past",
                ],
            ),
            (429, &["rate_limited"]),
        ],
    ),
    (
        "polls_list",
        &[(403, &["room.not_member"]), (404, &["room.not_found"])],
    ),
    (
        "polls_get",
        &[(403, &["room.not_member"]), (404, &["poll.not_found"])],
    ),
    (
        "polls_vote",
        &[
            (403, &["room.not_member", "room.locked", "room.muted"]),
            (404, &["poll.not_found"]),
            (409, &["poll.closed"]),
            (
                422,
                &[
                    "poll.no_choice",
                    "poll.too_many_choices",
                    "poll.option_invalid",
                ],
            ),
        ],
    ),
    (
        "polls_retract",
        &[
            (403, &["room.not_member", "room.locked", "room.muted"]),
            (404, &["poll.not_found"]),
            (409, &["poll.closed"]),
        ],
    ),
    (
        "polls_close",
        &[
            (403, &["room.not_member", "forbidden"]),
            (404, &["poll.not_found"]),
            (409, &["poll.closed"]),
        ],
    ),
    // Files.
    (
        "files_upload",
        &[
            (403, &["room.not_member", "room.locked", "room.muted"]),
            (404, &["room.not_found"]),
            (
                413,
                &["file.too_large", "file.quota_exceeded", "payload_too_large"],
            ),
            (415, &["file.executable", "file.active_content"]),
            (
                422,
                &[
                    "file.missing",
                    "file.empty",
                    "file.type_not_allowed",
                    "file.type_mismatch",
                    "text.nul_character",
                ],
            ),
            (429, &["rate_limited"]),
            (507, &["storage.full"]),
        ],
    ),
    (
        "files_download",
        &[
            (403, &["room.not_member"]),
            (404, &["file.not_found"]),
            (412, &["precondition_failed"]),
            (416, &["range_not_satisfiable"]),
        ],
    ),
    (
        "files_withdraw",
        &[
            (403, &["forbidden"]),
            (404, &["file.not_found"]),
            (409, &["file.already_sent"]),
        ],
    ),
    (
        "rooms_files",
        &[(403, &["room.not_member"]), (404, &["room.not_found"])],
    ),
    (
        "files_thumbnail",
        &[
            (403, &["room.not_member"]),
            (404, &["file.not_found", "file.no_thumbnail"]),
            (412, &["precondition_failed"]),
            (416, &["range_not_satisfiable"]),
        ],
    ),
    // Moderation.
    (
        "rooms_member_mute",
        &[
            (
                403,
                &["forbidden", "moderation.self", "moderation.outranked"],
            ),
            (
                404,
                &["room.not_found", "user.not_found", "room.member_not_found"],
            ),
            (422, &["moderation.duration_invalid"]),
        ],
    ),
    (
        "rooms_member_unmute",
        &[
            (
                403,
                &["forbidden", "moderation.self", "moderation.outranked"],
            ),
            (
                404,
                &["room.not_found", "user.not_found", "room.member_not_found"],
            ),
        ],
    ),
    (
        "rooms_member_kick",
        &[
            (
                403,
                &["forbidden", "moderation.self", "moderation.outranked"],
            ),
            (
                404,
                &["room.not_found", "user.not_found", "room.member_not_found"],
            ),
        ],
    ),
    (
        "rooms_lock",
        &[(403, &["forbidden"]), (404, &["room.not_found"])],
    ),
    (
        "rooms_unlock",
        &[(403, &["forbidden"]), (404, &["room.not_found"])],
    ),
    (
        "rooms_retention",
        &[
            (403, &["forbidden"]),
            (404, &["room.not_found"]),
            (422, &["room.retention_invalid"]),
        ],
    ),
    (
        "messages_report",
        &[
            (403, &["room.not_member"]),
            (404, &["message.not_found"]),
            (409, &["report.duplicate"]),
            (422, &["report.reason_invalid", "report.own_message"]),
        ],
    ),
    ("admin_reports", &[(403, &["forbidden"])]),
    (
        "search_messages",
        &[
            (404, &["room.not_found", "user.not_found"]),
            (422, &["search.query_invalid", "search.cursor_invalid"]),
        ],
    ),
    (
        "admin_report_handle",
        &[
            (403, &["forbidden", "moderation.outranked"]),
            (404, &["report.not_found"]),
            (409, &["report.closed"]),
            (
                422,
                &[
                    "report.note_invalid",
                    "report.action_invalid",
                    "moderation.duration_invalid",
                ],
            ),
        ],
    ),
    // Administration.
    (
        "admin_user_ban",
        &[
            (403, &["forbidden", "ban.self", "ban.outranked"]),
            (404, &["user.not_found"]),
        ],
    ),
    (
        "admin_user_unban",
        &[(403, &["forbidden"]), (404, &["user.not_found"])],
    ),
    (
        "admin_user_role",
        &[
            (403, &["forbidden"]),
            (404, &["user.not_found"]),
            (409, &["role.last_admin"]),
        ],
    ),
    ("admin_audit", &[(403, &["forbidden"])]),
    ("admin_users", &[(403, &["forbidden"])]),
    ("admin_stats", &[(403, &["forbidden"])]),
    ("admin_invite_create", &[(403, &["forbidden"])]),
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
pub fn shared(operation: &str, shape: Shape) -> Vec<(u16, &'static [&'static str])> {
    let mut answers: Vec<(u16, &'static [&'static str])> = Vec::new();
    if shape.json_body || shape.parsed_input {
        answers.push((400, &["bad_request"]));
    }
    // Any text of the request (path, query, body) is checked for NUL.
    answers.push((422, &["text.nul_character"]));
    if shape.authenticated {
        answers.push((401, &["unauthorized"]));
    }
    if shape.json_body {
        answers.push((413, &["payload_too_large"]));
        answers.push((415, &["unsupported_media_type"]));
        answers.push((
            422,
            &[
                "body.wrong_type",
                "body.null_not_allowed",
                "body.field_missing",
            ],
        ));
    }
    if !WITHOUT_DATABASE.contains(&operation) {
        answers.push((503, &["service.unavailable"]));
    }
    answers
}

/// Every answer of `operation`: the shared ones and its row, merged per status.
pub fn answers(operation: &str, shape: Shape) -> Vec<(u16, Vec<&'static str>)> {
    let own = TABLE
        .iter()
        .find(|(id, _)| *id == operation)
        .map_or(NONE, |(_, answers)| answers);
    let mut merged: Vec<(u16, Vec<&'static str>)> = Vec::new();
    for (status, codes) in shared(operation, shape)
        .into_iter()
        .chain(own.iter().copied())
    {
        match merged.iter_mut().find(|(s, _)| *s == status) {
            Some((_, list)) => {
                for code in codes {
                    if !list.contains(code) {
                        list.push(code);
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
    use crate::{error::AppError, i18n::I18n};

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
                    let known = AppError::CODES
                        .iter()
                        .any(|(c, s)| *c == code && *s == status);
                    assert!(
                        known,
                        "{operation}: {status} {code} is not in AppError::CODES"
                    );
                }
            }
        }
    }
}
