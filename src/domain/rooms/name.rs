//! Room names: the one place their text is checked, so creating or renaming a room with a
//! [`RoomName`] cannot store an empty, oversized or control-bearing name.

use unicode_normalization::UnicodeNormalization;

use crate::error::{AppError, AppResult, ErrorCode};

pub const NAME_MAX: usize = 80;

/// A room name: 1–80 characters after trimming and NFC, with no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomName(String);

impl RoomName {
    /// Checks `input` and keeps it trimmed and NFC; every failure is `room.name_invalid`.
    pub fn parse(input: &str) -> AppResult<Self> {
        let name: String = input.trim().nfc().collect();
        let count = name.chars().count();
        if count == 0 || count > NAME_MAX || name.chars().any(char::is_control) {
            return Err(AppError::Invalid {
                code: ErrorCode::RoomNameInvalid,
                args: vec![("max", NAME_MAX.to_string())],
            });
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(input: &str) -> bool {
        match RoomName::parse(input) {
            Ok(_) => true,
            Err(AppError::Invalid { code, args }) => {
                assert_eq!(code, ErrorCode::RoomNameInvalid);
                assert_eq!(args, vec![("max", NAME_MAX.to_string())]);
                false
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn lengths_count_characters_up_to_the_maximum() {
        assert!(valid("a"));
        assert!(valid(&"س".repeat(NAME_MAX)));
        assert!(!valid(&"س".repeat(NAME_MAX + 1)));
        assert!(valid(&format!("  {}  ", "س".repeat(NAME_MAX))));
    }

    #[test]
    fn blank_names_are_invalid() {
        for blank in ["", "   ", "\n\t"] {
            assert!(!valid(blank), "{blank:?}");
        }
    }

    #[test]
    fn control_characters_and_nul_are_invalid() {
        assert!(!valid("a\0b"));
        assert!(!valid("line\nbreak"));
        assert!(!valid("bell\u{7}"));
    }

    #[test]
    fn names_are_kept_trimmed_and_composed() {
        let name = RoomName::parse("  Cafe\u{0301} ").ok();
        assert_eq!(name.as_ref().map(RoomName::as_str), Some("Café"));
        assert_eq!(name.map(RoomName::into_string).as_deref(), Some("Café"));
    }
}
