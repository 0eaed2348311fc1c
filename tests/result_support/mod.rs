//! Helpers shared by the result and export tests: fixture access, an
//! order-keeping JSON object reader, envelope builders and adapters for the
//! fixtures whose envelope is not the portal's.
//!
//! These read JSON with serde_json's own types, independently of the
//! crate's result walker, so that comparisons are between two readers.

#![allow(dead_code)]

use std::fmt;
use std::path::PathBuf;

use huntkit::result::{Cell, QueryResult};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("HUNTKIT_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures")),
    }
}

pub fn read_fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// A JSON object with its keys in document order.
#[derive(Debug)]
pub struct Ordered(pub Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Ordered {
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| &**v)
    }
}

/// A result as plain data: column (name, type) and rows of (key, raw).
pub struct Source {
    pub label: String,
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Ordered>,
}

impl Source {
    /// The portal envelope for this source.
    pub fn body(&self) -> Vec<u8> {
        let schema: Vec<String> = self
            .columns
            .iter()
            .map(|(n, t)| format!(r#"{{"Name":{},"Type":{}}}"#, json(n), json(t)))
            .collect();
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|row| {
                let fields: Vec<String> = row
                    .0
                    .iter()
                    .map(|(k, v)| format!("{}:{}", json(k), v.get()))
                    .collect();
                format!("{{{}}}", fields.join(","))
            })
            .collect();
        format!(
            r#"{{"Quota":{{}},"ChartVisualization":{{"ChartType":"None"}},"Schema":[{}],"Results":[{}]}}"#,
            schema.join(","),
            rows.join(",")
        )
        .into_bytes()
    }

    pub fn result(&self) -> QueryResult {
        QueryResult::from_body(self.body()).unwrap_or_else(|err| panic!("{}: {err}", self.label))
    }

    /// The raw value of `column` in row `i`, or `null` when absent.
    pub fn raw(&self, i: usize, column: &str) -> String {
        self.rows[i]
            .get(column)
            .map_or_else(|| "null".to_owned(), |v| v.get().to_owned())
    }
}

pub fn json(text: &str) -> String {
    serde_json::to_string(text).expect("string serializes")
}

pub fn raw(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_owned())
        .unwrap_or_else(|err| panic!("bad raw json {text}: {err}"))
}

/// Reads `{"Schema":[…],"Results":[…]}` (any key casing) independently.
pub fn source_from_envelope(label: &str, envelope: &str) -> Source {
    let top: Ordered = serde_json::from_str(envelope).expect("envelope is an object");
    let find = |key: &str| {
        top.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.get())
            .expect("key present")
    };
    let schema: Vec<Ordered> = serde_json::from_str(find("schema")).expect("schema list");
    let columns = schema
        .iter()
        .map(|entry| {
            let pick = |key: &str| {
                entry
                    .0
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| {
                        serde_json::from_str::<Option<String>>(v.get())
                            .ok()
                            .flatten()
                            .unwrap_or_default()
                    })
                    .unwrap_or_default()
            };
            (pick("name"), pick("type"))
        })
        .collect();
    let rows: Vec<Ordered> = serde_json::from_str(find("results")).expect("results list");
    Source {
        label: label.to_owned(),
        columns,
        rows,
    }
}

/// Every fixture that holds a result, each as a [`Source`]; the envelope
/// of those that are not portal envelopes is adapted here.
pub fn fixture_sources() -> Vec<(Source, String)> {
    let mut out = Vec::new();
    // The portal's own response: parsed exactly as received.
    let portal: Ordered =
        serde_json::from_str(&read_fixture("results_portal_queryexecutor_getschema.json"))
            .expect("json");
    let body = portal.get("response").expect("response").get().to_owned();
    out.push((source_from_envelope("portal getschema", &body), body));
    // The legacy API example has the same envelope (plus Stats).
    let legacy: Ordered = serde_json::from_str(&read_fixture(
        "results_m365d_api_advancedhunting_run_docs.json",
    ))
    .expect("json");
    let body = legacy.get("response").expect("response").get().to_owned();
    out.push((source_from_envelope("legacy api", &body), body));
    // Graph examples: lower-case `schema`/`results`, tolerated as they are.
    let graph: Ordered =
        serde_json::from_str(&read_fixture("results_graph_runhuntingquery_docs.json"))
            .expect("json");
    let examples: Vec<Box<RawValue>> =
        serde_json::from_str(graph.get("examples").expect("examples").get()).expect("list");
    for (i, example) in examples.iter().enumerate() {
        let body = example.get().to_owned();
        out.push((
            source_from_envelope(&format!("graph example {i}"), &body),
            body,
        ));
    }
    // The union wide row has no Schema: the adapter names its keys.
    let wide: Ordered =
        serde_json::from_str(&read_fixture("results_m365d_api_union_wide_row.json")).expect("json");
    let rows: Vec<Ordered> =
        serde_json::from_str(wide.get("Results").expect("Results").get()).expect("rows");
    let columns = rows[0]
        .0
        .iter()
        .map(|(k, _)| (k.clone(), String::new()))
        .collect();
    let source = Source {
        label: "union wide row".into(),
        columns,
        rows,
    };
    let body = String::from_utf8(source.body()).expect("utf-8");
    out.push((source, body));
    // Kusto v2 frames: the PrimaryResult frame becomes columns and rows.
    let source = kusto_primary_result(&read_fixture("results_kusto_v2_frames_msticpy.json"));
    let body = String::from_utf8(source.body()).expect("utf-8");
    out.push((source, body));
    out
}

fn kusto_primary_result(text: &str) -> Source {
    let frames: Vec<Ordered> = serde_json::from_str(text).expect("frames");
    let primary = frames
        .iter()
        .find(|f| {
            f.get("TableKind")
                .is_some_and(|k| k.get() == "\"PrimaryResult\"")
        })
        .expect("a PrimaryResult frame");
    let columns: Vec<Ordered> =
        serde_json::from_str(primary.get("Columns").expect("Columns").get()).expect("columns");
    let columns: Vec<(String, String)> = columns
        .iter()
        .map(|c| {
            let text = |k: &str| {
                serde_json::from_str::<String>(c.get(k).expect("column field").get())
                    .expect("string")
            };
            (text("ColumnName"), text("ColumnType"))
        })
        .collect();
    let rows: Vec<Vec<Box<RawValue>>> =
        serde_json::from_str(primary.get("Rows").expect("Rows").get()).expect("rows");
    let rows = rows
        .into_iter()
        .map(|cells| {
            assert_eq!(cells.len(), columns.len());
            Ordered(columns.iter().map(|(n, _)| n.clone()).zip(cells).collect())
        })
        .collect();
    Source {
        label: "kusto v2 primary result".into(),
        columns,
        rows,
    }
}

/// Rows built to hurt: big Int64, 7-digit timestamps, SByte booleans,
/// scripts of every direction, CR/LF, quotes, delimiters, formulas,
/// JSON in strings and nested Dynamic values.
pub fn adversarial_source() -> Source {
    let columns: Vec<(String, String)> = [
        ("ReportId", "Int64"),
        ("Timestamp", "DateTime"),
        ("IsElevated", "SByte"),
        ("Text", "String"),
        ("AdditionalFields", "String"),
        ("Extra", "Dynamic"),
        ("LogonId", "Int64"),
        ("LogonID", "String"),
        ("Ratio", "Real"),
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), t.to_string()))
    .collect();
    let texts = [
        "",
        "中文 日本語 한국어",
        "עברית العربية \u{202e}gpj.exe",
        "😀👩‍👩‍👧🏳️‍🌈",
        "line1\r\nline2\rline3\nline4",
        "\"quoted\", comma; semi\ttab",
        "=1+1",
        "+cmd",
        "-2",
        "@SUM(A1)",
        "\tlead tab",
        "\rlead cr",
        "{\"IsLocalLogon\":true}",
        "back\\slash \\\\server\\share",
        "\u{0}\u{1}\u{1f}\u{7f}",
        "'already quoted",
        " ",
        "null",
    ];
    let rows = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut row: Vec<(String, Box<RawValue>)> = vec![
                (
                    "ReportId".into(),
                    raw([
                        "9223372036854775807",
                        "-9223372036854775808",
                        "9007199254740993",
                        "0",
                    ][i % 4]),
                ),
                (
                    "Timestamp".into(),
                    raw(&json(
                        [
                            "2024-10-26T08:39:36.8200123Z",
                            "2024-10-26T08:39:36Z",
                            "2024-10-26T08:39:36.82Z",
                        ][i % 3],
                    )),
                ),
                ("IsElevated".into(), raw(["0", "1", "null"][i % 3])),
                ("Text".into(), raw(&json(text))),
                (
                    "AdditionalFields".into(),
                    raw(&json(
                        r#"{"a":"{\"inner\":[1,2]}","n":9223372036854775807}"#,
                    )),
                ),
                (
                    "Extra".into(),
                    raw([
                        r#"{"k": [1, {"deep": "x\"y"}], "big": 9223372036854775807, "f": 1.50e3}"#,
                        "[]",
                        "null",
                        r#"["a","b"]"#,
                    ][i % 4]),
                ),
                (
                    "LogonId".into(),
                    raw(&(i as u64 * 1_000_000_007).to_string()),
                ),
                ("LogonID".into(), raw(&json(&format!("id-{i}")))),
                (
                    "Ratio".into(),
                    raw([
                        "-0.0",
                        "1e-7",
                        "3.14159265358979323846264338327950288",
                        "-12",
                    ][i % 4]),
                ),
            ];
            // Keys in another order on odd rows, and a missing key on every
            // fifth: the reader must not depend on either.
            if i % 2 == 1 {
                row.reverse();
            }
            if i % 5 == 0 {
                row.retain(|(k, _)| k != "Ratio");
            }
            Ordered(row)
        })
        .collect();
    Source {
        label: "adversarial".into(),
        columns,
        rows,
    }
}

/// Whether a decoded cell is exactly the source's raw JSON value.
pub fn cell_is_raw(cell: &Cell<'_>, raw: &str) -> bool {
    match cell {
        Cell::Null => raw == "null",
        Cell::Bool(b) => raw == if *b { "true" } else { "false" },
        Cell::Number(text) => *text == raw,
        Cell::Str(text) => serde_json::from_str::<String>(raw).is_ok_and(|s| s == *text),
        Cell::Json(json) => json.get() == raw,
    }
}

/// The rows of a result, decoded into owned strings for comparisons:
/// (kind, text) per cell.
pub fn collect_rows(result: &QueryResult) -> Vec<Vec<(char, String)>> {
    let mut rows = Vec::new();
    result
        .for_each_row(|cells| {
            rows.push(
                cells
                    .iter()
                    .map(|c| match c {
                        Cell::Null => ('n', String::new()),
                        Cell::Bool(b) => ('b', b.to_string()),
                        Cell::Number(t) => ('#', t.to_string()),
                        Cell::Str(s) => ('s', s.to_string()),
                        Cell::Json(j) => ('j', j.get().to_owned()),
                    })
                    .collect(),
            );
            Ok::<(), huntkit::result::ResultError>(())
        })
        .expect("rows walk");
    rows
}
