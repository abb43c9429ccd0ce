//! The REST API's response objects: the domain's wire views ([`crate::domain::views`])
//! expanded a second time, with poem-openapi's `Object` derive, so the OpenAPI document
//! describes exactly what the domain hands out. Each converts from its domain view, and
//! lends it its schema.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object,
    registry::{MetaSchemaRef, Registry},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::views::{self as domain, wire_views};

/// A field's value from the domain view's: the same value, or the nested view's object.
pub trait FromDomain<T> {
    fn from_domain(value: T) -> Self;
}

macro_rules! same_value {
    ($($ty:ty),*) => {
        $(impl FromDomain<$ty> for $ty {
            fn from_domain(value: $ty) -> Self {
                value
            }
        })*
    };
}

same_value!(Uuid, String, bool, i32, i64, u32, u64, DateTime<Utc>);

impl<T, U: FromDomain<T>> FromDomain<Option<T>> for Option<U> {
    fn from_domain(value: Option<T>) -> Self {
        value.map(U::from_domain)
    }
}

impl<T, U: FromDomain<T>> FromDomain<Vec<T>> for Vec<U> {
    fn from_domain(value: Vec<T>) -> Self {
        value.into_iter().map(U::from_domain).collect()
    }
}

/// The API's expansion: `Object`s that leave absent fields out, each with a `From` its
/// domain view.
macro_rules! openapi_views {
    ($($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident: $ty:ty),* $(,)? })*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Serialize, Deserialize, Object)]
            #[oai(skip_serializing_if_is_none)]
            pub struct $name {
                $($(#[$field_meta])* pub $field: $ty,)*
            }

            impl FromDomain<domain::$name> for $name {
                fn from_domain(view: domain::$name) -> Self {
                    Self { $($field: FromDomain::from_domain(view.$field),)* }
                }
            }

            impl From<domain::$name> for $name {
                fn from(view: domain::$name) -> Self {
                    Self::from_domain(view)
                }
            }

            // The domain view is described by its Object, so other poem-openapi types (the
            // socket's event payloads, the AsyncAPI document) can hold it as it is.
            impl Type for domain::$name {
                const IS_REQUIRED: bool = true;
                type RawValueType = Self;
                type RawElementValueType = Self;

                fn name() -> Cow<'static, str> {
                    <$name as Type>::name()
                }

                fn schema_ref() -> MetaSchemaRef {
                    <$name as Type>::schema_ref()
                }

                fn register(registry: &mut Registry) {
                    <$name as Type>::register(registry)
                }

                fn as_raw_value(&self) -> Option<&Self> {
                    Some(self)
                }

                fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                    Box::new(std::iter::once(self))
                }
            }

            impl ToJSON for domain::$name {
                fn to_json(&self) -> Option<serde_json::Value> {
                    serde_json::to_value(self).ok()
                }
            }

            impl ParseFromJSON for domain::$name {
                fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
                    serde_json::from_value(value.unwrap_or_default())
                        .map_err(|err| ParseError::custom(err.to_string()))
                }
            }
        )*
    };
}

wire_views!(openapi_views);

/// A handler's answer from a domain view, or a list of them.
pub fn json<T, U: FromDomain<T>>(view: T) -> poem_openapi::payload::Json<U> {
    poem_openapi::payload::Json(U::from_domain(view))
}
