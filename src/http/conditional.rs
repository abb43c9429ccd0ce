//! Conditional and range requests (RFC 9110 §13, §14) for stored files. The answer is
//! decided from validators the database holds, before any byte is fetched, so it is the
//! same whichever store holds the bytes and a 304 costs the store nothing.

use std::{
    ops::{Bound, Range},
    str::FromStr,
    time::SystemTime,
};

use poem::{
    FromRequest, Request, RequestBody,
    http::{HeaderMap, Method},
    web::headers::{
        ETag, HeaderMapExt, IfMatch, IfModifiedSince, IfNoneMatch, IfRange, IfUnmodifiedSince,
        LastModified, Range as RangeHeader,
    },
};

use crate::error::AppError;

/// A GET's (or HEAD's) validators and range, as sent.
pub struct Conditional {
    if_match: Option<IfMatch>,
    if_unmodified_since: Option<IfUnmodifiedSince>,
    if_none_match: Option<IfNoneMatch>,
    if_modified_since: Option<IfModifiedSince>,
    if_range: Option<IfRange>,
    range: Option<RangeHeader>,
    /// HEAD: the headers of a GET without its body.
    pub head: bool,
}

/// What identifies one version of a resource.
pub struct Validators {
    etag: ETag,
    modified: SystemTime,
}

impl Validators {
    /// `etag` is a quoted entity tag (`"…"`).
    pub fn new(etag: &str, modified: SystemTime) -> Result<Self, AppError> {
        let etag =
            ETag::from_str(etag).map_err(|_| anyhow::anyhow!("{etag:?} is not an entity tag"))?;
        Ok(Self { etag, modified })
    }

    /// Sets `ETag` and `Last-Modified`.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.typed_insert(self.etag.clone());
        headers.typed_insert(LastModified::from(self.modified));
    }
}

impl<'a> FromRequest<'a> for Conditional {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self::from_headers(
            req.headers(),
            req.method() == Method::HEAD,
        ))
    }
}

impl Conditional {
    /// Reads the conditional headers (a malformed one is ignored, as if absent).
    pub fn from_headers(headers: &HeaderMap, head: bool) -> Self {
        Self {
            if_match: headers.typed_get(),
            if_unmodified_since: headers.typed_get(),
            if_none_match: headers.typed_get(),
            if_modified_since: headers.typed_get(),
            if_range: headers.typed_get(),
            range: headers.typed_get(),
            head,
        }
    }

    /// Whether to send the resource: `Ok(false)` is 304 (the client's copy is current),
    /// a failed `If-Match` / `If-Unmodified-Since` is 412.
    pub fn modified(&self, current: &Validators) -> Result<bool, AppError> {
        // §13.2.2: If-Unmodified-Since only counts without If-Match, If-Modified-Since
        // only without If-None-Match.
        let precondition = match (&self.if_match, &self.if_unmodified_since) {
            (Some(tags), _) => tags.precondition_passes(&current.etag),
            (None, Some(since)) => since.precondition_passes(current.modified),
            (None, None) => true,
        };
        if !precondition {
            return Err(AppError::PreconditionFailed);
        }
        Ok(match (&self.if_none_match, &self.if_modified_since) {
            (Some(tags), _) => tags.precondition_passes(&current.etag),
            (None, Some(since)) => since.is_modified(current.modified),
            (None, None) => true,
        })
    }

    /// The one range to send of `size` bytes; `None`: all of them (no `Range`, a stale
    /// `If-Range`, or a range covering everything). A range starting past the end is 416.
    /// Of several ranges only the first is served (no multipart/byteranges).
    pub fn part(&self, current: &Validators, size: u64) -> Result<Option<Range<u64>>, AppError> {
        let Some(range) = &self.range else {
            return Ok(None);
        };
        if let Some(if_range) = &self.if_range {
            if if_range.is_modified(
                Some(&current.etag),
                Some(&LastModified::from(current.modified)),
            ) {
                return Ok(None);
            }
        }
        let Some((start, end)) = range.satisfiable_ranges(size).next() else {
            return Ok(None);
        };
        let start = match start {
            Bound::Included(n) => n,
            Bound::Excluded(n) => n.saturating_add(1),
            Bound::Unbounded => 0,
        };
        // A last byte past the end means "to the end" (§14.1.2).
        let end = match end {
            Bound::Included(n) => n.saturating_add(1).min(size),
            Bound::Excluded(n) => n.min(size),
            Bound::Unbounded => size,
        };
        if start >= end {
            return Err(AppError::RangeNotSatisfiable { size });
        }
        if (start, end) == (0, size) {
            return Ok(None);
        }
        Ok(Some(start..end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::http::HeaderValue;
    use std::time::Duration;

    fn request(pairs: &[(&'static str, &str)]) -> Conditional {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        Conditional::from_headers(&headers, false)
    }

    fn current() -> Validators {
        let modified = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        Validators::new("\"abc\"", modified).unwrap()
    }

    fn code(err: AppError) -> &'static str {
        err.code()
    }

    #[test]
    fn entity_tags_and_dates_decide_between_200_304_and_412() {
        let v = current();
        assert!(request(&[]).modified(&v).unwrap());
        assert!(
            !request(&[("if-none-match", "\"abc\"")])
                .modified(&v)
                .unwrap()
        );
        assert!(
            !request(&[("if-none-match", "W/\"abc\"")])
                .modified(&v)
                .unwrap()
        );
        assert!(
            request(&[("if-none-match", "\"old\"")])
                .modified(&v)
                .unwrap()
        );
        let date = "Tue, 14 Nov 2023 22:13:20 GMT";
        assert!(
            !request(&[("if-modified-since", date)])
                .modified(&v)
                .unwrap()
        );
        // If-None-Match wins over If-Modified-Since.
        let both = request(&[("if-none-match", "\"old\""), ("if-modified-since", date)]);
        assert!(both.modified(&v).unwrap());
        assert!(request(&[("if-match", "\"abc\"")]).modified(&v).unwrap());
        let stale = request(&[("if-match", "\"old\"")]).modified(&v);
        assert_eq!(stale.err().map(code), Some("precondition_failed"));
    }

    #[test]
    fn ranges_are_clamped_suffixes_count_from_the_end_and_a_start_past_it_is_416() {
        let v = current();
        let part = |range: &str| request(&[("range", range)]).part(&v, 1000);
        assert_eq!(part("bytes=100-199").unwrap(), Some(100..200));
        assert_eq!(part("bytes=900-").unwrap(), Some(900..1000));
        assert_eq!(part("bytes=-100").unwrap(), Some(900..1000));
        assert_eq!(part("bytes=990-5000").unwrap(), Some(990..1000));
        assert_eq!(part("bytes=0-999").unwrap(), None, "all of it is a 200");
        assert_eq!(part("bytes=0-0, 5-9").unwrap(), Some(0..1));
        for unsatisfiable in ["bytes=1000-", "bytes=1010-1020"] {
            let err = part(unsatisfiable).err().map(code);
            assert_eq!(err, Some("range_not_satisfiable"), "{unsatisfiable}");
        }
        assert_eq!(request(&[]).part(&v, 1000).unwrap(), None);
    }

    #[test]
    fn a_stale_if_range_gets_the_whole_file() {
        let v = current();
        let fresh = request(&[("range", "bytes=0-9"), ("if-range", "\"abc\"")]);
        assert_eq!(fresh.part(&v, 100).unwrap(), Some(0..10));
        let stale = request(&[("range", "bytes=0-9"), ("if-range", "\"old\"")]);
        assert_eq!(stale.part(&v, 100).unwrap(), None);
    }
}
