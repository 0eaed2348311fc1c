//! The body of a `queryExecutor` call.

use jiff::Timestamp;

use crate::result::json_text::escape_into;

/// One query to run over `[start_ms, end_ms]` (Unix milliseconds, UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRequest {
    pub query_text: String,
    pub start_ms: i64,
    pub end_ms: i64,
    /// `None` lets the portal apply its own row limit.
    pub max_record_count: Option<u64>,
}

impl QueryRequest {
    /// The JSON body, with keys in the portal's own order and `null` where
    /// the portal page sends `null`:
    /// `{"QueryText":…,"StartTime":"2024-10-26T08:39:36.820Z","EndTime":…,
    /// "MaxRecordCount":null,"TenantIds":null,"tenantIds":null,
    /// "selectedWorkspaces":null}`.
    pub fn to_body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.query_text.len() + 200);
        out.extend_from_slice(b"{\"QueryText\":");
        escape_into(&self.query_text, &mut out);
        out.extend_from_slice(b",\"StartTime\":\"");
        out.extend_from_slice(iso_millis(self.start_ms).as_bytes());
        out.extend_from_slice(b"\",\"EndTime\":\"");
        out.extend_from_slice(iso_millis(self.end_ms).as_bytes());
        out.extend_from_slice(b"\",\"MaxRecordCount\":");
        match self.max_record_count {
            Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(
            b",\"TenantIds\":null,\"tenantIds\":null,\"selectedWorkspaces\":null}",
        );
        out
    }
}

/// 0001-01-01T00:00:00.000Z: years before it would need a sign.
const MIN_MS: i64 = -62_135_596_800_000;

/// A UTC timestamp for `ms`, clamped to the years 0001 to 9999 (jiff's
/// own maximum, 9999-12-30T22:00:00.999Z, is the upper end).
pub(crate) fn timestamp(ms: i64) -> Timestamp {
    let max_ms = Timestamp::MAX.as_millisecond();
    Timestamp::from_millisecond(ms.clamp(MIN_MS, max_ms)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `ms` as UTC ISO 8601 with exactly three fractional digits, like the
/// portal's own requests (`2024-10-26T08:39:36.820Z`). Values outside the
/// years 0001 to 9999 are clamped to that range.
pub fn iso_millis(ms: i64) -> String {
    format!("{:.3}", timestamp(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_matches_the_portal_byte_for_byte() {
        let request = QueryRequest {
            query_text: "AADSignInEventsBeta | getschema".into(),
            start_ms: 1_729_327_176_820,
            end_ms: 1_729_931_976_820,
            max_record_count: None,
        };
        assert_eq!(
            String::from_utf8(request.to_body()).expect("utf-8"),
            r#"{"QueryText":"AADSignInEventsBeta | getschema","StartTime":"2024-10-19T08:39:36.820Z","EndTime":"2024-10-26T08:39:36.820Z","MaxRecordCount":null,"TenantIds":null,"tenantIds":null,"selectedWorkspaces":null}"#
        );
    }

    #[test]
    fn body_escapes_the_query_and_writes_the_limit() {
        let request = QueryRequest {
            query_text: "T | where A == \"x\\y\"\r\n| take 1 // é".into(),
            start_ms: 0,
            end_ms: 1,
            max_record_count: Some(100_000),
        };
        let body = request.to_body();
        let value: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(value["QueryText"], request.query_text.as_str());
        assert_eq!(value["StartTime"], "1970-01-01T00:00:00.000Z");
        assert_eq!(value["EndTime"], "1970-01-01T00:00:00.001Z");
        assert_eq!(value["MaxRecordCount"], 100_000);
    }

    #[test]
    fn iso_millis_always_has_three_digits_and_clamps() {
        assert_eq!(iso_millis(1_704_067_200_000), "2024-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_704_067_200_120), "2024-01-01T00:00:00.120Z");
        assert_eq!(iso_millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso_millis(i64::MAX), "9999-12-30T22:00:00.999Z");
        assert_eq!(iso_millis(i64::MIN), "0001-01-01T00:00:00.000Z");
    }
}
