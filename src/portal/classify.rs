//! Tells portal failures apart from the status, the content type and the
//! words of the error message.
//!
//! Error bodies come in several shapes (`{"error":{"code","message"}}`,
//! `{"code","message"}`, `{"Message":…}`, plain text, HTML); the message
//! is read from any of them, keys matched without regard to case. The
//! message decides before the status does, because the same words arrive
//! with different statuses (a timeout as 400 or 504, say).

use serde_json::Value;

use super::duration::{parse_timespan_ms, wait_after_phrase};
use super::error::{PortalError, SessionReason};
use super::response::HttpResponse;

/// How long a CPU block lasts when the message gives no readable wait:
/// the portal's CPU quota runs in 15-minute cycles.
const DEFAULT_CPU_WAIT_MS: u64 = 15 * 60 * 1_000;

/// Longest message kept from an error body.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// Checks the status and content type of a response; `Ok` means the body
/// should hold the JSON that was asked for.
pub fn classify(resp: &HttpResponse) -> Result<(), PortalError> {
    let status = resp.status;
    let expired = |reason| Err(PortalError::SessionExpired { reason });
    // `redirect: "manual"` turns any redirect into an opaque response with
    // status 0; https://fetch.spec.whatwg.org/#concept-filtered-response-opaque-redirect
    if status == 0 || (300..400).contains(&status) {
        return expired(SessionReason::Redirected);
    }
    if resp.redirected && is_sign_in_url(&resp.url) {
        return expired(SessionReason::Redirected);
    }
    match status {
        401 => expired(SessionReason::Unauthorized),
        403 => Err(PortalError::XsrfRejected),
        200..=299 if looks_like_html(resp) => expired(SessionReason::HtmlPage),
        200..=299 => Ok(()),
        _ => Err(classify_failure(status, &error_message(resp))),
    }
}

/// Whether a URL is one of Microsoft's sign-in pages.
fn is_sign_in_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    [
        "login.microsoftonline.com",
        "login.live.com",
        "login.windows.net",
        "/oauth2/",
        "/login",
        "/signin",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

/// An HTML page, judged by the content type or by the first byte (JSON
/// never starts with `<`).
fn looks_like_html(resp: &HttpResponse) -> bool {
    let typed_html = resp
        .content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"));
    typed_html || first_significant_byte(&resp.body) == Some(b'<')
}

fn first_significant_byte(body: &[u8]) -> Option<u8> {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The failure a non-2xx status and its message stand for.
pub(crate) fn classify_failure(status: u16, message: &str) -> PortalError {
    if let Some(err) = classify_message(message) {
        return err;
    }
    let message = message.to_owned();
    match status {
        429 => PortalError::Quota {
            message,
            limit: None,
            per: None,
        },
        400 if !message.trim().is_empty() => PortalError::QueryError { message },
        404 | 405 | 410 => PortalError::UnexpectedShape {
            what: format!("http {status} from the portal, so its api may have changed"),
            raw: message,
        },
        _ => PortalError::ServerError { status, message },
    }
}

/// The failure a message names by its words alone, if any.
pub(crate) fn classify_message(message: &str) -> Option<PortalError> {
    let lower = message.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    let owned = || message.to_owned();
    if has(&["run queries again in", "exceeded processing resources"]) {
        let wait_ms =
            wait_after_phrase(message, "run queries again in").unwrap_or(DEFAULT_CPU_WAIT_MS);
        return Some(PortalError::CpuBlocked {
            wait_ms,
            message: owned(),
        });
    }
    if has(&["quota exceeded", "rate limit"]) {
        let (limit, per) = quota_terms(message);
        return Some(PortalError::Quota {
            message: owned(),
            limit,
            per,
        });
    }
    if has(&["result size", "result set is too large", "too many rows"]) {
        return Some(PortalError::ResultTooLarge { message: owned() });
    }
    if has(&[
        "timeout",
        "timed out",
        "time limit",
        "preempted",
        "excessive resource consumption",
        "exceeded the allowed limits",
    ]) {
        return Some(PortalError::Timeout { message: owned() });
    }
    if has(&[
        "recognition error",
        "syntax error",
        "syntaxerror",
        "semantic error",
        "semanticerror",
        "failed to resolve",
        "operator:",
        "unknown function",
    ]) {
        return Some(PortalError::QueryError { message: owned() });
    }
    if has(&["unexpected error occurred"]) {
        // The documented text says "try again in a few minutes": a server
        // fault, so report it as one that may be retried.
        return Some(PortalError::ServerError {
            status: 500,
            message: owned(),
        });
    }
    None
}

/// `45` and `00:01:00` from "maximum allowed 45 per 00:01:00".
fn quota_terms(message: &str) -> (Option<u32>, Option<String>) {
    let lower = message.to_ascii_lowercase();
    let Some(at) = lower.find("allowed ") else {
        return (None, None);
    };
    let mut words = message[at + "allowed ".len()..].split_whitespace();
    let limit = words.next().and_then(|w| w.parse().ok());
    let per = match (words.next(), words.next()) {
        (Some(p), Some(window)) if p.eq_ignore_ascii_case("per") => {
            let window = window.trim_end_matches(['.', ',', ';']);
            parse_timespan_ms(window).map(|_| window.to_owned())
        }
        _ => None,
    };
    (limit, per)
}

/// The message of an error body, whatever its shape; empty if none.
pub(crate) fn error_message(resp: &HttpResponse) -> String {
    if looks_like_html(resp) {
        return html_title(&String::from_utf8_lossy(&resp.body)).unwrap_or_default();
    }
    match serde_json::from_slice::<Value>(&resp.body) {
        Ok(value) => json_message(&value).unwrap_or_default(),
        Err(_) => clip(String::from_utf8_lossy(&resp.body).trim()),
    }
}

/// The message inside a JSON error body: `error.message`, `error` as a
/// string, `message`, or a bare string; keys in any case.
pub(crate) fn json_message(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => Some(s.as_str()),
        Value::Object(_) => {
            let nested = get_ci(value, "error").and_then(|e| match e {
                Value::String(s) => Some(s.as_str()),
                other => get_ci(other, "message").and_then(Value::as_str),
            });
            nested.or_else(|| get_ci(value, "message").and_then(Value::as_str))
        }
        _ => None,
    };
    text.map(|t| clip(t.trim()))
}

fn get_ci<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    Some(clip(html.get(start..end)?.trim()))
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_terms_are_read() {
        assert_eq!(
            quota_terms("API calls quota exceeded! maximum allowed 45 per 00:01:00"),
            (Some(45), Some("00:01:00".into()))
        );
        assert_eq!(quota_terms("quota exceeded"), (None, None));
        assert_eq!(
            quota_terms("maximum allowed 1500 per 01:00:00."),
            (Some(1500), Some("01:00:00".into()))
        );
    }

    #[test]
    fn html_titles_are_messages() {
        assert_eq!(
            html_title("<html><head><TITLE> Sign in </TITLE>"),
            Some("Sign in".into())
        );
        assert_eq!(html_title("<p>no title</p>"), None);
    }

    #[test]
    fn messages_are_read_from_every_shape() {
        let read = |text: &str| json_message(&serde_json::from_str(text).expect("json"));
        assert_eq!(
            read(r#"{"error":{"code":"x","message":"a"}}"#),
            Some("a".into())
        );
        assert_eq!(read(r#"{"Error":{"Message":"b"}}"#), Some("b".into()));
        assert_eq!(read(r#"{"code":"x","message":"c"}"#), Some("c".into()));
        assert_eq!(read(r#"{"Message":"d"}"#), Some("d".into()));
        assert_eq!(read(r#"{"error":"e"}"#), Some("e".into()));
        assert_eq!(read(r#""f""#), Some("f".into()));
        assert_eq!(read(r#"{"other":1}"#), None);
    }
}
