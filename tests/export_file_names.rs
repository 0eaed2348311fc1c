//! File names derived from real hunting queries name a table the query
//! reads, and are safe on every OS.

mod result_support;

use huntkit::export::{export_file_name, query_name_from_text, ExportFormat};
use serde_json::Value;

#[test]
fn names_from_real_queries_are_tables_they_read() {
    let text = result_support::read_fixture("queries.jsonl");
    let (mut named, mut right, mut total) = (0, 0, 0);
    let mut wrong = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value = serde_json::from_str(line).expect("json line");
        let query = entry["query"].as_str().expect("query");
        let tables: Vec<&str> = entry["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if tables.is_empty() {
            continue;
        }
        total += 1;
        if let Some(name) = query_name_from_text(query) {
            named += 1;
            if tables.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                right += 1;
            } else {
                wrong.push(name);
            }
        }
        let file = export_file_name(Some(query), Some("tenant"), 0, 1, ExportFormat::Csv);
        assert!(
            file.len() <= 120 && !file.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']),
            "{file}"
        );
    }
    eprintln!(
        "{total} queries, {named} named, {right} named after a table; wrong: {:?}",
        &wrong[..wrong.len().min(20)]
    );
    assert!(total > 1_000);
    assert!(
        right * 100 >= total * 80,
        "only {right} of {total} named after a table"
    );
}
