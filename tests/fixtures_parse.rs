//! Every fixture that holds a result parses without loss, and built rows
//! keep what a lossy reader would break.

mod result_support;

use huntkit::portal::{parse_query_response, HttpResponse};
use huntkit::result::QueryResult;
use result_support::*;

/// Checks every cell of `result` against the source's raw values.
fn assert_lossless(source: &Source, result: &QueryResult) {
    let names: Vec<&str> = result.columns().iter().map(|c| c.name.as_str()).collect();
    let expected: Vec<&str> = source.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, expected, "{}: columns", source.label);
    let types: Vec<&str> = result
        .columns()
        .iter()
        .map(|c| c.type_name.as_str())
        .collect();
    let expected: Vec<&str> = source.columns.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(types, expected, "{}: types", source.label);
    assert_eq!(
        result.row_count(),
        source.rows.len(),
        "{}: row count",
        source.label
    );
    let mut i = 0;
    result
        .for_each_row(|cells| {
            assert_eq!(cells.len(), source.columns.len());
            for (cell, (name, _)) in cells.iter().zip(&source.columns) {
                let raw = source.raw(i, name);
                assert!(
                    cell_is_raw(cell, &raw),
                    "{}: row {i} column {name}: {cell:?} is not {raw}",
                    source.label
                );
            }
            i += 1;
            Ok::<(), huntkit::result::ResultError>(())
        })
        .expect("walk");
    assert_eq!(i, source.rows.len());
}

#[test]
fn every_result_fixture_parses_without_loss() {
    let sources = fixture_sources();
    assert_eq!(
        sources.len(),
        7,
        "portal, legacy, three graph examples, wide row, kusto"
    );
    for (source, body) in &sources {
        let result = QueryResult::from_body(body.clone().into_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", source.label));
        assert_lossless(source, &result);
        assert_eq!(
            result.body(),
            body.as_bytes(),
            "{}: body kept byte for byte",
            source.label
        );
    }
}

#[test]
fn the_portal_response_reads_through_the_portal_layer() {
    let (source, body) = fixture_sources().remove(0);
    let resp = HttpResponse {
        status: 200,
        url: "https://security.microsoft.com/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false".into(),
        redirected: false,
        content_type: Some("application/json; charset=utf-8".into()),
        body: body.into_bytes(),
    };
    let result = parse_query_response(resp).expect("portal response");
    assert_eq!(result.row_count(), 45);
    assert_eq!(result.quota().execution_time, "00:00:01.1144704");
    assert_eq!(result.quota().total_cpu_time, "00:00:00");
    assert_eq!(result.chart_type(), Some("None"));
    assert_eq!(result.columns()[1].type_name, "Int32");
    assert_lossless(&source, &result);
    let rows = collect_rows(&result);
    assert_eq!(rows[44][0], ('s', "ReportId".into()));
    assert_eq!(rows[44][1], ('#', "44".into()));
}

#[test]
fn the_wide_row_keeps_empty_strings_nulls_and_json_in_strings() {
    let (source, _) = fixture_sources()
        .into_iter()
        .find(|(s, _)| s.label == "union wide row")
        .expect("wide row");
    let result = source.result();
    assert_eq!(result.columns().len(), 107);
    let row = &collect_rows(&result)[0];
    let cell = |name: &str| {
        let i = result
            .columns()
            .iter()
            .position(|c| c.name == name)
            .expect("column");
        row[i].clone()
    };
    assert_eq!(cell("AlertId"), ('s', String::new()));
    assert_eq!(cell("FileSize"), ('n', String::new()));
    assert_eq!(cell("IsLocalAdmin"), ('n', String::new()));
    assert_eq!(
        cell("AdditionalFields"),
        ('s', r#"{"IsLocalLogon":true}"#.into())
    );
    assert_eq!(cell("ReportId"), ('#', "2826".into()));
    assert_eq!(
        cell("Timestamp"),
        ('s', "2021-04-29T10:04:27.9049321Z".into())
    );
    assert_eq!(
        cell("InitiatingProcessParentFileName"),
        (
            's',
            r"\Device\HarddiskVolume4\Windows\System32\services.exe".into()
        )
    );
    assert_eq!(cell("DeviceSubType"), ('s', String::new()));
}

#[test]
fn kusto_frames_keep_booleans_and_longs() {
    let (source, _) = fixture_sources()
        .into_iter()
        .find(|(s, _)| s.label.starts_with("kusto"))
        .expect("kusto");
    let result = source.result();
    assert_eq!(result.columns().len(), 130);
    assert_eq!(result.row_count(), 10);
    let rows = collect_rows(&result);
    assert_eq!(rows[0][0], ('b', "true".into()));
    assert_eq!(rows[0][7], ('s', "2023-04-11T16:19:50.7862004Z".into()));
    assert_eq!(rows[0][10], ('s', "\"omadmprc.exe\"".into()));
}

#[test]
fn built_rows_keep_what_a_lossy_reader_breaks() {
    let source = adversarial_source();
    let result = source.result();
    assert_lossless(&source, &result);
    let rows = collect_rows(&result);
    assert_eq!(rows[0][0], ('#', "9223372036854775807".into()));
    assert_eq!(rows[1][0], ('#', "-9223372036854775808".into()));
    assert_eq!(rows[2][0], ('#', "9007199254740993".into()));
    assert_eq!(rows[0][1], ('s', "2024-10-26T08:39:36.8200123Z".into()));
    assert_eq!(rows[0][2], ('#', "0".into()));
    assert_eq!(rows[1][2], ('#', "1".into()));
    assert_eq!(rows[2][2], ('n', String::new()));
    assert_eq!(rows[0][3], ('s', String::new()));
    assert_eq!(rows[4][3], ('s', "line1\r\nline2\rline3\nline4".into()));
    assert_eq!(rows[3][3], ('s', "😀👩‍👩‍👧🏳️‍🌈".into()));
    assert_eq!(rows[17][3], ('s', "null".into()));
    assert_eq!(rows[0][4].0, 's', "JSON inside a string stays a string");
    assert_eq!(rows[0][5].0, 'j', "a Dynamic object stays JSON");
    assert_eq!(rows[1][5], ('j', "[]".into()));
    assert_eq!(rows[0][8], ('n', String::new()), "a missing key is null");
    assert_eq!(rows[1][8], ('#', "1e-7".into()));
    assert_eq!(
        rows[2][8],
        ('#', "3.14159265358979323846264338327950288".into())
    );
    // LogonId (Int64) and LogonID (String) are two columns.
    assert_eq!(rows[3][6], ('#', "3000000021".into()));
    assert_eq!(rows[3][7], ('s', "id-3".into()));
}

#[test]
fn preview_keeps_big_integers_exact_for_javascript() {
    let result = adversarial_source().result();
    let preview = result.preview(100).expect("preview");
    assert_eq!(preview.total_rows, 18);
    assert_eq!(preview.rows.len(), 18);
    assert_eq!(preview.rows[0][0], serde_json::json!("9223372036854775807"));
    assert_eq!(preview.rows[3][0], serde_json::json!(0));
    assert_eq!(
        preview.rows[0][5]["big"],
        serde_json::json!("9223372036854775807")
    );
    assert_eq!(preview.rows[0][2], serde_json::json!(0));
    let json = serde_json::to_string(&preview).expect("serializes");
    assert!(
        json.contains("\"totalRows\":18") && json.contains("\"typeName\":\"Int64\""),
        "{json}"
    );
}

#[test]
fn a_key_missing_from_the_schema_becomes_an_extra_column() {
    let body = br#"{"Schema":[{"Name":"A","Type":"String"}],"Results":[{"A":"x","Surprise":1},{"A":"y"}]}"#;
    let result = QueryResult::from_body(body.to_vec()).expect("result");
    assert_eq!(result.schema_column_count(), 1);
    assert_eq!(result.extra_columns().len(), 1);
    assert_eq!(result.extra_columns()[0].name, "Surprise");
    let rows = collect_rows(&result);
    assert_eq!(rows[0][1], ('#', "1".into()));
    assert_eq!(rows[1][1], ('n', String::new()));
}
