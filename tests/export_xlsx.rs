//! XLSX exports read back with calamine equal their source rows, typed as
//! documented in `src/export/xlsx_export.rs`, for every fixture and for
//! adversarial rows.

mod result_support;

use calamine::{Data, DataType, Reader, Xlsx};
use huntkit::export::{CsvOptions, ExportFormat, Exporter};
use huntkit::result::QueryResult;
use result_support::*;
use serde_json::Value;

fn all_sources() -> Vec<Source> {
    let mut sources: Vec<Source> = fixture_sources().into_iter().map(|(s, _)| s).collect();
    sources.push(adversarial_source());
    sources
}

fn xlsx_export(result: &QueryResult, neutralize: bool) -> Vec<u8> {
    let options = CsvOptions {
        neutralize_formulas: neutralize,
        ..CsvOptions::excel()
    };
    let mut export =
        Exporter::new(ExportFormat::Xlsx, Vec::new(), options, result.columns()).expect("new");
    export.write_result(result).expect("write");
    export.finish().expect("finish")
}

fn read_back(bytes: Vec<u8>) -> calamine::Range<Data> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a readable xlsx");
    book.worksheet_range("Results").expect("the Results sheet")
}

/// Nanoseconds since the epoch of an RFC 3339 text, parsed by hand so the
/// test does not share the exporter's parser.
fn epoch_nanos(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    if b.len() < 20 || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let frac = text[19..text.len() - 1].trim_start_matches('.');
    let nanos: i64 = format!("{frac:0<9}").get(..9)?.parse().ok()?;
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) as i128) * 1_000_000_000 + nanos as i128)
}

/// The portal type, or its Kusto spelling, in one lower-case word.
fn type_word(type_name: &str) -> String {
    let lower = type_name.trim().to_ascii_lowercase();
    let word = lower.strip_prefix("system.").unwrap_or(&lower);
    match word {
        "int64" => "long",
        "boolean" | "sbyte" => "bool",
        other => other,
    }
    .to_owned()
}

fn check(source: &Source, neutralize: bool) {
    let range = read_back(xlsx_export(&source.result(), neutralize));
    let label = &source.label;
    assert_eq!(
        range.height(),
        source.rows.len() + 1,
        "{label}: header + rows"
    );
    for (col, (name, _)) in source.columns.iter().enumerate() {
        assert_eq!(
            range.get((0, col)),
            Some(&Data::String(name.clone())),
            "{label}: header {col}"
        );
    }
    for (i, _) in source.rows.iter().enumerate() {
        for (col, (name, type_name)) in source.columns.iter().enumerate() {
            let raw = source.raw(i, name);
            let kind = type_word(type_name);
            let got = range.get((i + 1, col)).unwrap_or(&Data::Empty);
            let want: Value = serde_json::from_str(&raw).expect("source json");
            let at = format!("{label}: row {i} column {name} ({type_name}) {raw}");
            match want {
                Value::Null => assert_eq!(got, &Data::Empty, "{at}"),
                Value::Bool(b) => assert_eq!(got, &Data::Bool(b), "{at}"),
                Value::Number(_) if kind == "bool" => {
                    assert_eq!(got, &Data::Bool(raw == "1"), "{at}")
                }
                Value::Number(_) => {
                    let digits = raw
                        .split(['e', 'E'])
                        .next()
                        .unwrap_or("")
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect::<String>();
                    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
                    if kind == "long" || significant > 15 {
                        assert_eq!(got, &Data::String(raw.clone()), "{at}: exact text");
                    } else {
                        let value: f64 = raw.parse().expect("number");
                        assert_eq!(got.as_f64(), Some(value), "{at}: a number");
                    }
                }
                Value::String(s) if kind == "datetime" && epoch_nanos(&s).is_some() => {
                    let nanos = epoch_nanos(&s).expect("nanos");
                    let Data::DateTime(date) = got else {
                        panic!("{at}: a date, got {got:?}");
                    };
                    let serial = nanos as f64 / 86_400e9 + 25_569.0;
                    // Excel keeps about a microsecond in a double serial.
                    assert!((date.as_f64() - serial).abs() * 86_400e6 < 1.0, "{at}");
                }
                Value::String(s) => assert_eq!(got, &Data::String(s), "{at}"),
                Value::Array(_) | Value::Object(_) => {
                    let Data::String(text) = got else {
                        panic!("{at}: json text, got {got:?}");
                    };
                    let back: Value = serde_json::from_str(text).expect("json text");
                    assert_eq!(back, want, "{at}");
                    assert!(!text.contains(": "), "{at}: compact");
                }
            }
        }
    }
}

#[test]
fn xlsx_round_trips_every_source() {
    for source in all_sources() {
        check(&source, false);
        check(&source, true);
    }
}

#[test]
fn xlsx_keeps_empty_text_apart_from_null_and_marks_formulas_inert() {
    let body = br#"{"Schema":[{"Name":"S","Type":"String"},{"Name":"Port","Type":"Int32"}],
        "Results":[{"S":"","Port":-5},{"S":null,"Port":443},{"S":"=HYPERLINK(\"x\")","Port":null}]}"#;
    let result = QueryResult::from_body(body.to_vec()).expect("result");
    let bytes = xlsx_export(&result, true);
    let range = read_back(bytes.clone());
    assert_eq!(range.get((1, 0)), Some(&Data::String(String::new())));
    assert_eq!(range.get((2, 0)).unwrap_or(&Data::Empty), &Data::Empty);
    assert_eq!(range.get((1, 1)), Some(&Data::Float(-5.0)));
    assert_eq!(
        range.get((3, 0)),
        Some(&Data::String("=HYPERLINK(\"x\")".into()))
    );
    // The styles part carries the quote prefix that keeps the cell inert.
    let mut zip = zip_text(&bytes, "xl/styles.xml");
    assert!(zip.contains("quotePrefix=\"1\""), "{zip}");
    zip = zip_text(&bytes, "xl/worksheets/sheet1.xml");
    assert!(zip.contains("<pane ySplit=\"1\""), "frozen header: {zip}");
}

fn zip_text(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .expect("part")
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

#[test]
fn xlsx_refuses_a_result_with_new_columns() {
    let first =
        QueryResult::from_body(br#"{"Schema":[{"Name":"A"}],"Results":[{"A":1}]}"#.to_vec())
            .expect("first");
    let wider =
        QueryResult::from_body(br#"{"Schema":[{"Name":"A"},{"Name":"B"}],"Results":[]}"#.to_vec())
            .expect("second");
    let mut export = Exporter::new(
        ExportFormat::Xlsx,
        Vec::new(),
        CsvOptions::excel(),
        first.columns(),
    )
    .expect("new");
    export.write_result(&first).expect("first");
    let err = export.write_result(&wider).expect_err("new column");
    assert_eq!(
        err.to_string(),
        "result has columns that the file's header lacks: B (header: A)"
    );
}
