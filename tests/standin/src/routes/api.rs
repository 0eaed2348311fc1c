//! `/apiproxy/...`: auth (sccauth + X-XSRF-TOKEN), queued faults, the call
//! quota, then the endpoints.

use super::query::{self, QueryRequest};
use super::{pages, Req};
use crate::envelope::{self, Capped};
use crate::faults::{Fault, FaultKind};
use crate::http::{self, Body, Resp};
use crate::kql::QueryError;
use crate::log::Entry;
use crate::quota;
use crate::session::{cookie, decode_cookie, parse_cookies, AuthFailure, ExpireMode};
use crate::state::{lock, HistoryEntry, State};
use crate::time::{self, TICKS_PER_DAY, TICKS_PER_SEC};
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SIZE_MESSAGE: &str =
    "Result size limit exceeded. Use \"summarize\" to aggregate results, \"project\" to drop uninteresting columns, or \"take\" to truncate results.";
const UNEXPECTED: &str =
    "An unexpected error occurred during query execution. Please try again in a few minutes.";

/// A log entry with what the request carried.
pub fn entry(r: &Req, kind: &'static str) -> Entry {
    let cookies = parse_cookies(&r.headers);
    Entry {
        time: time::fmt7(time::wall_now()),
        kind,
        method: r.method.to_string(),
        host: r.host.clone(),
        path: r.path_and_query(),
        has_sccauth: cookie(&cookies, "sccauth").is_some(),
        cookies: cookies.iter().map(|(k, _)| k.clone()).collect(),
        x_xsrf_token: r.header("x-xsrf-token"),
        xsrf_expected: cookie(&cookies, "XSRF-TOKEN").map(decode_cookie),
        origin: r.header("origin"),
        sec_fetch_site: r.header("sec-fetch-site"),
        // Best effort, so calls refused before the body is read still show
        // which query they carried.
        query_text: serde_json::from_slice::<Value>(&r.body).ok().and_then(|v| {
            v.get("QueryText")
                .and_then(Value::as_str)
                .map(str::to_string)
        }),
        ..Default::default()
    }
}

pub async fn handle(st: &Arc<State>, r: &Req) -> Resp {
    let mut e = entry(r, "api");
    let settings = st.settings();
    if settings.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(settings.latency_ms)).await;
    }
    let cookies = parse_cookies(&r.headers);
    let auth = lock(&st.sessions).check(
        cookie(&cookies, "sccauth"),
        cookie(&cookies, "XSRF-TOKEN"),
        r.header("x-xsrf-token").as_deref(),
        Duration::from_secs(settings.xsrf_ttl_secs),
    );
    e.xsrf_ok = auth.is_ok();
    let resp = match auth {
        Err(AuthFailure::NoSession) => {
            e.note = Some("no valid sccauth".into());
            unauthorized()
        }
        Err(AuthFailure::Expired(mode)) => {
            e.note = Some("session expired".into());
            expired(mode)
        }
        Err(AuthFailure::Xsrf) => {
            e.note = Some("xsrf token missing, wrong or stale".into());
            forbidden()
        }
        Ok(()) => authorised(st, r, &mut e).await,
    };
    e.status = resp.status().as_u16();
    lock(&st.log).push(e);
    resp
}

fn unauthorized() -> Resp {
    http::error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Unauthorized request - the session is missing or has ended. Sign in again.",
    )
}

fn forbidden() -> Resp {
    http::error(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "The XSRF token is missing, does not match or has expired.",
    )
}

fn expired(mode: ExpireMode) -> Resp {
    match mode {
        ExpireMode::Unauthorized => unauthorized(),
        ExpireMode::Redirect => http::redirect(&pages::login_url()),
        ExpireMode::Html => http::html(StatusCode::OK, pages::signin_page("/")),
    }
}

fn quota_429(st: &State, limit: u32) -> Resp {
    let mut r = http::json(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({"error": {"code": "429", "message": quota::calls_message(limit), "target": st.tenant().tenant_id}}),
    );
    if let Some(s) = st.settings().retry_after_secs {
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(s));
    }
    r
}

/// CPU exhaustion answers 429 (it is a quota like the call limit) with the
/// portal's message; the wait is in the message, not in a header.
fn cpu_blocked(wait_ticks: i64) -> Resp {
    http::error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        &quota::cpu_message(wait_ticks),
    )
}

fn gateway_504() -> Resp {
    let id = crate::session::random_guid();
    let date = &time::fmt3(time::wall_now())[..19];
    http::json(
        StatusCode::GATEWAY_TIMEOUT,
        &json!({"error": {"code": "UnknownError", "message": "", "innerError": {"date": date, "request-id": id, "client-request-id": id}}}),
    )
}

/// A fault that answers instead of the endpoint, or None for faults that
/// only alter the normal answer (slow, drop_mid_body).
async fn fault_response(st: &State, f: &Fault) -> Option<Resp> {
    Some(match f.kind {
        FaultKind::Quota429 => {
            let limit = st.settings().calls_per_minute;
            quota_429(st, if limit == 0 { 45 } else { limit })
        }
        FaultKind::CpuBlock => cpu_blocked(f.wait_secs.unwrap_or(441) as i64 * TICKS_PER_SEC),
        FaultKind::Server500 => http::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            UNEXPECTED,
        ),
        FaultKind::Gateway504Empty => gateway_504(),
        FaultKind::Timeout => match f.status {
            Some(504) => http::error(
                StatusCode::GATEWAY_TIMEOUT,
                "GatewayTimeout",
                "Query exceeded the timeout period.",
            ),
            _ => http::error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Query exceeded the timeout period.",
            ),
        },
        FaultKind::Slow => {
            tokio::time::sleep(Duration::from_millis(f.delay_ms.unwrap_or(5000))).await;
            return None;
        }
        FaultKind::DropMidBody => return None,
        FaultKind::Expire401 => expired(ExpireMode::Unauthorized),
        FaultKind::ExpireRedirect => expired(ExpireMode::Redirect),
        FaultKind::ExpireHtml => expired(ExpireMode::Html),
        FaultKind::Xsrf403 => forbidden(),
    })
}

const TENANT_CONTEXT: &str = "/apiproxy/mtp/sccManagement/mgmt/TenantContext";
const SCHEMA: &str = "/apiproxy/mtp/huntingService/schema";
const QUERY: &str = "/apiproxy/mtp/huntingService/queryExecutor";
const HISTORY: &str = "/apiproxy/mtp/huntingService/reports/userHistory";

async fn authorised(st: &Arc<State>, r: &Req, e: &mut Entry) -> Resp {
    let mut drop_after: Option<Option<u64>> = None;
    let fault = lock(&st.faults).take(&r.path_and_query());
    if let Some(f) = fault {
        e.note = Some(format!("fault {:?}", f.kind));
        if let Some(resp) = fault_response(st, &f).await {
            return resp;
        }
        if f.kind == FaultKind::DropMidBody {
            drop_after = Some(f.after_bytes);
        }
    }
    let known = [TENANT_CONTEXT, SCHEMA, QUERY, HISTORY];
    if !known.contains(&r.path.as_str()) {
        return http::error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The requested resource was not found.",
        );
    }
    let want = if r.path == TENANT_CONTEXT || r.path == SCHEMA {
        Method::GET
    } else {
        Method::POST
    };
    if r.method != want {
        return http::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The requested method is not allowed.",
        );
    }
    // The call quota covers the hunting service, not the page's tenant look-up.
    if r.path != TENANT_CONTEXT {
        let limit = st.settings().calls_per_minute;
        if !lock(&st.calls).try_take(limit, Instant::now()) {
            e.note = Some("calls-per-minute quota".into());
            return quota_429(st, limit);
        }
    }
    let resp = match r.path.as_str() {
        TENANT_CONTEXT => http::json(
            StatusCode::OK,
            &json!({"AuthInfo": {"TenantId": st.tenant().tenant_id, "TenantName": "huntkit stand-in tenant"}}),
        ),
        SCHEMA => http::with_type(
            StatusCode::OK,
            "application/json; charset=utf-8",
            st.schema_bytes(),
        ),
        HISTORY => history(st, r),
        _ => run_query(st, r, e).await,
    };
    match drop_after {
        Some(after) => truncate(resp, after),
        None => resp,
    }
}

fn truncate(resp: Resp, after: Option<u64>) -> Resp {
    let (parts, body) = resp.into_parts();
    let Body::Chunks { chunks, len, .. } = body else {
        return Resp::from_parts(parts, body);
    };
    let keep = after.unwrap_or(len / 2).min(len.saturating_sub(1));
    Resp::from_parts(parts, Body::truncated(chunks.into(), len, keep))
}

async fn run_query(st: &Arc<State>, r: &Req, e: &mut Entry) -> Resp {
    let q: QueryRequest = match query::parse_request(&r.body) {
        Ok(q) => q,
        Err(msg) => {
            e.note = Some("bad request body".into());
            return http::error(StatusCode::BAD_REQUEST, "BadRequest", &msg);
        }
    };
    e.query_text = Some(q.text.clone());
    e.start_time = q.start_raw.as_str().map(str::to_string);
    e.end_time = q.end_raw.as_str().map(str::to_string);
    let settings = st.settings();
    if let Some(wait) = lock(&st.cpu).blocked_for(settings.cpu_budget, time::wall_now()) {
        e.note = Some("cpu quota".into());
        return cpu_blocked(wait);
    }
    remember(st, &q);
    let max_rows = q
        .max_records
        .map_or(settings.row_cap, |m| m.min(settings.row_cap));
    let st2 = st.clone();
    let job = tokio::task::spawn_blocking(move || -> Result<(Capped, usize), QueryError> {
        let ran = query::run(&st2, &q, true)?;
        let total = ran.frame.len();
        Ok((
            envelope::capped(
                &ran.frame,
                &ran.quota,
                max_rows,
                settings.size_cap_bytes,
                settings.size_mode,
            ),
            total,
        ))
    });
    match job.await {
        Ok(Ok((Capped::Body { chunks, len, rows }, total))) => {
            e.rows = Some(rows);
            e.bytes = Some(len);
            if rows < total as u64 {
                e.note = Some(format!("capped: {rows} of {total} rows"));
            }
            let mut resp = Resp::new(Body::from_chunks(chunks, len));
            resp.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            resp
        }
        Ok(Ok((Capped::TooLarge, total))) => {
            e.note = Some(format!("result size limit ({total} rows)"));
            http::error(StatusCode::BAD_REQUEST, "BadRequest", SIZE_MESSAGE)
        }
        Ok(Err(qe)) => {
            e.note = Some(qe.detail.clone());
            http::error(StatusCode::BAD_REQUEST, "BadRequest", &qe.message)
        }
        Err(join) => {
            e.note = Some(format!("stand-in panic: {join}"));
            http::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                UNEXPECTED,
            )
        }
    }
}

/// The portal keeps the last 30 queries of the last 28 days.
fn remember(st: &State, q: &QueryRequest) {
    let mut h = lock(&st.history);
    h.push_front(HistoryEntry {
        query_text: q.text.clone(),
        start_time: q.start_raw.clone(),
        end_time: q.end_raw.clone(),
        ran_at: time::wall_now(),
    });
    h.truncate(30);
}

/// `reports/userHistory` with `{"startTime","maxResults"}`. The real shape is
/// not public; this one is a JSON array, newest first, of
/// `{"QueryText", "StartTime", "EndTime", "Timestamp"}`: the query, the
/// window it ran with (as sent), and when it ran (UTC, 7 digits). Queries
/// that reached execution are recorded, including ones that failed to parse.
fn history(st: &State, r: &Req) -> Resp {
    let v: Value = match serde_json::from_slice(&r.body) {
        Ok(v) => v,
        Err(e) => {
            return http::error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("The request body is not valid JSON: {e}"),
            )
        }
    };
    let now = time::wall_now();
    let since = v
        .get("startTime")
        .and_then(Value::as_str)
        .and_then(time::parse)
        .unwrap_or(i64::MIN)
        .max(now - 28 * TICKS_PER_DAY);
    let max = v
        .get("maxResults")
        .and_then(Value::as_u64)
        .unwrap_or(30)
        .min(30) as usize;
    let items: Vec<Value> = lock(&st.history)
        .iter()
        .filter(|h| h.ran_at >= since)
        .take(max)
        .map(|h| json!({"QueryText": h.query_text, "StartTime": h.start_time, "EndTime": h.end_time, "Timestamp": time::fmt7(h.ran_at)}))
        .collect();
    http::json(StatusCode::OK, &Value::Array(items))
}
