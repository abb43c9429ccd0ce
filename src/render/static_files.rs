//! `/static/*`: the asset table's files. A hashed URL is immutable and cached for a year;
//! a plain URL (what a page from before a deploy asks for) is revalidated each time with
//! its `ETag`; a hashed URL whose hash is not the current one is 404, never another
//! version's bytes under a name cached for a year.

use poem::{
    Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
};

use super::assets::assets;
use crate::http::compression;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

#[handler]
pub fn serve(req: &Request) -> poem::Result<Response> {
    let path = req.uri().path().trim_start_matches('/');
    let Some((asset, hashed)) = assets().lookup(path) else {
        return Err(poem::error::NotFoundError.into());
    };
    let (body, encoding) = asset.body(compression::negotiate(req.headers()));
    // One tag per representation (as the coding changes the bytes); any of them names
    // the same version, so any answers a revalidation.
    let etag = match encoding.header() {
        Some(name) => format!("\"{}-{name}\"", asset.hash),
        None => format!("\"{}\"", asset.hash),
    };
    let cache = if hashed { IMMUTABLE } else { REVALIDATE };
    let mut resp = Response::builder()
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, etag.as_str());
    if asset.compressed() {
        resp = resp.header(header::VARY, "Accept-Encoding");
    }
    let fresh = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim().trim_start_matches("W/").trim_matches('"');
            tag == "*" || tag.split('-').next() == Some(asset.hash.as_str())
        });
    if fresh {
        return Ok(resp.status(StatusCode::NOT_MODIFIED).finish());
    }
    let mut resp = resp.content_type(asset.content_type).body(body);
    if let Some(name) = encoding.header() {
        resp.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    }
    Ok(resp)
}
