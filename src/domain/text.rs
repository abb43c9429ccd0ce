//! Text normalization for full-text search. Message bodies are indexed as [`normalize`]d
//! tokens and queries go through the same [`tokens`], so every folding below applies to both
//! sides alike: SQLite FTS5 (`unicode61 remove_diacritics 0`) and PostgreSQL
//! (`to_tsvector('simple', …)`) only ever see our output, split on spaces.
//!
//! The steps: NFKC (which also turns Arabic presentation forms and fullwidth Latin into the
//! base letters), lowercase, Arabic letter variants folded to the Persian ones, diacritics,
//! tatweel, the lone hamza and invisible characters (ZWNJ, ZWJ, bidi marks) dropped,
//! Persian/Arabic-Indic digits to ASCII; then split into words, with the detached Persian
//! prefixes `می`/`نمی` and plural suffixes `ها`/`های`/`هایی` joined to their word, so
//! `می‌روم`, `میروم` and `می روم` are all the token `میروم`.

use std::ops::Range;

use unicode_normalization::{
    IsNormalized, UnicodeNormalization,
    char::{canonical_combining_class, is_combining_mark},
    is_nfkc_quick,
};

/// Longer tokens are cut to this many characters (on both sides, so they still match).
pub const MAX_TOKEN_CHARS: usize = 64;

/// Verb prefixes written apart from the verb (`می روم`) but indexed joined to it.
const DETACHED_PREFIXES: [&str; 2] = ["\u{0645}\u{06CC}", "\u{0646}\u{0645}\u{06CC}"]; // می، نمی
/// Plural suffixes written apart from the noun (`کتاب ها`) but indexed joined to it.
const DETACHED_SUFFIXES: [&str; 3] = [
    "\u{0647}\u{0627}",                 // ها
    "\u{0647}\u{0627}\u{06CC}",         // های
    "\u{0647}\u{0627}\u{06CC}\u{06CC}", // هایی
];

/// The normalized tokens of `text`, joined by single spaces: what goes into the index.
pub fn normalize(text: &str) -> String {
    tokens(text).join(" ")
}

/// The text search indexes for a message: its body and the names of its files.
pub fn search_text(body: &str, file_names: &[String]) -> String {
    let mut text = body.to_owned();
    for name in file_names {
        text.push(' ');
        text.push_str(name);
    }
    normalize(&text)
}

/// The normalized tokens of `text`, in order.
pub fn tokens(text: &str) -> Vec<String> {
    word_spans(text)
        .into_iter()
        .map(|(_, token)| token)
        .collect()
}

/// The words of `text` as byte ranges of the original, each with its normalized token; the
/// tokens are exactly [`tokens`]`(text)`, so a highlighter marks a range when its token
/// equals a query term (or, for a prefix term, starts with it).
///
/// A detached prefix or suffix joined to its word gives one span covering both words and
/// the space between (`می روم` → `میروم`), so the whole phrase is marked. Invisible
/// characters and diacritics inside a word belong to its range. A single character that
/// expands to several words (the ligature `ﷺ`) gives several tokens with the same range.
pub fn word_spans(text: &str) -> Vec<(Range<usize>, String)> {
    let mut words = join_detached(text, raw_words(text));
    for (_, token) in &mut words {
        if let Some((cut, _)) = token.char_indices().nth(MAX_TOKEN_CHARS) {
            token.truncate(cut);
        }
    }
    words
}

/// Words before the prefix/suffix rule. Each normalization unit is normalized on its own,
/// which keeps the byte range every output character comes from.
fn raw_words(text: &str) -> Vec<(Range<usize>, String)> {
    let mut words = Vec::new();
    let mut word: Option<(Range<usize>, String)> = None;
    for unit in units(text) {
        let folded = text[unit.clone()]
            .nfkc()
            .flat_map(char::to_lowercase)
            .filter_map(fold);
        for c in folded {
            // Marks left after folding (Indic vowel signs, Hebrew points…) are part of the
            // word they follow rather than splitting it.
            if c.is_alphanumeric() || (is_combining_mark(c) && word.is_some()) {
                let (range, token) = word.get_or_insert_with(|| (unit.clone(), String::new()));
                range.end = unit.end;
                token.push(c);
            } else {
                words.extend(word.take());
            }
        }
    }
    words.extend(word);
    words
}

/// Splits `text` where NFKC cannot reach across: before a character whose decomposition
/// starts with a starter that never combines with what precedes it. Normalizing the units
/// one by one then gives the same result as normalizing the whole text.
fn units(text: &str) -> Vec<Range<usize>> {
    let mut units = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if i > start && is_unit_start(c) {
            units.push(start..i);
            start = i;
        }
    }
    if start < text.len() {
        units.push(start..text.len());
    }
    units
}

fn is_unit_start(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let first = std::iter::once(c).nfkd().next().unwrap_or(c);
    canonical_combining_class(first) == 0
        && is_nfkc_quick(std::iter::once(first)) == IsNormalized::Yes
}

/// One character after NFKC and lowercasing: its search form, or `None` when it is dropped.
fn fold(c: char) -> Option<char> {
    Some(match c {
        '\u{064A}' | '\u{0649}' | '\u{0626}' => '\u{06CC}', // ي ى ئ → ی
        '\u{0643}' => '\u{06A9}',                           // ك → ک
        '\u{0629}' | '\u{06C0}' => '\u{0647}',              // ة ۀ → ه
        '\u{0623}' | '\u{0625}' | '\u{0622}' | '\u{0671}' => '\u{0627}', // أ إ آ ٱ → ا
        '\u{0624}' => '\u{0648}',                           // ؤ → و
        '\u{06F0}'..='\u{06F9}' => ascii_digit(c, '\u{06F0}'),
        '\u{0660}'..='\u{0669}' => ascii_digit(c, '\u{0660}'),
        // `Σ` lowercases to `σ` even at a word's end, where `ς` is written.
        'ς' => 'σ',
        _ if is_ignorable(c) => return None,
        _ => c,
    })
}

fn ascii_digit(c: char, zero: char) -> char {
    char::from_digit(u32::from(c) - u32::from(zero), 10).unwrap_or(c)
}

/// Dropped without splitting the word: Arabic diacritics and Quranic marks, tatweel, the
/// lone hamza, and invisible format characters (ZWNJ joins `می‌روم` into `میروم`).
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0640}' // tatweel
        | '\u{0621}' // hamza
        | '\u{061C}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
    )
}

/// Joins a detached prefix to the next word and a detached suffix to the previous one,
/// when only spaces or invisible characters separate them and the neighbour is a Persian
/// word (so `email ها` stays two tokens and `email` is still found).
fn join_detached(text: &str, words: Vec<(Range<usize>, String)>) -> Vec<(Range<usize>, String)> {
    let mut joined: Vec<(Range<usize>, String)> = Vec::with_capacity(words.len());
    for (range, token) in words {
        if let Some((prev_range, prev)) = joined.last_mut() {
            let adjacent = text
                .get(prev_range.end..range.start)
                .is_some_and(|gap| gap.chars().all(|c| c.is_whitespace() || is_ignorable(c)));
            let prefix_joins = DETACHED_PREFIXES.contains(&prev.as_str())
                && token.chars().next().is_some_and(is_arabic_letter);
            let suffix_joins = DETACHED_SUFFIXES.contains(&token.as_str())
                && prev.chars().last().is_some_and(is_arabic_letter);
            if adjacent && (prefix_joins || suffix_joins) {
                prev_range.end = range.end;
                prev.push_str(&token);
                continue;
            }
        }
        joined.push((range, token));
    }
    joined
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}') && c.is_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row: texts that must all give the same tokens, and those tokens.
    const SAME: &[(&[&str], &str)] = &[
        (&["علي", "علی"], "علی"),
        (&["كتاب", "کتاب"], "کتاب"),
        (&["مدرسة", "مدرسه"], "مدرسه"),
        (&["أحمد", "احمد", "\u{0627}\u{0654}حمد"], "احمد"),
        (&["إيران", "ایران"], "ایران"),
        (&["آب", "اب", "\u{0627}\u{0653}ب"], "اب"),
        (&["ٱلله", "الله"], "الله"),
        (&["مؤمن", "مومن"], "مومن"),
        (&["مسئله", "مسیله"], "مسیله"),
        (&["خانۀ", "خانه\u{0654}", "خانه"], "خانه"),
        (&["جزء", "جز"], "جز"),
        (&["كَتَبَ", "کتب"], "کتب"),
        (&["مُحَمَّد", "محمد"], "محمد"),
        (&["رحمٰن", "رحمن"], "رحمن"),
        (&["سـلام", "ســـلام", "سلام"], "سلام"),
        (&["می‌روم", "میروم", "می روم", "می\u{200D}روم"], "میروم"),
        (&["نمی‌دانم", "نمیدانم", "نمی دانم"], "نمیدانم"),
        (&["کتاب‌ها", "کتابها", "کتاب ها"], "کتابها"),
        (&["کتاب‌های", "کتاب های"], "کتابهای"),
        (&["۱۴۰۵", "1405", "١٤٠٥"], "1405"),
        (&["Tehran", "TEHRAN", "tehran"], "tehran"),
        (&["ＡＢＣ", "abc"], "abc"),
        (&["ΟΔΟΣ", "οδος"], "οδοσ"),
        (
            &["\u{200F}سلام\u{200E}", "\u{202B}سلام\u{202C}", "\u{FEFF}سلام"],
            "سلام",
        ),
        // Presentation forms: ﺳﻼﻡ (seen initial, lam-alef ligature, meem) and ﻛﺘﺎﺏ.
        (&["\u{FEB3}\u{FEFC}\u{FEE1}", "سلام"], "سلام"),
        (&["\u{FEDB}\u{FE98}\u{FE8E}\u{FE8F}", "كتاب"], "کتاب"),
        (&["\u{FBFE}\u{FB90}", "یک"], "یک"),
        (
            &["جلسه Zoom ساعت ۵", "جلسه zoom  ساعت 5!"],
            "جلسه zoom ساعت 5",
        ),
        (&["email ها", "email  ها"], "email ها"),
    ];

    #[test]
    fn equivalent_spellings_normalize_to_the_same_tokens() {
        for (texts, expected) in SAME {
            for text in *texts {
                assert_eq!(normalize(text), *expected, "{text:?}");
            }
        }
    }

    #[test]
    fn words_split_on_anything_but_letters_and_digits() {
        assert_eq!(
            tokens("Hello, world! (x2) ...  a-b"),
            ["hello", "world", "x2", "a", "b"]
        );
        assert_eq!(tokens("«سلام»، خوبی؟"), ["سلام", "خوبی"]);
        assert!(tokens(" ,.!؟ ‌ ـ ").is_empty());
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn marks_stay_inside_the_word_they_follow() {
        assert_eq!(tokens("हिन्दी भाषा"), ["हिन्दी", "भाषा"]);
    }

    #[test]
    fn detached_affixes_join_only_persian_neighbours_across_spaces() {
        assert_eq!(tokens("می. روم"), ["می", "روم"]);
        assert_eq!(tokens("می"), ["می"]);
        assert_eq!(tokens("ها ها"), ["هاها"]);
        assert_eq!(tokens("من نمی روم"), ["من", "نمیروم"]);
        assert_eq!(tokens("می 5"), ["می", "5"]);
    }

    #[test]
    fn long_tokens_are_cut() {
        let long = "ب".repeat(100);
        let cut = tokens(&long);
        assert_eq!(cut.len(), 1);
        assert_eq!(cut[0].chars().count(), MAX_TOKEN_CHARS);
    }

    #[test]
    fn word_spans_point_into_the_original_text() {
        let text = "Salam، می‌روم به کتاب ها ﻛﺘﺎﺏ!";
        let spans: Vec<(&str, String)> = word_spans(text)
            .into_iter()
            .map(|(range, token)| (&text[range], token))
            .collect();
        let expected = [
            ("Salam", "salam"),
            ("می‌روم", "میروم"),
            ("به", "به"),
            ("کتاب ها", "کتابها"),
            ("ﻛﺘﺎﺏ", "کتاب"),
        ];
        assert_eq!(spans.len(), expected.len());
        for ((original, token), (want_original, want_token)) in spans.iter().zip(expected) {
            assert_eq!((*original, token.as_str()), (want_original, want_token));
        }
    }

    #[test]
    fn word_spans_give_exactly_the_tokens() {
        for text in ["ﷺ و ½", "e\u{0301}te\u{0301}", "كَتَبَ ـ می  روم"] {
            let from_spans: Vec<String> = word_spans(text).into_iter().map(|(_, t)| t).collect();
            assert_eq!(from_spans, tokens(text));
        }
        assert_eq!(normalize("e\u{0301}te\u{0301}"), "été");
    }

    #[test]
    fn normalizing_unit_by_unit_equals_normalizing_the_whole_text() {
        let samples = [
            "\u{1100}\u{1161}\u{11A8} 한국어", // conjoining jamo compose across starters
            "\u{FF76}\u{FF9E}\u{FF8A}\u{FF9F}", // halfwidth kana with voicing marks
            "\u{0627}\u{0653}\u{0654}ب \u{0648}\u{0654}",
            "a\u{0323}\u{0307}q\u{0307}\u{0323} \u{0B47}\u{0B3E} \u{09C7}\u{09BE}",
            "\u{FEB3}\u{FEFC}\u{FEE1} ﬁ ½ ㎏",
        ];
        for text in samples {
            let piecewise: String = units(text)
                .into_iter()
                .flat_map(|u| text[u].nfkc().collect::<Vec<_>>())
                .collect();
            assert_eq!(piecewise, text.nfkc().collect::<String>(), "{text:?}");
        }
    }
}
