//! `/static/<name>` from tests/standin/static/, whatever the lead puts there.

use crate::http::{self, Resp};
use hyper::{Method, StatusCode};
use std::path::Path;

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

pub fn serve(dir: &Path, name: &str, method: &Method) -> Resp {
    if method != Method::GET && method != Method::HEAD {
        return http::text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    // Plain names and sub-folders only: no "..", no hidden files, no
    // backslashes, so nothing outside the folder can be reached.
    let ok = !name.is_empty()
        && name.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    if !ok {
        return http::text(StatusCode::NOT_FOUND, "Not Found");
    }
    match std::fs::read(dir.join(name)) {
        Ok(bytes) => {
            let mut r = http::with_type(StatusCode::OK, content_type(name), bytes);
            r.headers_mut().insert(
                hyper::header::CACHE_CONTROL,
                hyper::header::HeaderValue::from_static("no-store"),
            );
            r
        }
        Err(_) => http::text(StatusCode::NOT_FOUND, "Not Found"),
    }
}
