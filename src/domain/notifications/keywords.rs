//! Highlight words: words that notify their owner as if they were mentioned. They match
//! whole words, compared as the search index compares them (`domain::text`: NFKC, case,
//! Arabic kaf/yeh as Persian, ZWNJ and diacritics ignored), and only outside code.

use unicode_normalization::UnicodeNormalization;

use crate::{
    domain::text,
    error::{AppError, AppResult, ErrorCode},
};

/// At most this many highlight words per person.
pub const KEYWORDS_MAX: usize = 20;
/// Each of 1 to this many characters.
pub const KEYWORD_CHARS_MAX: usize = 64;

fn invalid() -> AppError {
    AppError::Invalid {
        code: ErrorCode::NotificationKeywordsInvalid,
        args: vec![
            ("max", KEYWORDS_MAX.to_string()),
            ("chars", KEYWORD_CHARS_MAX.to_string()),
        ],
    }
}

/// Checks a list of highlight words: trimmed and NFC, each 1–64 characters with at least
/// one letter or digit, no control characters, at most 20. Repeats (as compared) collapse
/// into the first.
pub fn parse_keywords(input: &[String]) -> AppResult<Vec<String>> {
    let mut keywords: Vec<String> = Vec::new();
    let mut seen: Vec<Vec<String>> = Vec::new();
    for raw in input {
        let word: String = raw.trim().nfc().collect();
        let chars = word.chars().count();
        let tokens = text::tokens(&word);
        if chars == 0
            || chars > KEYWORD_CHARS_MAX
            || tokens.is_empty()
            || word.chars().any(char::is_control)
        {
            return Err(invalid());
        }
        if !seen.contains(&tokens) {
            seen.push(tokens);
            keywords.push(word);
        }
    }
    if keywords.len() > KEYWORDS_MAX {
        return Err(invalid());
    }
    Ok(keywords)
}

/// Whether one of `keywords` is in the text whose tokens are `words` (as whole words, in
/// order, for a keyword of several words).
pub fn matches_any(keywords: &[String], words: &[String]) -> bool {
    keywords.iter().any(|keyword| {
        let wanted = text::tokens(keyword);
        !wanted.is_empty() && words.windows(wanted.len()).any(|window| window == wanted)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(keyword: &str, message: &str) -> bool {
        matches_any(&[keyword.to_owned()], &text::tokens(message))
    }

    #[test]
    fn keywords_match_whole_words_whatever_the_case_and_spelling() {
        assert!(found("Anjoman", "who runs anjoman?"));
        assert!(!found("anjoman", "anjomanha are here"));
        assert!(found("release notes", "see the Release Notes."));
        assert!(!found("release notes", "release the notes"));
        // Arabic kaf and yeh are the Persian letters; ZWNJ does not split a word.
        assert!(found("کیوان", "سلام كيوان"));
        assert!(found("می‌خواهم", "من میخواهم"));
    }

    #[test]
    fn keyword_lists_are_checked() {
        assert_eq!(
            parse_keywords(&[" سارا ".into(), "SARA".into(), "sara".into()]).unwrap(),
            ["سارا", "SARA"]
        );
        assert!(parse_keywords(&["".into()]).is_err());
        assert!(parse_keywords(&["!!".into()]).is_err());
        assert!(parse_keywords(&["x".repeat(65)]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("w{i}")).collect();
        assert!(parse_keywords(&many).is_err());
        assert!(parse_keywords(&many[..20]).is_ok());
    }
}
