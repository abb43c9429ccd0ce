//! Every error code the server sends, declared once: the `code` of a problem+json body or
//! of a socket `error` frame, with its HTTP status and its Fluent id.
//!
//! Each row is `Variant: wire.code = status`. The wire code is written as tokens, not as a
//! string, so the macro derives both spellings from it: `auth.banned` on the wire and
//! `error-auth-banned` in `locales/*/errors.ftl` (dots become dashes). The variant is the
//! code in UpperCamelCase with the dots dropped (`auth.banned` ↔ `AuthBanned`), which a test
//! checks, so a code can be found by either name. The wire codes keep their dots because
//! clients already switch on them; a macro cannot make one identifier from the other without
//! a helper crate, so both are written in the row and the test keeps them in step.
//!
//! Problems come first, in the order of the catalogue in the OpenAPI description; the
//! socket's own frame codes follow, which are never an HTTP answer.

use std::fmt;

macro_rules! error_codes {
    // The two sections differ only in the line of documentation added to each variant and in
    // which codes `PROBLEMS` lists, so both are passed on as one list of rows.
    (
        problems { $(
            $(#[doc = $pdoc:literal])*
            $pvariant:ident: $phead:ident $(. $ptail:ident)* = $pstatus:literal,
        )* }
        frames { $(
            $(#[doc = $fdoc:literal])*
            $fvariant:ident: $fhead:ident $(. $ftail:ident)* = $fstatus:literal,
        )* }
    ) => {
        error_codes! {
            @rows [$($pvariant)*]
            $(
                $(#[doc = $pdoc])*
                #[doc = ""]
                #[doc = concat!("HTTP ", stringify!($pstatus))]
                $pvariant: $phead $(. $ptail)* = $pstatus,
            )*
            $(
                $(#[doc = $fdoc])*
                #[doc = ""]
                #[doc = concat!("Socket frames only (HTTP ", stringify!($fstatus), " in kind)")]
                $fvariant: $fhead $(. $ftail)* = $fstatus,
            )*
        }
    };
    (
        @rows [$($problem:ident)*]
        $(
            $(#[$attr:meta])*
            $variant:ident: $head:ident $(. $tail:ident)* = $status:literal,
        )*
    ) => {
        /// A stable error code: what clients switch on. See the module documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(
                $(#[$attr])*
                #[doc = concat!(
                    " · code `", stringify!($head) $(, ".", stringify!($tail))*,
                    "` · Fluent `error-", stringify!($head) $(, "-", stringify!($tail))*, "`",
                )]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, problems first.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The codes a problem+json response can carry: the error catalogue published in
            /// the OpenAPI description. Each has a `.title` in every locale.
            pub const PROBLEMS: &'static [Self] = &[$(Self::$problem,)*];

            /// The code on the wire (`auth.banned`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!(stringify!($head) $(, ".", stringify!($tail))*),)*
                }
            }

            /// The HTTP status of a problem with this code.
            pub const fn status(self) -> u16 {
                match self {
                    $(Self::$variant => $status,)*
                }
            }

            /// The Fluent id of the localized message (`error-auth-banned`); for problems its
            /// `.title` attribute is the localized `title`.
            pub const fn fluent_id(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!("error-", stringify!($head) $(, "-", stringify!($tail))*),)*
                }
            }

            /// The variant's name in Rust (`AuthBanned`), for the tests that look for its uses.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant),)*
                }
            }
        }
    };
}

error_codes! {
    problems {
        /// The request could not be read (malformed JSON, a path or query value of the wrong shape).
        BadRequest: bad_request = 400,
        /// Login failed: the same answer for an unknown user and a wrong password.
        AuthInvalidCredentials: auth.invalid_credentials = 401,
        /// No valid credentials: the token is missing, malformed, expired or revoked.
        Unauthorized: unauthorized = 401,
        /// The account is banned; the problem's `data` carries `until` and `reason`.
        AuthBanned: auth.banned = 403,
        /// Registration needs an invite and the code given is missing, used up or expired.
        AuthInviteInvalid: auth.invite_invalid = 403,
        /// The server does not take new accounts.
        AuthRegistrationClosed: auth.registration_closed = 403,
        /// An administrator tried to ban or unban someone of the same or a higher role.
        BanOutranked: ban.outranked = 403,
        /// An administrator tried to ban or unban themselves.
        BanSelf: ban.self = 403,
        /// A browser request came from an origin not on the allow-list.
        CorsOriginNotAllowed: cors.origin_not_allowed = 403,
        /// Signed in, but the role does not allow this (room owner or moderator, site admin).
        Forbidden: forbidden = 403,
        /// No such route.
        NotFound: not_found = 404,
        /// Revoking a session that is not one of the caller's active sessions.
        SessionNotFound: session.not_found = 404,
        /// No user by that name or id.
        UserNotFound: user.not_found = 404,
        /// The route exists with other methods (the response names them in `Allow`).
        MethodNotAllowed: method_not_allowed = 405,
        /// A unique value is already taken, where no more precise code applies.
        Conflict: conflict = 409,
        /// Registering or renaming to a username someone already has.
        UsernameTaken: username.taken = 409,
        /// The request body is larger than the configured limit.
        PayloadTooLarge: payload_too_large = 413,
        /// An avatar upload is not a PNG, JPEG, WebP or GIF image.
        AvatarTypeNotAllowed: avatar.type_not_allowed = 415,
        /// The body is not in a format the route reads (JSON where JSON is expected).
        UnsupportedMediaType: unsupported_media_type = 415,
        /// An avatar image could not be decoded.
        AvatarInvalidImage: avatar.invalid_image = 422,
        /// A required field of a JSON body is missing; `data.field` names it.
        BodyFieldMissing: body.field_missing = 422,
        /// A field of a JSON body is null where the spec does not allow it; `data.field` names it.
        BodyNullNotAllowed: body.null_not_allowed = 422,
        /// A field of a JSON body has the wrong type; `data.field` names it.
        BodyWrongType: body.wrong_type = 422,
        /// Some text of the request (path, query, body, form) holds U+0000; `data.field` names it.
        TextNulCharacter: text.nul_character = 422,
        /// A user tried to block themselves.
        BlockSelf: block.self = 422,
        /// Changing the password with a wrong current password.
        PasswordCurrentWrong: password.current_wrong = 422,
        /// A new password equal to the username.
        PasswordEqualsUsername: password.equals_username = 422,
        /// A new password longer than the maximum.
        PasswordTooLong: password.too_long = 422,
        /// A new password shorter than the minimum.
        PasswordTooShort: password.too_short = 422,
        /// A profile bio longer than the maximum.
        ProfileBioTooLong: profile.bio_too_long = 422,
        /// A display name that is empty, too long or holds control characters.
        ProfileDisplayNameInvalid: profile.display_name_invalid = 422,
        /// A profile e-mail that does not look like an address.
        ProfileEmailInvalid: profile.email_invalid = 422,
        /// A profile or registration locale the server has no translation for.
        ProfileLocaleUnsupported: profile.locale_unsupported = 422,
        /// A profile theme that does not exist.
        ProfileThemeUnknown: profile.theme_unknown = 422,
        /// A profile time zone that is not an IANA name.
        ProfileTimezoneInvalid: profile.timezone_invalid = 422,
        /// A search with neither words nor a filter, or with too long a query.
        SearchQueryInvalid: search.query_invalid = 422,
        /// A search cursor that is not one the server handed out.
        SearchCursorInvalid: search.cursor_invalid = 422,
        /// A username with a character outside letters, digits, `_`, `.` and `-`.
        UsernameInvalidChar: username.invalid_char = 422,
        /// A username longer than the maximum.
        UsernameTooLong: username.too_long = 422,
        /// A username shorter than the minimum.
        UsernameTooShort: username.too_short = 422,
        /// Too many attempts; `Retry-After` and `data.retry_after` say when to try again.
        RateLimited: rate_limited = 429,
        /// Anything unexpected: the cause is logged, the client sees an opaque message.
        Internal: internal = 500,
        /// The database does not answer or the password queue is full; worth retrying.
        ServiceUnavailable: service.unavailable = 503,
        /// The file store has no space left.
        StorageFull: storage.full = 507,
        /// An avatar image too large to decode within the memory set aside for pictures.
        AvatarTooLarge: avatar.too_large = 422,
        /// No such room, or the caller may not see it (a direct room of others).
        RoomNotFound: room.not_found = 404,
        /// No such message, or the caller may not see it.
        MessageNotFound: message.not_found = 404,
        /// No link preview at that position of the message (or it was removed).
        EmbedNotFound: embed.not_found = 404,
        /// Joining by an invite code no room has.
        RoomInviteInvalid: room.invite_invalid = 404,
        /// An action in a room the caller has not joined.
        RoomNotMember: room.not_member = 403,
        /// Joining a private room without its invite code.
        RoomInviteRequired: room.invite_required = 403,
        /// Editing someone else's message.
        MessageNotAuthor: message.not_author = 403,
        /// A direct message to or from someone who blocked the other.
        DmBlocked: dm.blocked = 403,
        /// A room name that is empty, too long or holds control characters.
        RoomNameInvalid: room.name_invalid = 422,
        /// A room topic longer than the maximum.
        RoomTopicTooLong: room.topic_too_long = 422,
        /// A message with no text and no attachment.
        MessageBodyEmpty: message.body_empty = 422,
        /// A message longer than the maximum.
        MessageTooLong: message.too_long = 422,
        /// A reply to a message that is not in the same room.
        MessageReplyInvalid: message.reply_invalid = 422,
        /// `@here` or `@room` from someone who is not a moderator, in a room too large for
        /// everyone to use them.
        MentionSpecialForbidden: mention.special_forbidden = 403,
        /// A reaction that is not a single emoji.
        ReactionInvalid: reaction.invalid = 422,
        /// Opening a direct conversation with oneself.
        DmSelf: dm.self = 422,
        /// No such poll, or the caller may not see it.
        PollNotFound: poll.not_found = 404,
        /// Voting on, retracting from or closing a poll that is closed.
        PollClosed: poll.closed = 409,
        /// A poll question that is empty or too long.
        PollQuestionInvalid: poll.question_invalid = 422,
        /// A poll with too few or too many options.
        PollOptionsCount: poll.options_count = 422,
        /// A poll option that is empty or too long.
        PollOptionTextInvalid: poll.option_text_invalid = 422,
        /// A poll with the same option twice.
        PollOptionsDuplicate: poll.options_duplicate = 422,
        /// A choice limit on a single-choice poll, or outside 1 to the number of options.
        PollMaxChoicesInvalid: poll.max_choices_invalid = 422,
        /// A poll whose closing time has already passed.
        PollClosesAtPast: poll.closes_at_past = 422,
        /// A vote that chooses no option.
        PollNoChoice: poll.no_choice = 422,
        /// A vote with more options than the poll allows.
        PollTooManyChoices: poll.too_many_choices = 422,
        /// A vote for an option of another poll.
        PollOptionInvalid: poll.option_invalid = 422,
        /// No such scheduled message of the caller's.
        ScheduledNotFound: scheduled.not_found = 404,
        /// Editing, cancelling or sending again a scheduled message that was already sent.
        ScheduledAlreadySent: scheduled.already_sent = 409,
        /// A scheduled time that is not in the future, or too far ahead.
        ScheduledSendAtInvalid: scheduled.send_at_invalid = 422,
        /// Editing a message that is not plain text (a poll, a system message).
        MessageNotEditable: message.not_editable = 422,
        /// Forwarding a message that is not plain text (a poll, a system message).
        MessageNotForwardable: message.not_forwardable = 422,
        /// No such file, or it is not shared with the caller.
        FileNotFound: file.not_found = 404,
        /// Asking for the thumbnail of a file that has none.
        FileNoThumbnail: file.no_thumbnail = 404,
        /// An `If-Match` or `If-Unmodified-Since` condition failed.
        PreconditionFailed: precondition_failed = 412,
        /// Withdrawing an upload that a message already carries.
        FileAlreadySent: file.already_sent = 409,
        /// Demoting the last administrator.
        RoleLastAdmin: role.last_admin = 409,
        /// Writing in a room a moderator made read-only.
        RoomLocked: room.locked = 403,
        /// Writing in a room where the caller is muted; `until` in the message says how long.
        RoomMuted: room.muted = 403,
        /// A moderator muting or kicking themselves.
        ModerationSelf: moderation.self = 403,
        /// A moderator acting on someone of at least their own rank.
        ModerationOutranked: moderation.outranked = 403,
        /// Muting or kicking someone who is not a member of the room.
        RoomMemberNotFound: room.member_not_found = 404,
        /// A mute duration (of a member, or of a report's author) outside the allowed range.
        ModerationDurationInvalid: moderation.duration_invalid = 422,
        /// No such report.
        ReportNotFound: report.not_found = 404,
        /// Reporting a message one has already reported.
        ReportDuplicate: report.duplicate = 409,
        /// Handling a report that is already resolved or dismissed.
        ReportClosed: report.closed = 409,
        /// A report without a reason, or with too long a one.
        ReportReasonInvalid: report.reason_invalid = 422,
        /// A moderator's note on a report longer than the maximum.
        ReportNoteInvalid: report.note_invalid = 422,
        /// Reporting one's own message.
        ReportOwnMessage: report.own_message = 422,
        /// Dismissing a report while asking for an action on it.
        ReportActionInvalid: report.action_invalid = 422,
        /// A room retention period outside the allowed range.
        RoomRetentionInvalid: room.retention_invalid = 422,
        /// An upload larger than the per-file limit.
        FileTooLarge: file.too_large = 413,
        /// An upload that would take the uploader past their storage quota.
        FileQuotaExceeded: file.quota_exceeded = 413,
        /// An upload that is a program or script.
        FileExecutable: file.executable = 415,
        /// An upload a browser could run code in (HTML, SVG, XML).
        FileActiveContent: file.active_content = 415,
        /// A `Range` outside the file (`Content-Range` gives its size).
        RangeNotSatisfiable: range_not_satisfiable = 416,
        /// An upload of a type the server does not share.
        FileTypeNotAllowed: file.type_not_allowed = 422,
        /// An upload whose contents do not match its name's extension.
        FileTypeMismatch: file.type_mismatch = 422,
        /// An empty upload.
        FileEmpty: file.empty = 422,
        /// An upload form without its `file` field.
        FileMissing: file.missing = 422,
        /// Attaching a file that is someone else's, of another room or already sent.
        FileAttachmentInvalid: file.attachment_invalid = 422,
        /// A message with more attachments than allowed.
        MessageTooManyAttachments: message.too_many_attachments = 422,
        /// No custom emoji by that name.
        EmojiNotFound: emoji.not_found = 404,
        /// Uploading a custom emoji under a name another one already has.
        EmojiNameTaken: emoji.name_taken = 409,
        /// A custom emoji name that is not 2 to 32 of `a`–`z`, `0`–`9` and `_`.
        EmojiNameInvalid: emoji.name_invalid = 422,
        /// A custom emoji picture that could not be decoded.
        EmojiInvalidImage: emoji.invalid_image = 422,
        /// A custom emoji picture with too many pixels to decode within the memory set aside.
        EmojiTooLargeToDecode: emoji.too_large_to_decode = 422,
        /// No such notification in the caller's inbox.
        NotificationNotFound: notification.not_found = 404,
        /// Highlight words: more than allowed, or one empty, too long or without a letter.
        NotificationKeywordsInvalid: notification.keywords_invalid = 422,
        /// Quiet hours whose times are not `HH:MM`, or start and end at the same time.
        NotificationQuietHoursInvalid: notification.quiet_hours_invalid = 422,
        /// Something that needs e-mail while the server has no SMTP server configured.
        MailDisabled: mail.disabled = 409,
        /// A mailed link (verification, password reset) that is unknown, used or expired.
        MailTokenInvalid: mail.token_invalid = 422,
        /// Verifying an e-mail address while the account has none.
        MailNoAddress: mail.no_address = 409,
        /// Registering for Web Push while the server has it turned off.
        PushDisabled: push.disabled = 409,
        /// A push endpoint that is not an absolute `https` URL of at most 2048 characters.
        PushEndpointInvalid: push.endpoint_invalid = 422,
        /// Push keys that are not a P-256 public key and a 16-byte secret, in base64url.
        PushKeysInvalid: push.keys_invalid = 422,
        /// Removing a push subscription the caller does not have.
        PushSubscriptionNotFound: push.subscription_not_found = 404,
        /// Pinning a message in a room that has the most pins it may have (50).
        PinLimitReached: pin.limit_reached = 409,
        /// A saved message's note longer than the maximum.
        SavedNoteTooLong: saved.note_too_long = 422,
        /// A thread reply whose root is missing, deleted or in another room.
        ThreadRootInvalid: thread.root_invalid = 422,
        /// A thread reply to a message that is itself a thread reply (threads are one deep).
        ThreadNested: thread.nested = 422,
        /// Marking a thread read that the caller does not follow.
        ThreadNotFollowing: thread.not_following = 409,
    }
    frames {
        /// A socket frame that is not a JSON object (or is binary).
        WsMalformed: ws.malformed = 400,
        /// A socket frame whose `op` the server does not know.
        WsUnknownOp: ws.unknown_op = 400,
        /// A socket frame of a known `op` with missing or mistyped fields.
        WsInvalidOp: ws.invalid_op = 400,
    }
}

/// Writes the wire code, so logs and `AppError`'s messages read as before.
impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `AuthInvalidCredentials` → `auth_invalid_credentials`.
    fn snake_case(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars() {
            if c.is_ascii_uppercase() && !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    #[test]
    fn each_variant_is_its_wire_code_in_camel_case() {
        for code in ErrorCode::ALL {
            assert_eq!(
                snake_case(code.name()),
                code.as_str().replace('.', "_"),
                "{code:?}"
            );
        }
    }

    #[test]
    fn codes_are_unique_and_fluent_ids_follow_them() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(
                code.fluent_id(),
                format!("error-{}", code.as_str().replace('.', "-"))
            );
        }
        assert_eq!(ErrorCode::AuthBanned.as_str(), "auth.banned");
        assert_eq!(ErrorCode::AuthBanned.status(), 403);
        assert_eq!(
            ErrorCode::BodyWrongType.fluent_id(),
            "error-body-wrong_type"
        );
    }
}
