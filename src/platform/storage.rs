//! Durable key-value storage for what must survive a closed panel, a
//! reloaded tab or a restarted browser (bulk jobs and their finished units).
//! In the browser it is `chrome.storage.local`, which works in the engine
//! frame under default settings (IndexedDB may be denied there, HARNESS.md).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage failed: {0}")]
pub struct StorageError(pub String);

type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + 'a>>;

pub trait Storage {
    fn get(&self, key: &str) -> Answer<'_, Option<String>>;
    fn set(&self, key: &str, value: String) -> Answer<'_, ()>;
    fn remove(&self, keys: Vec<String>) -> Answer<'_, ()>;
    /// Every key that starts with `prefix`, in no particular order.
    fn keys(&self, prefix: &str) -> Answer<'_, Vec<String>>;
}

/// Storage in a map, for tests; `fail_writes` simulates a full disk.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    pub values: RefCell<BTreeMap<String, String>>,
    pub fail_writes: std::cell::Cell<bool>,
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Answer<'_, Option<String>> {
        let value = self.values.borrow().get(key).cloned();
        Box::pin(std::future::ready(Ok(value)))
    }

    fn set(&self, key: &str, value: String) -> Answer<'_, ()> {
        let answer = if self.fail_writes.get() {
            // Chrome's own words when chrome.storage.local is full.
            Err(StorageError(format!(
                "QUOTA_BYTES quota exceeded (writing {key:?})"
            )))
        } else {
            self.values.borrow_mut().insert(key.to_owned(), value);
            Ok(())
        };
        Box::pin(std::future::ready(answer))
    }

    fn remove(&self, keys: Vec<String>) -> Answer<'_, ()> {
        let mut map = self.values.borrow_mut();
        for key in keys {
            map.remove(&key);
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn keys(&self, prefix: &str) -> Answer<'_, Vec<String>> {
        let keys = self
            .values
            .borrow()
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        Box::pin(std::future::ready(Ok(keys)))
    }
}
