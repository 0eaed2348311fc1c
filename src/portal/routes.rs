//! Every portal route huntkit calls, in one place: when Microsoft moves an
//! internal route (public tools have broken on this), only this file
//! changes.
//!
//! The content script keeps its own copy of the allow-list because it must
//! decide before any wasm is loaded; this copy serves Rust-side checks and
//! tests, which keep the two honest.

/// `GET`: tables and functions of the signed-in user's tenant.
pub const SCHEMA_PATH: &str = "/apiproxy/mtp/huntingService/schema";

/// `POST`: runs one query (see [`QueryRequest`](super::QueryRequest)).
pub const QUERY_PATH: &str = "/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false";

/// `GET`: the tenant of the session (`AuthInfo.TenantId`).
pub const TENANT_PATH: &str = "/apiproxy/mtp/sccManagement/mgmt/TenantContext?realTime=true";

/// `POST`: the portal's own query history (`{"startTime","maxResults"}`).
pub const USER_HISTORY_PATH: &str = "/apiproxy/mtp/huntingService/reports/userHistory";

/// The only API paths huntkit may call, exactly as sent.
pub const ALLOWED_API_PATHS: [&str; 4] = [SCHEMA_PATH, QUERY_PATH, TENANT_PATH, USER_HISTORY_PATH];

/// Whether `path` (path and query, as sent) is one huntkit may call. The
/// match is exact: no prefix, no other query string, no `..` tricks.
pub fn is_allowed_api_path(path: &str) -> bool {
    ALLOWED_API_PATHS.contains(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_exactly_the_known_routes() {
        for path in ALLOWED_API_PATHS {
            assert!(is_allowed_api_path(path), "{path}");
        }
        for path in [
            "",
            "/",
            "/apiproxy/mtp/huntingService/queryExecutor?useFanOut=true",
            "/apiproxy/mtp/huntingService/queryExecutor",
            "/apiproxy/mtp/huntingService/schema/../../sccManagement/x",
            "/apiproxy/mtp/huntingService/schema?x=1",
            "https://security.microsoft.com/apiproxy/mtp/huntingService/schema",
            "/APIPROXY/mtp/huntingService/schema",
            "/apiproxy/mtp/huntingService/queries/encode",
        ] {
            assert!(!is_allowed_api_path(path), "{path}");
        }
    }
}
