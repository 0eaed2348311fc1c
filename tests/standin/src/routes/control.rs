//! `/_standin/...`: the test-only control API (no auth; the extension never
//! calls it). Settings, faults, session expiry, the request log, schema
//! replacement, a report drop-box and the uncapped ground truth.

use super::query;
use super::Req;
use crate::envelope;
use crate::faults::Fault;
use crate::http::{self, Body, Resp};
use crate::session::ExpireMode;
use crate::state::{lock, State};
use crate::tenant::SchemaDoc;
use bytes::Bytes;
use hyper::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE,
};
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::mpsc;

fn body_json(r: &Req) -> Result<Value, Box<Resp>> {
    if r.body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&r.body).map_err(|e| bad(&format!("not JSON: {e}")))
}

fn bad(msg: &str) -> Box<Resp> {
    Box::new(http::error(StatusCode::BAD_REQUEST, "BadRequest", msg))
}

fn ok(v: Value) -> Resp {
    http::json(StatusCode::OK, &v)
}

pub async fn handle(st: &Arc<State>, r: &Req) -> Resp {
    let route = r.path.trim_start_matches("/_standin/");
    let m = &r.method;
    let res: Result<Resp, Box<Resp>> = match (m, route) {
        (&Method::GET, "info") => Ok(info(st)),
        (&Method::GET, "settings") => Ok(ok(json!(st.settings()))),
        (&Method::POST, "settings") => settings(st, r),
        (&Method::GET, "faults") => Ok(ok(json!(lock(&st.faults).list()))),
        (&Method::POST, "faults") => faults(st, r),
        (&Method::DELETE, "faults") => {
            lock(&st.faults).clear();
            Ok(ok(json!([])))
        }
        (&Method::POST, "session/expire") => expire(st, r),
        (&Method::GET, "log") => Ok(ok(json!(
            lock(&st.log).snapshot(r.query_param("all").as_deref() == Some("1"))
        ))),
        (&Method::DELETE, "log") => {
            lock(&st.log).clear();
            Ok(ok(json!([])))
        }
        (&Method::POST, "schema") => schema(st, r),
        (&Method::GET, "report") => Ok(cors(ok(Value::Array(lock(&st.reports).clone())))),
        (&Method::POST, "report") => body_json(r).map(|v| {
            lock(&st.reports).push(v);
            cors(ok(json!({"stored": lock(&st.reports).len()})))
        }),
        (&Method::DELETE, "report") => {
            lock(&st.reports).clear();
            Ok(cors(ok(json!([]))))
        }
        (&Method::OPTIONS, "report") => Ok(cors(http::with_type(
            StatusCode::NO_CONTENT,
            "text/plain",
            Bytes::new(),
        ))),
        (&Method::POST, "truth") => Ok(truth(st, r, false).await),
        (&Method::POST, "truth.csv") => Ok(truth(st, r, true).await),
        _ => Err(Box::new(http::error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "unknown control endpoint",
        ))),
    };
    res.unwrap_or_else(|e| *e)
}

/// The report drop-box accepts posts from any page, including an attacker
/// script's cross-origin fetch.
fn cors(mut r: Resp) -> Resp {
    let h = r.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
    );
    h.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    r
}

fn info(st: &State) -> Resp {
    let t = st.tenant();
    let tables: serde_json::Map<String, Value> = t
        .tables
        .iter()
        .map(|tb| (tb.name.clone(), json!(tb.rows())))
        .collect();
    let sbyte: Vec<String> = t
        .tables
        .iter()
        .flat_map(|tb| {
            tb.columns
                .iter()
                .filter(|c| c.ty == crate::model::ColType::Boolean && c.alt_style)
                .map(move |c| format!("{}.{}", tb.name, c.name))
        })
        .collect();
    let (sessions, tokens) = lock(&st.sessions).count();
    ok(json!({
        "tenantId": t.tenant_id,
        "now": t.now_text(),
        "seed": t.seed,
        "settings": st.settings(),
        "tables": tables,
        "sbyteBooleanColumns": sbyte,
        "sessions": sessions,
        "xsrfTokens": tokens,
        "expireMode": lock(&st.sessions).expire_mode,
        "fixtures": st.fixtures.display().to_string(),
        "staticDir": st.static_dir.display().to_string(),
    }))
}

fn settings(st: &State, r: &Req) -> Result<Resp, Box<Resp>> {
    let patch = body_json(r)?;
    let mut s = lock(&st.settings);
    let new = s.merged(&patch).map_err(|e| bad(&e))?;
    *s = new.clone();
    Ok(ok(json!(new)))
}

/// One fault object or an array of them.
fn faults(st: &State, r: &Req) -> Result<Resp, Box<Resp>> {
    let v = body_json(r)?;
    let list: Vec<Fault> = match v {
        Value::Array(_) => serde_json::from_value(v),
        other => serde_json::from_value(other).map(|f| vec![f]),
    }
    .map_err(|e| bad(&format!("bad fault: {e}")))?;
    let mut q = lock(&st.faults);
    for f in list {
        q.push(f);
    }
    Ok(ok(json!(q.list())))
}

fn expire(st: &State, r: &Req) -> Result<Resp, Box<Resp>> {
    let v = body_json(r)?;
    let mode: ExpireMode = match v.get("mode") {
        None | Some(Value::Null) => ExpireMode::Unauthorized,
        Some(m) => serde_json::from_value(m.clone())
            .map_err(|_| bad("mode must be \"401\", \"redirect\" or \"html\""))?,
    };
    lock(&st.sessions).expire_all(mode);
    Ok(ok(json!({"expired": true, "mode": mode})))
}

fn schema(st: &State, r: &Req) -> Result<Resp, Box<Resp>> {
    let doc: SchemaDoc = serde_json::from_slice(&r.body)
        .map_err(|e| bad(&format!("not a portal schema document: {e}")))?;
    let mut t = (*st.tenant()).clone();
    t.set_schema(&doc);
    let tables = t.tables.len();
    *st.tenant.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(t);
    *st.schema_bytes.write().unwrap_or_else(|e| e.into_inner()) = r.body.clone();
    Ok(ok(json!({"tables": tables})))
}

/// The full, uncapped result of a query (no caps, quotas, faults or auth),
/// streamed as it is produced so even a million-row truth fits in memory.
async fn truth(st: &Arc<State>, r: &Req, csv: bool) -> Resp {
    let q = match query::parse_request(&r.body) {
        Ok(q) => q,
        Err(msg) => return http::error(StatusCode::BAD_REQUEST, "BadRequest", &msg),
    };
    let ran = {
        let st = st.clone();
        match tokio::task::spawn_blocking(move || query::run(&st, &q, false)).await {
            Ok(Ok(ran)) => ran,
            Ok(Err(qe)) => return http::error(StatusCode::BAD_REQUEST, "BadRequest", &qe.message),
            Err(e) => {
                return http::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerError",
                    &e.to_string(),
                )
            }
        }
    };
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    tokio::task::spawn_blocking(move || {
        let sink = |b: Bytes| tx.blocking_send(b).is_ok();
        if csv {
            // An error here means the client went away; nothing to report to.
            let _ = envelope::stream_csv(&ran.frame, sink);
        } else {
            envelope::stream_json(&ran.frame, &ran.quota, sink);
        }
    });
    let mut resp = Resp::new(Body::Channel(rx));
    let ctype = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json; charset=utf-8"
    };
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(ctype));
    resp
}
