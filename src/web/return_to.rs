//! Where the sign-in form sends you afterwards: a page that asked you to sign in (`/admin`,
//! `/settings`) passes itself as `?next=`, and the form carries it through. Only a path on
//! this site is followed, never another origin (`//evil.example`, `/\evil.example`) or the
//! account pages themselves, so the parameter cannot be used as an open redirect.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use poem::Request;

/// Longest `next` followed; anything longer is not a page we link to.
const MAX_LEN: usize = 512;

/// `next` if it is a page of this site worth returning to.
pub fn safe(next: &str) -> Option<&str> {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let plain = next.len() <= MAX_LEN && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let account_page = matches!(path, "/login" | "/register" | "/logout");
    (local && plain && !account_page && !path.starts_with("/api/")).then_some(next)
}

/// The sign-in page, asked to come back to this request's page.
pub fn login_url(req: &Request) -> String {
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    match safe(here) {
        Some(here) if here != "/" => {
            format!(
                "/login?next={}",
                utf8_percent_encode(here, NON_ALPHANUMERIC)
            )
        }
        _ => "/login".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn only_pages_of_this_site_are_followed() {
        assert_eq!(safe("/admin"), Some("/admin"));
        assert_eq!(safe("/admin?q=ali"), Some("/admin?q=ali"));
        for refused in [
            "",
            "admin",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/login",
            "/logout?x=1",
            "/api/v1/auth/logout",
            "/admin\r\nSet-Cookie: x=1",
            "/a b",
        ] {
            assert_eq!(safe(refused), None, "{refused:?}");
        }
    }
}
