//! Where `@name` mentions are in a text: one scanner for finding whom a message notifies
//! and for drawing the mention pills, so the two always agree.

use std::ops::Range;

/// The names people may be mentioned by beside usernames: `@here` (members online now)
/// and `@room` (every member).
pub const SPECIAL: [&str; 2] = ["here", "room"];

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Every `@name` in `text` (Persian names too): the byte range of `@name` and the name.
/// `a@b` (an e-mail address) is not a mention, and a trailing `.` or `-` is punctuation.
pub fn mention_spans(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find('@') {
        let at = from + offset;
        let before = text[..at].chars().next_back();
        let start = at + 1;
        let end = text[start..]
            .char_indices()
            .find(|(_, c)| !is_name_char(*c))
            .map_or(text.len(), |(i, _)| start + i);
        let name = text[start..end].trim_end_matches(['.', '-']);
        if before.is_none_or(|c| !is_name_char(c)) && !name.is_empty() {
            spans.push((at..start + name.len(), name));
        }
        from = start;
    }
    spans
}

/// `@name` tokens in a body, as typed.
pub fn mentioned_names(body: &str) -> Vec<String> {
    mention_spans(body)
        .into_iter()
        .map(|(_, name)| name.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_found_in_latin_and_persian_but_not_in_addresses() {
        assert_eq!(mentioned_names("hi @sara and @علی!"), ["sara", "علی"]);
        assert_eq!(
            mentioned_names("mail me at sara@example.org"),
            Vec::<String>::new()
        );
        assert_eq!(mentioned_names("@reza. thanks"), ["reza"]);
    }

    #[test]
    fn spans_cover_the_at_sign_and_the_name() {
        let text = "سلام @پریسا و @sara.";
        let spans = mention_spans(text);
        let covered: Vec<&str> = spans
            .iter()
            .map(|(range, _)| &text[range.clone()])
            .collect();
        assert_eq!(covered, ["@پریسا", "@sara"]);
    }
}
