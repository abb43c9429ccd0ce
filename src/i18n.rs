//! Fluent translations (en-US, fa-IR) embedded in the binary, and language negotiation
//! from `Accept-Language`.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use fluent::{FluentArgs, FluentResource, concurrent::FluentBundle};
use fluent_langneg::{NegotiationStrategy, accepted_languages, negotiate_languages};
use fluent_syntax::ast;
use rust_embed::RustEmbed;
use unic_langid::{LanguageIdentifier, langid};

#[derive(RustEmbed)]
#[folder = "locales/"]
struct LocaleFiles;

/// The fallback language, used for anything a request does not ask for.
pub const DEFAULT_LOCALE: LanguageIdentifier = langid!("en-US");

/// All loaded bundles; cheap to clone.
#[derive(Clone)]
pub struct I18n {
    inner: Arc<Inner>,
}

struct Inner {
    bundles: HashMap<LanguageIdentifier, FluentBundle<FluentResource>>,
    /// Every message id of each language, sorted, for pages that take a whole group.
    ids: HashMap<LanguageIdentifier, Vec<String>>,
    available: Vec<LanguageIdentifier>,
}

/// What a message needs from its caller: the variables it names, and whether it
/// chooses a plural form by `$count`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MessageShape {
    pub variables: Vec<String>,
    pub plural: bool,
}

/// A failure to load the embedded translations: a build defect, reported at start.
#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("locale directory {0:?} is not a language tag")]
    BadLocale(String),
    #[error("{0} is not UTF-8")]
    NotUtf8(String),
    #[error("{file} does not parse: {reason}")]
    Syntax { file: String, reason: String },
    #[error("{file} redefines a message: {reason}")]
    Duplicate { file: String, reason: String },
}

impl I18n {
    /// Loads every `locales/<lang>/*.ftl` that was embedded at build time.
    pub fn load() -> Result<Self, I18nError> {
        let mut bundles: HashMap<LanguageIdentifier, FluentBundle<FluentResource>> = HashMap::new();
        let mut ids: HashMap<LanguageIdentifier, Vec<String>> = HashMap::new();
        let mut files: Vec<_> = LocaleFiles::iter().collect();
        files.sort();
        for path in files {
            let Some((lang, _)) = path.split_once('/') else {
                continue;
            };
            if !path.ends_with(".ftl") {
                continue;
            }
            let id: LanguageIdentifier = lang
                .parse()
                .map_err(|_| I18nError::BadLocale(lang.to_owned()))?;
            let Some(file) = LocaleFiles::get(&path) else {
                continue;
            };
            let source = String::from_utf8(file.data.into_owned())
                .map_err(|_| I18nError::NotUtf8(path.to_string()))?;
            let resource =
                FluentResource::try_new(source).map_err(|(_, errors)| I18nError::Syntax {
                    file: path.to_string(),
                    reason: format!("{errors:?}"),
                })?;
            ids.entry(id.clone())
                .or_default()
                .extend(resource.entries().filter_map(|entry| match entry {
                    ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                    _ => None,
                }));
            let bundle = bundles.entry(id.clone()).or_insert_with(|| {
                let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
                // Isolation marks keep Latin names readable inside Persian sentences.
                bundle.set_use_isolating(true);
                bundle
            });
            bundle
                .add_resource(resource)
                .map_err(|errors| I18nError::Duplicate {
                    file: path.to_string(),
                    reason: format!("{errors:?}"),
                })?;
        }
        let mut available: Vec<_> = bundles.keys().cloned().collect();
        available.sort_by_key(|id| id.to_string());
        ids.values_mut().for_each(|list| list.sort());
        Ok(Self {
            inner: Arc::new(Inner {
                bundles,
                ids,
                available,
            }),
        })
    }

    /// The languages we have translations for.
    pub fn available(&self) -> &[LanguageIdentifier] {
        &self.inner.available
    }

    /// Picks our best language for an `Accept-Language` header (`fa` → `fa-IR`).
    pub fn negotiate(&self, accept_language: Option<&str>) -> LanguageIdentifier {
        let requested = accepted_languages::parse(accept_language.unwrap_or(""));
        let default = DEFAULT_LOCALE;
        let supported = negotiate_languages(
            &requested,
            &self.inner.available,
            Some(&default),
            NegotiationStrategy::Lookup,
        );
        supported
            .first()
            .map(|id| (*id).clone())
            .unwrap_or(DEFAULT_LOCALE)
    }

    /// The ids of `lang`'s messages that start with `prefix`, sorted.
    pub fn ids<'a>(
        &'a self,
        lang: &LanguageIdentifier,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a str> {
        self.inner
            .ids
            .get(lang)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(move |id| id.starts_with(prefix))
    }

    /// The variables message `id` of `lang` uses, and whether it is a plural.
    pub fn shape(&self, lang: &LanguageIdentifier, id: &str) -> Option<MessageShape> {
        let pattern = self.inner.bundles.get(lang)?.get_message(id)?.value()?;
        let mut shape = MessageShape::default();
        collect_shape(pattern, &mut shape);
        shape.variables.sort();
        shape.variables.dedup();
        Some(shape)
    }

    /// Formats message `id` (or its attribute) in `lang`, falling back to en-US, then to
    /// the id itself so a missing translation shows up instead of an empty string.
    pub fn message(
        &self,
        lang: &LanguageIdentifier,
        id: &str,
        attribute: Option<&str>,
        args: Option<&FluentArgs>,
    ) -> String {
        [lang, &DEFAULT_LOCALE]
            .into_iter()
            .find_map(|lang| self.format(lang, id, attribute, args))
            .unwrap_or_else(|| id.to_owned())
    }

    /// Whether `lang` itself (no fallback) defines `id`, and its attribute if one is named.
    pub fn has(&self, lang: &LanguageIdentifier, id: &str, attribute: Option<&str>) -> bool {
        let Some(message) = self
            .inner
            .bundles
            .get(lang)
            .and_then(|bundle| bundle.get_message(id))
        else {
            return false;
        };
        match attribute {
            Some(name) => message.get_attribute(name).is_some(),
            None => message.value().is_some(),
        }
    }

    fn format(
        &self,
        lang: &LanguageIdentifier,
        id: &str,
        attribute: Option<&str>,
        args: Option<&FluentArgs>,
    ) -> Option<String> {
        let bundle = self.inner.bundles.get(lang)?;
        let message = bundle.get_message(id)?;
        let pattern = match attribute {
            Some(name) => message.get_attribute(name)?.value(),
            None => message.value()?,
        };
        let mut errors = Vec::new();
        let text: Cow<'_, str> = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(i18n.id = id, i18n.lang = %lang, ?errors, "fluent formatting error");
        }
        Some(text.into_owned())
    }
}

fn collect_shape(pattern: &ast::Pattern<&str>, shape: &mut MessageShape) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            match expression {
                ast::Expression::Inline(inline) => collect_inline(inline, shape),
                ast::Expression::Select { selector, variants } => {
                    if let ast::InlineExpression::VariableReference { id } = selector {
                        shape.plural |= id.name == "count";
                    }
                    collect_inline(selector, shape);
                    for variant in variants {
                        collect_shape(&variant.value, shape);
                    }
                }
            }
        }
    }
}

fn collect_inline(inline: &ast::InlineExpression<&str>, shape: &mut MessageShape) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            shape.variables.push(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => {
            if let ast::Expression::Inline(inner) = expression.as_ref() {
                collect_inline(inner, shape);
            }
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                collect_inline(argument, shape);
            }
        }
        _ => {}
    }
}

/// Writes ASCII digits as the language writes them (Persian digits for `fa`), since
/// Fluent's NUMBER only prints ASCII.
pub fn localize_digits(lang: &LanguageIdentifier, text: &str) -> String {
    if lang.language.as_str() != "fa" {
        return text.to_owned();
    }
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0x06F0 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// Whether a language is written right to left.
pub fn is_rtl(lang: &LanguageIdentifier) -> bool {
    matches!(lang.language.as_str(), "fa" | "ar" | "he" | "ur" | "ckb")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_is_picked_for_fa_and_english_is_the_fallback() -> Result<(), I18nError> {
        let i18n = I18n::load()?;
        assert_eq!(i18n.negotiate(Some("fa")), langid!("fa-IR"));
        assert_eq!(
            i18n.negotiate(Some("fa-IR,fa;q=0.9,en;q=0.5")),
            langid!("fa-IR")
        );
        assert_eq!(i18n.negotiate(Some("de-DE")), DEFAULT_LOCALE);
        assert_eq!(i18n.negotiate(None), DEFAULT_LOCALE);
        assert_eq!(i18n.negotiate(Some("en-GB,en")), DEFAULT_LOCALE);
        Ok(())
    }

    #[test]
    fn both_locales_define_the_same_messages_and_attributes() -> Result<(), I18nError> {
        let i18n = I18n::load()?;
        // Every `id` and `id.attribute` of a language, from the embedded files.
        let keys = |lang: &str| -> Vec<String> {
            let mut keys: Vec<String> = LocaleFiles::iter()
                .filter(|path| path.starts_with(&format!("{lang}/")))
                .filter_map(|path| LocaleFiles::get(&path))
                .flat_map(|file| {
                    let source = String::from_utf8_lossy(&file.data).into_owned();
                    let resource = FluentResource::try_new(source).unwrap_or_else(|(r, _)| r);
                    resource
                        .entries()
                        .filter_map(|entry| match entry {
                            ast::Entry::Message(m) => Some(m),
                            _ => None,
                        })
                        .flat_map(|m| {
                            std::iter::once(m.id.name.to_owned()).chain(
                                m.attributes
                                    .iter()
                                    .map(|a| format!("{}.{}", m.id.name, a.id.name)),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            keys.sort();
            keys
        };
        let (en, fa) = (keys("en-US"), keys("fa-IR"));
        assert!(en.len() > 100);
        let only_en: Vec<_> = en.iter().filter(|k| !fa.contains(k)).collect();
        let only_fa: Vec<_> = fa.iter().filter(|k| !en.contains(k)).collect();
        assert!(
            only_en.is_empty() && only_fa.is_empty(),
            "only in en-US: {only_en:?}; only in fa-IR: {only_fa:?}"
        );
        assert_eq!(i18n.available().len(), 2);
        Ok(())
    }
}
