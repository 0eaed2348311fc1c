//! The browser's clock: `Date.now()` and `setTimeout`.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::platform::Clock;

pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> i64 {
        js_sys::Date::now() as i64
    }

    fn sleep(&self, ms: u64) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        let promise = Promise::new(&mut |resolve, _reject| {
            // setTimeout exists on every global this runs in (frame, page,
            // worker); looking it up on the global object avoids web-sys's
            // Window, which a worker does not have.
            let set_timeout = Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            match set_timeout {
                Some(f) => {
                    let _ = f.call2(&JsValue::NULL, &resolve, &JsValue::from_f64(ms as f64));
                }
                None => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
        });
        Box::pin(async move {
            let _ = JsFuture::from(promise).await;
        })
    }
}
