//! Server-rendered pages (tera) and their static assets, both embedded in the binary.

use std::sync::Arc;

use fluent::FluentArgs;
use poem::{
    IntoResponse, Response,
    endpoint::EmbeddedFilesEndpoint,
    handler,
    http::StatusCode,
    web::{Data, Html},
};
use rust_embed::RustEmbed;
use tera::{Context, Tera};
use unic_langid::LanguageIdentifier;

use crate::{
    app::AppState,
    i18n::{I18n, is_rtl},
};

#[derive(RustEmbed)]
#[folder = "templates/"]
#[include = "*.html"]
struct TemplateFiles;

#[derive(RustEmbed)]
#[folder = "templates/static/"]
pub struct StaticFiles;

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
        context.insert("status", &status.as_u16());
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

/// `/static/*`: CSS and scripts for the pages.
pub fn static_files() -> EmbeddedFilesEndpoint<StaticFiles> {
    EmbeddedFilesEndpoint::new()
}

/// The front door (the chat UI arrives with its own issue).
#[handler]
pub fn index(state: Data<&AppState>, req: &poem::Request) -> poem::Result<Html<String>> {
    let lang = state.i18n.negotiate(
        req.headers()
            .get(poem::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let mut context = Context::new();
    context.insert("version", env!("CARGO_PKG_VERSION"));
    for (slot, id) in [
        ("tagline", "page-index-tagline"),
        ("running", "page-index-running"),
        ("docs", "page-index-docs"),
    ] {
        context.insert(slot, &state.i18n.message(&lang, id, None, None));
    }
    state
        .templates
        .render("index.html", &state.i18n, &lang, context)
        .map(Html)
        .map_err(|err| crate::error::AppError::Internal(err.into()).into())
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
}
