//! Fluent messages handed to pages. Templates get a group of plain messages (`t.send` for
//! `chat-send`). The chat script gets its group pre-rendered with every `$var` left as
//! `{var}`, and each plural as one pattern per CLDR category, which the script picks
//! with `Intl.PluralRules` — the same CLDR rules Fluent uses here.

use std::collections::{BTreeMap, HashMap};

use fluent::{FluentArgs, FluentValue};
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use serde_json::{Map, Value};
use unic_langid::LanguageIdentifier;

use crate::i18n::I18n;

/// Every message of `lang` whose id starts with `prefix` and needs no variables (those
/// are the script's, or formatted in Rust), keyed as templates use them: prefix dropped,
/// `-` as `_`.
pub fn page_strings(
    i18n: &I18n,
    lang: &LanguageIdentifier,
    prefix: &str,
) -> HashMap<String, String> {
    i18n.ids(lang, prefix)
        .filter(|id| {
            i18n.shape(lang, id)
                .is_some_and(|shape| shape.variables.is_empty())
        })
        .map(|id| {
            let key = id[prefix.len()..].replace('-', "_");
            (key, i18n.message(lang, id, None, None))
        })
        .collect()
}

/// Numbers tried until every plural category of the language has an example.
const PLURAL_SAMPLES: [u64; 10] = [0, 1, 2, 3, 5, 11, 21, 22, 100, 101];

/// The script's strings: `{id: pattern}` or, for plurals, `{id: {category: pattern}}`.
pub fn client_strings(i18n: &I18n, lang: &LanguageIdentifier, prefix: &str) -> Map<String, Value> {
    // The CLDR tables are keyed by bare language (`fa`, not `fa-IR`).
    let language = LanguageIdentifier::from_parts(lang.language, None, None, &[]);
    let rules = PluralRules::create(language, PluralRuleType::CARDINAL).ok();
    i18n.ids(lang, prefix)
        .filter_map(|id| {
            let shape = i18n.shape(lang, id)?;
            let mut args = FluentArgs::new();
            for name in &shape.variables {
                args.set(name.clone(), FluentValue::from(format!("{{{name}}}")));
            }
            let value = match (&rules, shape.plural) {
                (Some(rules), true) => Value::Object(plural_forms(i18n, lang, id, rules, args)),
                _ => Value::String(i18n.message(lang, id, None, Some(&args))),
            };
            Some((id.to_owned(), value))
        })
        .collect()
}

fn plural_forms(
    i18n: &I18n,
    lang: &LanguageIdentifier,
    id: &str,
    rules: &PluralRules,
    mut args: FluentArgs<'static>,
) -> Map<String, Value> {
    let mut forms = BTreeMap::new();
    for sample in PLURAL_SAMPLES {
        let Ok(category) = rules.select(sample) else {
            continue;
        };
        let name = category_name(category);
        if forms.contains_key(name) {
            continue;
        }
        args.set("count", FluentValue::from(sample));
        let text = i18n.message(lang, id, None, Some(&args));
        // Fluent isolates the number; put the placeholder where it printed.
        let isolated = format!("\u{2068}{sample}\u{2069}");
        let pattern = if text.contains(&isolated) {
            text.replacen(&isolated, "\u{2068}{count}\u{2069}", 1)
        } else {
            text.replacen(&sample.to_string(), "{count}", 1)
        };
        forms.insert(name, Value::String(pattern));
    }
    forms.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unic_langid::langid;

    #[test]
    fn plurals_become_one_pattern_per_category() -> Result<(), crate::i18n::I18nError> {
        let i18n = I18n::load()?;
        let en = client_strings(&i18n, &langid!("en-US"), "chat-");
        let members = &en["chat-member-count"];
        assert_eq!(
            members["one"], "\u{2068}{count}\u{2069} member",
            "{members}"
        );
        assert_eq!(members["other"], "\u{2068}{count}\u{2069} members");
        // Persian needs no plural here (a noun after a number stays singular): one pattern.
        let fa = client_strings(&i18n, &langid!("fa-IR"), "chat-");
        assert_eq!(fa["chat-member-count"], "\u{2068}{count}\u{2069} عضو");
        // Plain variables become `{name}` placeholders, still isolated.
        let poll = en["chat-preview-poll"].as_str().unwrap_or_default();
        assert_eq!(poll, "Poll: \u{2068}{question}\u{2069}");
        Ok(())
    }

    /// The chat client's source files (`web/chat/`; the server embeds their bundle).
    fn scripts() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/chat");
        let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "js"))
            .filter_map(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                Some((path.display().to_string(), text))
            })
            .collect();
        found.sort();
        assert!(found.len() > 10, "the chat's modules in {}", dir.display());
        found
    }

    #[test]
    fn every_string_the_chat_script_asks_for_exists_in_both_languages()
    -> Result<(), crate::i18n::I18nError> {
        let i18n = I18n::load()?;
        let mut asked = Vec::new();
        // `t("chat-…")`, and ids picked first and translated later (`cond ? "chat-a" : "chat-b"`,
        // `{ key: "chat-…" }`, `f(x, "chat-…")`).
        for (name, source) in scripts() {
            for prefix in ["t(\"", ": \"", "? \"", ", \"", "[\""] {
                for (at, _) in source.match_indices(&format!("{prefix}chat-")) {
                    let id: String = source[at + prefix.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    asked.push((name.clone(), id));
                }
            }
        }
        assert!(asked.len() > 50, "the script asks for its strings by id");
        for lang in i18n.available() {
            let missing: Vec<_> = asked
                .iter()
                .filter(|(_, id)| !i18n.has(lang, id, None))
                .collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        }
        Ok(())
    }

    #[test]
    fn the_chat_script_shows_no_literal_text() {
        // Text reaches the page through textContent, title, placeholder, aria-label or a
        // dialog; a quoted literal with letters there would bypass Fluent.
        let sinks = [
            "textContent = \"",
            "textContent = '",
            "textContent = `",
            ".title = \"",
            ".placeholder = \"",
            "\"aria-label\", \"",
            "confirm(\"",
            "alert(\"",
        ];
        let mut offenders = Vec::new();
        for (name, source) in scripts() {
            for sink in sinks {
                for (at, _) in source.match_indices(sink) {
                    let rest = &source[at + sink.len()..];
                    let quote = sink.chars().last().unwrap_or('"');
                    let literal: String = rest.chars().take_while(|c| *c != quote).collect();
                    // Template literals may hold only `${…}` parts and punctuation.
                    let outside: String = literal
                        .split("${")
                        .map(|part| part.split_once('}').map_or(part, |(_, tail)| tail))
                        .collect();
                    if outside.chars().any(char::is_alphabetic) {
                        offenders.push(format!("{name}: {sink}{literal}"));
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "{offenders:#?}");
    }
}
