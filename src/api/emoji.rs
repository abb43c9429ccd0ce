//! `/api/v1/emoji`: the server's custom emoji. Everyone signed in lists them and fetches
//! their pictures; admins upload (streamed multipart) and delete them.

use poem::{
    IntoResponse, Response,
    http::{HeaderValue, header},
    web::Data,
};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
    registry::{MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
};

use super::{
    dto::{EmojiView, json},
    forms::{FormSchema, StreamedForm, field_text, form_field},
    responses::NoContent,
    rooms::Created,
    security::Auth,
    stored,
    tags::ApiTags,
};
use crate::{
    actions,
    domain::{
        audit::Actor,
        emoji::{
            self, EmojiName, MAX_BYTES,
            name::{NAME_MAX, NAME_MIN, NAME_PATTERN},
        },
        files::{Staged, emoji_pictures::emoji_picture_read, upload::stage},
        users::Role,
    },
    error::{AppError, ErrorCode},
    http::conditional::{Conditional, Validators},
    state::AppState,
};

pub struct EmojiApi;

/// Parts an emoji form may have: `name` and `file`, and a little slack for clients that
/// add their own.
const PARTS_MAX: usize = 4;

/// The fields of an emoji upload.
pub struct EmojiForm;

impl FormSchema for EmojiForm {
    fn schema() -> MetaSchema {
        let name = MetaSchema {
            pattern: Some(NAME_PATTERN.to_owned()),
            min_length: Some(NAME_MIN),
            max_length: Some(NAME_MAX),
            ..form_field(
                "string",
                None,
                "The name, used as `:name:` (send it before `file`, so a refusal comes \
                 before the upload).",
            )
        };
        let file = MetaSchema {
            max_length: Some(MAX_BYTES as usize),
            ..form_field(
                "string",
                Some("binary"),
                "A PNG, GIF or WebP picture of at most 256 KiB, judged by its bytes (an \
                 extension in the file name must agree). It is re-encoded as a PNG of at \
                 most 128 px on its long side; an animated GIF keeps its first frame.",
            )
        };
        MetaSchema {
            required: vec!["name", "file"],
            properties: vec![
                ("name", MetaSchemaRef::Inline(Box::new(name))),
                ("file", MetaSchemaRef::Inline(Box::new(file))),
            ],
            ..MetaSchema::new("object")
        }
    }
}

/// An emoji's picture, with validators for caching.
pub struct EmojiImage(Response);

impl IntoResponse for EmojiImage {
    fn into_response(self) -> Response {
        self.0
    }
}

impl ApiResponse for EmojiImage {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The picture: a PNG of at most 128 px on its long side. With \
                                  the `v` of its listed URL it is cached for good (`immutable`).",
                    status: Some(200),
                    status_range: None,
                    content: stored::binary_content("image/png"),
                    headers: vec![],
                },
                stored::not_modified_meta(),
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}

/// The name and the staged picture of an upload form, read in the order sent.
async fn form_read(
    state: &AppState,
    form: StreamedForm<EmojiForm>,
) -> Result<(EmojiName, Staged, String), AppError> {
    let mut multipart = form.multipart;
    let mut name: Option<EmojiName> = None;
    let mut upload: Option<(Staged, String)> = None;
    for _ in 0..PARTS_MAX {
        let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| AppError::BadRequest(format!("multipart: {e}")))?
        else {
            break;
        };
        match field.name().unwrap_or_default() {
            "name" => {
                let parsed = EmojiName::parse(&field_text(field).await?)?;
                // Refuse a taken name before the picture is sent.
                emoji::emoji_name_free(&state.db, &parsed).await?;
                name = Some(parsed);
            }
            "file" if upload.is_none() => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                // Cut off as soon as the picture passes the limit, and nothing is kept.
                let staged = stage(&state.files, field.into_async_read(), MAX_BYTES).await?;
                upload = Some((staged, file_name));
            }
            other => {
                return Err(AppError::BadRequest(format!(
                    "unexpected form field {other:?} (expected name, file)"
                )));
            }
        }
    }
    let name = name.ok_or(AppError::Invalid {
        code: ErrorCode::EmojiNameInvalid,
        args: vec![],
    })?;
    let (staged, file_name) = upload.ok_or(AppError::Invalid {
        code: ErrorCode::FileMissing,
        args: vec![],
    })?;
    Ok((name, staged, file_name))
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Emoji")]
impl EmojiApi {
    /// Add a custom emoji (admins only; multipart `name`, `file`). The picture must be a
    /// PNG, GIF or WebP of at most 256 KiB, judged by its bytes (SVG, scripts and a name
    /// whose extension disagrees are refused); it is re-encoded as a PNG of at most 128 px
    /// on its long side. Recorded in the audit log (`emoji.create`); every connection gets
    /// `emoji.updated`.
    #[oai(path = "/emoji", method = "post", operation_id = "emoji_upload")]
    async fn upload(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        form: StreamedForm<EmojiForm>,
    ) -> Result<Created<EmojiView>, AppError> {
        auth.require(Role::Admin)?;
        let (name, staged, file_name) = form_read(&state, form).await?;
        let actor = Actor::user(auth.user.id, auth.ip);
        let view = actions::emoji_create(&state, actor, name, staged, &file_name).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// The server's custom emoji, by name.
    #[oai(path = "/emoji", method = "get", operation_id = "emoji_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
    ) -> Result<Json<Vec<EmojiView>>, AppError> {
        Ok(json(emoji::emoji_list(&state.db).await?))
    }

    /// A custom emoji's picture (signed-in users). Supports `If-None-Match`.
    #[oai(path = "/emoji/:name", method = "get", operation_id = "emoji_image")]
    async fn image(
        &self,
        state: Data<&AppState>,
        _auth: Auth,
        #[oai(validator(pattern = r"^[a-z0-9_]{2,32}$"))] name: Path<String>,
        /// The version in the listed URL; with the current one the answer is immutable.
        v: Query<Option<String>>,
        conditional: Conditional,
    ) -> Result<EmojiImage, AppError> {
        let emoji = emoji::emoji_get(&state.db, &name.0).await?;
        // The picture is addressed by its hash: the tag changes exactly when it does.
        let validators =
            Validators::new(&format!("\"{}\"", emoji.sha256), emoji.created_at.into())?;
        let mut response = if conditional.modified(&validators)? {
            let bytes = emoji_picture_read(&state.files, &emoji.sha256).await?;
            Response::builder()
                .content_type(emoji.mime.as_str())
                .body(bytes)
        } else {
            stored::not_modified()
        };
        let headers = response.headers_mut();
        validators.apply(headers);
        let current =
            v.0.as_deref()
                .is_some_and(|v| emoji::emoji_version_current(&emoji, v));
        // Private: only signed-in users may fetch it. Under a versioned URL the bytes never
        // change (a new picture gets a new URL); under the bare name they may, so revalidate.
        let cache = if current {
            "private, max-age=31536000, immutable"
        } else {
            "private, no-cache"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        stored::inert(headers);
        Ok(EmojiImage(response))
    }

    /// Delete a custom emoji (admins only). Recorded in the audit log (`emoji.delete`);
    /// every connection gets `emoji.updated`. Reactions that used it stay, as their
    /// `:name:` text.
    #[oai(
        path = "/emoji/:name",
        method = "delete",
        operation_id = "emoji_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        #[oai(validator(pattern = r"^[a-z0-9_]{2,32}$"))] name: Path<String>,
    ) -> Result<NoContent, AppError> {
        auth.require(Role::Admin)?;
        let actor = Actor::user(auth.user.id, auth.ip);
        actions::emoji_delete(&state, actor, &name.0).await?;
        Ok(NoContent::Done)
    }
}
