//! `/api/v1/files`: upload (streamed multipart), download (Range, ETag, HEAD) and
//! thumbnails. Access follows room membership.

use poem::{
    Body, IntoResponse, Request, RequestBody, Response,
    http::{HeaderValue, StatusCode, header},
    web::{
        Data, Multipart,
        headers::{ContentRange, HeaderMapExt},
    },
};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    payload::{ParsePayload, Payload},
    registry::{
        MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
    },
};
use tokio::io::AsyncReadExt;
use uuid::Uuid;

use super::{responses::NoContent, rooms::Created, security::Auth, tags::ApiTags};
use crate::{
    actions,
    api::dto::{FileView, MessageView, json},
    domain::files::{
        self, FileStore, Staged,
        attachments::{file_readable, file_withdraw, room_files},
        blobs::{Readable, readable_size, readable_stream},
        upload::{quota_check, stage},
    },
    error::{AppError, ErrorCode},
    http::conditional::{Conditional, Validators},
    state::AppState,
};

pub struct FilesApi;

/// Bytes a text field of the upload form may have.
const FIELD_MAX: u64 = 16 * 1024;
/// Parts an upload form may have (each text part is bounded, so the body is too).
const PARTS_MAX: usize = 8;

/// An upload form, read part by part as it streams in (never buffered whole).
pub struct UploadForm(Multipart);

impl Payload for UploadForm {
    const CONTENT_TYPE: &'static str = "multipart/form-data";

    fn check_content_type(content_type: &str) -> bool {
        content_type
            .split(';')
            .next()
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(Self::CONTENT_TYPE))
    }

    fn schema_ref() -> MetaSchemaRef {
        let field = |ty, format, description| {
            MetaSchemaRef::Inline(Box::new(MetaSchema {
                format,
                description: Some(description),
                ..MetaSchema::new(ty)
            }))
        };
        MetaSchemaRef::Inline(Box::new(MetaSchema {
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
        }))
    }
}

impl ParsePayload for UploadForm {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        use poem::FromRequest;
        Ok(Self(Multipart::from_request(request, body).await?))
    }
}

poem_openapi::impl_apirequest_for_payload!(UploadForm,);

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
        let binary = || {
            vec![MetaMediaType {
                content_type: "application/octet-stream",
                schema: MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format(
                    "string", "binary",
                ))),
            }]
        };
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
                MetaResponse {
                    description: "Unchanged since the `If-None-Match` / `If-Modified-Since` given.",
                    status: Some(304),
                    status_range: None,
                    content: vec![],
                    headers: vec![],
                },
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}

/// Reads a small text part.
async fn field_text(field: poem::web::Field) -> Result<String, AppError> {
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

/// Serves a readable file (or thumbnail) with `Range`, ETag and conditional requests.
async fn serve(
    store: &FileStore,
    readable: Readable,
    request: Conditional,
) -> Result<FileBody, AppError> {
    let validators = Validators::new(&readable.etag(), readable.blob.created_at.into())?;
    let mut response = if request.modified(&validators)? {
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
            let ext = if mime == "image/png" { "png" } else { "jpg" };
            (mime, format!("thumbnail.{ext}"))
        } else {
            (readable.file.mime.clone(), readable.file.name.clone())
        };
        let disposition = files::names::content_disposition(readable.inline, &name);
        for (name, value) in [
            (header::CONTENT_TYPE, mime),
            (header::CONTENT_DISPOSITION, disposition),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    } else {
        Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .finish()
    };
    let headers = response.headers_mut();
    validators.apply(headers);
    // The bytes behind an id never change, but who may fetch them can: browsers only.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    // Even if a browser is tricked into rendering a file, it runs nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox; frame-ancestors 'none'"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    Ok(FileBody(response))
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
        let mut multipart = form.0;
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
