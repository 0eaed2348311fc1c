//! Reads an exported file back with independent Rust readers and prints
//! what it holds as JSON, for the browser tests (tests/e2e/exports.test.mjs).
//!
//! `read_back csv FILE DELIMITER` prints every record as an array of
//! strings (a leading BOM is reported, not kept); `read_back xlsx FILE` and
//! `read_back parquet FILE` print the row count, the header, the column
//! types and every row with each cell tagged by its type.

use std::process::ExitCode;

use calamine::{Data, Reader, Xlsx};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::{json, Value};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["csv", file, delimiter] => read_csv(file, delimiter),
        ["xlsx", file] => read_xlsx(file),
        ["parquet", file] => read_parquet(file),
        _ => Err("usage: read_back csv FILE DELIMITER | xlsx FILE | parquet FILE".into()),
    };
    match out {
        Ok(value) => {
            println!("{value}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("read_back: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_csv(file: &str, delimiter: &str) -> Result<Value, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let (bom, body) = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (true, rest),
        None => (false, &bytes[..]),
    };
    let delimiter = match delimiter {
        "tab" => b'\t',
        other => *other.as_bytes().first().ok_or("empty delimiter")?,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(body);
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("bad csv in {file}: {e}"))?;
        records.push(json!(record.iter().collect::<Vec<_>>()));
    }
    Ok(json!({ "bom": bom, "crlf": body.ends_with(b"\r\n"), "records": records }))
}

fn read_xlsx(file: &str) -> Result<Value, String> {
    let mut book: Xlsx<_> =
        calamine::open_workbook(file).map_err(|e| format!("cannot open {file}: {e}"))?;
    let range = book
        .worksheet_range("Results")
        .map_err(|e| format!("no Results sheet in {file}: {e}"))?;
    let mut rows = range.rows();
    let header: Vec<Value> = rows
        .next()
        .map(|r| r.iter().map(|c| json!(c.to_string())).collect())
        .unwrap_or_default();
    let body: Vec<Value> = rows
        .map(|r| {
            let cells: Vec<Value> = r
                .iter()
                .map(|c| match c {
                    Data::Empty => json!(null),
                    Data::String(s) => json!({ "s": s }),
                    Data::Float(f) => json!({ "n": f }),
                    Data::Int(i) => json!({ "n": i }),
                    Data::Bool(b) => json!({ "b": b }),
                    Data::DateTime(d) => json!({ "d": d.as_f64() }),
                    other => json!({ "other": other.to_string() }),
                })
                .collect();
            json!(cells)
        })
        .collect();
    Ok(json!({ "rows": body.len(), "header": header, "cells": body }))
}

fn read_parquet(file: &str) -> Result<Value, String> {
    let handle = std::fs::File::open(file).map_err(|e| format!("cannot open {file}: {e}"))?;
    let reader =
        SerializedFileReader::new(handle).map_err(|e| format!("not parquet: {file}: {e}"))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let header: Vec<Value> = schema.columns().iter().map(|c| json!(c.name())).collect();
    let types: Vec<Value> = schema
        .columns()
        .iter()
        .map(|c| {
            json!(format!(
                "{}{}",
                c.physical_type(),
                c.logical_type_ref()
                    .map(|l| format!(" {l:?}"))
                    .unwrap_or_default()
            ))
        })
        .collect();
    let mut cells = Vec::new();
    for row in reader.get_row_iter(None).map_err(|e| e.to_string())? {
        let row = row.map_err(|e| e.to_string())?;
        let values: Vec<Value> = row
            .get_column_iter()
            .map(|(_, field)| match field {
                Field::Null => json!(null),
                // Exact integers as strings: JavaScript numbers would round.
                Field::Long(n) => json!({ "i": n.to_string() }),
                Field::Int(n) => json!({ "i": n.to_string() }),
                Field::Double(x) => json!({ "n": x }),
                Field::Bool(b) => json!({ "b": b }),
                Field::Str(s) => json!({ "s": s }),
                other => json!({ "other": other.to_string() }),
            })
            .collect();
        cells.push(json!(values));
    }
    Ok(json!({ "rows": cells.len(), "header": header, "types": types, "cells": cells }))
}
