//! Unit tests of the result model on small built bodies.

use super::*;
use serde_json::Value;

fn result(body: &str) -> QueryResult {
    QueryResult::from_body(body.as_bytes().to_vec()).expect("valid result")
}

fn rows(result: &QueryResult) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    result
        .for_each_row(|cells| {
            out.push(cells.iter().map(|c| format!("{c:?}")).collect());
            Ok::<(), ResultError>(())
        })
        .expect("rows");
    out
}

const SCHEMA: &str = r#""Schema":[{"Name":"A","Type":"Int64"},{"Name":"B","Type":"String"}]"#;

#[test]
fn reads_rows_in_column_order_with_missing_keys_null() {
    let r = result(&format!(
        r#"{{{SCHEMA},"Results":[{{"B":"x","A":1}},{{"A":9223372036854775807}},{{}}]}}"#
    ));
    assert_eq!(r.row_count(), 3);
    assert_eq!(
        rows(&r),
        vec![
            vec!["Number(\"1\")".to_string(), "Str(\"x\")".into()],
            vec!["Number(\"9223372036854775807\")".into(), "Null".into()],
            vec!["Null".into(), "Null".into()],
        ]
    );
}

#[test]
fn keeps_exact_case_columns_apart_and_appends_unknown_keys() {
    let body = r#"{"Schema":[{"Name":"LogonId","Type":"Int64"},{"Name":"LogonID","Type":"String"}],
        "Results":[{"LogonID":"x","LogonId":1,"Extra":true}]}"#;
    let r = result(body);
    let names: Vec<&str> = r.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["LogonId", "LogonID", "Extra"]);
    assert_eq!(r.schema_column_count(), 2);
    assert_eq!(r.extra_columns(), &[Column::new("Extra", "")]);
    assert_eq!(rows(&r)[0], ["Number(\"1\")", "Str(\"x\")", "Bool(true)"]);
}

#[test]
fn falls_back_to_case_insensitive_names_only_when_unclaimed() {
    let body = r#"{"schema":[{"name":"DeviceSubtype","type":"String"},{"name":"Other","type":"String"}],
        "results":[{"DeviceSubType":"a","other":"b","Other":"c"}]}"#;
    let r = result(body);
    let names: Vec<&str> = r.columns().iter().map(|c| c.name.as_str()).collect();
    // `other` cannot take `Other`, which a row names exactly.
    assert_eq!(names, ["DeviceSubtype", "Other", "other"]);
    assert_eq!(rows(&r)[0], ["Str(\"a\")", "Str(\"c\")", "Str(\"b\")"]);
}

#[test]
fn unescapes_strings_and_keeps_dynamic_json() {
    let body = format!(
        r#"{{{SCHEMA},"Results":[{{"A":{{"k":[1, 2]}},"B":"q\"\n\u00e9\ud83d\ude00"}},{{"A":"","B":null}}]}}"#
    );
    let seen = rows(&result(&body));
    assert_eq!(seen[0][0], "Json(RawValue({\"k\":[1, 2]}))");
    assert_eq!(seen[0][1], "Str(\"q\\\"\\né😀\")");
    assert_eq!(seen[1], ["Str(\"\")", "Null"]);
}

#[test]
fn reads_quota_and_chart_tolerantly() {
    let r = result(&format!(
        r#"{{"Quota":{{"QueryCpuUsage":3,"cpuload":"1.5","ExecutionTime":"00:00:01.1144704"}},
        "ChartVisualization":{{"ChartType":"None"}},{SCHEMA},"Results":[]}}"#
    ));
    assert_eq!(r.quota().query_cpu_usage, 3.0);
    assert_eq!(r.quota().cpu_load, 1.5);
    assert_eq!(r.quota().execution_time, "00:00:01.1144704");
    assert_eq!(r.quota().total_cpu_time, "");
    assert_eq!(r.chart_type(), Some("None"));
    assert_eq!(r.row_count(), 0);
}

fn error(body: &[u8]) -> ResultError {
    QueryResult::from_body(body.to_vec()).expect_err("must fail")
}

#[test]
fn shape_drift_is_an_error_never_an_empty_result() {
    assert!(matches!(
        error(br#"{"Schema":[]}"#),
        ResultError::Missing { key: "Results", .. }
    ));
    assert!(matches!(
        error(br#"{"Results":[]}"#),
        ResultError::Missing { key: "Schema", .. }
    ));
    assert!(matches!(
        error(br#"{"Schema":{},"Results":[]}"#),
        ResultError::Malformed { key: "Schema", .. }
    ));
    assert!(matches!(
        error(br#"{"Schema":[],"Results":{}}"#),
        ResultError::Malformed { key: "Results", .. }
    ));
    assert!(matches!(
        error(br#"{"Schema":[],"Results":[1]}"#),
        ResultError::RowNotObject { row: 0, .. }
    ));
    assert!(matches!(
        error(br#"{"Schema":[],"Results":[],"results":[]}"#),
        ResultError::DuplicateKey { .. }
    ));
    assert!(matches!(error(br#"[]"#), ResultError::NotAnObject { .. }));
    assert!(matches!(
        error(br#"{"Schema":[],"Results":[{"A":1"#),
        ResultError::NotJson { .. }
    ));
    assert!(matches!(
        error(b"{\"Schema\":[],\"Results\":[\"\xff\"]}"),
        ResultError::NotUtf8 { offset: 25 }
    ));
    assert!(matches!(
        error(br#"{"Schema":[],"Results":[{},{"A":1,"A":2}]}"#),
        ResultError::DuplicateColumn { row: 1, .. }
    ));
}

#[test]
fn missing_key_message_lists_what_was_there() {
    let err = error(br#"{"error":{"message":"x"}}"#);
    assert_eq!(
        err.to_string(),
        "response has no Results (top-level keys: error)"
    );
}

#[test]
fn preview_stops_at_n_and_protects_big_integers() {
    let r = result(&format!(
        r#"{{{SCHEMA},"Results":[{{"A":9007199254740993}},{{"A":2}},{{"A":3}}]}}"#
    ));
    let preview = r.preview(2).expect("preview");
    assert_eq!(preview.total_rows, 3);
    assert_eq!(
        preview.rows,
        vec![
            vec![serde_json::json!("9007199254740993"), Value::Null],
            vec![serde_json::json!(2), Value::Null]
        ]
    );
    assert!(r.preview(0).expect("preview").rows.is_empty());
}
