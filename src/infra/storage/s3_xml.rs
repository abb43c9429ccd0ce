//! The few XML documents the S3 store reads (a listing page, a started multipart upload, an
//! error) and the one it writes (the parts of a finished multipart upload). Namespaces are
//! ignored: servers differ in which they declare.

use quick_xml::{Reader, escape::escape, events::Event};

/// One page of a ListObjectsV2 answer.
#[derive(Debug, Default, PartialEq)]
pub struct ListPage {
    /// Each object's key and `LastModified` (RFC 3339).
    pub objects: Vec<(String, String)>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
}

/// What happens in a document, element by element.
enum Node<'a> {
    Open(&'a [String]),
    Text(&'a [String], &'a str),
}

/// Calls `each` with every element opened and every text, with the path of element names
/// down to it.
fn walk(xml: &str, mut each: impl FnMut(Node<'_>)) -> anyhow::Result<()> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event()? {
            Event::Start(open) => {
                path.push(String::from_utf8_lossy(open.local_name().as_ref()).into_owned());
                each(Node::Open(&path));
            }
            Event::Empty(open) => {
                path.push(String::from_utf8_lossy(open.local_name().as_ref()).into_owned());
                each(Node::Open(&path));
                path.pop();
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(text) => each(Node::Text(&path, &text.unescape()?)),
            Event::CData(text) => each(Node::Text(&path, &String::from_utf8_lossy(&text))),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn is(path: &[String], names: &[&str]) -> bool {
    path.len() == names.len() && path.iter().zip(names).all(|(a, b)| a == b)
}

pub fn list_page(xml: &str) -> anyhow::Result<ListPage> {
    let mut page = ListPage::default();
    let mut truncated = false;
    walk(xml, |node| match node {
        Node::Open(path) if is(path, &["ListBucketResult", "Contents"]) => {
            page.objects.push(Default::default());
        }
        Node::Text(path, text) => {
            let last = page.objects.last_mut();
            match (path.get(1).map(String::as_str), path.get(2), last) {
                (Some("Contents"), Some(field), Some(object)) if path.len() == 3 => {
                    match field.as_str() {
                        "Key" => object.0.push_str(text),
                        "LastModified" => object.1.push_str(text),
                        _ => {}
                    }
                }
                _ if is(path, &["ListBucketResult", "IsTruncated"]) => {
                    truncated = text.trim() == "true";
                }
                _ if is(path, &["ListBucketResult", "NextContinuationToken"]) => {
                    page.next.get_or_insert_default().push_str(text);
                }
                _ => {}
            }
        }
        Node::Open(_) => {}
    })?;
    if !truncated {
        page.next = None;
    } else if page.next.is_none() {
        anyhow::bail!("a truncated listing without a continuation token");
    }
    Ok(page)
}

/// The id of a started multipart upload.
pub fn upload_id(xml: &str) -> anyhow::Result<String> {
    let mut id = String::new();
    walk(xml, |node| {
        if let Node::Text(path, text) = node {
            if is(path, &["InitiateMultipartUploadResult", "UploadId"]) {
                id.push_str(text);
            }
        }
    })?;
    anyhow::ensure!(!id.is_empty(), "no UploadId in the answer");
    Ok(id)
}

/// `Code: Message` of an `<Error>` document; `None` for any other document.
pub fn error(xml: &str) -> Option<String> {
    let (mut found, mut code, mut message) = (false, String::new(), String::new());
    walk(xml, |node| match node {
        Node::Open(path) if is(path, &["Error"]) => found = true,
        Node::Text(path, text) if is(path, &["Error", "Code"]) => code.push_str(text),
        Node::Text(path, text) if is(path, &["Error", "Message"]) => message.push_str(text),
        _ => {}
    })
    .ok()?;
    found.then(|| format!("{code}: {message}"))
}

/// The body that finishes a multipart upload of parts with these ETags (part 1 first).
pub fn complete(etags: &[String]) -> String {
    let mut xml = String::from("<CompleteMultipartUpload>");
    for (i, etag) in etags.iter().enumerate() {
        xml.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>",
            i + 1,
            escape(etag.as_str())
        ));
    }
    xml.push_str("</CompleteMultipartUpload>");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_page_gives_keys_times_and_where_the_next_starts() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>anjoman</Name><Prefix>files/</Prefix><KeyCount>2</KeyCount>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>files/ab/one</Key><LastModified>2026-12-04T16:30:59.000Z</LastModified>
    <ETag>&quot;x&quot;</ETag><Size>1</Size><Owner><ID>o</ID></Owner></Contents>
  <Contents><LastModified>2026-12-04T16:31:00.000Z</LastModified><Key>files/cd/a&amp;b</Key></Contents>
  <NextContinuationToken>token/+=</NextContinuationToken>
</ListBucketResult>"#;
        assert_eq!(
            list_page(xml).unwrap(),
            ListPage {
                objects: vec![
                    ("files/ab/one".into(), "2026-12-04T16:30:59.000Z".into()),
                    ("files/cd/a&b".into(), "2026-12-04T16:31:00.000Z".into()),
                ],
                next: Some("token/+=".into()),
            }
        );
        let last = "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>";
        assert_eq!(list_page(last).unwrap(), ListPage::default());
    }

    #[test]
    fn upload_ids_errors_and_the_completion_body() {
        let started = r#"<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2Fk</UploadId></InitiateMultipartUploadResult>"#;
        assert_eq!(upload_id(started).unwrap(), "VXBsb2Fk");
        assert!(upload_id("<Other/>").is_err());
        let failed = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>";
        assert_eq!(
            error(failed).as_deref(),
            Some("NoSuchBucket: The specified bucket does not exist")
        );
        assert_eq!(error(started), None);
        assert_eq!(
            complete(&["\"a\"".into(), "\"b\"".into()]),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>\
             <Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>"
        );
    }
}
