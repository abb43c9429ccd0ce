//! Multipart forms read part by part as they stream in (file and emoji uploads), never
//! buffered whole, each with the schema the spec publishes for it.

use std::marker::PhantomData;

use poem::{Request, RequestBody, web::Multipart};
use poem_openapi::{
    payload::{ParsePayload, Payload},
    registry::{MetaSchema, MetaSchemaRef},
};
use tokio::io::AsyncReadExt;

use crate::error::{AppError, ErrorCode};

/// Bytes a text field of an upload form may have.
pub const FIELD_MAX: u64 = 16 * 1024;

/// What a form's fields are, for the spec.
pub trait FormSchema {
    /// The `object` schema of the form: its fields and which are required.
    fn schema() -> MetaSchema;
}

/// A `multipart/form-data` body shaped as `S` describes, read as it arrives.
pub struct StreamedForm<S> {
    pub multipart: Multipart,
    shape: PhantomData<fn() -> S>,
}

impl<S: FormSchema> Payload for StreamedForm<S> {
    const CONTENT_TYPE: &'static str = "multipart/form-data";

    fn check_content_type(content_type: &str) -> bool {
        content_type
            .split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(Self::CONTENT_TYPE))
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(S::schema()))
    }
}

impl<S: FormSchema> ParsePayload for StreamedForm<S> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        use poem::FromRequest;
        Ok(Self {
            multipart: Multipart::from_request(request, body).await?,
            shape: PhantomData,
        })
    }
}

poem_openapi::impl_apirequest_for_payload!(StreamedForm<S>, S: FormSchema);

/// One field of a form's schema.
pub fn form_field(
    ty: &'static str,
    format: Option<&'static str>,
    description: &'static str,
) -> MetaSchema {
    MetaSchema {
        format,
        description: Some(description),
        ..MetaSchema::new(ty)
    }
}

/// Reads a small text part.
pub async fn field_text(field: poem::web::Field) -> Result<String, AppError> {
    let name = field.name().unwrap_or_default().to_owned();
    let mut text = String::new();
    field
        .into_async_read()
        .take(FIELD_MAX + 1)
        .read_to_string(&mut text)
        .await
        .map_err(|e| AppError::BadRequest(format!("form field: {e}")))?;
    if text.len() as u64 > FIELD_MAX {
        return Err(AppError::BadRequest(format!(
            "form fields other than `file` may have at most {FIELD_MAX} bytes"
        )));
    }
    // PostgreSQL cannot store U+0000 in text.
    if text.contains('\0') {
        return Err(AppError::Invalid {
            code: ErrorCode::TextNulCharacter,
            args: vec![("field", name)],
        });
    }
    Ok(text)
}
