//! The portal's Advanced Hunting API as huntkit uses it: routes, the query
//! request body, the response the content script hands back, and the
//! classification of failures into [`PortalError`].
//!
//! Nothing here performs I/O: the browser side sends the request (see
//! `platform`) and this module turns bytes into values or precise errors.
//! Shape drift is always an error, never an empty result.

mod classify;
mod duration;
mod error;
mod request;
mod response;
mod routes;

pub use classify::classify;
pub use duration::{parse_english_ms, parse_timespan_ms};
pub use error::{PortalError, SessionReason};
pub(crate) use request::timestamp;
pub use request::{iso_millis, QueryRequest};
pub use response::{parse_query_response, parse_tenant, HttpResponse};
pub use routes::{
    is_allowed_api_path, ALLOWED_API_PATHS, QUERY_PATH, SCHEMA_PATH, TENANT_PATH, USER_HISTORY_PATH,
};
