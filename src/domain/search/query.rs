//! The search box language: words (all must match), `"exact phrase"`, `-word` and
//! `-"phrase"` to exclude, `word*` for a prefix, `from:user` and `in:room` (or
//! `in:"room name"`) as filters. Parsing never fails: what does not fit the syntax is read
//! as plain words. Every term goes through [`text::tokens`], the normalization the
//! index was built with.

use crate::domain::text;

/// A prefix shorter than this (after normalization) is searched as a whole word, since it
/// would match most of the index.
pub const PREFIX_MIN_CHARS: usize = 2;

/// A parsed query. `terms` must all match and no `excluded` term may match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub terms: Vec<Term>,
    pub excluded: Vec<Term>,
    /// The author's name as typed after `from:`, without a leading `@`; the caller resolves it.
    pub from: Option<String>,
    /// The room name as typed after `in:`; the caller resolves it.
    pub room: Option<String>,
}

/// One normalized search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A whole token.
    Word(String),
    /// Any token starting with this.
    Prefix(String),
    /// These tokens, adjacent and in this order (always two or more).
    Phrase(Vec<String>),
}

/// What the user typed, split into pieces before normalization.
enum Piece<'a> {
    /// A bare word, possibly ending in `*`.
    Word {
        text: &'a str,
        excluded: bool,
    },
    /// The text between a pair of double quotes.
    Phrase {
        text: &'a str,
        excluded: bool,
    },
    From(&'a str),
    In(&'a str),
}

/// Parses a search box input; bad syntax degrades to plain words, never to an error.
pub fn parse(input: &str) -> SearchQuery {
    let mut query = SearchQuery::default();
    // Consecutive plain words are normalized together so that `می روم`, typed as two words,
    // is joined into one token exactly as it is in the index.
    let mut run: Vec<&str> = Vec::new();
    for piece in pieces(input) {
        match piece {
            Piece::Word {
                text,
                excluded: false,
            } => {
                run.push(text);
                // A prefix ends the run: a word after it can't join to it.
                if text.ends_with('*') {
                    query.add_run(&run);
                    run.clear();
                }
            }
            Piece::From(name) => query.from = Some(name.to_owned()),
            Piece::In(room) => query.room = Some(room.to_owned()),
            Piece::Word { text, .. } => {
                query.add_run(&run);
                run.clear();
                push_unique(&mut query.excluded, term(text, text.ends_with('*')));
            }
            Piece::Phrase { text, excluded } => {
                query.add_run(&run);
                run.clear();
                let list = if excluded {
                    &mut query.excluded
                } else {
                    &mut query.terms
                };
                push_unique(list, term(text, false));
            }
        }
    }
    query.add_run(&run);
    query
}

impl SearchQuery {
    /// True when there is nothing to search for (exclusions and filters alone don't count).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The SQLite FTS5 `MATCH` expression: every token quoted, terms joined by the implicit
    /// AND, exclusions as trailing `NOT` (a binary operator, hence `None` without terms).
    pub fn fts5_match(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let positive = self.terms.iter().map(fts5_term);
        let negative = self
            .excluded
            .iter()
            .map(|term| format!("NOT {}", fts5_term(term)));
        Some(positive.chain(negative).collect::<Vec<_>>().join(" "))
    }

    /// The input for PostgreSQL `to_tsquery('simple', $1)`, `None` without terms.
    pub fn pg_tsquery(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let positive = self.terms.iter().map(pg_term);
        let negative = self
            .excluded
            .iter()
            .map(|term| format!("!{}", pg_term(term)));
        Some(positive.chain(negative).collect::<Vec<_>>().join(" & "))
    }

    /// PostgreSQL only: the word-pair lexemes (`'a+b'`) of the positive phrases, ANDed, as
    /// `::tsquery` input (not parsed again, so `+` stays inside the lexeme). The index
    /// holds every adjacent pair of a message, so a phrase is looked up directly instead
    /// of checking the positions of every row that has both words.
    pub fn pg_phrase_pairs(&self) -> Option<String> {
        let pairs: Vec<String> = self
            .terms
            .iter()
            .filter_map(|term| match term {
                Term::Phrase(tokens) => Some(tokens),
                _ => None,
            })
            .flat_map(|tokens| {
                tokens
                    .windows(2)
                    .map(|w| pg_lexeme(&format!("{}+{}", w[0], w[1])))
            })
            .collect();
        (!pairs.is_empty()).then(|| pairs.join(" & "))
    }

    /// Whether a term is both required and excluded (`tea -tea`): nothing can match.
    pub fn contradicts_itself(&self) -> bool {
        self.excluded.iter().any(|term| self.terms.contains(term))
    }

    /// The positive tokens for the snippet highlighter, each with whether it is a prefix;
    /// compare them with the tokens of [`text::word_spans`].
    pub fn highlight_terms(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for term in &self.terms {
            let tokens = match term {
                Term::Word(token) => vec![(token.clone(), false)],
                Term::Prefix(token) => vec![(token.clone(), true)],
                Term::Phrase(tokens) => tokens.iter().map(|t| (t.clone(), false)).collect(),
            };
            for token in tokens {
                if !out.contains(&token) {
                    out.push(token);
                }
            }
        }
        out
    }

    /// Adds a run of plain words; the last one is a prefix if it was typed with `*`.
    fn add_run(&mut self, run: &[&str]) {
        let Some(last) = run.last() else { return };
        // `*` is not a word character, so it vanishes from the tokens on its own.
        let mut tokens = text::tokens(&run.join(" "));
        let starred = last.ends_with('*') && !text::tokens(last).is_empty();
        let last_token = tokens.pop();
        for token in tokens {
            push_unique(&mut self.terms, Some(Term::Word(token)));
        }
        push_unique(
            &mut self.terms,
            last_token.map(|token| word_or_prefix(token, starred)),
        );
    }
}

/// Splits the input into pieces: whitespace separates them except inside a closed quote.
fn pieces(input: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return pieces;
        }
        let (excluded, body) = match rest.strip_prefix('-') {
            Some(body) if body.starts_with(|c: char| !c.is_whitespace()) => (true, body),
            _ => (false, rest),
        };
        if let Some(inner) = body.strip_prefix('"') {
            match inner.split_once('"') {
                Some((text, after)) => {
                    pieces.push(Piece::Phrase { text, excluded });
                    rest = after;
                }
                // An unclosed quote (and its `-`) is dropped; what follows is plain words.
                None => rest = inner,
            }
            continue;
        }
        if !excluded && let Some((piece, after)) = filter(body) {
            pieces.push(piece);
            rest = after;
            continue;
        }
        let end = body.find(char::is_whitespace).unwrap_or(body.len());
        pieces.push(Piece::Word {
            text: &body[..end],
            excluded,
        });
        rest = &body[end..];
    }
}

/// `from:name`, `from:@name`, `in:room` or `in:"room name"` at the start of `body`, and
/// what follows it; `None` for anything else, including an empty value.
fn filter(body: &str) -> Option<(Piece<'_>, &str)> {
    let (key, after) = body.split_once(':')?;
    let (value, rest) = match after.strip_prefix('"').and_then(|q| q.split_once('"')) {
        Some(quoted) => quoted,
        None => after.split_at(after.find(char::is_whitespace).unwrap_or(after.len())),
    };
    let value = value.trim_matches('"').trim();
    let piece = if key.eq_ignore_ascii_case("from") {
        Piece::From(value.strip_prefix('@').unwrap_or(value))
    } else if key.eq_ignore_ascii_case("in") {
        Piece::In(value)
    } else {
        return None;
    };
    match piece {
        Piece::From("") | Piece::In("") => None,
        piece => Some((piece, rest)),
    }
}

/// `text` as one term: a word, a prefix if `starred`, or a phrase when it normalizes to
/// several tokens; `None` when nothing is left (symbols only).
fn term(text: &str, starred: bool) -> Option<Term> {
    let mut tokens = text::tokens(text);
    match tokens.len() {
        0 => None,
        1 => tokens.pop().map(|token| word_or_prefix(token, starred)),
        _ => Some(Term::Phrase(tokens)),
    }
}

fn word_or_prefix(token: String, starred: bool) -> Term {
    if starred && token.chars().count() >= PREFIX_MIN_CHARS {
        Term::Prefix(token)
    } else {
        Term::Word(token)
    }
}

fn push_unique(list: &mut Vec<Term>, term: Option<Term>) {
    if let Some(term) = term
        && !list.contains(&term)
    {
        list.push(term);
    }
}

fn fts5_term(term: &Term) -> String {
    match term {
        Term::Word(token) => fts5_string(token),
        Term::Prefix(token) => format!("{}*", fts5_string(token)),
        Term::Phrase(tokens) => fts5_string(&tokens.join(" ")),
    }
}

/// An FTS5 string: tokens inside are never operators; `"` is escaped by doubling.
fn fts5_string(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn pg_term(term: &Term) -> String {
    match term {
        Term::Word(token) => pg_lexeme(token),
        Term::Prefix(token) => format!("{}:*", pg_lexeme(token)),
        Term::Phrase(tokens) => {
            let lexemes: Vec<String> = tokens.iter().map(|t| pg_lexeme(t)).collect();
            format!("({})", lexemes.join(" <-> "))
        }
    }
}

/// A quoted tsquery lexeme: `'` is doubled and `\` escaped, so no input is an operator.
fn pg_lexeme(token: &str) -> String {
    format!("'{}'", token.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index's view of a match: every positive term among the text's tokens (prefixes
    /// by `starts_with`, phrases as adjacent tokens) and no excluded one.
    fn matches(query: &str, text: &str) -> bool {
        let query = parse(query);
        let tokens = text::tokens(text);
        let found = |term: &Term| match term {
            Term::Word(word) => tokens.contains(word),
            Term::Prefix(prefix) => tokens.iter().any(|t| t.starts_with(prefix.as_str())),
            Term::Phrase(phrase) => tokens.windows(phrase.len()).any(|w| w == phrase.as_slice()),
        };
        !query.is_empty() && query.terms.iter().all(found) && !query.excluded.iter().any(found)
    }

    const MUST_MATCH: &[(&str, &str)] = &[
        ("علي", "سلام علی جان"),
        ("علی", "وصل علي"),
        ("كتاب", "این کتاب خوب است"),
        ("کتاب", "هذا كتاب جيد"),
        ("مدرسة", "مدرسه تعطیل است"),
        ("مدرسه", "ذهبت إلى مدرسة"),
        ("أحمد", "احمد آمد"),
        ("احمد", "قال أحمد"),
        ("إيران", "ایران زیباست"),
        ("ایران", "سافرت إلى إيران"),
        ("آب", "اب سرد"),
        ("آب", "یک لیوان آب"),
        ("مؤسسه", "موسسه خیریه"),
        ("خانۀ", "خانه بزرگ"),
        ("كَتَبَ", "کتب"),
        ("محمد", "مُحَمَّد رسول الله"),
        ("رحمٰن", "رحمن"),
        ("سـلام", "سلام دوست من"),
        ("سلام", "ســـلام!"),
        ("می‌روم", "من میروم"),
        ("میروم", "من می روم خانه"),
        ("می روم", "من می‌روم"),
        ("نمی‌دانم", "نمیدانم چه بگویم"),
        ("نمیدانم", "واقعاً نمی دانم"),
        ("کتاب‌ها", "کتابها را آوردم"),
        ("کتاب ها", "کتاب‌ها روی میز"),
        ("کتابها", "کتاب ها"),
        ("۱۴۰۵", "سال 1405"),
        ("1405", "سال ١٤٠٥"),
        ("١٤٠٥", "تا ۱۴۰۵"),
        ("سلام", "\u{FEB3}\u{FEFC}\u{FEE1} دوستان"),
        ("\u{FEDB}\u{FE98}\u{FE8E}\u{FE8F}", "کتاب"),
        ("Tehran", "TEHRAN IS BIG"),
        ("tehran", "Welcome to Tehran."),
        ("ＡＢＣ", "abc news"),
        ("abc", "ＡＢＣ"),
        ("ΟΔΟΣ", "οδος"),
        ("zoom ساعت", "جلسه Zoom ساعت ۵"),
        ("جلسه ۵", "جلسه Zoom ساعت 5"),
        ("email", "email ها رو چک کن"),
        ("کتاب*", "کتابخانه مرکزی"),
        ("كتاب*", "کتابخانه"),
        ("می‌رو*", "من میروم"),
        ("می رو*", "من می‌روم"),
        ("\"کتاب خوب\"", "یک کتاب خوب خریدم"),
        ("\"کتاب های جدید\"", "کتاب‌های جدید رسید"),
        ("from:ali سلام", "سلام"),
        ("سلام -خداحافظ", "سلام دوست"),
        ("Zoom -teams*", "جلسه zoom"),
    ];

    const MUST_NOT_MATCH: &[(&str, &str)] = &[
        ("کتاب", "کتیبه قدیمی"),
        ("علی", "عالی"),
        ("tehran", "teheran"),
        ("\"خوب کتاب\"", "یک کتاب خوب"),
        ("سلام -دوست", "سلام دوست من"),
        ("zoom -\"ساعت ۵\"", "جلسه Zoom ساعت 5"),
        ("ک*", "کتاب"),
        ("کتاب", "کتابخانه"),
        ("روم", "من می روم"),
        ("1405", "14050"),
        ("from:ali", "ali"),
        ("-سلام", "دوست"),
        ("***", "***"),
    ];

    #[test]
    fn queries_find_their_texts() {
        assert!(MUST_MATCH.len() >= 30);
        for (query, text) in MUST_MATCH {
            assert!(matches(query, text), "{query:?} should match {text:?}");
        }
    }

    #[test]
    fn queries_miss_other_texts() {
        for (query, text) in MUST_NOT_MATCH {
            assert!(!matches(query, text), "{query:?} should not match {text:?}");
        }
    }

    fn word(token: &str) -> Term {
        Term::Word(token.to_owned())
    }

    #[test]
    fn malformed_input_degrades_to_plain_words() {
        assert_eq!(
            parse("\"unclosed words").terms,
            [word("unclosed"), word("words")]
        );
        assert_eq!(parse("-\"unclosed phrase"), parse("unclosed phrase"));
        assert_eq!(parse("from:").terms, [word("from")]);
        assert_eq!(parse("from: @").from, None);
        assert_eq!(parse("a*").terms, [word("a")]);
        assert_eq!(parse("foo:bar").terms, [word("foo"), word("bar")]);
        for empty in [
            "", "   ", "-", "- -", "***", "\"", "\"\"", "\" \"", "-\"\"", "؟!",
        ] {
            let query = parse(empty);
            assert!(query.is_empty(), "{empty:?}");
            assert_eq!(query.fts5_match(), None);
            assert_eq!(query.pg_tsquery(), None);
        }
    }

    #[test]
    fn only_exclusions_search_nothing() {
        let query = parse("-foo -\"bar baz\"");
        assert!(query.is_empty());
        assert_eq!(
            query.excluded,
            [word("foo"), Term::Phrase(vec!["bar".into(), "baz".into()])]
        );
        assert_eq!(query.fts5_match(), None);
        assert_eq!(query.pg_tsquery(), None);
    }

    #[test]
    fn filters_are_taken_out_of_the_text() {
        let query = parse("From:@Ali in:\"room with spaces\" hello IN:general");
        assert_eq!(query.from.as_deref(), Some("Ali"));
        assert_eq!(query.room.as_deref(), Some("general"));
        assert_eq!(query.terms, [word("hello")]);
        assert_eq!(
            parse("in:\"unclosed room").room.as_deref(),
            Some("unclosed")
        );
        // A filter between a detached prefix and its verb doesn't keep them apart.
        assert_eq!(parse("می from:ali روم").terms, [word("میروم")]);
    }

    #[test]
    fn detached_affixes_join_across_query_words() {
        assert_eq!(parse("می روم").terms, [word("میروم")]);
        assert_eq!(parse("کتاب ها*").terms, [Term::Prefix("کتابها".into())]);
        assert_eq!(parse("\"می روم\"").terms, [word("میروم")]);
        assert_eq!(parse("-\"نمی دانم\"").excluded, [word("نمیدانم")]);
    }

    #[test]
    fn fts5_and_tsquery_strings() {
        let query = parse("سلام دنیا");
        assert_eq!(query.fts5_match().as_deref(), Some("\"سلام\" \"دنیا\""));
        assert_eq!(query.pg_tsquery().as_deref(), Some("'سلام' & 'دنیا'"));

        let query = parse("كتاب* \"می روم\" -بد");
        assert_eq!(
            query.fts5_match().as_deref(),
            Some("\"کتاب\"* \"میروم\" NOT \"بد\"")
        );
        assert_eq!(
            query.pg_tsquery().as_deref(),
            Some("'کتاب':* & 'میروم' & !'بد'")
        );

        let query = parse("\"Hello, World\" -\"bad words\" Foo -x* foo");
        assert_eq!(
            query.fts5_match().as_deref(),
            Some("\"hello world\" \"foo\" NOT \"bad words\" NOT \"x\"")
        );
        assert_eq!(
            query.pg_tsquery().as_deref(),
            Some("('hello' <-> 'world') & 'foo' & !('bad' <-> 'words') & !'x'")
        );

        let query = parse("۱۴۰۵ ab*");
        assert_eq!(query.fts5_match().as_deref(), Some("\"1405\" \"ab\"*"));
        assert_eq!(query.pg_tsquery().as_deref(), Some("'1405' & 'ab':*"));
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        let query = SearchQuery {
            terms: vec![word("it's \"x\\")],
            ..SearchQuery::default()
        };
        assert_eq!(query.fts5_match().as_deref(), Some("\"it's \"\"x\\\""));
        assert_eq!(query.pg_tsquery().as_deref(), Some("'it''s \"x\\\\'"));
    }

    #[test]
    fn highlight_terms_list_positive_tokens_once() {
        let query = parse("\"کتاب خوب\" کتاب* خوب -بد");
        assert_eq!(
            query.highlight_terms(),
            [
                ("کتاب".to_owned(), false),
                ("خوب".to_owned(), false),
                ("کتاب".to_owned(), true),
            ]
        );
    }

    #[test]
    fn phrases_become_word_pairs_for_postgresql() {
        let query = parse("\"new server tonight\" deploy");
        assert_eq!(
            query.pg_phrase_pairs().as_deref(),
            Some("'new+server' & 'server+tonight'")
        );
        assert_eq!(parse("tea -mint").pg_phrase_pairs(), None);
        assert!(parse("tea -tea").contradicts_itself());
        assert!(!parse("tea -mint").contradicts_itself());
    }
}
