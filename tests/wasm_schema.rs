//! The schema side of the wasm boundary, in a real Chromium: what the
//! engine frame's schema handlers hand `SchemaLab` and the catalog rules,
//! and what they get back.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use huntkit::wasm::SchemaLab;

wasm_bindgen_test_configure!(run_in_browser);

const OLD: &str = r#"{"Tables":[{"Name":"DeviceInfo","Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"DeviceSubType","Type":"String"},{"Name":"OSBuild","Type":"Int32"}]}]}"#;
const NEW: &str = r#"{"Tables":[{"Name":"DeviceInfo","Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"OSBuild","Type":"Int64"}]}]}"#;

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("property")
}

fn args(pairs: &[(&str, &str)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), &(*v).into()).expect("set");
    }
    o.into()
}

#[wasm_bindgen_test]
fn a_bad_schema_rejects_with_kind_schema_and_the_bad_text() {
    let lab = SchemaLab::new();
    let error = lab
        .load("x", b"<html>sign in</html>")
        .expect_err("not json");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("schema"));
    let message = get(&error, "message").as_string().unwrap_or_default();
    assert!(message.contains("<html>sign in"), "{message}");
    assert!(!lab.has("x"));
}

#[wasm_bindgen_test]
fn diff_markdown_and_impact_across_the_boundary() {
    let lab = SchemaLab::new();
    let loaded = lab.load("pending", OLD.as_bytes()).expect("old loads");
    assert_eq!(get(&loaded, "columnCount").as_f64(), Some(3.0));
    lab.rekey("pending", "old");
    lab.load("new", NEW.as_bytes()).expect("new loads");
    assert!(lab.has("old") && !lab.has("pending"));
    let json = lab
        .diff(args(&[
            ("oldId", "old"),
            ("newId", "new"),
            ("oldLabel", "before"),
            ("newLabel", "after"),
        ]))
        .expect("diffs");
    let diff = JSON::parse(&json).expect("json text");
    let counts = get(&diff, "counts");
    assert_eq!(get(&counts, "columnsRemoved").as_f64(), Some(1.0));
    assert_eq!(get(&counts, "columnsRetyped").as_f64(), Some(1.0));
    let md = lab.markdown().expect("markdown");
    assert!(md.starts_with("# Schema changes: before → after"), "{md}");

    let n = lab
        .index_query_file(
            "q",
            "q.jsonl",
            "{\"name\":\"A\",\"query\":\"DeviceInfo\\n| project OSBuild\"}\n",
        )
        .expect("reads");
    assert_eq!(n, 1);
    let hits: Array = lab.impact().expect("impact").unchecked_into();
    assert_eq!(hits.length(), 1);
    let hit = hits.get(0);
    assert_eq!(get(&hit, "line").as_f64(), Some(2.0));
    assert_eq!(
        get(&get(&hit, "change"), "kind").as_string().as_deref(),
        Some("columnRetyped")
    );

    let error = lab
        .index_query_file("q", "bad.jsonl", "{\"name\":\"no query\"}\n")
        .expect_err("no query member");
    assert!(get(&error, "userMessage")
        .as_string()
        .unwrap_or_default()
        .contains("bad.jsonl: line 1"));
}
