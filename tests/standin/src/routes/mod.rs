//! Request routing: the portal pages and sign-in, /apiproxy, /static and the
//! /_standin control API.

mod api;
mod control;
mod pages;
mod query;
mod static_files;

use crate::http::{self, Resp};
use crate::state::State;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{HeaderMap, Method, Request, StatusCode};
use std::sync::Arc;

const MAX_REQUEST_BODY: usize = 32 << 20;

/// A request with its body read.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub host: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{}", self.path, q),
            None => self.path.clone(),
        }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == name).then(|| {
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    }
}

pub async fn handle(
    st: Arc<State>,
    req: Request<Incoming>,
) -> Result<Resp, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(http::text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large or broken",
            ))
        }
    };
    let host = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
    let r = Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        host,
        headers: parts.headers,
        body,
    };
    Ok(route(&st, &r).await)
}

async fn route(st: &Arc<State>, r: &Req) -> Resp {
    let p = r.path.as_str();
    if p.starts_with("/_standin/") {
        return control::handle(st, r).await;
    }
    if let Some(name) = p.strip_prefix("/static/") {
        return static_files::serve(&st.static_dir, name, &r.method);
    }
    if p.starts_with("/apiproxy/") {
        return api::handle(st, r).await;
    }
    if r.host.as_deref() == Some("login.microsoftonline.com") || p == "/common/oauth2/authorize" {
        return pages::login_host(st, r);
    }
    match (&r.method, p) {
        (&Method::GET, "/") => pages::root(st, r),
        (&Method::POST, "/") => pages::sign_in(st, r),
        (&Method::GET, _) if p.starts_with("/v2/") || p == "/v2" => pages::portal(st, r),
        (&Method::GET, "/favicon.ico") => {
            http::with_type(StatusCode::NO_CONTENT, "image/x-icon", Bytes::new())
        }
        _ => http::text(StatusCode::NOT_FOUND, "Not Found"),
    }
}
