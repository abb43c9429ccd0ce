//! Example request bodies for the OpenAPI spec (Swagger UI's "Try it out" starts from them,
//! and generated clients show them in their docs). Persian where a person would type it.

use chrono::{DateTime, Utc};
use poem_openapi::types::{Example, MaybeUndefined};
use uuid::Uuid;

use super::{
    admin, auth, drafts, moderation, notifications, pins, polls, push, rooms, threads, users,
};

/// A moment that stays in the future, for fields that must be: a poll's `closes_at`, a
/// ban's `until` (2099-01-01 00:00 UTC). An example must stay valid as the years pass.
fn far_future() -> DateTime<Utc> {
    DateTime::from_timestamp(4_070_908_800, 0).unwrap_or_default()
}

/// A fixed, readable id for the examples.
fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x019a_4f2c_7e00_7000_8000_0000_0000_0000 + n)
}

impl Example for auth::RegisterRequest {
    fn example() -> Self {
        Self {
            username: "sara".to_owned(),
            password: "correct horse battery".to_owned(),
            display_name: Some("سارا".to_owned()),
            invite_code: None,
            locale: Some("fa-IR".to_owned()),
        }
    }
}

impl Example for auth::LoginRequest {
    fn example() -> Self {
        Self {
            username: "sara".to_owned(),
            password: "correct horse battery".to_owned(),
        }
    }
}

impl Example for auth::PasswordChangeRequest {
    fn example() -> Self {
        Self {
            current_password: "correct horse battery".to_owned(),
            new_password: "a longer and newer passphrase".to_owned(),
        }
    }
}

impl Example for auth::PasswordResetRequest {
    fn example() -> Self {
        Self {
            email: "sara@example.org".to_owned(),
        }
    }
}

impl Example for auth::PasswordResetConfirm {
    fn example() -> Self {
        Self {
            token: "q0Z3bC1zZWNyZXQtdG9rZW4tZnJvbS10aGUtbWFpbA".to_owned(),
            new_password: "a longer and newer passphrase".to_owned(),
        }
    }
}

impl Example for users::EmailVerifyRequest {
    fn example() -> Self {
        Self {
            token: "q0Z3bC1zZWNyZXQtdG9rZW4tZnJvbS10aGUtbWFpbA".to_owned(),
        }
    }
}

impl Example for users::ProfilePatch {
    fn example() -> Self {
        Self {
            display_name: Some("سارا رحیمی".to_owned()),
            bio: Some("Backend developer; چای بیشتر از قهوه.".to_owned()),
            locale: Some("fa-IR".to_owned()),
            theme: Some(users::Theme::Dark),
            notification_sound: Some(true),
            email: MaybeUndefined::Undefined,
            email_missed: None,
            timezone: MaybeUndefined::Value("Asia/Tehran".to_owned()),
        }
    }
}

impl Example for rooms::RoomCreate {
    fn example() -> Self {
        Self {
            name: "چای‌خانه".to_owned(),
            topic: Some("Tea, books and everything else".to_owned()),
            visibility: rooms::RoomVisibility::Public,
        }
    }
}

impl Example for rooms::RoomPatch {
    fn example() -> Self {
        Self {
            name: Some("Tea house".to_owned()),
            topic: None,
            visibility: None,
        }
    }
}

impl Example for rooms::JoinByCode {
    fn example() -> Self {
        Self {
            code: "k3Jd9xQ2".to_owned(),
        }
    }
}

impl Example for rooms::MessageCreate {
    fn example() -> Self {
        Self {
            body: "سلام @ali, the release is on Thursday.".to_owned(),
            reply_to: Some(id(1)),
            thread_id: None,
            also_to_room: false,
            attachments: vec![],
        }
    }
}

impl Example for super::forwarding::ForwardRequest {
    fn example() -> Self {
        Self {
            room_id: id(2),
            comment: Some("FYI: the release notes.".to_owned()),
        }
    }
}

impl Example for rooms::MessageEdit {
    fn example() -> Self {
        Self {
            body: "سلام @ali, the release moved to Friday.".to_owned(),
        }
    }
}

impl Example for rooms::MessagePreviewRequest {
    fn example() -> Self {
        Self {
            body: "**سلام** @ali, the release notes: https://example.org/notes".to_owned(),
            room_id: Some(id(2)),
        }
    }
}

impl Example for threads::ThreadReadMark {
    fn example() -> Self {
        Self { seq: 42 }
    }
}

impl Example for rooms::ReadMark {
    fn example() -> Self {
        Self { seq: 42 }
    }
}

impl Example for polls::PollCreate {
    fn example() -> Self {
        Self {
            question: "Release day?".to_owned(),
            options: vec!["پنجشنبه".to_owned(), "جمعه".to_owned()],
            multiple: Some(false),
            max_choices: None,
            anonymous: Some(false),
            closes_at: Some(far_future()),
        }
    }
}

impl Example for polls::VoteRequest {
    fn example() -> Self {
        Self {
            option_ids: vec![id(2)],
        }
    }
}

impl Example for admin::BanRequest {
    fn example() -> Self {
        Self {
            reason: "Spam links in three rooms".to_owned(),
            until: Some(far_future()),
            purge_hours: Some(24),
        }
    }
}

impl Example for admin::RoleRequest {
    fn example() -> Self {
        Self {
            role: admin::GlobalRole::Moderator,
            reason: "Helps with the night shift".to_owned(),
        }
    }
}

impl Example for admin::InviteRequest {
    fn example() -> Self {
        Self {
            max_uses: Some(5),
            expires_in_hours: Some(72),
        }
    }
}

impl Example for moderation::MuteRequest {
    fn example() -> Self {
        Self {
            minutes: 60,
            reason: "Cool down".to_owned(),
        }
    }
}

impl Example for moderation::Reason {
    fn example() -> Self {
        Self {
            reason: "Off-topic after two warnings".to_owned(),
        }
    }
}

impl Example for moderation::ReportRequest {
    fn example() -> Self {
        Self {
            reason: "تبلیغ".to_owned(),
        }
    }
}

impl Example for moderation::ReportDecision {
    fn example() -> Self {
        Self {
            status: moderation::ReportOutcome::Resolved,
            action: Some(moderation::ReportAction::MuteAuthor),
            minutes: Some(60),
            until: None,
            note: "Second report this week".to_owned(),
        }
    }
}

impl Example for moderation::RetentionRequest {
    fn example() -> Self {
        Self { days: Some(90) }
    }
}

impl Example for moderation::PinningRequest {
    fn example() -> Self {
        Self {
            members_can_pin: true,
        }
    }
}

impl Example for pins::SaveRequest {
    fn example() -> Self {
        Self {
            note: "For the release notes".into(),
        }
    }
}

impl Example for notifications::QuietHoursInput {
    fn example() -> Self {
        Self {
            start: "23:00".to_owned(),
            end: "07:30".to_owned(),
        }
    }
}

impl Example for notifications::NotificationPreferencesPut {
    fn example() -> Self {
        Self {
            level: notifications::NotificationLevel::Mentions,
            keywords: vec!["سارا".to_owned(), "release".to_owned()],
            quiet_hours: Some(notifications::QuietHoursInput::example()),
            show_content: notifications::AlertContent::Full,
            email_missed: true,
        }
    }
}

impl Example for notifications::RoomNotificationPut {
    fn example() -> Self {
        Self {
            level: Some(notifications::NotificationLevel::Nothing),
            muted_until: Some(far_future()),
            muted_forever: false,
        }
    }
}

impl Example for notifications::ReadAllRequest {
    fn example() -> Self {
        Self {
            room_id: Some(id(1)),
        }
    }
}

impl Example for push::PushKeys {
    fn example() -> Self {
        Self {
            p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
                .to_owned(),
            auth: "tBHItJI5svbpez7KI4CCXg".to_owned(),
        }
    }
}

impl Example for push::PushSubscriptionRequest {
    fn example() -> Self {
        Self {
            endpoint: "https://push.example.net/v2/gAAAAABk-anjoman-device".to_owned(),
            keys: push::PushKeys::example(),
        }
    }
}

impl Example for push::PushSubscriptionDelete {
    fn example() -> Self {
        Self {
            endpoint: "https://push.example.net/v2/gAAAAABk-anjoman-device".to_owned(),
        }
    }
}

impl Example for drafts::DraftSave {
    fn example() -> Self {
        Self {
            body: "فردا ساعت ۱۰ جلسه داریم؟ ".to_owned(),
            thread_id: None,
            client_nonce: Some("tab-3f9c".to_owned()),
        }
    }
}

/// A scheduled time must be within a year: unlike [`far_future`], it is taken from the
/// time the spec is built, so it is valid whenever it is read.
fn tomorrow() -> DateTime<Utc> {
    Utc::now() + chrono::Duration::days(1)
}

impl Example for drafts::ScheduledCreate {
    fn example() -> Self {
        Self {
            body: "صبح بخیر! جلسه ساعت ۱۰ است.".to_owned(),
            send_at: tomorrow(),
        }
    }
}

impl Example for drafts::ScheduledUpdate {
    fn example() -> Self {
        Self {
            body: Some("جلسه ساعت ۱۱ است.".to_owned()),
            send_at: Some(tomorrow()),
        }
    }
}
