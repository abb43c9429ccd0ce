//! What a shared file is, judged by its bytes. The name's extension says what the sender
//! claims; the magic bytes (`infer`) say what it is. They must agree, the type must be on
//! the configured allow-list, and nothing that runs (executables, scripts) or renders as
//! a page (HTML, SVG, XML) gets in under any name.

use crate::error::{AppError, AppResult, ErrorCode};

/// One shareable kind of file.
#[derive(Debug, PartialEq, Eq)]
pub struct FileType {
    /// The canonical extension (`jpg`, never `jpeg`).
    pub ext: &'static str,
    /// The `Content-Type` it is served with.
    pub mime: &'static str,
    /// Types `infer` may report for genuine files of this kind; empty for plain text.
    sniffed: &'static [&'static str],
    /// Shown in the browser (images, audio, video) rather than downloaded.
    pub inline: bool,
    /// Gets a thumbnail.
    pub image: bool,
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";

const fn kind(
    ext: &'static str,
    mime: &'static str,
    sniffed: &'static [&'static str],
    inline: bool,
    image: bool,
) -> FileType {
    FileType {
        ext,
        mime,
        sniffed,
        inline,
        image,
    }
}

const TYPES: &[FileType] = &[
    kind("png", "image/png", &["image/png"], true, true),
    kind("jpg", "image/jpeg", &["image/jpeg"], true, true),
    kind("gif", "image/gif", &["image/gif"], true, true),
    kind("webp", "image/webp", &["image/webp"], true, true),
    kind("pdf", "application/pdf", &["application/pdf"], false, false),
    kind("txt", "text/plain; charset=utf-8", &[], false, false),
    kind("docx", DOCX, &[DOCX], false, false),
    kind("xlsx", XLSX, &[XLSX], false, false),
    kind("pptx", PPTX, &[PPTX], false, false),
    kind("mp3", "audio/mpeg", &["audio/mpeg"], true, false),
    kind(
        "ogg",
        "audio/ogg",
        &["audio/ogg", "audio/opus"],
        true,
        false,
    ),
    kind("wav", "audio/wav", &["audio/x-wav"], true, false),
    kind(
        "mp4",
        "video/mp4",
        &["video/mp4", "video/x-m4v", "audio/m4a"],
        true,
        false,
    ),
    kind("webm", "video/webm", &["video/webm"], true, false),
    // Office documents are zip archives too.
    kind(
        "zip",
        "application/zip",
        &["application/zip", DOCX, XLSX, PPTX],
        false,
        false,
    ),
];

/// Every extension `uploads.allowed_types` may name.
pub const KNOWN_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "pdf", "txt", "docx", "xlsx", "pptx", "mp3", "ogg", "wav",
    "mp4", "webm", "zip",
];

/// Bytes of the start of a file that `classify` needs (OOXML is recognized within 6,000).
pub const HEAD_BYTES: usize = 8192;

impl FileType {
    /// The kind an extension names (`jpeg` is `jpg`), if it is one we know.
    pub fn for_extension(ext: &str) -> Option<&'static FileType> {
        let ext = ext.to_ascii_lowercase();
        let ext = if ext == "jpeg" { "jpg" } else { ext.as_str() };
        TYPES.iter().find(|t| t.ext == ext)
    }

    fn for_sniffed(mime: Option<&str>) -> Option<&'static FileType> {
        match mime {
            None => FileType::for_extension("txt"),
            Some(mime) => TYPES.iter().find(|t| t.sniffed.first() == Some(&mime)),
        }
    }
}

/// The extension of a file name, lowercased (`None` without one).
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_lowercase())
}

/// Decides what `head` (the first bytes of a file called `name`) is. Returns its kind and
/// the name to store (an extension is added when the name has none).
pub fn classify(
    name: &str,
    head: &[u8],
    allowed: &[String],
) -> AppResult<(String, &'static FileType)> {
    let sniffed = infer::get(head);
    if is_executable(head, sniffed.as_ref()) {
        return Err(AppError::UnsupportedMediaType(ErrorCode::FileExecutable));
    }
    let sniffed = sniffed.map(|t| t.mime_type());
    if is_markup(head) || matches!(sniffed, Some("text/html" | "text/xml")) {
        return Err(AppError::UnsupportedMediaType(ErrorCode::FileActiveContent));
    }
    let not_allowed = || AppError::Invalid {
        code: ErrorCode::FileTypeNotAllowed,
        args: vec![("allowed", allowed.join(", "))],
    };
    let (name, kind) = match extension(name) {
        Some(ext) => (
            name.to_owned(),
            FileType::for_extension(&ext).ok_or_else(not_allowed)?,
        ),
        // No extension: trust the bytes and name the type.
        None => {
            let kind = FileType::for_sniffed(sniffed).ok_or_else(not_allowed)?;
            (format!("{name}.{}", kind.ext), kind)
        }
    };
    let is_allowed = allowed
        .iter()
        .any(|a| FileType::for_extension(a).is_some_and(|t| t == kind));
    if !is_allowed {
        return Err(not_allowed());
    }
    let matches = if kind.sniffed.is_empty() {
        sniffed.is_none() && is_text(head)
    } else {
        sniffed.is_some_and(|s| kind.sniffed.contains(&s))
    };
    if !matches {
        return Err(AppError::Invalid {
            code: ErrorCode::FileTypeMismatch,
            args: vec![("ext", kind.ext.to_owned())],
        });
    }
    Ok((name, kind))
}

/// Programs of any platform, installers and scripts with an interpreter line.
fn is_executable(head: &[u8], sniffed: Option<&infer::Type>) -> bool {
    head.starts_with(b"#!")
        || sniffed.is_some_and(|t| {
            t.matcher_type() == infer::MatcherType::App
                || matches!(
                    t.mime_type(),
                    "text/x-shellscript" | "application/x-ole-storage" | "application/x-msdownload"
                )
        })
}

/// Markup a browser would render as a page or run scripts in (HTML, SVG, XML), which
/// `infer` recognizes only in some spellings.
fn is_markup(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let text = &text[start..text.len().min(start + 256)];
    let lower = text.to_ascii_lowercase();
    [
        "<!doctype",
        "<html",
        "<svg",
        "<script",
        "<?xml",
        "<head",
        "<body",
        "<iframe",
        "<!--",
        "<xml",
        "<?php",
    ]
    .iter()
    .any(|tag| lower.starts_with(tag.as_bytes()))
}

/// UTF-8 without NUL bytes (a multi-byte character cut off at the end of `head` is fine).
fn is_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(err) => err.error_len().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<String> {
        [
            "png", "jpg", "gif", "webp", "pdf", "txt", "docx", "mp3", "mp4", "zip",
        ]
        .map(String::from)
        .to_vec()
    }

    fn code(result: AppResult<(String, &'static FileType)>) -> &'static str {
        result.err().map_or("ok", |e| e.code())
    }

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

    #[test]
    fn matching_bytes_and_names_pass() {
        let (name, kind) = classify("photo.PNG", PNG, &allowed()).unwrap();
        assert_eq!((name.as_str(), kind.mime), ("photo.PNG", "image/png"));
        let (_, kind) = classify("گزارش.pdf", PDF, &allowed()).unwrap();
        assert_eq!(kind.ext, "pdf");
        let (_, kind) = classify("یادداشت.txt", "سلام دنیا".as_bytes(), &allowed()).unwrap();
        assert_eq!(kind.ext, "txt");
    }

    #[test]
    fn a_name_without_extension_gets_the_sniffed_one() {
        let (name, _) = classify("photo", PNG, &allowed()).unwrap();
        assert_eq!(name, "photo.png");
        let (name, _) = classify("notes", b"plain words", &allowed()).unwrap();
        assert_eq!(name, "notes.txt");
    }

    #[test]
    fn spoofed_extensions_executables_and_markup_are_refused() {
        assert_eq!(
            code(classify("cat.png", PDF, &allowed())),
            "file.type_mismatch"
        );
        assert_eq!(
            code(classify("cat.txt", PNG, &allowed())),
            "file.type_mismatch"
        );
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        assert_eq!(
            code(classify("cat.png", exe, &allowed())),
            "file.executable"
        );
        assert_eq!(
            code(classify("run.txt", b"#!/bin/sh\nrm -rf ~", &allowed())),
            "file.executable"
        );
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(
            code(classify("logo.svg", svg, &allowed())),
            "file.active_content"
        );
        assert_eq!(
            code(classify("logo.txt", svg, &allowed())),
            "file.active_content"
        );
        let html = b"\xEF\xBB\xBF  <!DOCTYPE html><title>x</title>";
        assert_eq!(
            code(classify("page.txt", html, &allowed())),
            "file.active_content"
        );
        assert_eq!(
            code(classify("binary.txt", b"a\0b", &allowed())),
            "file.type_mismatch"
        );
    }

    #[test]
    fn types_off_the_allow_list_are_refused() {
        assert_eq!(
            code(classify("song.flac", b"fLaC\0\0\0\x22", &allowed())),
            "file.type_not_allowed"
        );
        let only_images = vec!["png".to_owned()];
        assert_eq!(
            code(classify("doc.pdf", PDF, &only_images)),
            "file.type_not_allowed"
        );
        assert_eq!(
            code(classify("x.jpeg", b"\xFF\xD8\xFF\xE0", &allowed())),
            "ok"
        );
    }
}
