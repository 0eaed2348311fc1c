//! The portal's pages: the sign-in form (standing in for Entra ID's form_post
//! hand-back), the Advanced Hunting page that issues the XSRF cookie, and the
//! redirect to the sign-in host when the session is gone.

use super::Req;
use crate::http::{self, Resp};
use crate::session::{self, cookie, parse_cookies};
use crate::state::{lock, State};
use base64::Engine;
use hyper::header::{HeaderValue, CONTENT_SECURITY_POLICY, SET_COOKIE};
use hyper::StatusCode;
use std::sync::Arc;

/// The sign-in form: no inline script (the page CSP would block it anyway);
/// a button posts the fields an OAuth form_post carries.
pub fn signin_page(action: &str) -> String {
    let dummy = |n: usize| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(session::random_bytes(n))
    };
    let idt = format!("eyJ0eXAiOiJKV1QifQ.{}.{}", dummy(32), dummy(16));
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body>
<h1>Sign in</h1>
<p>Stand-in sign-in for the huntkit test portal. No credentials are asked for or kept.</p>
<form method="post" action="{action}">
<input type="hidden" name="code" value="{code}">
<input type="hidden" name="id_token" value="{idt}">
<input type="hidden" name="state" value="{state}">
<input type="hidden" name="session_state" value="{ss}">
<input type="hidden" name="correlation_id" value="{corr}">
<button id="signin" type="submit">Sign in</button>
</form>
</body></html>
"#,
        code = dummy(24),
        state = dummy(12),
        ss = dummy(12),
        corr = dummy(12),
    )
}

pub fn login_url() -> String {
    let b = |n| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(session::random_bytes(n));
    format!(
        "https://login.microsoftonline.com/common/oauth2/authorize?client_id=00000000-0000-4000-8000-00000000c0de\
&response_type=code%20id_token&scope=openid%20profile&response_mode=form_post\
&redirect_uri=https%3A%2F%2Fsecurity.microsoft.com%2F&state={}&nonce={}",
        b(12),
        b(12)
    )
}

fn portal_url(st: &State) -> String {
    format!("/v2/advanced-hunting?tid={}", st.tenant().tenant_id)
}

fn sccauth(r: &Req) -> Option<String> {
    cookie(&parse_cookies(&r.headers), "sccauth").map(str::to_string)
}

fn log_page(st: &State, r: &Req, kind: &'static str, status: StatusCode) {
    let mut e = super::api::entry(r, kind);
    e.status = status.as_u16();
    lock(&st.log).push(e);
}

pub fn root(st: &Arc<State>, r: &Req) -> Resp {
    let valid = lock(&st.sessions).is_valid(sccauth(r).as_deref());
    let resp = if valid {
        http::redirect(&portal_url(st))
    } else {
        http::html(StatusCode::OK, signin_page("/"))
    };
    log_page(st, r, "signin", resp.status());
    resp
}

/// The form_post hand-back: a new session and a redirect to the portal.
pub fn sign_in(st: &Arc<State>, r: &Req) -> Resp {
    let id = lock(&st.sessions).sign_in();
    let mut resp = http::redirect(&portal_url(st));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "sccauth={id}; Path=/; Secure; HttpOnly; SameSite=Lax"
    )) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    log_page(st, r, "signin", resp.status());
    resp
}

/// The query editor (`?editor=1`): the portal's own way of running a query,
/// driven by `/static/editor.js` (no inline script: the page CSP forbids it),
/// so that huntkit's capture of the portal's queries can be tested.
const EDITOR: &str = r#"
<section id="editor"><h2>Query</h2>
<textarea id="editor-query" rows="6" cols="80" spellcheck="false">DeviceInfo | take 5</textarea>
<button id="editor-run" type="button">Run query</button>
<pre id="editor-status"></pre></section>
<script src="/static/editor.js"></script>"#;

/// Any `/v2/...` page: with a session it issues a fresh XSRF token (older
/// ones stay valid until their TTL ends); without, it sends the browser to
/// the sign-in host as the real portal does.
pub fn portal(st: &Arc<State>, r: &Req) -> Resp {
    let sid = sccauth(r);
    let valid = lock(&st.sessions).is_valid(sid.as_deref());
    let (Some(sid), true) = (sid, valid) else {
        let resp = http::redirect(&login_url());
        log_page(st, r, "page", resp.status());
        return resp;
    };
    let (_, cookie_value) = lock(&st.sessions).issue_xsrf(&sid);
    let attack = if r.query_param("attack").as_deref() == Some("1") {
        "\n<script src=\"/static/attack.js\"></script>"
    } else {
        ""
    };
    let editor = if r.query_param("editor").as_deref() == Some("1") {
        EDITOR
    } else {
        ""
    };
    let tid = st.tenant().tenant_id.clone();
    let body = format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Advanced hunting - Microsoft Defender</title></head>
<body>
<div id="root" data-tenant-id="{tid}"><h1>Advanced hunting</h1><p>huntkit stand-in portal.</p></div>{editor}
<script src="/static/portal.js"></script>{attack}
</body></html>
"#
    );
    let mut resp = http::html(StatusCode::OK, body);
    if let Ok(v) = HeaderValue::from_str(&format!("XSRF-TOKEN={cookie_value}; Path=/; Secure")) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    if let Some(csp) = st.settings().csp {
        if let Ok(v) = HeaderValue::from_str(&csp) {
            resp.headers_mut().insert(CONTENT_SECURITY_POLICY, v);
        }
    }
    log_page(st, r, "page", resp.status());
    resp
}

/// What the sign-in host shows when the browser is sent there (only reached
/// if the test maps login.microsoftonline.com to the stand-in too): the same
/// form, posting back to the portal.
pub fn login_host(st: &Arc<State>, r: &Req) -> Resp {
    let resp = http::html(
        StatusCode::OK,
        signin_page("https://security.microsoft.com/"),
    );
    log_page(st, r, "signin", resp.status());
    resp
}
