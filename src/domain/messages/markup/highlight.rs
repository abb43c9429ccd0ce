//! Fenced code with a language syntect knows is highlighted into CSS classes (`hl-…`),
//! never inline styles, so the page's `style-src 'self'` holds; the colours are in
//! chat.css. Code without a language, or with one syntect does not know, stays plain.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::LazyLock;

use comrak::adapters::SyntaxHighlighterAdapter;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The class prefix: a class the sanitizer lets through only with it.
pub const CLASS_PREFIX: &str = "hl-";

/// Loaded on the first highlighted block, not at startup: most servers rarely see one.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

pub struct Highlighter;

impl SyntaxHighlighterAdapter for Highlighter {
    fn write_highlighted(
        &self,
        output: &mut dyn Write,
        lang: Option<&str>,
        code: &str,
    ) -> fmt::Result {
        let syntax = lang
            .filter(|lang| !lang.is_empty())
            .and_then(|lang| SYNTAXES.find_syntax_by_token(lang));
        let Some(syntax) = syntax else {
            return comrak::html::escape(output, code);
        };
        let mut html = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            &SYNTAXES,
            ClassStyle::SpacedPrefixed {
                prefix: CLASS_PREFIX,
            },
        );
        for line in LinesWithEndings::from(code) {
            if html
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                // A grammar that fails on this input: the code, unhighlighted.
                return comrak::html::escape(output, code);
            }
        }
        output.write_str(&html.finalize())
    }

    fn write_pre_tag(
        &self,
        output: &mut dyn Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        comrak::html::write_opening_tag(output, "pre", attributes)
    }

    fn write_code_tag(
        &self,
        output: &mut dyn Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        comrak::html::write_opening_tag(output, "code", attributes)
    }
}
