//! The lossless result model.
//!
//! A [`QueryResult`] keeps the response body as received and reads rows
//! from it on demand, so nothing is converted on the way: `Int64` values
//! beyond 2^53 keep every digit, timestamps keep their 7 fractional
//! digits, `SByte` booleans stay `0`/`1`, `""` stays apart from `null`,
//! `Dynamic` objects stay JSON and strings that contain JSON stay strings.
//!
//! Design: the body is scanned once when the result is built (row count,
//! keys, shape checks) and walked again by each export with serde_json,
//! borrowing every value from the body. No map is built per row; strings
//! are unescaped into one reused buffer only when they have escapes.

mod cell;
mod envelope;
mod error;
pub(crate) mod json_text;
mod query_result;
mod rows;

pub use cell::Cell;
pub(crate) use cell::RawCell;
pub use envelope::{Column, Quota};
pub use error::ResultError;
pub use query_result::{Preview, QueryResult};

#[cfg(test)]
mod tests;
