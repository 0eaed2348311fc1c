//! Where huntkit keeps its own data: a small key/value store of strings.
//!
//! In the browser this is `chrome.storage.local` (see `crate::wasm::storage`
//! for why that one); in tests it is a map in memory. Values are whole
//! documents serialised by their owner: the store knows nothing of them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

/// Why the browser's storage did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The browser refused (quota exceeded, storage disabled, …); the
    /// browser's own message is kept.
    #[error("browser storage failed for key {key:?}: {message}")]
    Failed { key: String, message: String },
}

type Got<'a> = Pin<Box<dyn Future<Output = Result<Option<String>, StorageError>> + 'a>>;
type Done<'a> = Pin<Box<dyn Future<Output = Result<(), StorageError>> + 'a>>;

pub trait Storage {
    fn get(&self, key: &str) -> Got<'_>;
    fn set(&self, key: &str, value: String) -> Done<'_>;
}

/// In memory, for tests; `fail_writes` makes every `set` fail like a full
/// quota would.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    pub values: RefCell<HashMap<String, String>>,
    pub fail_writes: RefCell<bool>,
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Got<'_> {
        let value = self.values.borrow().get(key).cloned();
        Box::pin(std::future::ready(Ok(value)))
    }

    fn set(&self, key: &str, value: String) -> Done<'_> {
        let result = if *self.fail_writes.borrow() {
            Err(StorageError::Failed {
                key: key.to_owned(),
                message: "QUOTA_BYTES quota exceeded".into(),
            })
        } else {
            self.values.borrow_mut().insert(key.to_owned(), value);
            Ok(())
        };
        Box::pin(std::future::ready(result))
    }
}
