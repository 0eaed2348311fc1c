//! What the content script hands back for a request, and how a query or
//! tenant answer becomes a value or a [`PortalError`].

use serde_json::Value;

use super::classify::{classify, classify_message, json_message};
use super::error::PortalError;
use crate::result::QueryResult;

/// One HTTP answer as the content script saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// HTTP status; 0 for an opaque redirect (`redirect: "manual"`).
    pub status: u16,
    /// The final URL.
    pub url: String,
    pub redirected: bool,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Most of a bad body that an [`PortalError::UnexpectedShape`] keeps.
const MAX_RAW_BYTES: usize = 1 << 20;

/// Bodies at most this large are searched for an error message when they
/// are not a result; larger ones are results cut short.
const MAX_ERROR_BODY: usize = 64 << 10;

/// Reads a `queryExecutor` answer. Anything that is not a result (shape
/// drift, a cut-off body, an error object served with 200) is an error,
/// never an empty result.
pub fn parse_query_response(resp: HttpResponse) -> Result<QueryResult, PortalError> {
    classify(&resp)?;
    QueryResult::from_body_keep(resp.body).map_err(|(err, body)| {
        let said = (body.len() <= MAX_ERROR_BODY)
            .then(|| serde_json::from_slice::<Value>(&body).ok())
            .flatten()
            .and_then(|value| json_message(&value))
            .filter(|message| !message.is_empty());
        match said {
            Some(message) => {
                classify_message(&message).unwrap_or_else(|| PortalError::UnexpectedShape {
                    what: format!("{err}; the portal said {message:?}"),
                    raw: raw_text(&body),
                })
            }
            None => PortalError::UnexpectedShape {
                what: err.to_string(),
                raw: raw_text(&body),
            },
        }
    })
}

/// Reads the tenant id (`AuthInfo.TenantId`, any key casing) from a
/// `TenantContext` answer.
pub fn parse_tenant(resp: HttpResponse) -> Result<String, PortalError> {
    classify(&resp)?;
    let shape = |what: &str| PortalError::UnexpectedShape {
        what: what.to_owned(),
        raw: raw_text(&resp.body),
    };
    let value: Value = serde_json::from_slice(&resp.body)
        .map_err(|err| shape(&format!("TenantContext is not valid json: {err}")))?;
    let tenant = get_ci(&value, "authinfo")
        .and_then(|auth| get_ci(auth, "tenantid"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|id| !id.is_empty());
    tenant
        .map(str::to_owned)
        .ok_or_else(|| shape("TenantContext has no AuthInfo.TenantId"))
}

fn get_ci<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The body as text for the analyst: lossy UTF-8, cut at 1 MiB.
pub(crate) fn raw_text(body: &[u8]) -> String {
    if body.len() <= MAX_RAW_BYTES {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut text = String::from_utf8_lossy(&body[..MAX_RAW_BYTES]).into_owned();
    text.push_str(&format!("… ({} more bytes)", body.len() - MAX_RAW_BYTES));
    text
}
