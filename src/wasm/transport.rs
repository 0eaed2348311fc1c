//! `Transport` over the page agent, through a JavaScript function that the
//! engine frame passes in: `(op, method, path, body) => Promise<reply>`.
//! The reply is the page agent's: `{status, url, redirected, contentType,
//! body: ArrayBuffer}` or `{error, message}`.

use js_sys::{ArrayBuffer, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::platform::{HttpRequest, Transport, TransportError};
use crate::portal::HttpResponse;

pub struct AgentTransport {
    call: Function,
}

impl AgentTransport {
    pub fn new(call: Function) -> Self {
        Self { call }
    }

    async fn invoke(&self, args: [JsValue; 4]) -> Result<JsValue, TransportError> {
        let [op, method, path, body] = args;
        let promise = self
            .call
            .call4(&JsValue::NULL, &op, &method, &path, &body)
            .map_err(|e| TransportError::Disconnected(describe(&e)))?;
        let reply = JsFuture::from(Promise::from(promise))
            .await
            .map_err(|e| TransportError::Disconnected(describe(&e)))?;
        if let Some(kind) = get(&reply, "error").as_string() {
            let message = get(&reply, "message").as_string().unwrap_or_default();
            return Err(match kind.as_str() {
                "refused" => TransportError::Refused(message),
                _ => TransportError::Network(message),
            });
        }
        Ok(reply)
    }
}

impl Transport for AgentTransport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<HttpResponse, TransportError>> + '_>,
    > {
        Box::pin(async move {
            let body = match &request.body {
                Some(bytes) => Uint8Array::from(bytes.as_slice()).into(),
                None => JsValue::NULL,
            };
            let reply = self
                .invoke([
                    "api".into(),
                    request.method.as_str().into(),
                    request.path.as_str().into(),
                    body,
                ])
                .await?;
            let body = get(&reply, "body");
            let body = match body.dyn_into::<ArrayBuffer>() {
                Ok(buffer) => Uint8Array::new(&buffer).to_vec(),
                Err(_) => Vec::new(),
            };
            Ok(HttpResponse {
                status: get(&reply, "status").as_f64().unwrap_or(0.0) as u16,
                url: get(&reply, "url").as_string().unwrap_or_default(),
                redirected: get(&reply, "redirected").as_bool().unwrap_or(false),
                content_type: get(&reply, "contentType").as_string(),
                body,
            })
        })
    }

    fn refresh_token(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), TransportError>> + '_>> {
        Box::pin(async move {
            let none = JsValue::NULL;
            self.invoke(["refresh-token".into(), none.clone(), none.clone(), none])
                .await?;
            Ok(())
        })
    }
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| get(error, "message").as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
