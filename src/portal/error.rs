//! [`PortalError`]: every way a portal call can fail, with what to do next.
//!
//! `kind` names are stable (the UI and tests switch on them); `Display`
//! is for logs; [`PortalError::user_message`] is what the analyst reads
//! and always says the next step.

use std::fmt;

use thiserror::Error;

use crate::result::ResultError;

/// Why huntkit believes the portal session is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionReason {
    /// HTTP 401.
    Unauthorized,
    /// HTTP 403 again after the XSRF token was refreshed.
    Forbidden,
    /// A redirect (3xx, or an opaque redirect reported as status 0),
    /// usually to the sign-in page.
    Redirected,
    /// An HTML page where JSON was expected (a sign-in page served with 200).
    HtmlPage,
}

impl SessionReason {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionReason::Unauthorized => "unauthorized",
            SessionReason::Forbidden => "forbidden",
            SessionReason::Redirected => "redirected",
            SessionReason::HtmlPage => "html_page",
        }
    }
}

impl fmt::Display for SessionReason {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            SessionReason::Unauthorized => "the portal answered 401",
            SessionReason::Forbidden => "the portal answered 403 after a token refresh",
            SessionReason::Redirected => "the portal redirected to sign-in",
            SessionReason::HtmlPage => "the portal sent an html page instead of json",
        })
    }
}

/// A failed portal call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PortalError {
    #[error("session expired: {reason}")]
    SessionExpired { reason: SessionReason },
    /// A 403: refresh the XSRF token and retry once; a second one is
    /// [`PortalError::SessionExpired`] (see [`PortalError::after_token_refresh`]).
    #[error("xsrf token rejected (403)")]
    XsrfRejected,
    /// Too many API calls (429), e.g. "maximum allowed 45 per 00:01:00".
    #[error("api call quota exceeded: {message:?}")]
    Quota {
        message: String,
        limit: Option<u32>,
        per: Option<String>,
    },
    /// The tenant's CPU quota is used up until `wait_ms` from now.
    #[error("tenant cpu quota used up, wait {wait_ms} ms: {message:?}")]
    CpuBlocked { wait_ms: u64, message: String },
    /// The query ran out of time or resources; splitting it may help.
    #[error("query stopped by a time or resource limit: {message:?}")]
    Timeout { message: String },
    #[error("result too large: {message:?}")]
    ResultTooLarge { message: String },
    /// The query itself is wrong (syntax, unknown names); never retried.
    #[error("query rejected: {message:?}")]
    QueryError { message: String },
    #[error("portal error {status}: {message:?}")]
    ServerError { status: u16, message: String },
    /// The answer is not what huntkit knows; `raw` keeps the body (lossy
    /// UTF-8, at most 1 MiB) for the analyst and for a bug report.
    #[error("unexpected response: {what}")]
    UnexpectedShape { what: String, raw: String },
    #[error("network error: {message}")]
    Network { message: String },
}

/// The wait after a 429 when the message does not say its window.
const DEFAULT_QUOTA_WAIT_MS: u64 = 60_000;

impl PortalError {
    /// Stable snake_case name of the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            PortalError::SessionExpired { .. } => "session_expired",
            PortalError::XsrfRejected => "xsrf_rejected",
            PortalError::Quota { .. } => "quota",
            PortalError::CpuBlocked { .. } => "cpu_blocked",
            PortalError::Timeout { .. } => "timeout",
            PortalError::ResultTooLarge { .. } => "result_too_large",
            PortalError::QueryError { .. } => "query_error",
            PortalError::ServerError { .. } => "server_error",
            PortalError::UnexpectedShape { .. } => "unexpected_shape",
            PortalError::Network { .. } => "network",
        }
    }

    /// Whether sending the same request again can succeed (perhaps after
    /// [`retry_after_ms`](Self::retry_after_ms), or a token refresh for
    /// [`PortalError::XsrfRejected`]). Timeouts and oversized results are
    /// not: the same query fails the same way, so the caller should split
    /// it instead.
    pub fn is_retryable(&self) -> bool {
        match self {
            PortalError::XsrfRejected
            | PortalError::Quota { .. }
            | PortalError::CpuBlocked { .. }
            | PortalError::Network { .. } => true,
            PortalError::ServerError { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// How long to wait before retrying, when the portal said so (or its
    /// quota window implies it). `None` means "use your own backoff".
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            PortalError::Quota { per, .. } => Some(
                per.as_deref()
                    .and_then(super::duration::parse_timespan_ms)
                    .unwrap_or(DEFAULT_QUOTA_WAIT_MS),
            ),
            PortalError::CpuBlocked { wait_ms, .. } => Some(*wait_ms),
            PortalError::XsrfRejected => Some(0),
            _ => None,
        }
    }

    /// What a 403 means once the token was refreshed and the retry failed
    /// the same way: the session is gone. Other errors are unchanged.
    pub fn after_token_refresh(self) -> Self {
        match self {
            PortalError::XsrfRejected => PortalError::SessionExpired {
                reason: SessionReason::Forbidden,
            },
            other => other,
        }
    }

    /// Plain words for the analyst, with the next step.
    pub fn user_message(&self) -> String {
        match self {
            PortalError::SessionExpired { .. } => {
                "Your portal session expired: sign in again in the portal tab; nothing was lost.".into()
            }
            PortalError::XsrfRejected => {
                "The portal refused huntkit's request token: reload the portal tab and try again; nothing was lost."
                    .into()
            }
            PortalError::Quota { limit, per, .. } => match (limit, per) {
                (Some(limit), Some(per)) => format!(
                    "Too many requests: the portal allows {limit} calls per {per}. Wait {} and try again; nothing was lost.",
                    wait_words(self.retry_after_ms().unwrap_or(DEFAULT_QUOTA_WAIT_MS))
                ),
                _ => "Too many requests to the portal: wait a minute and try again; nothing was lost.".into(),
            },
            PortalError::CpuBlocked { wait_ms, .. } => format!(
                "Your tenant has used up its query CPU quota: queries can run again in {}. Wait, or run lighter queries over shorter time ranges.",
                wait_words(*wait_ms)
            ),
            PortalError::Timeout { .. } => "The query hit the portal's time or resource limit and was stopped: \
                 narrow the time range or make the query lighter, then run it again."
                .into(),
            PortalError::ResultTooLarge { .. } => "The result is larger than the portal allows: narrow the time range, \
                 project fewer columns or summarize, then run it again."
                .into(),
            PortalError::QueryError { message } => {
                format!("The portal could not run the query: {}. Fix the query and run it again.", trim_period(message))
            }
            PortalError::ServerError { status, message } => {
                let said = if message.trim().is_empty() {
                    String::new()
                } else {
                    format!(" ({})", trim_period(message))
                };
                if *status >= 500 {
                    format!("The portal had an internal error (HTTP {status}){said}: try again in a few minutes.")
                } else {
                    format!("The portal refused the request (HTTP {status}){said}: check the query and try again.")
                }
            }
            PortalError::UnexpectedShape { what, .. } => format!(
                "The portal answered in a form huntkit does not understand ({what}). The portal may have changed: \
                 the raw answer is kept so you can report it."
            ),
            PortalError::Network { message } => {
                format!("Could not reach the portal ({message}): check the connection and that the portal tab is open, then try again.")
            }
        }
    }
}

impl From<ResultError> for PortalError {
    fn from(err: ResultError) -> Self {
        PortalError::UnexpectedShape {
            what: err.to_string(),
            raw: String::new(),
        }
    }
}

fn trim_period(message: &str) -> &str {
    message.trim().trim_end_matches('.')
}

/// `441000` → "7 min 21 s"; whole units only, seconds rounded up.
pub(crate) fn wait_words(ms: u64) -> String {
    let total = ms.div_ceil(1_000);
    let (h, m, s) = (total / 3_600, total % 3_600 / 60, total % 60);
    let parts: Vec<String> = [(h, "h"), (m, "min"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "a moment".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_words_read_naturally() {
        assert_eq!(wait_words(441_000), "7 min 21 s");
        assert_eq!(wait_words(60_000), "1 min");
        assert_eq!(wait_words(3_600_500), "1 h 1 s");
        assert_eq!(wait_words(0), "a moment");
    }

    #[test]
    fn a_second_403_means_the_session_is_gone() {
        let err = PortalError::XsrfRejected.after_token_refresh();
        assert_eq!(
            err,
            PortalError::SessionExpired {
                reason: SessionReason::Forbidden
            }
        );
        assert!(!err.is_retryable());
        let timeout = PortalError::Timeout {
            message: "x".into(),
        };
        assert_eq!(timeout.clone().after_token_refresh(), timeout);
    }
}
