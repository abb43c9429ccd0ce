//! The AsyncAPI 3 document of `/ws`, served at `/api/asyncapi.json`: generated from the
//! client ops ([`OpType::ALL`]), the server events ([`EventType::ALL`]) and the close codes
//! ([`close::ALL`]), so a new op, event or code appears in it by itself.
//!
//! Payload schemas come from poem-openapi's registry, as the OpenAPI document's do; a schema
//! the OpenAPI document also has is taken from it, with the rules `spec_doc` adds, so the
//! two documents describe a view the same way.

use poem_openapi::registry::{MetaSchemaRef, Registry};
use serde_json::{Map, Value, json};

use super::{
    events::{EventType, Family},
    protocol::{OpType, close},
};

/// Where the socket is, in `channels`.
const CHANNEL: &str = "socket";

/// The document, taking shared schemas from the finished OpenAPI document `openapi`.
pub fn document(openapi: &Value) -> Value {
    let mut registry = Registry::new();
    let mut messages = Map::new();
    let mut operations = Map::new();
    for op in OpType::ALL {
        let key = op_key(op);
        let schema = op.schema(&mut registry);
        messages.insert(key.clone(), op_message(op, schema));
        let reply: Vec<Value> = [EventType::Ack, EventType::Error]
            .into_iter()
            .map(|kind| message_ref(&event_key(kind)))
            .collect();
        operations.insert(
            key.clone(),
            json!({
                "action": "receive",
                "summary": op.summary(),
                "channel": { "$ref": format!("#/channels/{CHANNEL}") },
                "messages": [message_ref(&key)],
                "reply": {
                    "channel": { "$ref": format!("#/channels/{CHANNEL}") },
                    "messages": reply,
                },
            }),
        );
    }
    for kind in EventType::ALL {
        let key = event_key(kind);
        let data = kind.data_schema(&mut registry);
        messages.insert(key.clone(), event_message(kind, data));
        // Replies are sent as the answer to an op, not on their own.
        if kind.family() != Family::Reply {
            operations.insert(
                key.clone(),
                json!({
                    "action": "send",
                    "channel": { "$ref": format!("#/channels/{CHANNEL}") },
                    "messages": [message_ref(&key)],
                }),
            );
        }
    }
    let channel_messages: Map<String, Value> = messages
        .keys()
        .map(|key| {
            (
                key.clone(),
                json!({ "$ref": format!("#/components/messages/{key}") }),
            )
        })
        .collect();
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Anjoman WebSocket",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The real-time protocol of Anjoman at `/ws`. Clients send ops \
                (`{\"op\", \"ref\"?, …}`), each answered by `ack` or `error` with the same \
                `ref`; the server sends events (`{\"type\", \"room_id\"?, \"seq\"?, \"data\"}`). \
                Timeline events carry the room's `seq`; `subscribe` with `after_seq` replays \
                the ones missed. The REST API is described at `/api/openapi.json`.",
        },
        "defaultContentType": "application/json",
        "channels": {
            CHANNEL: {
                "address": "/ws",
                "title": "The socket",
                "description": channel_description(),
                "messages": channel_messages,
                "bindings": {
                    "ws": {
                        "method": "GET",
                        "query": {
                            "type": "object",
                            "properties": {
                                "access_token": {
                                    "type": "string",
                                    "description": "An access token, when neither \
                                        `Authorization: Bearer` nor the session cookie \
                                        is sent.",
                                },
                            },
                        },
                        "bindingVersion": "0.1.0",
                    },
                },
                "x-close-codes": close::ALL
                    .iter()
                    .map(|(code, meaning)| json!({ "code": code, "description": meaning }))
                    .collect::<Vec<_>>(),
            },
        },
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas(registry, openapi),
        },
    })
}

fn op_key(op: OpType) -> String {
    format!("op.{}", op.name())
}

fn event_key(kind: EventType) -> String {
    format!("event.{}", kind.name())
}

fn message_ref(key: &str) -> Value {
    json!({ "$ref": format!("#/channels/{CHANNEL}/messages/{key}") })
}

/// How to connect, and the close codes (AsyncAPI has no field for those).
fn channel_description() -> String {
    let mut text = String::from(
        "Authenticate with `Authorization: Bearer`, `?access_token=` or the session cookie, \
         or send the `auth` op within the auth timeout. The server answers `ready`.\n\n\
         Close codes (also in `x-close-codes`):\n\n| code | meaning |\n|---|---|\n",
    );
    for (code, meaning) in close::ALL {
        text.push_str(&format!("| {code} | {meaning} |\n"));
    }
    text
}

/// A client op: `op` and the op's own fields.
fn op_message(op: OpType, fields: MetaSchemaRef) -> Value {
    json!({
        "name": op.name(),
        "title": format!("{} (client op)", op.name()),
        "summary": op.summary(),
        "payload": {
            "allOf": [
                {
                    "type": "object",
                    "required": ["op"],
                    "properties": { "op": { "type": "string", "const": op.name() } },
                },
                fields,
            ],
        },
    })
}

/// A server event: `type`, the fields of its family and `data`.
fn event_message(kind: EventType, data: MetaSchemaRef) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "type".into(),
        json!({ "type": "string", "const": kind.name() }),
    );
    let uuid = json!({ "type": "string", "format": "uuid" });
    match kind.family() {
        Family::Timeline => {
            properties.insert("room_id".into(), uuid);
            properties.insert(
                "seq".into(),
                json!({
                    "type": "integer",
                    "format": "int64",
                    "description": "The event's place in the room's timeline.",
                }),
            );
        }
        Family::Room => {
            properties.insert("room_id".into(), uuid);
        }
        Family::Reply => {
            properties.insert(
                "ref".into(),
                json!({
                    "type": ["string", "null"],
                    "description": "The `ref` of the op answered; null if it had none.",
                }),
            );
        }
        Family::Connection => {}
    }
    properties.insert("data".into(), json!(data));
    let required: Vec<&String> = properties.keys().collect();
    json!({
        "name": kind.name(),
        "title": format!("{} (server event)", kind.name()),
        "payload": {
            "type": "object",
            "required": required,
            "properties": properties,
        },
    })
}

/// The registry's schemas, each as the OpenAPI document has it when it has it.
fn schemas(registry: Registry, openapi: &Value) -> Map<String, Value> {
    let published = openapi.pointer("/components/schemas");
    registry
        .schemas
        .into_iter()
        .map(|(name, schema)| {
            let schema = match published.and_then(|schemas| schemas.get(&name)) {
                Some(schema) => schema.clone(),
                None => json!(schema),
            };
            (name, schema)
        })
        .collect()
}
