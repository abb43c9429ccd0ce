//! A custom emoji's name: what `:name:` in a message or a reaction refers to.

use std::fmt;

use crate::error::{AppError, AppResult, ErrorCode};

/// Shortest name.
pub const NAME_MIN: usize = 2;
/// Longest name.
pub const NAME_MAX: usize = 32;
/// The rule as a regular expression, for the API description.
pub const NAME_PATTERN: &str = "^[a-z0-9_]{2,32}$";

/// A valid name: 2 to 32 of `a`–`z`, `0`–`9` and `_`. Lowercase ASCII only, so two names
/// that look alike are the same name, and `:name:` never needs escaping anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmojiName(String);

impl EmojiName {
    /// The name, or `emoji.name_invalid`. Nothing is trimmed or lowercased: an admin sees
    /// exactly the name clients will type.
    pub fn parse(input: &str) -> AppResult<Self> {
        let valid = (NAME_MIN..=NAME_MAX).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(AppError::Invalid {
                code: ErrorCode::EmojiNameInvalid,
                args: vec![],
            });
        }
        Ok(Self(input.to_owned()))
    }

    /// The name in a `:name:` shortcode, if it is one.
    pub fn from_shortcode(input: &str) -> Option<Self> {
        let inner = input.strip_prefix(':')?.strip_suffix(':')?;
        Self::parse(inner).ok()
    }

    /// `:name:`, as reactions store it.
    pub fn shortcode(&self) -> String {
        format!(":{}:", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmojiName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_two_to_thirty_two_lowercase_letters_digits_or_underscores() {
        for ok in ["ok", "party_parrot", "a1", &"x".repeat(32)] {
            assert!(EmojiName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            &"x".repeat(33),
            "Party",
            "party-parrot",
            "ab cd",
            ":ab:",
            "شاد",
            "ab\0",
        ] {
            assert_eq!(
                EmojiName::parse(bad).err().map(|e| e.code()),
                Some("emoji.name_invalid"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn shortcodes_are_a_name_between_colons() {
        let name = EmojiName::from_shortcode(":party_parrot:");
        assert_eq!(name.as_ref().map(EmojiName::as_str), Some("party_parrot"));
        assert_eq!(
            name.map(|n| n.shortcode()).as_deref(),
            Some(":party_parrot:")
        );
        for not in ["party_parrot", ":party_parrot", "::", ":P:", "👍"] {
            assert!(EmojiName::from_shortcode(not).is_none(), "{not}");
        }
    }
}
