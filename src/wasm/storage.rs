//! `Storage` over a JavaScript object that engine.js builds on
//! `chrome.storage.local`: `{get(key), set(key, value), remove(keys),
//! keys(prefix)}`, each returning a Promise.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::platform::{Storage, StorageError};

pub struct BrowserStorage {
    backend: JsValue,
}

type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + 'a>>;

impl BrowserStorage {
    pub fn new(backend: JsValue) -> Self {
        Self { backend }
    }

    async fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue, StorageError> {
        let function: Function = Reflect::get(&self.backend, &JsValue::from_str(method))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| StorageError(format!("the storage backend has no {method}()")))?;
        let promise = function
            .apply(&self.backend, &args.iter().collect::<Array>())
            .map_err(|e| StorageError(format!("{method}: {e:?}")))?;
        JsFuture::from(Promise::from(promise)).await.map_err(|e| {
            let message = Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string());
            StorageError(format!(
                "{method}: {}",
                message.unwrap_or_else(|| format!("{e:?}"))
            ))
        })
    }
}

impl Storage for BrowserStorage {
    fn get(&self, key: &str) -> Answer<'_, Option<String>> {
        let key = JsValue::from_str(key);
        Box::pin(async move { Ok(self.call("get", &[key]).await?.as_string()) })
    }

    fn set(&self, key: &str, value: String) -> Answer<'_, ()> {
        let args = [JsValue::from_str(key), JsValue::from(value)];
        Box::pin(async move { self.call("set", &args).await.map(|_| ()) })
    }

    fn remove(&self, keys: Vec<String>) -> Answer<'_, ()> {
        let keys: Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
        Box::pin(async move { self.call("remove", &[keys.into()]).await.map(|_| ()) })
    }

    fn keys(&self, prefix: &str) -> Answer<'_, Vec<String>> {
        let prefix = JsValue::from_str(prefix);
        Box::pin(async move {
            let keys = self.call("keys", &[prefix]).await?;
            Ok(Array::from(&keys)
                .iter()
                .filter_map(|k| k.as_string())
                .collect())
        })
    }
}
