//! [`BulkError`]: why a bulk job could not be made or restored. Failures of
//! single calls are not here: they stay next to their unit (see
//! [`super::UnitError`]) and never abort the job by themselves.

use super::literal::LiteralError;
use super::slicing::SliceRefusal;
use super::template::TemplateError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BulkError {
    /// The query cannot be time-sliced; the reason is for the analyst.
    #[error(transparent)]
    Refused(#[from] SliceRefusal),
    #[error(transparent)]
    Literal(#[from] LiteralError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("the time range {range} is empty: its start must come before its end")]
    EmptyRange { range: String },
    #[error("there are no values to run the template over")]
    NoValues,
    #[error("there are no queries in the list")]
    NoQueries,
    #[error("setting {name} = {value} is not allowed: {why}")]
    Config {
        name: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("cannot read the saved job: {0}")]
    Restore(String),
}
