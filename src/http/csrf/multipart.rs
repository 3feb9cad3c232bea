//! The CSRF token of a multipart upload, read from the body's first field
//! (`csrf_token`, placed before the file in the form). A token in the URL
//! would end up in logs, history and `Referer` headers, so only the body
//! carries it. At most [`HEAD_BYTES`] are read, never the file itself, and
//! the body goes on whole to the handler.
//!
//! May import: axum, multer, futures-util.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use futures_util::StreamExt as _;
use futures_util::stream;

use super::FIELD;

/// The most of the body read to find the token: the first part's headers
/// and a token fit in it many times over.
pub const HEAD_BYTES: usize = 8 * 1024;

/// The body's first field when it is the token and ends within
/// [`HEAD_BYTES`]; and the body, whole again, for the handler.
pub async fn first_field_token(content_type: &str, body: Body) -> (Option<String>, Body) {
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return (None, body);
    };
    let closing = format!("\r\n--{boundary}");
    let mut rest = body.into_data_stream();
    let mut head = Vec::new();
    let mut broken = false;
    while head.len() < HEAD_BYTES && !contains(&head, closing.as_bytes()) {
        match rest.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => {
                broken = true;
                break;
            }
            None => break,
        }
    }
    let head = Bytes::from(head);
    let token = if broken {
        None
    } else {
        token_of(head.slice(..head.len().min(HEAD_BYTES)), boundary).await
    };
    let whole = stream::once(async move { Ok(head) }).chain(rest);
    (token, Body::from_stream(whole))
}

async fn token_of(head: Bytes, boundary: String) -> Option<String> {
    let only_head = stream::once(async move { Ok::<_, Infallible>(head) });
    let mut multipart = multer::Multipart::new(only_head, boundary);
    let field = multipart.next_field().await.ok()??;
    if field.name() != Some(FIELD) {
        return None;
    }
    // A field cut off by the end of the head is an error here: no token.
    field.text().await.ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPE: &str = "multipart/form-data; boundary=XyZ-boundary";

    fn form(fields: &[(&str, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(b"--XyZ-boundary\r\n");
            body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(value);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ-boundary--\r\n");
        body
    }

    /// The body in chunks of `size` bytes, as a slow client sends it.
    fn chunked(bytes: &[u8], size: usize) -> Body {
        let chunks: Vec<Result<Bytes, Infallible>> = bytes
            .chunks(size)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        Body::from_stream(stream::iter(chunks))
    }

    async fn read(content_type: &str, body: Body) -> (Option<String>, Vec<u8>) {
        let (token, body) = first_field_token(content_type, body).await;
        let rest = axum::body::to_bytes(body, usize::MAX).await.expect("body");
        (token, rest.to_vec())
    }

    #[tokio::test]
    async fn the_first_field_is_the_token_and_the_body_goes_on_whole() {
        let file = vec![7u8; 100_000];
        let sent = form(&[("csrf_token", b"tok-123"), ("image", &file)]);
        for size in [1, 5, 64, sent.len()] {
            let (token, body) = read(TYPE, chunked(&sent, size)).await;
            assert_eq!(token.as_deref(), Some("tok-123"), "chunks of {size}");
            assert_eq!(body, sent, "chunks of {size}");
        }
    }

    #[tokio::test]
    async fn a_token_anywhere_but_first_or_past_the_head_counts_for_nothing() {
        let after_file = form(&[("image", b"\x89PNG..."), ("csrf_token", b"tok")]);
        let long = vec![b'a'; HEAD_BYTES + 1];
        let too_long = form(&[("csrf_token", &long)]);
        let only_file = form(&[("image", &[1u8; 20_000])]);
        for sent in [after_file, too_long, only_file] {
            let (token, body) = read(TYPE, chunked(&sent, 1000)).await;
            assert_eq!(token, None);
            assert_eq!(body, sent);
        }
        let sent = form(&[("csrf_token", b"tok")]);
        let other_boundary = "multipart/form-data; boundary=xyz-boundary";
        assert_eq!(read(other_boundary, chunked(&sent, 7)).await.0, None);
        assert_eq!(read("multipart/form-data", chunked(&sent, 7)).await.0, None);
    }
}
