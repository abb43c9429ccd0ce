//! Markdown, rendered once by the server at send and edit time, so the browser, a
//! generated OpenAPI client and a bot all show the same thing.
//!
//! A chat subset of CommonMark: bold, italic, ~~strike~~, `code`, fenced code (highlighted
//! when it names a language), block quotes, lists, links, bare URLs, `||spoilers||` and
//! line breaks as typed. Headings, rules, tables, raw HTML and pictures by URL are not
//! rendered: they show as the text that was typed. Mentions of members become pills, and a
//! link whose text does not show where it goes also shows its real host.
//!
//! What comes out passes through [`sanitize`] whatever the renderer did; what search
//! indexes is the plain text, never the markup.

mod context;
mod highlight;
mod sanitize;
mod tree;

use comrak::{Arena, Options, options::Plugins};

pub use self::context::Context;
pub use self::sanitize::{ALLOWED_TAGS, EMOJI_PATH, LINK_REL};
pub use self::tree::shortcode_spans;

/// A message body, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitized HTML, safe to insert.
    pub html: String,
    /// The words without markup, for search.
    pub plain: String,
    /// The words outside code (inline or blocks): what highlight words are looked for in,
    /// so a keyword quoted in a code sample notifies nobody.
    pub prose: String,
    /// `@here` or `@room` outside code and links: whom the message notifies.
    pub specials: Vec<&'static str>,
}

fn options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.extension.spoiler = true;
    // Line breaks as typed, as in every chat.
    options.render.hardbreaks = true;
    // Raw HTML typed by people is turned into text before rendering (`tree`); what is left
    // is the pills and hints written here, and the sanitizer checks even those.
    options.render.r#unsafe = true;
    options
}

/// Renders a message body (already checked by `MessageBody`).
pub fn render(source: &str, context: &Context) -> Rendered {
    let arena = Arena::new();
    let options = options();
    let root = comrak::parse_document(&arena, source, &options);
    tree::unrender_unsupported(&arena, root, source);
    let plain = tree::plain_text(root);
    let prose = tree::prose_text(root);
    tree::show_link_hosts(&arena, root);
    let specials = tree::mention_pills(&arena, root, context);
    let highlighter = highlight::Highlighter;
    let mut plugins = Plugins::default();
    plugins.render.codefence_syntax_highlighter = Some(&highlighter);
    let mut html = String::new();
    // Writing into a String cannot fail.
    let _ = comrak::format_html_with_plugins(root, &options, &mut html, &plugins);
    Rendered {
        html: sanitize::sanitize(&html),
        plain,
        prose,
        specials,
    }
}

/// A message written before Markdown, shown as the plain text it was: paragraphs with
/// its line breaks, nothing interpreted.
pub fn render_plain(body: &str) -> String {
    if body.is_empty() {
        return String::new();
    }
    let mut html = String::from("<p dir=\"auto\">");
    for (i, line) in body.lines().enumerate() {
        if i > 0 {
            html.push_str("<br>");
        }
        let _ = comrak::html::escape(&mut html, line);
    }
    html.push_str("</p>");
    html
}

#[cfg(test)]
mod tests;
