//! What can go wrong with the history, worded for the analyst.

use crate::platform::StorageError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("the history file is not valid: {0}")]
    Parse(String),
    #[error(
        "the history was written by a newer huntkit (version {found}; this one reads up to {max})"
    )]
    TooNew { found: u32, max: u32 },
    #[error("the history has an unknown version {0}")]
    UnknownVersion(u32),
    #[error("no history entry {0:?}")]
    NoEntry(String),
    #[error("no run {0:?} in the history")]
    NoRun(String),
    #[error("the {field} is too long: {len} characters, at most {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("the query text is empty")]
    EmptyQuery,
    #[error("the portal's history has an unexpected shape: {0}")]
    PortalShape(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl HistoryError {
    /// A stable name for the panel (`error.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Parse(_) | Self::TooNew { .. } | Self::UnknownVersion(_) => "history_file",
            Self::NoEntry(_) | Self::NoRun(_) => "history_missing",
            Self::TooLong { .. } | Self::EmptyQuery => "input",
            Self::PortalShape(_) => "unexpected_shape",
            Self::Storage(_) => "storage",
        }
    }
}
