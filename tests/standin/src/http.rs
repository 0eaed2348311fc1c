//! Response bodies and helpers. Bodies are sent as a sequence of chunks so a
//! 100 MB result never becomes one buffer copy, and so a fault can stop a
//! body part-way and close the connection.

use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

pub enum Body {
    Chunks {
        chunks: VecDeque<Bytes>,
        /// The length announced in Content-Length (the full body's, even
        /// when `fail_after` cuts it short).
        len: u64,
        fail_after: bool,
        /// Before failing, a pause so the bytes already produced are
        /// flushed to the socket (hyper drops its buffer on a body error).
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
    },
    /// Produced by a blocking task; length unknown, sent chunked.
    Channel(mpsc::Receiver<Bytes>),
}

impl Body {
    pub fn empty() -> Body {
        Body::from_bytes(Bytes::new())
    }

    pub fn from_bytes(b: Bytes) -> Body {
        let len = b.len() as u64;
        Body::Chunks {
            chunks: VecDeque::from([b]),
            len,
            fail_after: false,
            pause: None,
        }
    }

    pub fn from_chunks(chunks: Vec<Bytes>, len: u64) -> Body {
        Body::Chunks {
            chunks: chunks.into(),
            len,
            fail_after: false,
            pause: None,
        }
    }

    /// Sends `keep` bytes of the body, then breaks the connection while the
    /// client still expects `len`.
    pub fn truncated(chunks: Vec<Bytes>, len: u64, keep: u64) -> Body {
        let mut out = VecDeque::new();
        let mut left = keep;
        for c in chunks {
            if left == 0 {
                break;
            }
            let take = (c.len() as u64).min(left) as usize;
            out.push_back(c.slice(..take));
            left -= take as u64;
        }
        Body::Chunks {
            chunks: out,
            len,
            fail_after: true,
            pause: None,
        }
    }
}

impl HttpBody for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Body::Chunks {
                chunks,
                fail_after,
                pause,
                ..
            } => match chunks.pop_front() {
                Some(c) => Poll::Ready(Some(Ok(Frame::data(c)))),
                None if *fail_after => {
                    let p = pause.get_or_insert_with(|| {
                        Box::pin(tokio::time::sleep(std::time::Duration::from_millis(200)))
                    });
                    if p.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *fail_after = false;
                    Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "fault: drop_mid_body",
                    ))))
                }
                None => Poll::Ready(None),
            },
            Body::Channel(rx) => rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Chunks { chunks, fail_after: false, .. } if chunks.is_empty())
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Chunks { len, .. } => SizeHint::with_exact(*len),
            Body::Channel(_) => SizeHint::default(),
        }
    }
}

pub type Resp = Response<Body>;

pub fn with_type(status: StatusCode, ctype: &'static str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(Body::from_bytes(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

pub fn json(status: StatusCode, v: &serde_json::Value) -> Resp {
    with_type(
        status,
        "application/json; charset=utf-8",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

pub fn html(status: StatusCode, body: String) -> Resp {
    with_type(status, "text/html; charset=utf-8", body)
}

pub fn text(status: StatusCode, body: &str) -> Resp {
    with_type(status, "text/plain; charset=utf-8", body.to_string())
}

pub fn redirect(location: &str) -> Resp {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(hyper::header::LOCATION, v);
    }
    r
}

/// The error body shape used for every JSON error the stand-in answers:
/// `{"error":{"code":...,"message":...}}` (the shape of the real 401/403/429
/// bodies in the fixtures).
pub fn error(status: StatusCode, code: &str, message: &str) -> Resp {
    json(
        status,
        &serde_json::json!({"error": {"code": code, "message": message}}),
    )
}
