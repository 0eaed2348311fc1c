//! Exports read back with independent readers (the csv crate's reader,
//! serde_json) equal their source rows, for every fixture, for built
//! adversarial rows and for random strings.

mod result_support;

use huntkit::export::{CsvExport, CsvOptions, ExportFormat, Exporter, JsonExport, NdjsonExport};
use huntkit::result::QueryResult;
use proptest::prelude::*;
use result_support::*;
use serde_json::Value;

fn all_sources() -> Vec<Source> {
    let mut sources: Vec<Source> = fixture_sources().into_iter().map(|(s, _)| s).collect();
    sources.push(adversarial_source());
    sources
}

/// What a CSV field must hold for a raw JSON value, worked out with
/// serde_json alone.
fn expected_field(raw: &str, neutralize: bool) -> String {
    match serde_json::from_str::<Value>(raw).expect("source json") {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(_) => raw.to_owned(),
        Value::String(s) => {
            if neutralize && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s
            }
        }
        Value::Array(_) | Value::Object(_) => raw.to_owned(),
    }
}

fn csv_export(result: &QueryResult, options: CsvOptions) -> Vec<u8> {
    let mut csv = CsvExport::new(Vec::new(), options, result.columns()).expect("new");
    csv.write_result(result).expect("write");
    csv.finish().expect("finish")
}

/// Reads a CSV export back and compares it with the source.
fn check_csv(source: &Source, options: CsvOptions) {
    let bytes = csv_export(&source.result(), options);
    let body = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => {
            assert!(options.bom, "{}: unexpected bom", source.label);
            rest
        }
        None => {
            assert!(!options.bom, "{}: missing bom", source.label);
            &bytes[..]
        }
    };
    assert!(
        body.ends_with(b"\r\n"),
        "{}: records end with crlf",
        source.label
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(options.delimiter)
        .from_reader(body);
    let records: Vec<csv::StringRecord> =
        reader.records().map(|r| r.expect("csv record")).collect();
    assert_eq!(
        records.len(),
        source.rows.len() + 1,
        "{}: header + rows",
        source.label
    );
    let header: Vec<&str> = records[0].iter().collect();
    let names: Vec<&str> = source.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(header, names, "{}: header", source.label);
    for (i, record) in records[1..].iter().enumerate() {
        assert_eq!(record.len(), names.len());
        for (field, name) in record.iter().zip(&names) {
            let raw = source.raw(i, name);
            let expected = expected_field(&raw, options.neutralize_formulas);
            if raw.starts_with(['{', '[']) {
                // Dynamic values: compact JSON with the same structure.
                let back: Value = serde_json::from_str(field).expect("dynamic cell is json");
                assert_eq!(
                    back,
                    serde_json::from_str::<Value>(&raw).expect("json"),
                    "{}",
                    source.label
                );
                assert!(
                    !field.contains(": ") && !field.contains(", "),
                    "compact: {field}"
                );
            } else {
                assert_eq!(field, expected, "{}: row {i} column {name}", source.label);
            }
        }
    }
}

#[test]
fn csv_round_trips_every_source() {
    for source in all_sources() {
        check_csv(&source, CsvOptions::machine());
        check_csv(&source, CsvOptions::excel());
        check_csv(&source, CsvOptions::machine().with_delimiter(b'\t'));
        check_csv(&source, CsvOptions::excel().with_delimiter(b'\t'));
    }
}

/// Compares one exported object with its source row: same keys in column
/// order; numbers with identical text, everything else equal as JSON.
fn check_object(source: &Source, i: usize, object: &Ordered) {
    let keys: Vec<&str> = object.0.iter().map(|(k, _)| k.as_str()).collect();
    let names: Vec<&str> = source.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(keys, names, "{}: keys", source.label);
    for (name, value) in &object.0 {
        let raw = source.raw(i, name);
        let got: Value = serde_json::from_str(value.get()).expect("json");
        let want: Value = serde_json::from_str(&raw).expect("json");
        assert_eq!(got, want, "{}: row {i} column {name}", source.label);
        if want.is_number() {
            assert_eq!(value.get(), raw, "{}: number text", source.label);
        }
    }
}

#[test]
fn ndjson_round_trips_every_source() {
    for source in all_sources() {
        let result = source.result();
        let mut nd = NdjsonExport::new(Vec::new()).expect("new");
        nd.write_result(&result).expect("write");
        let text = String::from_utf8(nd.finish().expect("finish")).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), source.rows.len(), "{}", source.label);
        for (i, line) in lines.iter().enumerate() {
            check_object(
                &source,
                i,
                &serde_json::from_str(line).expect("one object per line"),
            );
        }
    }
}

#[test]
fn json_round_trips_every_source_and_merges_results() {
    let sources = all_sources();
    let results: Vec<QueryResult> = sources.iter().map(Source::result).collect();
    let mut json = JsonExport::new(Vec::new()).expect("new");
    for result in &results {
        json.write_result(result).expect("write");
    }
    let text = json.finish().expect("finish");
    let objects: Vec<Ordered> = serde_json::from_slice(&text).expect("one json array");
    let mut at = 0;
    for source in &sources {
        for i in 0..source.rows.len() {
            check_object(source, i, &objects[at]);
            at += 1;
        }
    }
    assert_eq!(at, objects.len());
}

#[test]
fn one_csv_file_can_hold_several_results() {
    let source = adversarial_source();
    let result = source.result();
    let mut export = Exporter::new(
        ExportFormat::Tsv,
        Vec::new(),
        CsvOptions::machine(),
        result.columns(),
    )
    .expect("new");
    assert_eq!(export.write_result(&result).expect("first"), 18);
    assert_eq!(export.write_result(&result).expect("second"), 18);
    assert_eq!(export.rows_written(), 36);
    let bytes = export.finish().expect("finish");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_reader(&bytes[..]);
    assert_eq!(reader.records().count(), 36);
}

/// Strings biased towards what breaks CSV and JSON writers.
fn nasty_string() -> impl Strategy<Value = String> {
    let special = prop_oneof![
        Just('"'),
        Just('\r'),
        Just('\n'),
        Just(','),
        Just('\t'),
        Just('\\'),
        Just('='),
        Just('\u{0}'),
        Just('\u{2028}'),
        Just('\u{feff}'),
    ];
    prop::collection::vec(prop_oneof![3 => any::<char>(), 2 => special], 0..24)
        .prop_map(String::from_iter)
}

fn random_source(texts: &[String]) -> Source {
    let columns = vec![
        ("Text".to_string(), "String".to_string()),
        ("Other".into(), "String".into()),
    ];
    let rows = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let other = texts[(i + 1) % texts.len()].clone();
            Ordered(vec![
                ("Text".into(), raw(&json(text))),
                ("Other".into(), raw(&json(&other))),
            ])
        })
        .collect();
    Source {
        label: "random".into(),
        columns,
        rows,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_strings_survive_csv_tsv_and_ndjson(texts in prop::collection::vec(nasty_string(), 1..12)) {
        let source = random_source(&texts);
        check_csv(&source, CsvOptions::machine());
        check_csv(&source, CsvOptions::machine().with_delimiter(b'\t'));
        check_csv(&source, CsvOptions::excel());
        let result = source.result();
        let mut nd = NdjsonExport::new(Vec::new()).expect("new");
        nd.write_result(&result).expect("write");
        let text = String::from_utf8(nd.finish().expect("finish")).expect("utf-8");
        let lines: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
        prop_assert_eq!(lines.len(), texts.len());
        for (i, line) in lines.iter().enumerate() {
            let object: Ordered = serde_json::from_str(line).expect("object");
            let back: String = serde_json::from_str(object.0[0].1.get()).expect("string");
            prop_assert_eq!(&back, &texts[i]);
        }
    }
}
