//! The history kept in a [`Storage`]: loaded once, written after each
//! change, and reloaded when another writer changed it.
//!
//! The whole history is one JSON document under [`DOC_KEY`]; a small
//! revision under [`REV_KEY`] names the last writer and change. Every portal
//! tab has its own engine and so its own copy: before a change the copy
//! checks the revision and reloads if another tab wrote since. Changes of
//! one engine are serialised by its caller (one at a time); two tabs
//! changing within the same few milliseconds can still lose the older
//! change, which costs one history line at worst.

use std::cell::{Cell, RefCell};

use super::error::HistoryError;
use super::migrate::{read_versioned, write_document};
use super::model::{Document, CURRENT_VERSION};
use super::store::History;
use crate::platform::Storage;

pub const DOC_KEY: &str = "huntkit:history";
pub const REV_KEY: &str = "huntkit:history-rev";
/// Where an unreadable document is set aside instead of being overwritten.
pub const UNREADABLE_KEY: &str = "huntkit:history-unreadable";

pub struct HistoryService<S> {
    storage: S,
    writer: String,
    changes: Cell<u64>,
    history: RefCell<History>,
    revision: RefCell<Option<String>>,
}

impl<S: Storage> HistoryService<S> {
    /// Loads the stored history, upgrading an older version (and writing
    /// the upgrade back). `writer` names this copy in revisions.
    pub async fn open(storage: S, writer: String) -> Result<Self, HistoryError> {
        let service = Self {
            storage,
            writer,
            changes: Cell::new(0),
            history: RefCell::new(History::new(Document::default())),
            revision: RefCell::new(None),
        };
        let upgraded = service.load().await?;
        if upgraded {
            service.change(None, |_| Ok(())).await?;
        }
        Ok(service)
    }

    /// Reads the stored document; true when it was of an older version.
    async fn load(&self) -> Result<bool, HistoryError> {
        let revision = self.storage.get(REV_KEY).await?;
        let text = self.storage.get(DOC_KEY).await?;
        let (doc, upgraded) = match text {
            None => (Document::default(), false),
            Some(text) => match read_versioned(&text) {
                Ok((doc, version)) => (doc, version < CURRENT_VERSION),
                // A newer huntkit's history must not be overwritten by this
                // one: refuse until the extension is updated.
                Err(e @ HistoryError::TooNew { .. }) => return Err(e),
                Err(_) => {
                    // Keep the unreadable text where an export or a bug
                    // report can still reach it, and start afresh.
                    self.storage.set(UNREADABLE_KEY, text).await?;
                    (Document::default(), true)
                }
            },
        };
        *self.history.borrow_mut() = History::new(doc);
        *self.revision.borrow_mut() = revision;
        Ok(upgraded)
    }

    /// Reloads if another writer changed the stored history since this copy
    /// last read or wrote it.
    pub async fn refresh(&self) -> Result<(), HistoryError> {
        let stored = self.storage.get(REV_KEY).await?;
        if stored != *self.revision.borrow() {
            self.load().await?;
        }
        Ok(())
    }

    /// Reads the in-memory copy.
    pub fn read<R>(&self, f: impl FnOnce(&History) -> R) -> R {
        f(&self.history.borrow())
    }

    /// Applies `f` to the latest history, then retention (when `now_ms` is
    /// given), and writes the result. When the write fails (a full quota),
    /// the copy is reloaded so memory never shows what storage lacks.
    pub async fn change<R>(
        &self,
        now_ms: Option<i64>,
        f: impl FnOnce(&mut History) -> Result<R, HistoryError>,
    ) -> Result<R, HistoryError> {
        self.refresh().await?;
        let (result, text) = {
            let mut history = self.history.borrow_mut();
            let result = f(&mut history)?;
            if let Some(now) = now_ms {
                history.apply_retention(now);
            }
            (result, write_document(history.document())?)
        };
        self.changes.set(self.changes.get() + 1);
        let revision = format!("{}:{}", self.writer, self.changes.get());
        let written = async {
            self.storage.set(DOC_KEY, text).await?;
            self.storage.set(REV_KEY, revision.clone()).await
        }
        .await;
        if let Err(e) = written {
            let _ = self.load().await;
            return Err(e.into());
        }
        *self.revision.borrow_mut() = Some(revision);
        Ok(result)
    }

    pub fn storage(&self) -> &S {
        &self.storage
    }
}
