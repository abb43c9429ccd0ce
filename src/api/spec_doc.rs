//! The published OpenAPI document: poem-openapi's, finished with what its derive macros
//! cannot say — the rules the domain enforces (taken from the domain's constants, never
//! copied numbers), which fields accept `null`, the integer ranges the wire types can
//! hold, and per operation the problems it can answer ([`super::problems`]).
//!
//! `/api/openapi.json`, `/api/docs` and the request guard ([`super::spec_guard`]) all read
//! this one document, so what is published is what is enforced.

use serde_json::{Map, Value, json};

use super::problems::{self, Shape};
use crate::{
    domain::{
        files, messages,
        moderation::reports,
        notifications::{self, keywords},
        polls,
        rooms::{self, moderation as room_moderation},
        users::{profile, username},
    },
    error::{ErrorCode, PROBLEM_JSON},
    i18n::I18n,
    infra::password,
};

/// No C0/C1 control character and no line or paragraph separator.
const NO_CONTROL: &str = r"\x00-\x1f\x7f-\x9f\u2028\u2029";

/// Text that is not empty once trimmed and holds no control character. Python's `\s`
/// (which the fuzzer and generated clients read) counts U+001C–U+001F as space and Rust's
/// does not; excluding controls makes the two agree.
fn visible_line() -> String {
    format!("^[^{NO_CONTROL}]*[^\\s{NO_CONTROL}][^{NO_CONTROL}]*$")
}

/// Text with at least one character that is not white space (Rust's reading of it: trimmed
/// text must not be empty). U+001C–U+001F are space to Python only, so they count here.
const NOT_BLANK: &str = r"[^\s]|[\x1c-\x1f]";

/// A time of day, `HH:MM` on the 24-hour clock (quiet hours).
const HH_MM: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

/// Characters a username may hold for sure: ASCII letters and digits, `_.-`, Latin letters
/// that stay one letter under NFKC, Persian and Arabic letters and digits. The server takes
/// a few more (other Latin and Arabic-script letters); a client keeping to these is safe.
const USERNAME_CHARS: &str = concat!(
    r"A-Za-z0-9_.\-",
    r"\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u013E\u0141-\u0148\u014A-\u017E",
    r"\u0621-\u063A\u0641-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC",
    r"\u06F0-\u06F9\u0660-\u0669",
);

/// `(schema, property, keywords to add)`: the domain's rules as JSON Schema.
fn property_rules() -> Vec<(&'static str, &'static str, Value)> {
    let text = |min: usize, max: usize| json!({ "minLength": min, "maxLength": max });
    let locales = json!({ "enum": profile::LOCALES });
    let name = |max: usize| json!({ "minLength": 1, "maxLength": max, "pattern": visible_line() });
    let passwords = text(password::MIN_CHARS, password::MAX_CHARS);
    vec![
        (
            "RegisterRequest",
            "username",
            json!({
                "minLength": username::MIN_CHARS,
                "maxLength": username::MAX_CHARS,
                "pattern": format!("^[{USERNAME_CHARS}]{{{},{}}}$", username::MIN_CHARS, username::MAX_CHARS),
            }),
        ),
        ("RegisterRequest", "password", passwords.clone()),
        ("RegisterRequest", "locale", locales.clone()),
        (
            "RegisterRequest",
            "display_name",
            name(profile::DISPLAY_NAME_MAX),
        ),
        ("PasswordChangeRequest", "new_password", passwords),
        (
            "ProfilePatch",
            "display_name",
            name(profile::DISPLAY_NAME_MAX),
        ),
        (
            "ProfilePatch",
            "bio",
            json!({ "maxLength": profile::BIO_MAX }),
        ),
        ("ProfilePatch", "locale", locales),
        // One `@`, a dot inside the domain, no white space; surrounding space is trimmed,
        // and nothing (or only space) removes the address.
        (
            "ProfilePatch",
            "email",
            json!({ "pattern": r"^\s*([^\s@]+@[^\s@.]([^\s@]*[^\s@.])?\.[^\s@]*[^\s@.])?\s*$" }),
        ),
        ("RoomCreate", "name", name(rooms::NAME_MAX)),
        (
            "RoomCreate",
            "topic",
            json!({ "maxLength": rooms::TOPIC_MAX }),
        ),
        ("RoomPatch", "name", name(rooms::NAME_MAX)),
        (
            "RoomPatch",
            "topic",
            json!({ "maxLength": rooms::TOPIC_MAX }),
        ),
        (
            "MessageCreate",
            "body",
            json!({ "maxLength": messages::BODY_MAX }),
        ),
        (
            "MessageCreate",
            "attachments",
            json!({ "maxItems": files::ATTACHMENTS_MAX }),
        ),
        (
            "ForwardRequest",
            "comment",
            json!({ "maxLength": messages::BODY_MAX }),
        ),
        (
            "MessageEdit",
            "body",
            json!({ "minLength": 1, "maxLength": messages::BODY_MAX, "pattern": NOT_BLANK }),
        ),
        (
            "PollCreate",
            "question",
            json!({ "minLength": 1, "maxLength": polls::QUESTION_MAX, "pattern": NOT_BLANK }),
        ),
        (
            "PollCreate",
            "options",
            json!({
                "minItems": polls::OPTIONS_MIN,
                "uniqueItems": true,
                "maxItems": polls::OPTIONS_MAX,
                "items": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": polls::OPTION_MAX,
                    "pattern": NOT_BLANK,
                },
            }),
        ),
        ("VoteRequest", "option_ids", json!({ "minItems": 1 })),
        (
            "ReportRequest",
            "reason",
            json!({ "minLength": 1, "maxLength": reports::REASON_MAX, "pattern": NOT_BLANK }),
        ),
        (
            "MuteRequest",
            "minutes",
            json!({ "minimum": 1, "maximum": room_moderation::MUTE_MINUTES_MAX }),
        ),
        (
            "NotificationPreferencesPut",
            "keywords",
            json!({
                "maxItems": keywords::KEYWORDS_MAX,
                "items": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": keywords::KEYWORD_CHARS_MAX,
                    "pattern": NOT_BLANK,
                },
            }),
        ),
        (
            "NotificationView",
            "kind",
            json!({ "enum": notifications::Kind::ALL.map(notifications::Kind::as_str) }),
        ),
        ("QuietHoursInput", "start", json!({ "pattern": HH_MM })),
        ("QuietHoursInput", "end", json!({ "pattern": HH_MM })),
        (
            "RetentionRequest",
            "days",
            json!({ "minimum": 1, "maximum": room_moderation::DAYS_MAX }),
        ),
    ]
}

/// `(operation, parameter, keywords to add)`.
fn parameter_rules() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        // An empty cursor is no page; absent means the first.
        ("search_messages", "cursor", json!({ "minLength": 1 })),
        (
            "search_messages",
            "q",
            json!({ "maxLength": crate::domain::search::QUERY_MAX_CHARS }),
        ),
        // poem-openapi writes its validator's bounds as floats; the page size is whole.
        (
            "notifications_list",
            "limit",
            json!({ "minimum": 1, "maximum": notifications::inbox::PAGE_MAX }),
        ),
    ]
}

/// The finished document for `spec` (poem-openapi's JSON).
pub fn document(spec: &str, i18n: &I18n) -> Value {
    let mut doc: Value = serde_json::from_str(spec).unwrap_or_else(|_| json!({}));
    for (schema, property, rules) in property_rules() {
        if let Some(target) = doc.pointer_mut(&format!(
            "/components/schemas/{schema}/properties/{property}"
        )) {
            merge(target, &rules);
        }
    }
    let rules = parameter_rules();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        let operations = paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut());
        for operation in operations {
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let Some(Value::Array(parameters)) = operation.get_mut("parameters") else {
                continue;
            };
            for parameter in parameters {
                let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
                if let Some((_, _, keywords)) = rules
                    .iter()
                    .find(|(op, param, _)| *op == id && *param == name)
                {
                    let keywords = keywords.clone();
                    if let Some(schema) = parameter.get_mut("schema") {
                        merge(schema, &keywords);
                    }
                }
            }
        }
    }
    let enums = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for schema in schemas.values_mut() {
            mark_nullable(schema, &enums);
        }
    }
    bound_integers(&mut doc);
    close_forms(&mut doc);
    document_problems(&mut doc, i18n);
    doc
}

/// Every multipart form (files, emoji) takes exactly its own fields; any other part is
/// refused (400), so its schema says so.
fn close_forms(doc: &mut Value) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for operation in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in operation.values_mut() {
            if let Some(Value::Object(form)) =
                operation.pointer_mut("/requestBody/content/multipart~1form-data/schema")
            {
                form.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
        }
    }
}

fn merge(target: &mut Value, rules: &Value) {
    if let (Value::Object(target), Value::Object(rules)) = (target, rules) {
        for (key, value) in rules {
            target.insert(key.clone(), value.clone());
        }
    }
}

/// poem-openapi reads `null` as "absent" for `Option` and `MaybeUndefined` fields but says
/// neither is nullable. Such a field is optional and has no `default` (a `default` field
/// refuses `null`). A `$ref` cannot carry `nullable` in OpenAPI 3.0, so the (enum) schema
/// is copied in.
fn mark_nullable(schema: &mut Value, schemas: &Value) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) || property.get("default").is_some() {
            continue;
        }
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            let target = reference.trim_start_matches("#/components/schemas/");
            if let Some(Value::Object(copy)) = schemas.get(target) {
                let mut copy = copy.clone();
                copy.remove("title");
                *property = Value::Object(copy);
            }
        }
        if let Value::Object(property) = property {
            property.insert("nullable".to_owned(), Value::Bool(true));
            // An enum must list `null` for it to be a valid value.
            if let Some(Value::Array(values)) = property.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
        }
    }
}

/// Integers get the range their wire type holds: a larger number is refused as unreadable
/// (400), so a client must know where that starts.
fn bound_integers(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("type").and_then(Value::as_str) == Some("integer") {
                let (min, max): (Value, Value) = match object.get("format").and_then(Value::as_str)
                {
                    Some("int32") => (i32::MIN.into(), i32::MAX.into()),
                    Some("int64") => (i64::MIN.into(), i64::MAX.into()),
                    Some("uint32") => (0.into(), u32::MAX.into()),
                    Some("uint64") => (0.into(), u64::MAX.into()),
                    _ => (Value::Null, Value::Null),
                };
                if !min.is_null() {
                    object.entry("minimum").or_insert(min);
                    object.entry("maximum").or_insert(max);
                }
            }
            for child in object.values_mut() {
                bound_integers(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// Replaces the catch-all `4XX` with the statuses each operation can answer, each listing
/// its codes and their meaning.
fn document_problems(doc: &mut Value, i18n: &I18n) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        let Value::Object(item) = item else { continue };
        for operation in item.values_mut() {
            let Some(id) = operation
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
            else {
                continue;
            };
            let shape = shape_of(operation);
            let Some(Value::Object(responses)) = operation.get_mut("responses") else {
                continue;
            };
            responses.remove("4XX");
            for (status, codes) in problems::answers(&id, shape) {
                responses.insert(status.to_string(), problem_response(&codes, i18n));
            }
        }
    }
}

fn shape_of(operation: &Value) -> Shape {
    let content = operation.pointer("/requestBody/content");
    let json_body = content
        .and_then(Value::as_object)
        .is_some_and(|types| types.keys().any(|t| t.starts_with("application/json")));
    let other_body = content.is_some() && !json_body;
    let has_params = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|list| !list.is_empty());
    Shape {
        authenticated: operation.get("security").is_some(),
        json_body,
        parsed_input: has_params || other_body,
    }
}

fn problem_response(codes: &[ErrorCode], i18n: &I18n) -> Value {
    let lines: Vec<String> = codes
        .iter()
        .map(|code| format!("`{code}`: {}", problems::title(i18n, *code)))
        .collect();
    let mut content = Map::new();
    content.insert(
        PROBLEM_JSON.to_owned(),
        json!({ "schema": { "$ref": "#/components/schemas/Problem" } }),
    );
    let mut response = json!({ "description": lines.join("; "), "content": content });
    if codes.contains(&ErrorCode::RateLimited) || codes.contains(&ErrorCode::ServiceUnavailable) {
        response["headers"] = json!({
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": { "type": "integer", "minimum": 0 },
            }
        });
    }
    response
}
