//! Mail bodies: the same words as HTML and as plain text, in the recipient's language
//! (`locales/*/mail.ftl`). Persian mail is right to left with Vazirmatn first in its font
//! stack and Persian digits; links stay as they are (a token is not a number to localize).

use fluent::FluentArgs;
use unic_langid::LanguageIdentifier;

use crate::i18n::{I18n, is_rtl, localize_digits};

/// A composed mail.
#[derive(Debug, Clone)]
pub struct Letter {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One thing someone missed, for the missed-activity mail.
#[derive(Debug, Clone)]
pub struct MissedItem {
    /// The room's name; `None` for a direct conversation.
    pub room: Option<String>,
    /// Who wrote and what (the start of it); `None` for someone who chose that their
    /// notifications show only where something happened.
    pub content: Option<(String, String)>,
    /// Absolute link to the message.
    pub url: String,
}

/// The parts of a mail, before it is drawn as HTML and text.
struct Draft {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    /// The button: its label and absolute link.
    action: Option<(String, String)>,
    items: Vec<MissedItem>,
    after: Vec<String>,
    /// The unsubscribe line: its text, the link's label and the link.
    unsubscribe: Option<(String, String, String)>,
}

/// A message of `mail.ftl`, with digits as the language writes them.
fn say(i18n: &I18n, lang: &LanguageIdentifier, id: &str, args: Option<&FluentArgs>) -> String {
    localize_digits(lang, &i18n.message(lang, id, None, args))
}

fn args(pairs: &[(&'static str, &str)]) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for (name, value) in pairs {
        args.set(*name, (*value).to_owned());
    }
    args
}

/// The address-verification mail.
pub fn verify_email(
    i18n: &I18n,
    lang: &LanguageIdentifier,
    name: &str,
    address: &str,
    link: &str,
    hours: u64,
) -> Letter {
    let mut hours_args = args(&[("address", address)]);
    hours_args.set("hours", hours);
    draw(
        i18n,
        lang,
        Draft {
            subject: say(i18n, lang, "mail-verify-subject", None),
            greeting: say(i18n, lang, "mail-greeting", Some(&args(&[("name", name)]))),
            paragraphs: vec![say(i18n, lang, "mail-verify-body", Some(&hours_args))],
            action: Some((say(i18n, lang, "mail-verify-action", None), link.to_owned())),
            items: vec![],
            after: vec![say(i18n, lang, "mail-verify-ignore", None)],
            unsubscribe: None,
        },
    )
}

/// The password-reset mail.
pub fn password_reset(
    i18n: &I18n,
    lang: &LanguageIdentifier,
    name: &str,
    username: &str,
    link: &str,
    minutes: u64,
) -> Letter {
    let mut body_args = args(&[("username", username)]);
    body_args.set("minutes", minutes);
    draw(
        i18n,
        lang,
        Draft {
            subject: say(i18n, lang, "mail-reset-subject", None),
            greeting: say(i18n, lang, "mail-greeting", Some(&args(&[("name", name)]))),
            paragraphs: vec![say(i18n, lang, "mail-reset-body", Some(&body_args))],
            action: Some((say(i18n, lang, "mail-reset-action", None), link.to_owned())),
            items: vec![],
            after: vec![say(i18n, lang, "mail-reset-ignore", None)],
            unsubscribe: None,
        },
    )
}

/// The missed-activity mail: what waited for the person, each with a link to it.
pub fn missed(
    i18n: &I18n,
    lang: &LanguageIdentifier,
    name: &str,
    items: Vec<MissedItem>,
    open_link: &str,
    unsubscribe_link: &str,
) -> Letter {
    let mut count = FluentArgs::new();
    count.set("count", items.len());
    draw(
        i18n,
        lang,
        Draft {
            subject: say(i18n, lang, "mail-missed-subject", Some(&count)),
            greeting: say(i18n, lang, "mail-greeting", Some(&args(&[("name", name)]))),
            paragraphs: vec![say(i18n, lang, "mail-missed-body", Some(&count))],
            action: Some((
                say(i18n, lang, "mail-missed-action", None),
                open_link.to_owned(),
            )),
            items,
            after: vec![],
            unsubscribe: Some((
                say(i18n, lang, "mail-unsubscribe-why", None),
                say(i18n, lang, "mail-unsubscribe-action", None),
                unsubscribe_link.to_owned(),
            )),
        },
    )
}

/// Text safe between HTML tags and in double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn draw(i18n: &I18n, lang: &LanguageIdentifier, draft: Draft) -> Letter {
    let site = say(i18n, lang, "mail-site", None);
    let link_hint = say(i18n, lang, "mail-link-hint", None);
    let (dir, align) = if is_rtl(lang) {
        ("rtl", "right")
    } else {
        ("ltr", "left")
    };
    let mut text = format!("{}\n\n", draft.greeting);
    let mut body = format!("<p>{}</p>\n", escape(&draft.greeting));
    for paragraph in &draft.paragraphs {
        text.push_str(&format!("{paragraph}\n\n"));
        body.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
    }
    if !draft.items.is_empty() {
        body.push_str("<ul style=\"padding:0;list-style:none\">\n");
        for item in &draft.items {
            let place = match &item.room {
                Some(room) => format!("#{room}"),
                None => say(i18n, lang, "mail-missed-direct", None),
            };
            let (author, excerpt) = match &item.content {
                Some((author, excerpt)) => (author.clone(), excerpt.clone()),
                None => (String::new(), say(i18n, lang, "mail-missed-hidden", None)),
            };
            let by = if author.is_empty() {
                String::new()
            } else {
                format!(" — {author}")
            };
            text.push_str(&format!("• {place}{by}: {excerpt}\n  {}\n", item.url));
            let by = if author.is_empty() {
                String::new()
            } else {
                format!(" · <bdi>{}</bdi>", escape(&author))
            };
            body.push_str(&format!(
                "<li style=\"margin:0 0 12px\"><a href=\"{}\"><strong><bdi>{}</bdi></strong></a>{by}<br><span dir=\"auto\">{}</span></li>\n",
                escape(&item.url),
                escape(&place),
                escape(&excerpt),
            ));
        }
        body.push_str("</ul>\n");
        text.push('\n');
    }
    if let Some((label, url)) = &draft.action {
        text.push_str(&format!("{label}:\n{url}\n\n"));
        body.push_str(&format!(
            "<p><a href=\"{url}\" style=\"display:inline-block;padding:10px 18px;background:#2f6f4f;color:#ffffff;border-radius:6px;text-decoration:none\">{label}</a></p>\n<p style=\"font-size:13px;color:#555555\">{hint}<br><a href=\"{url}\" dir=\"ltr\">{url}</a></p>\n",
            url = escape(url),
            label = escape(label),
            hint = escape(&link_hint),
        ));
    }
    for paragraph in &draft.after {
        text.push_str(&format!("{paragraph}\n\n"));
        body.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
    }
    text.push_str(&format!("— {site}\n"));
    let mut footer = format!(
        "<p style=\"font-size:13px;color:#555555\">— {}",
        escape(&site)
    );
    if let Some((why, label, url)) = &draft.unsubscribe {
        text.push_str(&format!("\n{why}\n{label}: {url}\n"));
        footer.push_str(&format!(
            "<br>{} <a href=\"{}\">{}</a>",
            escape(why),
            escape(url),
            escape(label)
        ));
    }
    footer.push_str("</p>\n");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_attr}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>{title}</title>\n</head>\n<body dir=\"{dir}\" style=\"margin:0;padding:24px;background:#f6f6f4;font-family:{fonts};font-size:16px;line-height:1.6;color:#1d1d1b;text-align:{align}\">\n<div style=\"max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px\">\n{body}{footer}</div>\n</body>\n</html>\n",
        lang_attr = lang.language.as_str(),
        title = escape(&draft.subject),
        fonts = if is_rtl(lang) {
            "Vazirmatn,Tahoma,'Segoe UI',sans-serif"
        } else {
            "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
        },
    );
    Letter {
        // A header is one line with one direction, the mail's own: Fluent's isolation
        // marks around a number would only show as boxes in some mail programs.
        subject: draft.subject.replace(['\u{2068}', '\u{2069}'], ""),
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use unic_langid::langid;

    use super::*;

    #[test]
    fn persian_mail_is_right_to_left_with_persian_digits_and_links_kept()
    -> Result<(), Box<dyn std::error::Error>> {
        let i18n = I18n::load()?;
        let link = "https://chat.example.org/verify-email?token=a1b2";
        let letter = verify_email(&i18n, &langid!("fa-IR"), "سارا", "s@example.org", link, 24);
        assert!(
            letter.html.contains(r#"lang="fa" dir="rtl""#),
            "{}",
            letter.html
        );
        assert!(letter.html.contains("font-family:Vazirmatn"));
        assert!(letter.text.contains("۲۴"), "{}", letter.text);
        assert!(letter.text.contains(link) && letter.html.contains(link));
        let english = verify_email(
            &i18n,
            &langid!("en-US"),
            "<Sara>",
            "s@example.org",
            link,
            24,
        );
        assert!(english.html.contains(r#"dir="ltr""#));
        assert!(english.html.contains("&lt;Sara&gt;") && !english.html.contains("<Sara>"));
        Ok(())
    }
}
