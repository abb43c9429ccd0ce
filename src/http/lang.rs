//! Which language a page or an error message speaks: the signed-in user's saved preference,
//! then a `?lang=` switch or the cookie it leaves, then `Accept-Language`, then en-US.

use entity::users;
use poem::{Request, http::header};
use unic_langid::LanguageIdentifier;

use crate::i18n::I18n;

/// Remembers an anonymous visitor's `?lang=` choice.
pub const LANG_COOKIE: &str = "anjoman_lang";
const LANG_COOKIE_MAX_AGE: u32 = 365 * 24 * 3600;

/// Our language for a tag such as `fa`, `fa-IR` or `en-GB`, if we have one.
pub fn supported(i18n: &I18n, tag: &str) -> Option<LanguageIdentifier> {
    let wanted: LanguageIdentifier = tag.trim().parse().ok()?;
    let available = i18n.available();
    available
        .iter()
        .find(|lang| **lang == wanted)
        .or_else(|| {
            available
                .iter()
                .find(|lang| lang.language == wanted.language)
        })
        .cloned()
}

fn query_lang(req: &Request) -> Option<&str> {
    req.uri()
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "lang")
        .map(|(_, value)| value)
}

fn cookie_lang(req: &Request) -> Option<&str> {
    crate::http::cookies::cookie(req, LANG_COOKIE)
}

/// What the request itself asks for (no user known yet).
pub fn requested(i18n: &I18n, req: &Request) -> LanguageIdentifier {
    query_lang(req)
        .and_then(|tag| supported(i18n, tag))
        .or_else(|| cookie_lang(req).and_then(|tag| supported(i18n, tag)))
        .unwrap_or_else(|| {
            i18n.negotiate(
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        })
}

/// The language of a page for `user` (a saved preference wins over everything else).
pub fn for_page(i18n: &I18n, req: &Request, user: Option<&users::Model>) -> LanguageIdentifier {
    user.and_then(|user| user.locale.as_deref())
        .and_then(|tag| supported(i18n, tag))
        .unwrap_or_else(|| requested(i18n, req))
}

/// `Set-Cookie` that keeps a `?lang=` switch for the visitor's next pages.
pub fn switch_cookie(i18n: &I18n, req: &Request) -> Option<String> {
    let lang = supported(i18n, query_lang(req)?)?;
    Some(format!(
        "{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age={LANG_COOKIE_MAX_AGE}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(req: Request) -> String {
        let i18n = I18n::load().unwrap_or_else(|e| panic!("{e}"));
        requested(&i18n, &req).to_string()
    }

    #[test]
    fn switch_then_cookie_then_browser() {
        let browser_fa = || Request::builder().header(header::ACCEPT_LANGUAGE, "fa-IR");
        assert_eq!(lang(browser_fa().finish()), "fa-IR");
        assert_eq!(
            lang(
                browser_fa()
                    .header(header::COOKIE, "anjoman_lang=en-US")
                    .finish()
            ),
            "en-US"
        );
        assert_eq!(
            lang(
                browser_fa()
                    .uri_str("/login?lang=en")
                    .header(header::COOKIE, "anjoman_lang=fa-IR")
                    .finish()
            ),
            "en-US"
        );
        // Unknown choices are ignored, not errors.
        assert_eq!(
            lang(browser_fa().uri_str("/login?lang=de").finish()),
            "fa-IR"
        );
        assert_eq!(lang(Request::default()), "en-US");
    }
}
