//! What the pages and the error pages are drawn with: the tera templates and the static
//! files, both embedded in the binary. Apart from `web/` so the middleware in `http/` can
//! render an error page without reaching into the page handlers.

pub mod assets;
pub mod static_files;

use std::{collections::HashMap, sync::Arc};

use fluent::FluentArgs;
use poem::{IntoResponse, Response, http::StatusCode, web::Html};
use rust_embed::RustEmbed;
use tera::{Context, Tera};
use unic_langid::LanguageIdentifier;

use crate::i18n::{I18n, is_rtl};

#[derive(RustEmbed)]
#[folder = "templates/"]
#[include = "*.html"]
struct TemplateFiles;

/// The compiled templates. Names end in `.html`, which is what turns on tera's escaping.
#[derive(Clone)]
pub struct Templates {
    tera: Arc<Tera>,
}

impl Templates {
    pub fn load() -> Result<Self, tera::Error> {
        let mut tera = Tera::default();
        let mut files = Vec::new();
        for name in TemplateFiles::iter() {
            if let Some(file) = TemplateFiles::get(&name) {
                let source = String::from_utf8_lossy(&file.data).into_owned();
                files.push((name.into_owned(), source));
            }
        }
        tera.add_raw_templates(files)?;
        // Built (and compressed) now, at startup, rather than on the first request.
        let assets = assets::assets();
        tera.register_function("static_url", move |args: &HashMap<String, tera::Value>| {
            let path = args
                .get("path")
                .and_then(tera::Value::as_str)
                .unwrap_or_default();
            assets
                .url(path)
                .map(tera::Value::from)
                .ok_or_else(|| tera::Error::msg(format!("no static file {path:?}")))
        });
        tera.register_function(
            "module_graph",
            move |args: &HashMap<String, tera::Value>| {
                let entry = args
                    .get("entry")
                    .and_then(tera::Value::as_str)
                    .unwrap_or_default();
                assets
                    .module_graph(entry)
                    .map(tera::Value::from)
                    .ok_or_else(|| tera::Error::msg(format!("no module {entry:?}")))
            },
        );
        Ok(Self {
            tera: Arc::new(tera),
        })
    }

    /// Renders `name` with `context` plus the language and text direction every page needs.
    pub fn render(
        &self,
        name: &str,
        i18n: &I18n,
        lang: &LanguageIdentifier,
        mut context: Context,
    ) -> Result<String, tera::Error> {
        context.insert("lang", &lang.to_string());
        if !context.contains_key("theme") {
            context.insert("theme", "auto");
        }
        context.insert("dir", if is_rtl(lang) { "rtl" } else { "ltr" });
        context.insert("app_name", &i18n.message(lang, "app-name", None, None));
        self.tera.render(name, &context)
    }

    /// The localized HTML page for a 404 or 5xx outside `/api`.
    pub fn error_page(
        &self,
        i18n: &I18n,
        lang: &LanguageIdentifier,
        status: StatusCode,
        request_id: &str,
    ) -> Response {
        let key = if status == StatusCode::NOT_FOUND {
            "page-not_found"
        } else {
            "page-error"
        };
        self.message_page(i18n, lang, status, key, request_id)
    }

    /// A localized page with a status, the title and body of Fluent `<key>-title` and
    /// `<key>-body`, a way back home and (if given) the request id.
    pub fn message_page(
        &self,
        i18n: &I18n,
        lang: &LanguageIdentifier,
        status: StatusCode,
        key: &str,
        request_id: &str,
    ) -> Response {
        let mut context = Context::new();
        context.insert(
            "status",
            &crate::i18n::localize_digits(lang, &status.as_u16().to_string()),
        );
        context.insert(
            "title",
            &i18n.message(lang, &format!("{key}-title"), None, None),
        );
        context.insert(
            "body",
            &i18n.message(lang, &format!("{key}-body"), None, None),
        );
        context.insert(
            "back_home",
            &i18n.message(lang, "page-back-home", None, None),
        );
        let request_id = if request_id.is_empty() {
            String::new()
        } else {
            let mut args = FluentArgs::new();
            args.set("id", request_id.to_owned());
            i18n.message(lang, "page-request-id", None, Some(&args))
        };
        context.insert("request_id", &request_id);
        match self.render("error.html", i18n, lang, context) {
            Ok(html) => Html(html).with_status(status).into_response(),
            // A broken template must not hide the original error; plain text still says it.
            Err(err) => {
                tracing::error!(error = %err, "error page failed to render");
                status.into_response()
            }
        }
    }
}

/// `/static/*`: CSS, scripts and the Persian font for the pages (see [`static_files`]).
pub fn static_files() -> impl poem::Endpoint {
    static_files::serve
}

#[cfg(test)]
mod tests {
    use super::*;
    use unic_langid::langid;

    #[test]
    fn templates_escape_html_in_values() -> Result<(), Box<dyn std::error::Error>> {
        let templates = Templates::load()?;
        let i18n = I18n::load()?;
        let mut context = Context::new();
        context.insert("status", &404);
        context.insert("title", "<script>alert(1)</script>");
        context.insert("body", "x");
        context.insert("back_home", "home");
        context.insert("request_id", "");
        let html = templates.render("error.html", &i18n, &langid!("fa-IR"), context)?;
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains(r#"dir="rtl""#));
        Ok(())
    }

    /// Removes tera tags, expressions and comments: what is left is what the page shows
    /// no matter what the context holds.
    fn literal_html(source: &str) -> String {
        // `body_attrs` holds attributes of base.html's `<body>` tag, not text.
        let source = match (
            source.find("{% block body_attrs %}"),
            source.find("{% endblock body_attrs %}"),
        ) {
            (Some(start), Some(end)) if start < end => {
                format!("{}{}", &source[..start], &source[end..])
            }
            _ => source.to_owned(),
        };
        let mut out = String::new();
        let mut rest = source.as_str();
        while let Some(start) = rest.find(['{']) {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let close = match tail.get(..2) {
                Some("{{") => "}}",
                Some("{%") => "%}",
                Some("{#") => "#}",
                _ => {
                    out.push('{');
                    rest = &tail[1..];
                    continue;
                }
            };
            match tail.find(close) {
                Some(end) => rest = &tail[end + 2..],
                None => break,
            }
        }
        out.push_str(rest);
        out
    }

    /// The words a reader would see: text between tags, and the attributes that are read
    /// out or shown (`title`, `alt`, `placeholder`, `aria-label`).
    fn visible_literals(html: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let text = &rest[..open];
            if text.chars().any(char::is_alphabetic) {
                found.push(text.trim().to_owned());
            }
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            let tag = &rest[open..open + close];
            for attribute in ["title=\"", "alt=\"", "placeholder=\"", "aria-label=\""] {
                if let Some(at) = tag.find(attribute) {
                    let value = &tag[at + attribute.len()..];
                    let value = value.split('"').next().unwrap_or_default();
                    if value.chars().any(char::is_alphabetic) {
                        found.push(format!("{attribute}{value}"));
                    }
                }
            }
            rest = &rest[open + close + 1..];
        }
        if rest.chars().any(char::is_alphabetic) {
            found.push(rest.trim().to_owned());
        }
        found
    }

    #[test]
    fn templates_show_no_text_that_is_not_translated() {
        let mut offenders = Vec::new();
        for name in TemplateFiles::iter() {
            let Some(file) = TemplateFiles::get(&name) else {
                continue;
            };
            let source = String::from_utf8_lossy(&file.data);
            for literal in visible_literals(&literal_html(&source)) {
                offenders.push(format!("{name}: {literal:?}"));
            }
        }
        assert!(
            offenders.is_empty(),
            "user-visible text must come from Fluent:\n{}",
            offenders.join("\n")
        );
        // The check itself finds what it should.
        assert_eq!(
            visible_literals(&literal_html(
                r#"<p>{{ t.ok }}</p><p>Hello</p><img alt="Logo"><b title="{{ t.x }}">·</b>"#
            )),
            vec!["Hello".to_owned(), "alt=\"Logo".to_owned()]
        );
    }
}
