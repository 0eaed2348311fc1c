//! The wasm boundary, in a real Chromium (`wasm-pack test --headless
//! --chrome -- --test wasm_boundary`): what engine.js hands the core and
//! what it gets back, with a scripted page-agent transport.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use huntkit::wasm::Engine;

wasm_bindgen_test_configure!(run_in_browser);

const BODY: &str = r#"{"Quota":{"QueryCpuUsage":3,"CpuLoad":0,"ExecutionTime":"00:00:01.1144704","TotalCpuTime":"00:00:00"},"ChartVisualization":{"ChartType":"None"},"Schema":[{"Name":"Timestamp","Type":"DateTime","Entity":null},{"Name":"ReportId","Type":"Int64","Entity":null},{"Name":"ProcessCommandLine","Type":"String","Entity":null}],"Results":[{"Timestamp":"2024-10-26T08:39:36.8200123Z","ReportId":9223372036854775807,"ProcessCommandLine":"=cmd \"/c\"\r\nwhoami"},{"Timestamp":"2024-10-26T08:39:37.0000000Z","ReportId":null,"ProcessCommandLine":""}]}"#;

fn set(target: &Object, key: &str, value: impl Into<JsValue>) {
    Reflect::set(target, &key.into(), &value.into()).expect("set a property");
}

/// A transport that answers every request with one scripted reply and
/// records the paths it was asked for.
fn scripted(reply: Object, asked: Array) -> Function {
    let closure = Closure::<dyn FnMut(JsValue, JsValue, JsValue, JsValue) -> Promise>::new(
        move |_op: JsValue, _method: JsValue, path: JsValue, _body: JsValue| {
            asked.push(&path);
            let copy = Object::assign(&Object::new(), &reply);
            if let Ok(body) = Reflect::get(&reply, &"body".into()) {
                if let Some(buffer) = body.dyn_ref::<ArrayBuffer>() {
                    set(&copy, "body", buffer.slice(0));
                }
            }
            Promise::resolve(&JsValue::from(copy))
        },
    );
    closure.into_js_value().unchecked_into()
}

fn http_reply(status: u16, content_type: &str, body: &str) -> Object {
    let reply = Object::new();
    set(&reply, "status", status);
    set(
        &reply,
        "url",
        "https://security.microsoft.com/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false",
    );
    set(&reply, "redirected", false);
    set(&reply, "contentType", content_type);
    set(&reply, "body", Uint8Array::from(body.as_bytes()).buffer());
    reply
}

fn run_args() -> JsValue {
    let args = Object::new();
    set(&args, "queryText", "DeviceProcessEvents | take 2");
    set(&args, "startMs", 1_729_500_000_000.0);
    set(&args, "endMs", 1_730_000_000_000.0);
    args.into()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("get a property")
}

#[wasm_bindgen_test]
async fn a_query_result_crosses_the_boundary_without_loss() {
    let asked = Array::new();
    let engine = Engine::new(scripted(
        http_reply(200, "application/json; charset=utf-8", BODY),
        asked.clone(),
    ));
    let summary = JsFuture::from(engine.run_query(run_args()))
        .await
        .expect("the query succeeds");
    assert_eq!(get(&summary, "rowCount").as_f64(), Some(2.0));
    assert_eq!(
        asked.get(0).as_string().as_deref(),
        Some("/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false")
    );
    let first_row = Array::from(&get(&summary, "previewRows")).get(0);
    let first_row = Array::from(&first_row);
    assert_eq!(
        first_row.get(0).as_string().as_deref(),
        Some("2024-10-26T08:39:36.8200123Z")
    );
    // Beyond 2^53 the preview must carry the digits as text, not a rounded number.
    assert_eq!(
        first_row.get(1).as_string().as_deref(),
        Some("9223372036854775807")
    );

    let chunks = Array::new();
    let push = {
        let chunks = chunks.clone();
        Closure::<dyn FnMut(Uint8Array)>::new(move |chunk: Uint8Array| {
            chunks.push(&chunk);
        })
        .into_js_value()
        .unchecked_into::<Function>()
    };
    let result_id = get(&summary, "resultId").as_f64().expect("a result id") as u32;
    let file = engine
        .export_result(result_id, "csv", push)
        .expect("the export succeeds");
    let mut csv = Vec::new();
    for chunk in chunks.iter() {
        csv.extend(Uint8Array::from(chunk).to_vec());
    }
    assert_eq!(
        String::from_utf8(csv).expect("utf-8"),
        "Timestamp,ReportId,ProcessCommandLine\r\n2024-10-26T08:39:36.8200123Z,9223372036854775807,\"=cmd \"\"/c\"\"\r\nwhoami\"\r\n2024-10-26T08:39:37.0000000Z,,\r\n"
    );
    assert_eq!(
        get(&file, "mimeType").as_string().as_deref(),
        Some("text/csv")
    );
    assert!(get(&file, "fileName")
        .as_string()
        .expect("a file name")
        .starts_with("huntkit_DeviceProcessEvents_"));
}

#[wasm_bindgen_test]
async fn an_expired_session_rejects_with_a_named_error() {
    let engine = Engine::new(scripted(
        http_reply(
            401,
            "application/json",
            r#"{"error":{"code":"Unauthorized","message":"no"}}"#,
        ),
        Array::new(),
    ));
    let error = JsFuture::from(engine.run_query(run_args()))
        .await
        .expect_err("the query fails");
    assert_eq!(
        get(&error, "kind").as_string().as_deref(),
        Some("session_expired")
    );
    let user_message = get(&error, "userMessage")
        .as_string()
        .expect("a user message");
    assert!(user_message.contains("sign in again"), "{user_message}");
}

#[wasm_bindgen_test]
async fn a_broken_body_is_a_named_error_that_keeps_the_raw_text() {
    let engine = Engine::new(scripted(
        http_reply(
            200,
            "application/json",
            r#"{"Quota":{},"Schema":[{"Name":"A""#,
        ),
        Array::new(),
    ));
    let error = JsFuture::from(engine.run_query(run_args()))
        .await
        .expect_err("the query fails");
    assert_eq!(
        get(&error, "kind").as_string().as_deref(),
        Some("unexpected_shape")
    );
    assert!(get(&error, "raw")
        .as_string()
        .expect("the raw body")
        .contains(r#"{"Quota""#));
}

#[wasm_bindgen_test]
async fn a_dropped_connection_is_a_network_error() {
    let reply = Object::new();
    set(&reply, "error", "network");
    set(&reply, "message", "body interrupted");
    let engine = Engine::new(scripted(reply, Array::new()));
    let error = JsFuture::from(engine.run_query(run_args()))
        .await
        .expect_err("the query fails");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("network"));
}
