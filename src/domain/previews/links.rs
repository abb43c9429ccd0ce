//! The links of a message body worth a preview: bare `http(s)://` URLs, `<…>` autolinks
//! and Markdown `[text](…)` targets, in order, each once. One small function, so the
//! Markdown renderer can feed it its own list of links later.

use url::Url;

/// Characters that end a URL written in running text.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`')
}

/// The `http`/`https` links of `body`, in order of appearance, without repeats.
pub fn links_in(body: &str) -> Vec<Url> {
    let mut found: Vec<Url> = Vec::new();
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(offset) = lower[from..].find("http") {
        let start = from + offset;
        from = start + 4;
        let rest = &lower[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            continue;
        }
        // Part of a word (`xhttp://`) is not a link.
        if body[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let end = body[start..]
            .find(ends_url)
            .map_or(body.len(), |len| start + len);
        let candidate = trim_trailing(&body[start..end]);
        from = start + candidate.len().max(4);
        let Ok(url) = Url::parse(candidate) else {
            continue;
        };
        if url.host_str().is_some() && !found.contains(&url) {
            found.push(url);
        }
    }
    found
}

/// Drops the punctuation that closes a sentence or a Markdown link, keeping a `)` that
/// closes a `(` inside the URL (as in Wikipedia's `Foo_(bar)`).
fn trim_trailing(candidate: &str) -> &str {
    let mut url = candidate;
    loop {
        let Some(last) = url.chars().next_back() else {
            return url;
        };
        let unbalanced_paren = last == ')' && url.matches('(').count() < url.matches(')').count();
        let unbalanced_bracket = last == ']' && url.matches('[').count() < url.matches(']').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '*' | '_' | '~')
            || unbalanced_paren
            || unbalanced_bracket
        {
            url = &url[..url.len() - last.len_utf8()];
        } else {
            return url;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(body: &str) -> Vec<String> {
        links_in(body).into_iter().map(String::from).collect()
    }

    #[test]
    fn bare_angle_and_markdown_links_are_found_in_order_once() {
        assert_eq!(
            links(
                "see https://a.example/x, <http://b.example/y> and [c](https://c.example/z). \
                 again https://a.example/x"
            ),
            [
                "https://a.example/x",
                "http://b.example/y",
                "https://c.example/z"
            ]
        );
    }

    #[test]
    fn persian_text_and_parentheses_stay_apart() {
        assert_eq!(
            links("این را ببینید:https://fa.wikipedia.org/wiki/Foo_(bar)؟ (https://x.example/a)"),
            [
                "https://fa.wikipedia.org/wiki/Foo_(bar)%D8%9F",
                "https://x.example/a"
            ]
        );
    }

    #[test]
    fn other_schemes_and_words_are_not_links() {
        assert!(
            links("ftp://a.example javascript:alert(1) xhttp://a.example http:// https").is_empty()
        );
    }
}
