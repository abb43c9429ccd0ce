//! Profile fields and their rules.

use unicode_normalization::UnicodeNormalization;

use super::username::Username;
use crate::error::{AppError, ErrorCode};

pub const DISPLAY_NAME_MAX: usize = 64;
pub const BIO_MAX: usize = 500;
pub const LOCALES: &[&str] = &["en-US", "fa-IR"];
pub const THEMES: &[&str] = &["light", "dark", "blue", "green"];

/// A display name: 1–64 characters, no control characters, surrounding space trimmed.
/// Anything else is allowed (emoji, ZWNJ in Persian names, mixed scripts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let name: String = input.trim().nfc().collect();
        let count = name.chars().count();
        let has_control = name
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'));
        if count == 0 || count > DISPLAY_NAME_MAX || has_control {
            return Err(AppError::Invalid {
                code: ErrorCode::ProfileDisplayNameInvalid,
                args: vec![("max", DISPLAY_NAME_MAX.to_string())],
            });
        }
        Ok(Self(name))
    }

    pub fn from_username(username: &Username) -> Self {
        Self(username.as_str().to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A bio of at most 500 characters (line breaks allowed).
pub fn parse_bio(input: &str) -> Result<String, AppError> {
    let bio: String = input.trim().nfc().collect();
    if bio.chars().count() > BIO_MAX {
        return Err(AppError::Invalid {
            code: ErrorCode::ProfileBioTooLong,
            args: vec![("max", BIO_MAX.to_string())],
        });
    }
    Ok(bio)
}

/// One of the UI languages.
pub fn parse_locale(input: &str) -> Result<String, AppError> {
    LOCALES
        .iter()
        .find(|locale| locale.eq_ignore_ascii_case(input.trim()))
        .map(|locale| (*locale).to_owned())
        .ok_or(AppError::Invalid {
            code: ErrorCode::ProfileLocaleUnsupported,
            args: vec![("supported", LOCALES.join(", "))],
        })
}

/// One of the page themes.
pub fn parse_theme(input: &str) -> Result<String, AppError> {
    THEMES
        .iter()
        .find(|theme| theme.eq_ignore_ascii_case(input.trim()))
        .map(|theme| (*theme).to_owned())
        .ok_or(AppError::Invalid {
            code: ErrorCode::ProfileThemeUnknown,
            args: vec![("themes", THEMES.join(", "))],
        })
}

/// An IANA time zone name (`Asia/Tehran`, `America/New_York`, `UTC`, spelt as the tz
/// database spells it), checked against the database that `chrono-tz` carries.
pub fn parse_timezone(input: &str) -> Result<String, AppError> {
    let name = input.trim();
    name.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| AppError::Invalid {
            code: ErrorCode::ProfileTimezoneInvalid,
            args: vec![("example", "Asia/Tehran".to_owned())],
        })
}

/// Every time zone name the server accepts, for the settings page's suggestions.
pub fn timezone_names() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

/// A plausible e-mail address (one `@`, a dot in the domain, no spaces, ≤ 254 bytes).
/// Deliverability is not checked; nothing is sent to it yet.
pub fn parse_email(input: &str) -> Result<String, AppError> {
    let email = input.trim();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        return Err(AppError::Invalid {
            code: ErrorCode::ProfileEmailInvalid,
            args: vec![],
        });
    }
    Ok(email.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_allow_persian_and_emoji_but_not_control_characters() {
        assert!(DisplayName::parse("سارا\u{200C}ی کریمی 🌷").is_ok());
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse("a\nb").is_err());
        assert!(DisplayName::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn bios_are_limited_in_characters() {
        assert!(parse_bio(&"ب".repeat(500)).is_ok());
        assert!(parse_bio(&"ب".repeat(501)).is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            parse_timezone(" Asia/Tehran ").ok().as_deref(),
            Some("Asia/Tehran")
        );
        assert_eq!(
            parse_timezone("Europe/Berlin").ok().as_deref(),
            Some("Europe/Berlin")
        );
        assert_eq!(parse_timezone("UTC").ok().as_deref(), Some("UTC"));
        for bad in ["", "Mars/Olympus", "+03:30", "Asia/Teh ran"] {
            assert!(parse_timezone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locales_and_emails_are_checked() {
        assert_eq!(parse_locale("fa-ir").ok().as_deref(), Some("fa-IR"));
        assert!(parse_locale("de-DE").is_err());
        assert!(parse_email("sara@example.org").is_ok());
        for bad in ["sara", "sara@", "@x.org", "a b@x.org", "a@x", "a@@x.org"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
