//! `/api/v1/files`: upload (streamed multipart), download (Range, ETag, HEAD) and
//! thumbnails. Access follows room membership.

use poem::{
    Body, IntoResponse, Response,
    http::{HeaderValue, StatusCode, header},
    web::{
        Data,
        headers::{ContentRange, HeaderMapExt},
    },
};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    registry::{MetaHeader, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
};
use uuid::Uuid;

use super::{
    forms::{FormSchema, StreamedForm, field_text, form_field},
    responses::NoContent,
    rooms::Created,
    security::Auth,
    stored,
    tags::ApiTags,
};
use crate::{
    actions,
    api::dto::{FileView, MessageView, json},
    domain::files::{
        self, FileStore, Staged,
        attachments::{file_readable, file_withdraw, room_files},
        blobs::{Readable, readable_size, readable_stream},
        upload::{quota_check, stage},
    },
    domain::messages::embeds::embed_readable,
    error::{AppError, ErrorCode},
    http::conditional::{Conditional, Validators},
    state::AppState,
};

pub struct FilesApi;

/// Parts an upload form may have (each text part is bounded, so the body is too).
const PARTS_MAX: usize = 8;

/// An upload form, read part by part as it streams in (never buffered whole).
pub type UploadForm = StreamedForm<FileForm>;

/// The fields of a file upload.
pub struct FileForm;

impl FormSchema for FileForm {
    fn schema() -> MetaSchema {
        let field = |ty, format, description| {
            MetaSchemaRef::Inline(Box::new(form_field(ty, format, description)))
        };
        MetaSchema {
            required: vec!["room_id", "file"],
            properties: vec![
                (
                    "room_id",
                    field(
                        "string",
                        Some("uuid"),
                        "The room to share the file in (send it before `file`, so a refusal \
                         comes before the upload).",
                    ),
                ),
                (
                    "caption",
                    field("string", None, "Body of the message that carries the file."),
                ),
                (
                    "send",
                    field(
                        "boolean",
                        None,
                        "Default true: post the file as a new message now. false: only \
                         upload; attach it with `attachments` on a message you send.",
                    ),
                ),
                (
                    "file",
                    field(
                        "string",
                        Some("binary"),
                        "The file; its name (filename parameter) is kept, sanitized.",
                    ),
                ),
            ],
            ..MetaSchema::new("object")
        }
    }
}

/// A stored upload, and the message that carries it (absent with `send=false`).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FileUploaded {
    pub file: FileView,
    pub message: Option<MessageView>,
}

/// A file's bytes (all, or the requested range), with validators for caching.
pub struct FileBody(Response);

impl IntoResponse for FileBody {
    fn into_response(self) -> Response {
        self.0
    }
}

impl ApiResponse for FileBody {
    fn meta() -> MetaResponses {
        let binary = || stored::binary_content("application/octet-stream");
        let header = |name: &str, description: &str| MetaHeader {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            required: false,
            deprecated: false,
            schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new("string"))),
        };
        let headers = || {
            vec![
                header(
                    "Content-Disposition",
                    "inline for images, audio and video, else attachment; the name in \
                     RFC 5987 `filename*` too",
                ),
                header("ETag", "Validator for If-None-Match / If-Match"),
                header("Accept-Ranges", "bytes"),
            ]
        };
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The file. Its Content-Type is the one decided from its bytes.",
                    status: Some(200),
                    status_range: None,
                    content: binary(),
                    headers: headers(),
                },
                MetaResponse {
                    description: "The requested `Range` (one range) of the file.",
                    status: Some(206),
                    status_range: None,
                    content: binary(),
                    headers: headers(),
                },
                stored::not_modified_meta(),
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}

/// Serves a readable file (or thumbnail) with `Range`, ETag and conditional requests.
async fn serve(
    store: &FileStore,
    readable: Readable,
    request: Conditional,
) -> Result<FileBody, AppError> {
    let validators = Validators::new(&readable.etag(), readable.blob.created_at.into())?;
    let response = if request.modified(&validators)? {
        let size = readable_size(store, &readable).await?;
        let part = request.part(&validators, size)?;
        let range = part.clone().unwrap_or(0..size);
        let body = if request.head {
            Body::empty()
        } else {
            Body::from_bytes_stream(readable_stream(store, &readable, range.clone()).await?)
        };
        let mut response = Response::builder()
            .header(header::ACCEPT_RANGES, "bytes")
            .header(header::CONTENT_LENGTH, range.end - range.start)
            .body(body);
        if let Some(part) = part {
            response.set_status(StatusCode::PARTIAL_CONTENT);
            let content_range = ContentRange::bytes(part, size)
                .map_err(|_| anyhow::anyhow!("range of {} out of bounds", readable.file.id))?;
            response.headers_mut().typed_insert(content_range);
        }
        let (mime, name) = if readable.thumbnail {
            let mime = readable.blob.thumb_mime.clone().unwrap_or_default();
            let name = picture_name("thumbnail", &mime);
            (mime, name)
        } else {
            (readable.file.mime.clone(), readable.file.name.clone())
        };
        type_and_name_set(&mut response, &mime, readable.inline, &name);
        Some(response)
    } else {
        None
    };
    Ok(file_body(response, &validators))
}

/// A link preview's picture: small, served whole, with the same validators and headers
/// as a file's.
async fn serve_preview_picture(
    store: &FileStore,
    embed: entity::message_embeds::Model,
    request: Conditional,
) -> Result<FileBody, AppError> {
    let sha256 = embed.image_sha256.unwrap_or_default();
    let validators = Validators::new(&format!("\"{sha256}-preview\""), embed.created_at.into())?;
    let response = if request.modified(&validators)? {
        let bytes = files::blobs::preview_picture_read(store, &sha256).await?;
        let mime = embed.image_mime.unwrap_or_default();
        let mut response = Response::builder()
            .header(header::CONTENT_LENGTH, bytes.len())
            .body(if request.head {
                Body::empty()
            } else {
                Body::from_bytes(bytes)
            });
        type_and_name_set(&mut response, &mime, true, &picture_name("preview", &mime));
        Some(response)
    } else {
        None
    };
    Ok(file_body(response, &validators))
}

/// `thumbnail.png`, `preview.jpg`: the name of a picture made here, from its type.
fn picture_name(stem: &str, mime: &str) -> String {
    let ext = if mime == "image/png" { "png" } else { "jpg" };
    format!("{stem}.{ext}")
}

/// Sets `Content-Type` and `Content-Disposition` (inline or attachment, with `name`).
fn type_and_name_set(response: &mut Response, mime: &str, inline: bool, name: &str) {
    let disposition = files::names::content_disposition(inline, name);
    for (key, value) in [
        (header::CONTENT_TYPE, mime),
        (header::CONTENT_DISPOSITION, disposition.as_str()),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(key, value);
        }
    }
}

/// The answer to a conditional request: `response`, or 304 when it is `None`; either way
/// with the validators and caching headers.
fn file_body(response: Option<Response>, validators: &Validators) -> FileBody {
    let mut response = response.unwrap_or_else(stored::not_modified);
    cache_headers_apply(response.headers_mut(), validators);
    FileBody(response)
}

/// Validators, caching and the headers that keep a served file inert.
fn cache_headers_apply(headers: &mut poem::http::HeaderMap, validators: &Validators) {
    validators.apply(headers);
    // The bytes behind an id never change, but who may fetch them can: browsers only.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    stored::inert(headers);
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Files")]
impl FilesApi {
    /// Share a file in a room (multipart; 16 MiB and 5 uploads per 5 minutes by default).
    ///
    /// The type is decided from the bytes, which must match the name's extension and be on
    /// the server's allow-list; programs, scripts, HTML and SVG are refused. The same bytes
    /// are stored once however often they are shared. With `send` (the default) a message
    /// carrying the file is posted and announced as `message.created`.
    #[oai(path = "/files", method = "post", operation_id = "files_upload")]
    async fn upload(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        form: UploadForm,
    ) -> Result<Created<FileUploaded>, AppError> {
        let settings = &state.settings.uploads;
        state
            .limits
            .upload(auth.user.id)
            .await
            .map_err(AppError::rate_limited)?;
        quota_check(&state.db, auth.user.id, 0, settings.user_quota_bytes).await?;
        let mut multipart = form.multipart;
        let mut room_id: Option<Uuid> = None;
        let mut caption = String::new();
        let mut send = true;
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
                "room_id" => {
                    let id = field_text(field).await?;
                    let id = Uuid::parse_str(id.trim())
                        .map_err(|_| AppError::BadRequest("room_id is not a UUID".into()))?;
                    // Refuse a stranger before they send megabytes.
                    crate::domain::rooms::moderation::require_writer(&state.db, id, &auth.user)
                        .await?;
                    room_id = Some(id);
                }
                "caption" => caption = field_text(field).await?,
                "send" => {
                    // Clients spell booleans differently (`false`, `False`, `0`).
                    let value = field_text(field).await?.trim().to_ascii_lowercase();
                    send = !matches!(value.as_str(), "false" | "0" | "no" | "off");
                }
                "file" if upload.is_none() => {
                    let name = field.file_name().unwrap_or_default().to_owned();
                    let staged = stage(
                        &state.files,
                        field.into_async_read(),
                        settings.max_file_bytes,
                    )
                    .await?;
                    upload = Some((staged, name));
                }
                other => {
                    return Err(AppError::BadRequest(format!(
                        "unexpected form field {other:?} (expected room_id, caption, send, file)"
                    )));
                }
            }
        }
        let room_id = room_id
            .ok_or_else(|| AppError::BadRequest("the form field room_id is required".into()))?;
        let (staged, name) = upload.ok_or(AppError::Invalid {
            code: ErrorCode::FileMissing,
            args: vec![],
        })?;
        let (file, message) =
            actions::file_upload(&state, &auth.user, room_id, staged, &name, &caption, send)
                .await?;
        Ok(Created::Created(poem_openapi::payload::Json(
            FileUploaded {
                file: file.into(),
                message: message.map(Into::into),
            },
        )))
    }

    /// Download a file (members of its room; the uploader until it is sent). Supports
    /// `Range`, `If-None-Match` and `HEAD`.
    #[oai(path = "/files/:id", method = "get", operation_id = "files_download")]
    async fn download(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        conditional: Conditional,
    ) -> Result<FileBody, AppError> {
        let readable = file_readable(&state.db, &auth.user, id.0, false).await?;
        serve(&state.files, readable, conditional).await
    }

    /// Withdraw an upload you have not sent yet (sent files go with their message).
    #[oai(
        path = "/files/:id",
        method = "delete",
        operation_id = "files_withdraw"
    )]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> Result<NoContent, AppError> {
        file_withdraw(&state.db, &state.files, &auth.user, id.0).await?;
        Ok(NoContent::Done)
    }

    /// Files shared in a room, newest first (`before`: a file id, to page back; `limit`
    /// ≤ 100, default 50).
    #[oai(
        path = "/rooms/:id/files",
        method = "get",
        operation_id = "rooms_files"
    )]
    async fn room_files(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        before: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
    ) -> Result<Json<Vec<FileView>>, AppError> {
        let list = room_files(&state.db, &auth.user, id.0, before.0, limit.0.unwrap_or(50)).await?;
        Ok(json(list))
    }

    /// A link preview's picture (members of the message's room): re-encoded here from the
    /// linked page's `og:image`, at most 320 px on its long side, never the original.
    #[oai(
        path = "/messages/:id/embeds/:position/image",
        method = "get",
        operation_id = "messages_embed_image"
    )]
    async fn embed_image(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        position: Path<i32>,
        conditional: Conditional,
    ) -> Result<FileBody, AppError> {
        let embed = embed_readable(&state.db, &auth.user, id.0, position.0).await?;
        serve_preview_picture(&state.files, embed, conditional).await
    }

    /// A picture's preview (at most 320 px on its long side).
    #[oai(
        path = "/files/:id/thumbnail",
        method = "get",
        operation_id = "files_thumbnail"
    )]
    async fn thumbnail(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        conditional: Conditional,
    ) -> Result<FileBody, AppError> {
        let readable = file_readable(&state.db, &auth.user, id.0, true).await?;
        serve(&state.files, readable, conditional).await
    }
}
