//! Response compression: brotli or gzip as the client's `Accept-Encoding` allows, for text
//! (pages, JSON, problem documents, the OpenAPI and AsyncAPI documents). Static files come
//! compressed already (best level, once at startup, `render::assets`); everything else is
//! compressed here at a fast level as it leaves.
//!
//! Never compressed: bodies under [`MIN_BYTES`], types that are compressed already
//! (images, fonts, archives), stored files and their ranges (`Content-Disposition`,
//! `Content-Range`, 206), the WebSocket upgrade, and anything already encoded. Bodies of
//! the other types are complete in memory (only file downloads stream), so reading one
//! whole costs nothing more than sending it.
//!
//! poem's own `Compression` middleware is not used: it compresses every type, decompresses
//! request bodies (an unbounded expansion before any limit applies) and needs zstd's C build.

use std::io::Write;

use poem::{
    Body, Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::{HeaderMap, HeaderValue, StatusCode, header},
};

/// Below this a compressed body saves less than a packet and costs a little time.
pub const MIN_BYTES: usize = 1024;

/// Brotli quality for responses made per request: fast, still well ahead of gzip.
const BROTLI_FAST: u32 = 4;

/// A content coding this server sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

/// The best coding `Accept-Encoding` allows: brotli over gzip at equal weight; `q=0`
/// refuses one; `*` stands for any coding not named.
pub fn negotiate(headers: &HeaderMap) -> Encoding {
    let (mut brotli, mut gzip, mut star) = (None, None, None);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|param| {
                    let (name, value) = param.split_once('=')?;
                    (name.trim().eq_ignore_ascii_case("q")).then(|| value.trim().parse().ok())?
                })
                .next()
                .unwrap_or(1.0_f32);
            match coding.as_str() {
                "br" => brotli = Some(q),
                "gzip" | "x-gzip" => gzip = Some(q),
                "*" => star = Some(q),
                _ => {}
            }
        }
    }
    let brotli = brotli.or(star).unwrap_or(0.0);
    let gzip = gzip.or(star).unwrap_or(0.0);
    if brotli > 0.0 && brotli >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether a body of `content_type` shrinks when compressed (text, not media).
pub fn worth_compressing(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    (essence.starts_with("text/") && essence != "text/event-stream")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/problem+json"
                | "application/javascript"
                | "application/manifest+json"
                | "application/xml"
                | "image/svg+xml"
        )
        || essence.ends_with("+json")
}

/// Brotli at its best (quality 11): for files compressed once.
pub fn brotli_best(bytes: &[u8]) -> Vec<u8> {
    brotli(bytes, 11)
}

/// gzip at its best (level 9): for files compressed once.
pub fn gzip_best(bytes: &[u8]) -> Vec<u8> {
    gzip(bytes, flate2::Compression::best())
}

fn brotli(bytes: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, quality, 22);
        // Writing to a Vec cannot fail.
        let _ = writer.write_all(bytes);
    }
    out
}

fn gzip(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), level);
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Adds `Accept-Encoding` to `Vary` unless it is there: the body depends on it.
pub fn vary_on_encoding(headers: &mut HeaderMap) {
    let present = headers.get_all(header::VARY).iter().any(|value| {
        value.to_str().is_ok_and(|value| {
            value
                .split(',')
                .any(|name| name.trim().eq_ignore_ascii_case("accept-encoding"))
        })
    });
    if !present {
        headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
}

/// Compresses what responses it may, at a fast level.
pub struct Compression;

impl<E: Endpoint> Middleware<E> for Compression {
    type Output = CompressionEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        CompressionEndpoint { ep }
    }
}

pub struct CompressionEndpoint<E> {
    ep: E,
}

/// Whether this response may be compressed at all (whatever the client accepts).
fn eligible(resp: &Response) -> bool {
    let status = resp.status();
    let headers = resp.headers();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let bodiless_or_partial = status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::PARTIAL_CONTENT
        || status == StatusCode::NOT_MODIFIED;
    !bodiless_or_partial
        && !headers.contains_key(header::CONTENT_ENCODING)
        && !headers.contains_key(header::CONTENT_RANGE)
        && !headers.contains_key(header::CONTENT_DISPOSITION)
        && worth_compressing(content_type)
}

impl<E: Endpoint> Endpoint for CompressionEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let encoding = negotiate(req.headers());
        // Stored files (any type a user uploaded) and the socket are never touched.
        let path = req.uri().path();
        let skip = path.starts_with("/api/v1/files") || path == "/ws";
        let mut resp = self.ep.call(req).await?.into_response();
        if skip || !eligible(&resp) {
            return Ok(resp);
        }
        vary_on_encoding(resp.headers_mut());
        if encoding == Encoding::Identity {
            return Ok(resp);
        }
        let body = resp.take_body().into_bytes().await?;
        if body.len() < MIN_BYTES {
            resp.set_body(body);
            return Ok(resp);
        }
        let packed = match encoding {
            Encoding::Brotli => brotli(&body, BROTLI_FAST),
            _ => gzip(&body, flate2::Compression::fast()),
        };
        let headers = resp.headers_mut();
        headers.remove(header::CONTENT_LENGTH);
        if let Some(name) = encoding.header() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        // Another representation: a strong tag of the plain bytes would be a lie.
        if let Some(etag) = headers.get(header::ETAG).and_then(|v| v.to_str().ok())
            && !etag.starts_with("W/")
            && let Ok(weak) = HeaderValue::from_str(&format!("W/{etag}"))
        {
            headers.insert(header::ETAG, weak);
        }
        resp.set_body(Body::from(packed));
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn negotiation_follows_weights() {
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(negotiate(&accept("gzip, deflate, br")), Encoding::Brotli);
        assert_eq!(negotiate(&accept("gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("br;q=0, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("br;q=0.5, gzip;q=0.8")), Encoding::Gzip);
        assert_eq!(negotiate(&accept("identity")), Encoding::Identity);
        assert_eq!(negotiate(&accept("*")), Encoding::Brotli);
        assert_eq!(negotiate(&accept("*;q=0")), Encoding::Identity);
    }

    #[test]
    fn only_text_is_worth_compressing() {
        for yes in [
            "text/html; charset=utf-8",
            "application/json",
            "application/problem+json",
            "image/svg+xml",
            "text/css",
        ] {
            assert!(worth_compressing(yes), "{yes}");
        }
        for no in [
            "image/png",
            "font/woff2",
            "application/zip",
            "text/event-stream",
            "",
        ] {
            assert!(!worth_compressing(no), "{no}");
        }
    }
}
