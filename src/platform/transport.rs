//! Carrying one HTTP request to the portal and its answer back.
//!
//! In the browser the request leaves from the portal page itself (the page
//! agent's same-origin fetch), so the analyst's session cookie rides along and
//! huntkit never sees it. The core only sees the status and the body bytes.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use crate::portal::HttpResponse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Path and query on the portal's origin, e.g. `portal::QUERY_PATH`.
    pub path: String,
    pub body: Option<Vec<u8>>,
}

/// Why a request got no HTTP answer at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The connection failed or dropped mid-body; worth retrying.
    #[error("network error: {0}")]
    Network(String),
    /// The page agent refused the request (a path outside the allow-list).
    #[error("request refused by the page agent: {0}")]
    Refused(String),
    /// No portal tab is attached (the tab closed or reloaded).
    #[error("the portal tab is not connected: {0}")]
    Disconnected(String),
}

type Answer<'a> = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + 'a>>;
type Refreshed<'a> = Pin<Box<dyn Future<Output = Result<(), TransportError>> + 'a>>;

pub trait Transport {
    fn send(&self, request: HttpRequest) -> Answer<'_>;
    /// Re-issues the XSRF token by loading a portal page (PORTAL.md: the
    /// token goes stale while the session lives on).
    fn refresh_token(&self) -> Refreshed<'_>;
}

/// Answers from a script, for tests; records what was asked.
#[derive(Debug, Default)]
pub struct ScriptedTransport {
    answers: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub refreshes: RefCell<u32>,
}

impl ScriptedTransport {
    pub fn new(answers: impl IntoIterator<Item = Result<HttpResponse, TransportError>>) -> Self {
        Self {
            answers: RefCell::new(answers.into_iter().collect()),
            ..Self::default()
        }
    }
}

impl Transport for ScriptedTransport {
    fn send(&self, request: HttpRequest) -> Answer<'_> {
        self.requests.borrow_mut().push(request);
        let answer = self.answers.borrow_mut().pop_front().unwrap_or_else(|| {
            Err(TransportError::Disconnected(
                "the script has no more answers".into(),
            ))
        });
        Box::pin(std::future::ready(answer))
    }

    fn refresh_token(&self) -> Refreshed<'_> {
        *self.refreshes.borrow_mut() += 1;
        Box::pin(std::future::ready(Ok(())))
    }
}
