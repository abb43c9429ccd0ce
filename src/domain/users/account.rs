//! The signed-in user's own account, private settings included: what `GET /users/me`
//! answers (`api::users::Me` is its wire form in the spec) and what the chat page boots with.

use chrono::{DateTime, Utc};
use entity::users;
use serde::{Serialize, Serializer};
use uuid::Uuid;

use crate::domain::views::avatar_url;

/// See the module docs. Absent optional fields are left out, as in the REST answer.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub bio: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    pub theme: String,
    pub notification_sound: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub email_verified: bool,
    pub email_missed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl From<users::Model> for Account {
    fn from(user: users::Model) -> Self {
        Self {
            avatar_url: avatar_url(&user),
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            bio: user.bio,
            locale: user.locale,
            theme: user.theme,
            notification_sound: user.notification_sound,
            email_verified: user.email.is_some() && user.email_verified_at.is_some(),
            email: user.email,
            email_missed: user.email_missed,
            timezone: user.timezone,
            created_at: user.created_at,
        }
    }
}

/// The REST answer writes times with `to_rfc3339` (`+00:00`, where serde's default says `Z`);
/// the page gets the very same string, so the client never sees two spellings.
fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339())
}
