//! Message bodies: the one place their text is checked, so a send or an edit that holds a
//! [`MessageBody`] cannot store an empty, oversized or NUL-bearing body.

use unicode_normalization::UnicodeNormalization;

use crate::error::{AppError, AppResult, ErrorCode};

pub const BODY_MAX: usize = 4000;

/// A message body: 1–4,000 characters after trimming and NFC, without U+0000.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    /// Checks `input` (NUL first, then emptiness, then length) and keeps it trimmed and NFC.
    pub fn parse(input: &str) -> AppResult<Self> {
        // PostgreSQL cannot store U+0000 in text; refused the same on every backend and path
        // (REST and the socket's `send` and `edit`).
        if input.contains('\0') {
            return Err(AppError::Invalid {
                code: ErrorCode::TextNulCharacter,
                args: vec![("field", "body".to_owned())],
            });
        }
        let body: String = input.trim().nfc().collect();
        let count = body.chars().count();
        if count == 0 {
            return Err(empty());
        }
        if count > BODY_MAX {
            return Err(AppError::Invalid {
                code: ErrorCode::MessageTooLong,
                args: vec![("max", BODY_MAX.to_string())],
            });
        }
        Ok(Self(body))
    }

    /// A body that may be left blank, as beside attachments: blank input is `None`, and
    /// anything else must [`parse`](Self::parse).
    pub fn parse_optional(input: &str) -> AppResult<Option<Self>> {
        if input.trim().is_empty() {
            return Ok(None);
        }
        Self::parse(input).map(Some)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// `message.body_empty`: a message with neither text nor files.
pub fn empty() -> AppError {
    AppError::Invalid {
        code: ErrorCode::MessageBodyEmpty,
        args: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(input: &str) -> Option<ErrorCode> {
        match MessageBody::parse(input) {
            Err(AppError::Invalid { code, .. }) => Some(code),
            Err(other) => panic!("unexpected error {other:?}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn lengths_count_characters_up_to_the_maximum() {
        assert_eq!(code("x"), None);
        assert_eq!(code(&"ب".repeat(BODY_MAX)), None);
        assert_eq!(
            code(&"ب".repeat(BODY_MAX + 1)),
            Some(ErrorCode::MessageTooLong)
        );
        // Surrounding spaces do not count against the limit.
        assert_eq!(code(&format!("  {}  ", "ب".repeat(BODY_MAX))), None);
    }

    #[test]
    fn blank_bodies_are_empty() {
        for blank in ["", "   ", "\n\t "] {
            assert_eq!(code(blank), Some(ErrorCode::MessageBodyEmpty), "{blank:?}");
            assert_eq!(MessageBody::parse_optional(blank).ok(), Some(None));
        }
    }

    #[test]
    fn nul_is_refused_before_any_other_rule() {
        assert_eq!(code("a\0b"), Some(ErrorCode::TextNulCharacter));
        assert_eq!(code("\0"), Some(ErrorCode::TextNulCharacter));
        assert_eq!(
            code(&format!("\0{}", "x".repeat(BODY_MAX + 1))),
            Some(ErrorCode::TextNulCharacter)
        );
        assert!(MessageBody::parse_optional(" \0 ").is_err());
    }

    #[test]
    fn bodies_are_kept_trimmed_and_composed() {
        let body = MessageBody::parse("  e\u{0301}te\u{0301}\n").ok();
        assert_eq!(body.as_ref().map(MessageBody::as_str), Some("été"));
        let inner = MessageBody::parse_optional(" hi  there ").ok().flatten();
        assert_eq!(
            inner.map(MessageBody::into_string).as_deref(),
            Some("hi  there")
        );
    }
}
