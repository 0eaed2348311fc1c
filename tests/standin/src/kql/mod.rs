//! The KQL subset the stand-in runs: a tokenizer, a recursive-descent parser
//! and an executor over the synthetic tenant. What it cannot run it rejects
//! with a portal-like error instead of guessing.

pub mod ast;
pub mod exec;
pub mod lexer;
pub mod parser;

pub use exec::{run, Frame, RunStats};

/// A query error as the portal reports it (`message`), plus the stand-in's
/// own explanation (`detail`) for its log.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub message: String,
    pub detail: String,
}

pub const RECOGNITION: &str = "A recognition error occurred.";

impl QueryError {
    pub fn syntax(detail: &str) -> QueryError {
        QueryError {
            message: RECOGNITION.into(),
            detail: format!("syntax: {detail}"),
        }
    }

    /// Valid KQL the stand-in does not implement. The portal would run it;
    /// answering with an error keeps the stand-in from inventing results.
    pub fn unsupported(detail: &str) -> QueryError {
        QueryError {
            message: RECOGNITION.into(),
            detail: format!("not supported by the stand-in: {detail}"),
        }
    }

    pub fn unresolved(op: &str, name: &str) -> QueryError {
        QueryError {
            message: format!("'{op}' operator: Failed to resolve scalar expression named '{name}'"),
            detail: format!("unknown column {name}"),
        }
    }

    pub fn unknown_table(name: &str) -> QueryError {
        QueryError {
            message: format!("Failed to resolve table or column expression named '{name}'"),
            detail: format!("unknown table {name}"),
        }
    }

    pub fn semantic(message: String) -> QueryError {
        QueryError {
            detail: message.clone(),
            message,
        }
    }
}
