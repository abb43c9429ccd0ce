//! Holds JSON request bodies to the published schema before poem-openapi reads them.
//!
//! poem-openapi (through serde) coerces some wrong types (`false` and numbers become
//! strings), reads `null` as "absent" and answers everything else with a generic 400.
//! Checked here instead, each against the operation's schema in the finished document:
//! a wrong JSON type is `body.wrong_type`, `null` where the spec does not allow it is
//! `body.null_not_allowed`, a missing required field is `body.field_missing` (all 422, with
//! `data.field` naming the field, dotted: `options.1`). A NUL character (U+0000) anywhere
//! in text — which PostgreSQL cannot store — is `text.nul_character`, in a body, the path
//! or the query.

use std::sync::Arc;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result, http::Method};
use serde_json::Value;

use crate::error::{AppError, ErrorCode};

/// Why a body does not fit its schema.
#[derive(Debug, PartialEq, Eq)]
pub enum Violation {
    WrongType(String),
    NullNotAllowed(String),
    FieldMissing(String),
    NulCharacter(String),
}

impl From<Violation> for AppError {
    fn from(violation: Violation) -> Self {
        let (code, field) = match violation {
            Violation::WrongType(field) => (ErrorCode::BodyWrongType, field),
            Violation::NullNotAllowed(field) => (ErrorCode::BodyNullNotAllowed, field),
            Violation::FieldMissing(field) => (ErrorCode::BodyFieldMissing, field),
            Violation::NulCharacter(field) => (ErrorCode::TextNulCharacter, field),
        };
        AppError::Invalid {
            code,
            args: vec![("field", field)],
        }
    }
}

/// One operation that reads a JSON body.
struct BodyRoute {
    method: Method,
    /// Path segments; `None` stands for a `{parameter}`.
    segments: Vec<Option<String>>,
    schema: Value,
}

impl BodyRoute {
    fn matches(&self, method: &Method, path: &str) -> bool {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.method == method
            && parts.len() == self.segments.len()
            && parts
                .iter()
                .zip(&self.segments)
                .all(|(part, segment)| segment.as_deref().is_none_or(|s| s == *part))
    }
}

/// The guard over the API endpoint.
#[derive(Clone)]
pub struct SpecGuard {
    routes: Arc<Vec<BodyRoute>>,
    /// The document, for `$ref`s.
    doc: Arc<Value>,
}

impl SpecGuard {
    /// Reads every JSON request body schema of `doc`.
    pub fn new(doc: Arc<Value>) -> Self {
        let mut routes = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, operation) in item {
                    let Ok(method) = method.to_uppercase().parse::<Method>() else {
                        continue;
                    };
                    let schema = operation
                        .pointer("/requestBody/content")
                        .and_then(Value::as_object)
                        .and_then(|content| {
                            content
                                .iter()
                                .find(|(kind, _)| kind.starts_with("application/json"))
                        })
                        .and_then(|(_, media)| media.get("schema"));
                    if let Some(schema) = schema {
                        routes.push(BodyRoute {
                            method,
                            segments: path
                                .trim_end_matches('/')
                                .split('/')
                                .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                                .collect(),
                            schema: schema.clone(),
                        });
                    }
                }
            }
        }
        Self {
            routes: Arc::new(routes),
            doc,
        }
    }

    /// Checks `value` against `schema`; `field` is where `value` sits in the body.
    pub fn check(&self, value: &Value, schema: &Value, field: &str) -> Result<(), Violation> {
        let schema = self.resolve(schema);
        if value.is_null() {
            return if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
                Ok(())
            } else {
                Err(Violation::NullNotAllowed(field.to_owned()))
            };
        }
        let wrong = || Err(Violation::WrongType(field.to_owned()));
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => match value.as_str() {
                Some(text) if text.contains('\0') => Err(Violation::NulCharacter(field.to_owned())),
                Some(_) => Ok(()),
                None => wrong(),
            },
            Some("integer") if !(value.is_i64() || value.is_u64()) => wrong(),
            Some("number") if !value.is_number() => wrong(),
            Some("boolean") if !value.is_boolean() => wrong(),
            Some("array") => {
                let Some(items) = value.as_array() else {
                    return wrong();
                };
                let item_schema = schema.get("items").cloned().unwrap_or(Value::Null);
                for (index, item) in items.iter().enumerate() {
                    self.check(item, &item_schema, &join(field, &index.to_string()))?;
                }
                Ok(())
            }
            Some("object") => {
                let Some(object) = value.as_object() else {
                    return wrong();
                };
                let required = schema.get("required").and_then(Value::as_array);
                for name in required.into_iter().flatten().filter_map(Value::as_str) {
                    if !object.contains_key(name) {
                        return Err(Violation::FieldMissing(join(field, name)));
                    }
                }
                let properties = schema.get("properties").and_then(Value::as_object);
                for (name, value) in object {
                    if let Some(property) = properties.and_then(|p| p.get(name)) {
                        self.check(value, property, &join(field, name))?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Follows a `$ref` into the components.
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => self
                .doc
                .pointer(reference.trim_start_matches('#'))
                .unwrap_or(&Value::Null),
            None => schema,
        }
    }

    fn schema_for(&self, method: &Method, path: &str) -> Option<&Value> {
        self.routes
            .iter()
            .find(|route| route.matches(method, path))
            .map(|route| &route.schema)
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// Whether the percent-decoded `text` holds a NUL.
fn has_encoded_nul(text: &str) -> bool {
    percent_encoding::percent_decode_str(text).any(|byte| byte == 0)
}

fn is_json(req: &Request) -> bool {
    req.content_type().is_some_and(|kind| {
        let essence = kind.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/json")
            || essence.to_ascii_lowercase().ends_with("+json")
    })
}

impl<E: Endpoint> Middleware<E> for SpecGuard {
    type Output = SpecGuardEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        SpecGuardEndpoint {
            inner,
            guard: self.clone(),
        }
    }
}

pub struct SpecGuardEndpoint<E> {
    inner: E,
    guard: SpecGuard,
}

impl<E: Endpoint> Endpoint for SpecGuardEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        if has_encoded_nul(req.uri().path()) {
            return Err(AppError::from(Violation::NulCharacter("path".to_owned())).into());
        }
        if req.uri().query().is_some_and(has_encoded_nul) {
            return Err(AppError::from(Violation::NulCharacter("query".to_owned())).into());
        }
        let path = req.uri().path().to_owned();
        let schema = match self.guard.schema_for(req.method(), &path) {
            Some(schema) if is_json(&req) => schema,
            _ => return self.inner.call(req).await.map(IntoResponse::into_response),
        };
        let bytes = req.take_body().into_bytes().await?;
        // Unreadable JSON is poem-openapi's to refuse (400), as before.
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            self.guard
                .check(&value, schema, "")
                .map_err(AppError::from)?;
        }
        req.set_body(bytes);
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn guard() -> SpecGuard {
        SpecGuard::new(Arc::new(json!({
            "paths": {},
            "components": { "schemas": {
                "Poll": {
                    "type": "object",
                    "required": ["question", "options"],
                    "properties": {
                        "question": { "type": "string" },
                        "options": { "type": "array", "items": { "type": "string" } },
                        "multiple": { "type": "boolean", "nullable": true },
                    },
                },
            }},
        })))
    }

    fn check(value: Value) -> Result<(), Violation> {
        let guard = guard();
        guard.check(&value, &json!({ "$ref": "#/components/schemas/Poll" }), "")
    }

    #[test]
    fn a_body_that_fits_passes() {
        assert_eq!(
            check(json!({"question": "q", "options": ["a", "b"], "multiple": null})),
            Ok(())
        );
    }

    #[test]
    fn each_violation_names_its_field() {
        assert_eq!(
            check(json!({"question": false, "options": []})),
            Err(Violation::WrongType("question".into()))
        );
        assert_eq!(
            check(json!({"question": "q", "options": ["a", 1]})),
            Err(Violation::WrongType("options.1".into()))
        );
        assert_eq!(
            check(json!({"question": null, "options": []})),
            Err(Violation::NullNotAllowed("question".into()))
        );
        assert_eq!(
            check(json!({"question": "q"})),
            Err(Violation::FieldMissing("options".into()))
        );
        assert_eq!(
            check(json!({"question": "a\u{0}b", "options": []})),
            Err(Violation::NulCharacter("question".into()))
        );
        assert_eq!(check(json!([])), Err(Violation::WrongType(String::new())));
    }
}
