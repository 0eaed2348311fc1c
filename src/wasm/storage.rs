//! `Storage` over two JavaScript functions the engine frame passes in:
//! `get(key) => Promise<string | null>` and `set(key, value) => Promise`.
//! The engine frame backs them with `chrome.storage.local`: it works in the
//! injected frame, where IndexedDB and localStorage were denied in a profile
//! with default settings (HARNESS.md, storage pitfalls), and it is the same
//! store for every tab and the side panel.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::platform::{Storage, StorageError};

pub struct JsStorage {
    get: Function,
    set: Function,
}

impl JsStorage {
    /// `backend` is `{get, set}`.
    pub fn new(backend: &JsValue) -> Result<Self, String> {
        let function = |name: &str| {
            Reflect::get(backend, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| format!("the storage backend has no {name}() function"))
        };
        Ok(Self {
            get: function("get")?,
            set: function("set")?,
        })
    }
}

async fn settle(key: &str, called: Result<JsValue, JsValue>) -> Result<JsValue, StorageError> {
    let failed = |e: JsValue| StorageError::Failed {
        key: key.to_owned(),
        message: e
            .as_string()
            .or_else(|| {
                Reflect::get(&e, &JsValue::from_str("message"))
                    .ok()
                    .and_then(|m| m.as_string())
            })
            .unwrap_or_else(|| format!("{e:?}")),
    };
    let promise = called.map_err(failed)?;
    JsFuture::from(Promise::resolve(&promise))
        .await
        .map_err(failed)
}

impl Storage for JsStorage {
    fn get(
        &self,
        key: &str,
    ) -> Pin<Box<dyn Future<Output = Result<Option<String>, StorageError>> + '_>> {
        let key = key.to_owned();
        Box::pin(async move {
            let called = self.get.call1(&JsValue::NULL, &JsValue::from_str(&key));
            Ok(settle(&key, called).await?.as_string())
        })
    }

    fn set(
        &self,
        key: &str,
        value: String,
    ) -> Pin<Box<dyn Future<Output = Result<(), StorageError>> + '_>> {
        let key = key.to_owned();
        Box::pin(async move {
            let called = self.set.call2(
                &JsValue::NULL,
                &JsValue::from_str(&key),
                &JsValue::from_str(&value),
            );
            settle(&key, called).await.map(|_| ())
        })
    }
}
