//! Impact analysis: the real diff over all shared hunting queries, and
//! constructed queries that prove where a name is and is not a reference.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use huntkit::impact::{impact, ChangeKind, ImpactHit, QueryIndex, QueryRef};
use huntkit::schema::{diff, parse_schema, DiffOptions, Schema, SchemaDiff};

fn fixtures() -> PathBuf {
    std::env::var_os("HUNTKIT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"))
        })
}

fn load(name: &str) -> Schema {
    let bytes = std::fs::read(fixtures().join(name)).expect("fixture readable");
    parse_schema(&bytes).expect("fixture parses")
}

fn real_diff() -> SchemaDiff {
    diff(
        &load("schema_older.json"),
        &load("schema_current.json"),
        &DiffOptions::default(),
    )
}

fn corpus() -> Vec<QueryRef> {
    let text = std::fs::read_to_string(fixtures().join("queries.jsonl")).expect("queries.jsonl");
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let v: serde_json::Value = serde_json::from_str(line).expect("json line");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            QueryRef {
                id: format!("{i}:{}", s("source")),
                name: s("name"),
                text: s("query"),
            }
        })
        .collect()
}

fn one(text: &str) -> Vec<QueryRef> {
    vec![QueryRef {
        id: "q".into(),
        name: "test".into(),
        text: text.into(),
    }]
}

fn hits_for(d: &SchemaDiff, text: &str) -> Vec<ImpactHit> {
    impact(d, &one(text))
}

/// (line, column, table, name) of each hit.
fn places(hits: &[ImpactHit]) -> Vec<(u32, u32, &str, &str)> {
    hits.iter()
        .map(|h| (h.line, h.column, h.table.as_str(), h.name.as_str()))
        .collect()
}

#[test]
fn real_diff_over_all_queries() {
    let queries = corpus();
    assert_eq!(queries.len(), 1196);
    let hits = impact(&real_diff(), &queries);
    let affected: BTreeSet<&str> = hits.iter().map(|h| h.query_id.as_str()).collect();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for h in &hits {
        let kind = match h.change {
            ChangeKind::TableRemoved => "table removed",
            ChangeKind::TableRenamed { .. } => "table renamed",
            ChangeKind::ColumnRemoved => "column removed",
            ChangeKind::ColumnRenamed { .. } => "column renamed",
            ChangeKind::ColumnRetyped { .. } => "column retyped",
        };
        *by_kind.entry(kind).or_default() += 1;
    }
    println!(
        "older → current: {} hits in {} queries: {by_kind:?}",
        hits.len(),
        affected.len()
    );
    // No shared query uses DeviceSubType, RiskDetails or CveTags, so every
    // hit is a retype (ProcessId Int32 → Int64, RawEventData String →
    // Dynamic …).
    assert_eq!(
        by_kind.keys().copied().collect::<Vec<_>>(),
        ["column retyped"]
    );
    assert!(
        hits.len() > 400 && affected.len() > 100,
        "{} / {}",
        hits.len(),
        affected.len()
    );

    // One query checked by hand.
    let lazagne: Vec<&ImpactHit> = hits
        .iter()
        .filter(|h| h.query_name == "Detect credential theft via SAM database export by LaZagne")
        .collect();
    let got: Vec<(u32, u32, &str)> = lazagne
        .iter()
        .map(|h| (h.line, h.column, h.name.as_str()))
        .collect();
    assert_eq!(got, [(8, 32, "InitiatingProcessId"), (9, 28, "ProcessId")]);
    assert_eq!(
        lazagne[1].change,
        ChangeKind::ColumnRetyped {
            from: "Int32".into(),
            to: "Int64".into()
        }
    );
    assert!(lazagne.iter().all(|h| h.table == "DeviceProcessEvents"));
}

#[test]
fn reverse_diff_finds_removed_tables_and_columns() {
    // Going back from current to older removes 31 tables and 138 columns,
    // many of which the shared queries use.
    let d = diff(
        &load("schema_current.json"),
        &load("schema_older.json"),
        &DiffOptions::default(),
    );
    let hits = impact(&d, &corpus());
    let count = |f: &dyn Fn(&ChangeKind) -> bool| hits.iter().filter(|h| f(&h.change)).count();
    let tables = count(&|c| matches!(c, ChangeKind::TableRemoved));
    let columns = count(&|c| matches!(c, ChangeKind::ColumnRemoved));
    println!(
        "current → older: {} hits; {tables} table removals, {columns} column removals",
        hits.len()
    );
    assert!(tables > 0 && columns > 0);
    assert!(hits
        .iter()
        .any(|h| h.change == ChangeKind::TableRemoved && h.name == "EntraIdSignInEvents"));
}

#[test]
fn no_hits_from_strings_comments_or_local_names() {
    let d = real_diff();
    let cases = [
        ("double-quoted string", "DeviceInfo | where OSPlatform == \"DeviceSubType\""),
        ("single-quoted string", "DeviceInfo | where OSPlatform has 'DeviceSubType'"),
        ("escaped quote", r#"DeviceInfo | where OSPlatform == "a\" DeviceSubType \"b""#),
        ("verbatim string", r#"DeviceInfo | where OSPlatform == @"x"" DeviceSubType ""y""#),
        ("verbatim single", "DeviceInfo | where OSPlatform == @'C:\\DeviceSubType\\'"),
        ("obfuscated", "DeviceInfo | where OSPlatform == h\"DeviceSubType\""),
        ("comment", "DeviceInfo // DeviceSubType\n| take 1 // | where DeviceSubType == 1"),
        ("multi-line string", "DeviceInfo\n| extend x = ```\nDeviceSubType\n```\n| take 1"),
        ("let binding", "let DeviceSubType = 'Tablet';\nDeviceInfo | where OSPlatform == DeviceSubType"),
        (
            "column alias",
            "DeviceInfo | extend DeviceSubType = OSPlatform | where DeviceSubType == 'x'",
        ),
        (
            "summarize alias",
            "DeviceInfo | summarize DeviceSubType = count() by OSPlatform | where DeviceSubType > 1",
        ),
        (
            "project-rename target",
            "DeviceInfo | project-rename DeviceSubType = DeviceType | where DeviceSubType != ''",
        ),
        (
            "parse output",
            "DeviceInfo | parse OSVersion with DeviceSubType \".\" Rest:string | where DeviceSubType != ''",
        ),
        ("dynamic property", "DeviceInfo | where AdditionalFields.DeviceSubType == 1"),
        ("index string", "DeviceInfo | where AdditionalFields['DeviceSubType'] == 1"),
        ("other table", "DeviceEvents | where DeviceSubType == 'x'"),
        ("new spelling", "DeviceInfo | where DeviceSubtype == 'x'"),
        ("other case", "DeviceInfo | where devicesubtype == 'x'"),
        ("function name", "DeviceInfo | extend x = RiskDetails(1)"),
        ("removed column, table not read", "DeviceLogonEvents | where RiskDetails != ''"),
    ];
    for (what, text) in cases {
        let hits = hits_for(&d, text);
        assert!(hits.is_empty(), "{what}: {:?}", places(&hits));
    }
}

#[test]
fn true_positives_with_lines_and_columns() {
    let d = real_diff();
    let text = "// devices by subtype\n\
                let recent = DeviceInfo\n\
                | where Timestamp > ago(1d);\n\
                recent\n\
                | where DeviceSubType == \"Tablet\"\n\
                | project DeviceId, ['DeviceSubType'], DeviceSubtype";
    let hits = hits_for(&d, text);
    assert_eq!(
        places(&hits),
        [
            (5, 9, "DeviceInfo", "DeviceSubType"),
            (6, 21, "DeviceInfo", "DeviceSubType")
        ]
    );
    assert!(hits.iter().all(|h| h.change
        == ChangeKind::ColumnRenamed {
            to: "DeviceSubtype".into()
        }));

    // Line numbers stay right after a multi-line string.
    let text = "AADSignInEventsBeta\n| extend note = ```a\nb\nc```\n| where RiskDetails != ''";
    let hits = hits_for(&d, text);
    assert_eq!(
        places(&hits),
        [(5, 9, "AADSignInEventsBeta", "RiskDetails")]
    );
    assert_eq!(hits[0].change, ChangeKind::ColumnRemoved);

    // Through union, a wildcard, join and an alias defined after the use.
    let text = "union DeviceEvents, DeviceTvmSoftwareInventory\n\
                | extend Tags = CveTags\n\
                | where Tags != ''";
    assert_eq!(
        places(&hits_for(&d, text)),
        [(2, 17, "DeviceTvmSoftwareInventory", "CveTags")]
    );
    let text = "union Device* | where DeviceSubType != ''";
    assert_eq!(
        places(&hits_for(&d, text)),
        [(1, 23, "DeviceInfo", "DeviceSubType")]
    );
    let text = "DeviceEvents\n| join (DeviceInfo | project DeviceId, DeviceSubType) on DeviceId";
    assert_eq!(
        places(&hits_for(&d, text)),
        [(2, 40, "DeviceInfo", "DeviceSubType")]
    );
    let text = "DeviceInfo | extend DeviceSubType = tolower(DeviceSubType)";
    assert_eq!(
        places(&hits_for(&d, text)),
        [(1, 45, "DeviceInfo", "DeviceSubType")]
    );
}

#[test]
fn table_changes_are_hits_at_the_table_name() {
    // The documented rename applies once the beta table is gone.
    let mut current = load("schema_current.json");
    current.tables.retain(|t| t.name != "AADSignInEventsBeta");
    let d = diff(
        &load("schema_older.json"),
        &current,
        &DiffOptions::default(),
    );
    let text = "AADSignInEventsBeta\n| where AadDeviceId != ''\n| join (AADSpnSignInEventsBeta) on Application";
    let hits = hits_for(&d, text);
    assert_eq!(
        places(&hits),
        [
            (1, 1, "AADSignInEventsBeta", "AADSignInEventsBeta"),
            (2, 9, "AADSignInEventsBeta", "AadDeviceId")
        ]
    );
    assert_eq!(
        hits[0].change,
        ChangeKind::TableRenamed {
            to: "EntraIdSignInEvents".into()
        }
    );
    assert_eq!(hits[1].change, ChangeKind::ColumnRemoved);

    let back = diff(
        &load("schema_current.json"),
        &load("schema_older.json"),
        &DiffOptions::default(),
    );
    let hits = hits_for(&back, "let x = 1;\nunion AgentsInfo, DeviceInfo");
    assert_eq!(places(&hits), [(2, 7, "AgentsInfo", "AgentsInfo")]);
    assert_eq!(hits[0].change, ChangeKind::TableRemoved);
}

#[test]
fn order_is_deterministic_and_json_is_camel_case() {
    let d = real_diff();
    let queries = corpus();
    let index = QueryIndex::new(&queries);
    assert_eq!(index.len(), 1196);
    let a = index.impact(&d);
    let b = impact(&d, &queries);
    assert_eq!(a, b);
    // Hits follow the query order, then positions within a query.
    let order: Vec<usize> = a
        .iter()
        .map(|h| {
            queries
                .iter()
                .position(|q| q.id == h.query_id)
                .unwrap_or(usize::MAX)
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]));
    assert!(a
        .windows(2)
        .all(|w| w[0].query_id != w[1].query_id
            || (w[0].line, w[0].column) <= (w[1].line, w[1].column)));

    let hit = &hits_for(&d, "DeviceInfo | where DeviceSubType == 1")[0];
    let json = serde_json::to_string(hit).expect("serializes");
    assert_eq!(
        json,
        r#"{"queryId":"q","queryName":"test","line":1,"column":20,"table":"DeviceInfo","name":"DeviceSubType","change":{"kind":"columnRenamed","to":"DeviceSubtype"}}"#
    );
}
