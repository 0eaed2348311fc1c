//! Why a response body could not be read as a result.
//!
//! Every variant names the part of the body that was wrong, so the portal
//! layer can show "the response changed shape" with a precise reason
//! instead of treating drift as an empty result.

use thiserror::Error;

/// A response body that is not the result envelope huntkit knows.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResultError {
    /// The body is not UTF-8, so it cannot be JSON.
    #[error("response is not utf-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    /// The body is not JSON at all, or is cut short.
    #[error("response is not valid json: {message}")]
    NotJson { message: String },
    /// The body is JSON but not an object (`[]`, a string, …).
    #[error("response is not a json object: {message}")]
    NotAnObject { message: String },
    /// A key the envelope must have is absent.
    #[error("response has no {key} (top-level keys: {seen})")]
    Missing { key: &'static str, seen: String },
    /// A key of the envelope holds a value of the wrong type.
    #[error("response field {key} is malformed: {message}")]
    Malformed { key: &'static str, message: String },
    /// The same envelope key appears twice (for example `Results` and
    /// `results`), so which one holds the data is ambiguous.
    #[error("response has {key} twice")]
    DuplicateKey { key: &'static str },
    /// A row is not a JSON object.
    #[error("row {row} is not an object: {message}")]
    RowNotObject { row: usize, message: String },
    /// A row names the same column twice; keeping either value would lose
    /// the other.
    #[error("row {row} has column {column:?} twice")]
    DuplicateColumn { row: usize, column: String },
}
