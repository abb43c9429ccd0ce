//! The last word on what rendered HTML may hold, whatever the renderer did: ammonia with
//! an allow-list of the tags Markdown here produces, links only to `http(s)`/`mailto`, and
//! pictures only from the server's own custom emoji. Every block reads in its own
//! direction (`dir="auto"`); code blocks read left to right inside right-to-left pages.

use std::borrow::Cow;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

use super::highlight::CLASS_PREFIX;

/// What every link carries: no opener access, no referrer, no ranking credit.
pub const LINK_REL: &str = "noopener noreferrer nofollow ugc";
/// Where custom emoji pictures are served; the only pictures a message may show.
pub const EMOJI_PATH: &str = "/api/v1/emoji/";
/// Classes the client styles; anything else is dropped.
const CLASSES: [&str; 5] = [
    "spoiler",
    "mention",
    "mention-special",
    "link-host",
    "emoji",
];
const LINK_SCHEMES: [&str; 3] = ["http://", "https://", "mailto:"];

/// Every element a rendering may hold; the tests check renderings against it too.
pub const ALLOWED_TAGS: [&str; 14] = [
    "p",
    "br",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "span",
    "img",
];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::empty();
    builder
        .add_tags(ALLOWED_TAGS)
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("span", ["class", "data-username"])
        .add_tag_attributes("img", ["src", "alt", "title", "class"])
        .add_url_schemes(["http", "https", "mailto"])
        .link_rel(Some(LINK_REL))
        // Relative URLs reach the filter below, which keeps only emoji pictures.
        .url_relative(UrlRelative::PassThrough)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "href") => LINK_SCHEMES
                .iter()
                .any(|scheme| {
                    value.len() > scheme.len() && value[..scheme.len()].eq_ignore_ascii_case(scheme)
                })
                .then_some(Cow::Borrowed(value)),
            ("img", "src") => value
                .strip_prefix(EMOJI_PATH)
                .is_some_and(|name| {
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                })
                .then_some(Cow::Borrowed(value)),
            (_, "class") => {
                let kept: Vec<&str> = value
                    .split_ascii_whitespace()
                    .filter(|class| {
                        CLASSES.contains(class)
                            || class.starts_with(CLASS_PREFIX)
                            || (element == "code" && class.starts_with("language-"))
                    })
                    .collect();
                (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")))
            }
            _ => Some(Cow::Borrowed(value)),
        })
        .set_tag_attribute_value("a", "target", "_blank")
        .set_tag_attribute_value("p", "dir", "auto")
        .set_tag_attribute_value("li", "dir", "auto")
        .set_tag_attribute_value("blockquote", "dir", "auto")
        .set_tag_attribute_value("ul", "dir", "auto")
        .set_tag_attribute_value("ol", "dir", "auto")
        .set_tag_attribute_value("pre", "dir", "ltr");
    builder
});

/// `html` with everything not on the allow-list removed.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}
