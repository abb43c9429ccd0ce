//! What a page says about itself for previews: OpenGraph (`og:`) and Twitter card
//! (`twitter:`) `<meta>` tags, with the page's `<title>` and `description` as fallbacks.

use url::Url;

/// Longest title, description and site name kept (in characters).
const TITLE_MAX: usize = 300;
const DESCRIPTION_MAX: usize = 1000;
const SITE_NAME_MAX: usize = 100;

/// The preview fields a page offered.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PageCard {
    pub title: Option<String>,
    pub description: Option<String>,
    pub site_name: Option<String>,
    /// Absolute http(s) URL of the picture, resolved against the page's address.
    pub image: Option<Url>,
}

impl PageCard {
    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.description.is_none() && self.image.is_none()
    }
}

/// Reads the card of an HTML page fetched from `base` (cut short or malformed pages too).
pub fn page_card(html: &str, base: &Url) -> PageCard {
    let Ok(dom) = tl::parse(html, tl::ParserOptions::default()) else {
        return PageCard::default();
    };
    let parser = dom.parser();
    // The first of each wins; OpenGraph before Twitter before the plain tags.
    let mut og = Fields::default();
    let mut twitter = Fields::default();
    let mut plain_description = None;
    for node in dom.nodes() {
        let Some(tag) = node.as_tag() else { continue };
        if !tag.name().as_utf8_str().eq_ignore_ascii_case("meta") {
            continue;
        }
        let attributes = tag.attributes();
        let key = attributes
            .get("property")
            .or_else(|| attributes.get("name"))
            .flatten()
            .map(|v| v.as_utf8_str().to_ascii_lowercase());
        let value = attributes
            .get("content")
            .flatten()
            .map(|v| text(&v.as_utf8_str()));
        let (Some(key), Some(value)) = (key, value) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let slot = match key.as_str() {
            "og:title" => &mut og.title,
            "og:description" => &mut og.description,
            "og:site_name" => &mut og.site_name,
            "og:image" | "og:image:url" | "og:image:secure_url" => &mut og.image,
            "twitter:title" => &mut twitter.title,
            "twitter:description" => &mut twitter.description,
            "twitter:image" | "twitter:image:src" => &mut twitter.image,
            "description" => &mut plain_description,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    let title_tag = dom
        .query_selector("title")
        .and_then(|mut found| found.next())
        .and_then(|handle| handle.get(parser))
        .map(|node| text(&node.inner_text(parser)))
        .filter(|title| !title.is_empty());
    PageCard {
        title: og
            .title
            .or(twitter.title)
            .or(title_tag)
            .map(|t| clamp(&t, TITLE_MAX)),
        description: og
            .description
            .or(twitter.description)
            .or(plain_description)
            .map(|d| clamp(&d, DESCRIPTION_MAX)),
        site_name: og.site_name.map(|s| clamp(&s, SITE_NAME_MAX)),
        image: og
            .image
            .or(twitter.image)
            .and_then(|src| base.join(&src).ok())
            .filter(|url| matches!(url.scheme(), "http" | "https")),
    }
}

#[derive(Default)]
struct Fields {
    title: Option<String>,
    description: Option<String>,
    site_name: Option<String>,
    image: Option<String>,
}

/// An attribute's or element's text: character references decoded (where they are
/// well-formed), whitespace collapsed, control characters dropped.
fn text(raw: &str) -> String {
    let decoded =
        quick_xml::escape::unescape(raw).map_or_else(|_| raw.to_owned(), |t| t.into_owned());
    decoded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn clamp(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://news.example/a/b.html").unwrap()
    }

    #[test]
    fn opengraph_wins_and_relative_pictures_resolve() {
        let html = r#"<html><head><title>Plain</title>
            <meta name="twitter:title" content="Tweet">
            <meta property="og:title" content="Tom &amp; Jerry&#39;s">
            <meta property="og:description" content="  two
               lines ">
            <meta property="og:site_name" content="خبرها">
            <meta property="og:image" content="/img/p.png">
            </head><body></body></html>"#;
        assert_eq!(
            page_card(html, &base()),
            PageCard {
                title: Some("Tom & Jerry's".into()),
                description: Some("two lines".into()),
                site_name: Some("خبرها".into()),
                image: Some(Url::parse("https://news.example/img/p.png").unwrap()),
            }
        );
    }

    #[test]
    fn plain_tags_are_the_fallback_and_odd_pictures_are_dropped() {
        let html = r#"<title>Just a page</title><meta name="description" content="About it">
            <meta property="og:image" content="javascript:alert(1)">"#;
        let card = page_card(html, &base());
        assert_eq!(card.title.as_deref(), Some("Just a page"));
        assert_eq!(card.description.as_deref(), Some("About it"));
        assert_eq!(card.image, None);
    }

    #[test]
    fn broken_or_cut_pages_give_what_they_have() {
        let card = page_card(
            r#"<meta property="og:title" content="Cut"><div><p"#,
            &base(),
        );
        assert_eq!(card.title.as_deref(), Some("Cut"));
        assert!(page_card("", &base()).is_empty());
    }
}
