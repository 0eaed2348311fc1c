//! Parquet exports read back with the parquet crate's own record reader
//! equal their source rows (typed where every value fits the column type,
//! text otherwise), for every fixture and for adversarial rows.

#[path = "../../../tests/result_support/mod.rs"]
mod result_support;

use bytes::Bytes;
use huntkit::result::QueryResult;
use huntkit_parquet::{write_parquet, ParquetExport, ROW_GROUP_ROWS};
use parquet::basic::{LogicalType, TimeUnit};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use result_support::*;
use serde_json::Value;

fn export(result: &QueryResult) -> Vec<u8> {
    let mut flushes = 0;
    let (bytes, rows) = write_parquet(result, Vec::new(), &mut |_| {
        flushes += 1;
        Ok(())
    })
    .expect("parquet");
    assert_eq!(rows as usize, result.row_count());
    bytes
}

/// Nanoseconds since the epoch, worked out by hand (not the writer's parser).
fn epoch_nanos(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let frac = text[19..text.len() - 1].trim_start_matches('.');
    let nanos: i64 = format!("{frac:0<9}").get(..9)?.parse().ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1_000_000_000 + nanos)
}

/// What a text column holds for a raw value: the CSV convention.
fn as_text(raw: &str) -> String {
    match serde_json::from_str::<Value>(raw).expect("json") {
        Value::String(s) => s,
        Value::Number(_) => raw.to_owned(),
        Value::Array(_) | Value::Object(_) => {
            serde_json::to_string(&serde_json::from_str::<Value>(raw).expect("json")).expect("json")
        }
        other => other.to_string(),
    }
}

fn check(source: &Source) {
    let bytes = export(&source.result());
    let reader = SerializedFileReader::new(Bytes::from(bytes)).expect("a readable parquet file");
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let label = &source.label;
    let names: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let want: Vec<String> = source.columns.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, want, "{label}: columns in result order");
    let rows: Vec<parquet::record::Row> = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(rows.len(), source.rows.len(), "{label}: row count");
    for (i, row) in rows.iter().enumerate() {
        for (col, (name, field)) in row.get_column_iter().enumerate() {
            let raw = source.raw(i, name);
            let logical = schema.column(col).logical_type_ref().cloned();
            let at = format!("{label}: row {i} column {name} {raw} as {field:?}");
            if raw == "null" {
                assert_eq!(field, &Field::Null, "{at}");
                continue;
            }
            match (field, logical) {
                (
                    Field::Long(n),
                    Some(LogicalType::Timestamp {
                        unit,
                        is_adjusted_to_u_t_c,
                    }),
                ) => {
                    assert!(
                        matches!(unit, TimeUnit::NANOS) && is_adjusted_to_u_t_c,
                        "{at}"
                    );
                    let text: String = serde_json::from_str(&raw).expect("string");
                    assert_eq!(Some(*n), epoch_nanos(&text), "{at}");
                }
                (Field::Long(n), _) => assert_eq!(n.to_string(), raw, "{at}"),
                (Field::Int(n), _) => assert_eq!(n.to_string(), raw, "{at}"),
                (Field::Double(x), _) => {
                    assert_eq!(Some(*x), raw.parse::<f64>().ok(), "{at}")
                }
                (Field::Bool(b), _) => {
                    let want = matches!(raw.as_str(), "true" | "1");
                    assert_eq!(*b, want, "{at}");
                }
                (Field::Str(s), Some(LogicalType::Json)) => {
                    let back: Value = serde_json::from_str(s).expect("json column holds json");
                    assert_eq!(
                        back,
                        serde_json::from_str::<Value>(&raw).expect("json"),
                        "{at}"
                    );
                }
                (Field::Str(s), _) => assert_eq!(s, &as_text(&raw), "{at}"),
                (Field::Bytes(b), Some(LogicalType::Json)) => {
                    let back: Value = serde_json::from_slice(b.data()).expect("json");
                    assert_eq!(
                        back,
                        serde_json::from_str::<Value>(&raw).expect("json"),
                        "{at}"
                    );
                }
                other => panic!("{at}: unexpected {other:?}"),
            }
        }
    }
}

/// The shared fixtures sit next to the workspace, three levels up from
/// this crate (the loader's default is one level up from the core).
fn point_at_fixtures() {
    if std::env::var_os("HUNTKIT_FIXTURES").is_none() {
        std::env::set_var(
            "HUNTKIT_FIXTURES",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures"),
        );
    }
}

#[test]
fn parquet_round_trips_every_source() {
    point_at_fixtures();
    let mut sources: Vec<Source> = fixture_sources().into_iter().map(|(s, _)| s).collect();
    sources.push(adversarial_source());
    for source in &sources {
        check(source);
    }
}

#[test]
fn typed_columns_are_typed_and_misfits_are_text() {
    let source = adversarial_source();
    let bytes = export(&source.result());
    let reader = SerializedFileReader::new(Bytes::from(bytes)).expect("parquet");
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let physical = |name: &str| {
        let col = schema
            .columns()
            .iter()
            .find(|c| c.name() == name)
            .expect(name);
        (col.physical_type(), col.logical_type_ref().cloned())
    };
    use parquet::basic::Type;
    assert_eq!(physical("ReportId").0, Type::INT64);
    assert_eq!(physical("Timestamp").0, Type::INT64);
    assert_eq!(physical("IsElevated").0, Type::BOOLEAN);
    assert_eq!(
        physical("Extra"),
        (Type::BYTE_ARRAY, Some(LogicalType::Json))
    );
    // "3.14159265358979323846…" has more digits than a double keeps.
    assert_eq!(
        physical("Ratio"),
        (Type::BYTE_ARRAY, Some(LogicalType::String))
    );
    assert_eq!(physical("LogonId").0, Type::INT64);
    assert_eq!(physical("LogonID").0, Type::BYTE_ARRAY);
}

#[test]
fn row_groups_are_flushed_as_they_fill() {
    let rows: Vec<String> = (0..ROW_GROUP_ROWS * 2 + 10)
        .map(|i| format!(r#"{{"N":{i},"S":"{}"}}"#, if i % 3 == 0 { "" } else { "x" }))
        .collect();
    let body = format!(
        r#"{{"Schema":[{{"Name":"N","Type":"Int64"}},{{"Name":"S","Type":"String"}}],"Results":[{}]}}"#,
        rows.join(",")
    );
    let result = QueryResult::from_body(body.into_bytes()).expect("result");
    let mut moved = Vec::new();
    let mut flushes = 0;
    let mut export = ParquetExport::for_result(Vec::new(), &result).expect("new");
    export
        .write_result(&result, &mut |out: &mut Vec<u8>| {
            flushes += 1;
            moved.append(out);
            Ok(())
        })
        .expect("write");
    let rest = export.finish().expect("finish");
    assert_eq!(flushes, 2);
    moved.extend(rest);
    let reader = SerializedFileReader::new(Bytes::from(moved)).expect("parquet");
    assert_eq!(reader.metadata().num_row_groups(), 3);
    let first = reader
        .get_row_iter(None)
        .expect("rows")
        .next()
        .expect("row")
        .expect("row");
    assert_eq!(
        first.get_column_iter().nth(1).map(|(_, f)| f),
        Some(&Field::Str(String::new()))
    );
}
