//! File names as people type them, made safe to store, show and offer for download.
//! Directory parts, control characters and invisible direction overrides go (U+202E can
//! make `fdp.exe` display as `exe.pdf`); Persian letters and the ZWNJ they need stay.

use unicode_normalization::UnicodeNormalization;

/// Longest stored name, in characters.
const MAX_CHARS: usize = 150;
const FALLBACK: &str = "file";

/// Direction controls and invisible characters that can disguise a name. ZWNJ (U+200C)
/// and ZWJ (U+200D) are real parts of Persian words and emoji, so they stay.
fn is_disguise(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}' | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{206A}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The safe form of an uploaded file's name (never empty, never a path).
pub fn sanitize(raw: &str) -> String {
    // Only the last path component: `../../etc/passwd` is `passwd`.
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .nfc()
        .filter(|c| !c.is_control() && !is_disguise(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    // Leading dots would hide the file on Unix; trailing dots and spaces hide the real
    // extension on Windows (`evil.exe.` runs as `evil.exe`).
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c == ' ');
    let name = truncate(trimmed);
    if name.is_empty() {
        FALLBACK.to_owned()
    } else {
        name
    }
}

/// Shortens a long name from the middle of its stem, keeping the extension.
fn truncate(name: &str) -> String {
    if name.chars().count() <= MAX_CHARS {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 10 => (stem, Some(ext)),
        _ => (name, None),
    };
    let keep = MAX_CHARS - ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(keep).collect();
    let stem = stem.trim_end_matches([' ', '.']);
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_owned(),
    }
}

/// A `Content-Disposition` value: a plain ASCII `filename` for old clients and an RFC 5987
/// `filename*` that carries the real (e.g. Persian) name.
pub fn content_disposition(inline: bool, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, RFC5987_ESCAPE);
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Everything but RFC 5987's `attr-char` is escaped.
const RFC5987_ESCAPE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_reduced_to_their_last_part() {
        assert_eq!(sanitize("../../etc/passwd.txt"), "passwd.txt");
        assert_eq!(sanitize("C:\\Users\\x\\..\\report.pdf"), "report.pdf");
        assert_eq!(sanitize("../.."), "file");
        assert_eq!(sanitize(".htaccess"), "htaccess");
    }

    #[test]
    fn direction_overrides_and_controls_are_removed() {
        // Displays as "invoiceexe.pdf" but is an .exe.
        assert_eq!(sanitize("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(sanitize("a\u{0000}b\u{001B}c\n.txt"), "abc.txt");
        assert_eq!(sanitize("evil.exe. . "), "evil.exe");
        assert_eq!(sanitize("a<b>:c?.txt"), "a_b__c_.txt");
    }

    #[test]
    fn persian_names_and_zwnj_are_kept() {
        assert_eq!(sanitize("گزارش سالانه.pdf"), "گزارش سالانه.pdf");
        assert_eq!(sanitize("می\u{200C}روم.txt"), "می\u{200C}روم.txt");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let name = sanitize(&format!("{}.pdf", "ب".repeat(400)));
        assert_eq!(name.chars().count(), MAX_CHARS);
        assert!(name.ends_with(".pdf"));
    }

    #[test]
    fn disposition_carries_the_real_name_encoded() {
        let value = content_disposition(false, "گزارش ۱.pdf");
        assert!(
            value.starts_with("attachment; filename=\"_____ _.pdf\""),
            "{value}"
        );
        assert!(value.contains("filename*=UTF-8''%DA%AF"), "{value}");
        assert!(content_disposition(true, "a b.png").starts_with("inline; filename=\"a b.png\""));
    }
}
