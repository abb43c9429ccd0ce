//! Usernames: what may be typed, and the normalized key that decides uniqueness.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

use crate::error::{AppError, ErrorCode};

pub const MIN_CHARS: usize = 3;
pub const MAX_CHARS: usize = 32;

/// A valid username. `as_str` is what the user typed (NFC, trimmed); `key` is the form
/// compared for uniqueness: NFKC, lower-cased, Arabic letter variants folded to Persian,
/// Persian/Arabic digits folded to ASCII and diacritics dropped — so `Ali`/`ali` and
/// `علي`/`علی` are the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    display: String,
    key: String,
}

impl Username {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let display: String = input.trim().nfc().collect();
        let count = display.chars().count();
        if count < MIN_CHARS {
            return Err(invalid(ErrorCode::UsernameTooShort, "min", MIN_CHARS));
        }
        if count > MAX_CHARS {
            return Err(invalid(ErrorCode::UsernameTooLong, "max", MAX_CHARS));
        }
        let compatible: String = display.nfkc().collect();
        if !compatible.chars().all(is_allowed) {
            return Err(AppError::Invalid {
                code: ErrorCode::UsernameInvalidChar,
                args: vec![],
            });
        }
        let key = compatible
            .chars()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .map(fold_char)
            .collect();
        Ok(Self { display, key })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

fn invalid(code: ErrorCode, arg: &'static str, value: usize) -> AppError {
    AppError::Invalid {
        code,
        args: vec![(arg, value.to_string())],
    }
}

/// Letters of the Latin or Arabic script (Persian included), digits, `_`, `.`, `-`.
fn is_allowed(c: char) -> bool {
    matches!(c, '_' | '.' | '-')
        || c.is_ascii_alphanumeric()
        || is_persian_or_arabic_digit(c)
        || (c.is_alphabetic() && (is_latin(c) || is_arabic_script(c)) && c != '\u{0640}')
        || (is_combining_mark(c) && is_arabic_script(c))
}

fn is_latin(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c != '×' && c != '÷'
}

fn is_arabic_script(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}')
}

fn is_persian_or_arabic_digit(c: char) -> bool {
    matches!(c, '\u{06F0}'..='\u{06F9}' | '\u{0660}'..='\u{0669}')
}

/// Folds spellings that look the same to a reader onto one character.
fn fold_char(c: char) -> char {
    match c {
        // Arabic yeh and alef maksura → Persian yeh; Arabic kaf → Persian keheh.
        '\u{064A}' | '\u{0649}' => '\u{06CC}',
        '\u{0643}' => '\u{06A9}',
        // Persian and Arabic-Indic digits → ASCII.
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        Username::parse(s)
            .map(|u| u.key().to_owned())
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn code(s: &str) -> &'static str {
        Username::parse(s).err().map(|e| e.code()).unwrap_or("ok")
    }

    #[test]
    fn latin_case_variants_share_a_key() {
        assert_eq!(key("Ali"), key("ali"));
        assert_eq!(key("ALI_99"), "ali_99");
    }

    #[test]
    fn arabic_and_persian_spellings_share_a_key() {
        // علي (Arabic yeh) vs علی (Persian yeh); كريم (Arabic kaf) vs کریم.
        assert_eq!(key("علي"), key("علی"));
        assert_eq!(key("كريم"), key("کریم"));
        assert_eq!(key("رضا۱۲"), key("رضا12"));
    }

    #[test]
    fn the_typed_form_is_kept_for_display() -> Result<(), AppError> {
        let name = Username::parse("  Sara.K  ")?;
        assert_eq!(name.as_str(), "Sara.K");
        assert_eq!(name.key(), "sara.k");
        Ok(())
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(code("ab"), "username.too_short");
        assert_eq!(code("علی"), "ok");
        assert_eq!(code(&"a".repeat(32)), "ok");
        assert_eq!(code(&"ب".repeat(33)), "username.too_long");
    }

    #[test]
    fn other_scripts_spaces_and_symbols_are_refused() {
        for bad in [
            "a b c",
            "ali@x",
            "Алиса",
            "名前です",
            "ali\u{200B}x",
            "ـــعلی",
            "<script>",
        ] {
            assert_eq!(code(bad), "username.invalid_char", "{bad}");
        }
    }
}
