//! The schema diff, on the real fixtures and on small constructed schemas.
//!
//! Expectations for older → current were derived from the fixtures and from
//! `schema_renames_documented.json`, then compared with the throwaway
//! reference diff `schema_diff_expected.json`. Where the two disagree, the
//! test says why next to the assertion.

use std::collections::BTreeSet;
use std::path::PathBuf;

use huntkit::schema::{
    diff, parse_schema, to_markdown, Column, DiffLabels, DiffOptions, RenameReason, Schema,
    SchemaDiff, Table, TableDiff,
};
use serde_json::Value;

fn fixtures() -> PathBuf {
    std::env::var_os("HUNTKIT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"))
        })
}

fn load(name: &str) -> Schema {
    let path = fixtures().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    parse_schema(&bytes).unwrap_or_else(|e| panic!("parsing {name}: {e}"))
}

fn expected() -> Value {
    let path = fixtures().join("schema_diff_expected.json");
    let text = std::fs::read_to_string(&path).expect("reading schema_diff_expected.json");
    serde_json::from_str(&text).expect("schema_diff_expected.json is json")
}

fn real_diff(opts: &DiffOptions) -> SchemaDiff {
    diff(
        &load("schema_older.json"),
        &load("schema_current.json"),
        opts,
    )
}

fn table<'a>(d: &'a SchemaDiff, name: &str) -> &'a TableDiff {
    d.tables_changed
        .iter()
        .find(|t| t.table == name)
        .unwrap_or_else(|| panic!("{name} unchanged"))
}

/// A table from (name, type, description) triples.
fn t(name: &str, cols: &[(&str, &str, &str)]) -> Table {
    Table {
        name: name.to_string(),
        section: Some("Devices".into()),
        table_type: Some("Regular".into()),
        has_data: Some(true),
        columns: cols
            .iter()
            .map(|(n, ty, d)| Column {
                name: n.to_string(),
                type_name: Some(ty.to_string()),
                description: Some(d.to_string()),
                entity: None,
            })
            .collect(),
        ..Table::default()
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    Schema {
        tables,
        functions: None,
    }
}

fn names(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn real_diff_counts() {
    let d = real_diff(&DiffOptions::default());
    let c = &d.counts;
    assert_eq!(c.tables_added, 31);
    assert_eq!(c.tables_removed, 0);
    // AADSignInEventsBeta → EntraIdSignInEvents is documented, but both
    // tables are in the current schema, so it is no rename here (see
    // documented_successors_are_named_not_renamed).
    assert_eq!(c.tables_renamed, 0);
    // The reference says 139 added and 3 removed: it counts DeviceSubType →
    // DeviceSubtype as one removal plus one addition. It is a documented,
    // case-only rename, so here it is 138 added, 2 removed, 1 renamed.
    assert_eq!(c.columns_added, 138);
    assert_eq!(c.columns_removed, 2);
    assert_eq!(c.columns_renamed, 1);
    assert_eq!(c.columns_retyped, 57);
    assert_eq!(c.description_changes, 254);
    assert_eq!(c.minor_description_changes, 14);
    assert_eq!(c.property_changes, 0);
    // The reference lists 8 tables with `order_changed`; order is only
    // reported on request (see order_is_reported_only_on_request).
    assert_eq!(c.order_changes, 0);
    assert_eq!(c.tables_changed, 30);
}

#[test]
fn real_diff_matches_the_reference_where_it_should() {
    let d = real_diff(&DiffOptions {
        include_order: true,
        ..DiffOptions::default()
    });
    let e = expected();
    let added: BTreeSet<String> = d.tables_added.iter().map(|t| t.name.clone()).collect();
    assert_eq!(added, names(&e["tables_added"]));
    assert_eq!(names(&e["tables_removed"]), BTreeSet::new());

    let ref_cols = e["columns"].as_object().expect("columns object");
    let ours: BTreeSet<&str> = d.tables_changed.iter().map(|t| t.table.as_str()).collect();
    let theirs: BTreeSet<&str> = ref_cols.keys().map(String::as_str).collect();
    // With order included, the same 31 tables changed (AADSpnSignInEventsBeta
    // only in column order).
    assert_eq!(ours, theirs);
    for (name, r) in ref_cols {
        let ours = table(&d, name);
        let mut want_added = names(&r["added"]);
        let mut want_removed = names(&r["removed"]);
        if name == "DeviceInfo" {
            // The case-only rename, reported as a rename here.
            assert!(want_added.remove("DeviceSubtype") && want_removed.remove("DeviceSubType"));
        }
        let got_added: BTreeSet<String> =
            ours.columns_added.iter().map(|c| c.name.clone()).collect();
        let got_removed: BTreeSet<String> = ours
            .columns_removed
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(got_added, want_added, "{name} added");
        assert_eq!(got_removed, want_removed, "{name} removed");

        let want_types: BTreeSet<(String, String, String)> = r["type_changed"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let s = |i: usize| x[i].as_str().unwrap_or_default().to_string();
                        (s(0), s(1), s(2))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let got_types: BTreeSet<(String, String, String)> = ours
            .columns_retyped
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    r.from.clone().unwrap_or_default(),
                    r.to.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(got_types, want_types, "{name} types");

        let got_desc: BTreeSet<String> = ours
            .descriptions_changed
            .iter()
            .map(|c| c.column.clone())
            .collect();
        assert_eq!(
            got_desc,
            names(&r["description_changed"]),
            "{name} descriptions"
        );
        let reordered = r["order_changed"].as_bool().unwrap_or(false);
        assert_eq!(!ours.columns_moved.is_empty(), reordered, "{name} order");
    }
}

#[test]
fn case_only_rename_is_a_rename_not_remove_and_add() {
    let d = real_diff(&DiffOptions::default());
    let info = table(&d, "DeviceInfo");
    assert_eq!(info.columns_renamed.len(), 1);
    let r = &info.columns_renamed[0];
    assert_eq!(
        (r.from.as_str(), r.to.as_str()),
        ("DeviceSubType", "DeviceSubtype")
    );
    // Documented in the naming-changes notes, and also case-only.
    assert_eq!(r.reason, RenameReason::Documented);
    assert!(r.case_only);
    assert!(r.type_change.is_none());
    assert!(!info.columns_added.iter().any(|c| c.name == "DeviceSubtype"));
    assert!(!info
        .columns_removed
        .iter()
        .any(|c| c.name == "DeviceSubType"));

    // An undocumented case-only rename is found by its spelling alone.
    let old = schema(vec![t(
        "T",
        &[("FooBar", "String", "x"), ("A", "Int32", "")],
    )]);
    let new = schema(vec![t(
        "T",
        &[("Foobar", "Int64", "x"), ("A", "Int32", "")],
    )]);
    let d = diff(&old, &new, &DiffOptions::default());
    let r = &table(&d, "T").columns_renamed[0];
    assert_eq!(
        (r.from.as_str(), r.to.as_str(), r.reason),
        ("FooBar", "Foobar", RenameReason::CaseOnly)
    );
    let tc = r.type_change.as_ref().expect("type changed with the name");
    assert_eq!(
        (tc.old.as_deref(), tc.new.as_deref()),
        (Some("String"), Some("Int64"))
    );
    assert_eq!(d.counts.columns_renamed, 1);
    assert_eq!(d.counts.columns_added + d.counts.columns_removed, 0);
}

#[test]
fn logon_id_beside_logon_id_is_no_rename() {
    // Real: DeviceProcessEvents gained LogonID next to its LogonId.
    let d = real_diff(&DiffOptions::default());
    let p = table(&d, "DeviceProcessEvents");
    assert!(p.columns_renamed.is_empty());
    assert!(p.columns_added.iter().any(|c| c.name == "LogonID"));
    let logon_id = p
        .columns_retyped
        .iter()
        .find(|r| r.name == "LogonId")
        .expect("retyped");
    assert_eq!(
        (logon_id.from.as_deref(), logon_id.to.as_deref()),
        (Some("String"), Some("Int64"))
    );

    // Both on the old side, one left: the other is removed, not renamed.
    let old = schema(vec![t(
        "T",
        &[("LogonId", "Int64", ""), ("LogonID", "Int64", "")],
    )]);
    let new = schema(vec![t("T", &[("LogonId", "Int64", "")])]);
    let d = diff(&old, &new, &DiffOptions::default());
    let tt = table(&d, "T");
    assert!(tt.columns_renamed.is_empty());
    assert_eq!(
        tt.columns_removed
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["LogonID"]
    );

    // One old spelling, two new ones: ambiguous, so no rename.
    let old = schema(vec![t("T", &[("LogonId", "Int64", "")])]);
    let new = schema(vec![t(
        "T",
        &[("LogonID", "Int64", ""), ("Logonid", "Int64", "")],
    )]);
    let d = diff(&old, &new, &DiffOptions::default());
    assert_eq!(d.counts.columns_renamed, 0);
    assert_eq!((d.counts.columns_removed, d.counts.columns_added), (1, 2));
}

#[test]
fn isp_and_isp_in_different_tables_are_no_change() {
    // Real: CloudAppEvents and IdentityLogonEvents say Isp,
    // IdentityDirectoryEvents says ISP, on both sides.
    let d = real_diff(&DiffOptions::default());
    for td in &d.tables_changed {
        let mentions = |n: &str| n.eq_ignore_ascii_case("isp");
        assert!(
            !td.columns_added.iter().any(|c| mentions(&c.name)),
            "{}",
            td.table
        );
        assert!(
            !td.columns_removed.iter().any(|c| mentions(&c.name)),
            "{}",
            td.table
        );
        assert!(
            !td.columns_renamed.iter().any(|c| mentions(&c.from)),
            "{}",
            td.table
        );
        assert!(
            !td.columns_retyped.iter().any(|c| mentions(&c.name)),
            "{}",
            td.table
        );
    }
    // Constructed: the spellings differ across tables and nothing changes.
    let s = schema(vec![
        t("A", &[("Isp", "String", "")]),
        t("B", &[("ISP", "String", "")]),
    ]);
    let mut swapped = s.clone();
    swapped.tables.reverse();
    assert!(diff(&s, &swapped, &DiffOptions::default()).is_empty());
}

#[test]
fn documented_successors_are_named_not_renamed() {
    let d = real_diff(&DiffOptions::default());
    let counterpart = |n: &str| {
        d.tables_added
            .iter()
            .find(|t| t.name == n)
            .and_then(|t| t.documented_counterpart.clone())
    };
    assert_eq!(
        counterpart("EntraIdSignInEvents").as_deref(),
        Some("AADSignInEventsBeta")
    );
    assert_eq!(
        counterpart("EntraIdSpnSignInEvents").as_deref(),
        Some("AADSpnSignInEventsBeta")
    );
    assert_eq!(counterpart("AgentsInfo").as_deref(), Some("AIAgentsInfo"));
    assert_eq!(counterpart("CloudAuditEvents"), None);
}

#[test]
fn documented_table_rename() {
    // The current schema without the old beta table: now the documented
    // rename applies, and the renamed table's columns are compared too.
    let mut current = load("schema_current.json");
    current.tables.retain(|t| t.name != "AADSignInEventsBeta");
    let d = diff(
        &load("schema_older.json"),
        &current,
        &DiffOptions::default(),
    );
    assert_eq!(d.tables_renamed.len(), 1);
    let r = &d.tables_renamed[0];
    assert_eq!(
        (r.from.as_str(), r.to.as_str()),
        ("AADSignInEventsBeta", "EntraIdSignInEvents")
    );
    assert_eq!(r.reason, RenameReason::Documented);
    assert!(r.similarity > 0.9 && r.similarity < 1.0, "{}", r.similarity);
    assert!(d.tables_removed.is_empty());
    assert!(!d
        .tables_added
        .iter()
        .any(|t| t.name == "EntraIdSignInEvents"));
    let inner = table(&d, "EntraIdSignInEvents");
    assert_eq!(inner.renamed_from.as_deref(), Some("AADSignInEventsBeta"));
    let removed: Vec<&str> = inner
        .columns_removed
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(removed, ["AadDeviceId"]);
}

#[test]
fn undocumented_table_rename_by_similar_columns() {
    let cols = [
        ("A", "String", ""),
        ("B", "String", ""),
        ("C", "Int64", ""),
        ("D", "String", ""),
    ];
    let mut more = cols.to_vec();
    more.push(("E", "String", ""));
    let old = schema(vec![
        t("MyEvents", &cols),
        t("Tiny", &[("X", "String", "")]),
    ]);
    let new = schema(vec![
        t("MyEventsV2", &more),
        t("Tiny2", &[("X", "String", "")]),
    ]);
    let d = diff(&old, &new, &DiffOptions::default());
    assert_eq!(d.tables_renamed.len(), 1, "{:?}", d.tables_renamed);
    let r = &d.tables_renamed[0];
    assert_eq!((r.from.as_str(), r.to.as_str()), ("MyEvents", "MyEventsV2"));
    assert_eq!(r.reason, RenameReason::SimilarColumns);
    assert!((r.similarity - 0.8).abs() < 1e-9);
    // One column is too few to recognise a table by.
    assert_eq!(
        d.tables_removed
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["Tiny"]
    );
    assert_eq!(table(&d, "MyEventsV2").columns_added.len(), 1);

    let strict = DiffOptions {
        table_rename_similarity: 0.9,
        ..DiffOptions::default()
    };
    assert!(diff(&old, &new, &strict).tables_renamed.is_empty());
    let off = DiffOptions {
        table_rename_similarity: 2.0,
        ..DiffOptions::default()
    };
    assert!(diff(&old, &new, &off).tables_renamed.is_empty());
}

#[test]
fn retype_ignores_spelling_of_the_same_type() {
    let old = schema(vec![t(
        "T",
        &[
            ("A", "Int32", ""),
            ("B", "System.Int64", ""),
            ("C", "bool", ""),
        ],
    )]);
    let new = schema(vec![t(
        "T",
        &[("A", "Int64", ""), ("B", "Int64", ""), ("C", "Boolean", "")],
    )]);
    let d = diff(&old, &new, &DiffOptions::default());
    let r = &table(&d, "T").columns_retyped;
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].name.as_str(), r[0].from.as_deref(), r[0].to.as_deref()),
        ("A", Some("Int32"), Some("Int64"))
    );
}

#[test]
fn section_retention_and_has_data_changes() {
    let old = schema(vec![t("T", &[("A", "String", "")])]);
    let mut new = old.clone();
    new.tables[0].section = Some("AlertsAndObservations".into());
    new.tables[0].has_data = Some(false);
    new.tables[0].retention = Some(huntkit::schema::Retention {
        hot_days: Some(180),
        cold_days: Some(0),
        total_interactive_days: Some(180),
    });
    let d = diff(&old, &new, &DiffOptions::default());
    let tt = table(&d, "T");
    let section = tt.section.as_ref().expect("section change");
    assert_eq!(section.old.as_deref(), Some("Devices"));
    assert_eq!(section.new.as_deref(), Some("AlertsAndObservations"));
    assert_eq!(
        tt.has_data.as_ref().map(|c| (c.old, c.new)),
        Some((Some(true), Some(false)))
    );
    assert!(tt
        .retention
        .as_ref()
        .is_some_and(|c| c.old.is_none() && c.new.is_some()));
    assert_eq!(d.counts.property_changes, 3);
    let md = to_markdown(
        &d,
        &DiffLabels {
            old_label: "a".into(),
            new_label: "b".into(),
        },
    );
    assert!(
        md.contains("- Section: Devices → AlertsAndObservations"),
        "{md}"
    );
    assert!(
        md.contains("- Retention: none → hot 180 / cold 0 / interactive 180 days"),
        "{md}"
    );
}

#[test]
fn description_changes_are_kept_and_flagged() {
    let old = schema(vec![t(
        "T",
        &[("A", "String", "Name of the user"), ("B", "String", "x")],
    )]);
    let new = schema(vec![t(
        "T",
        &[("A", "String", "Name of the  user."), ("B", "String", "y")],
    )]);
    let d = diff(&old, &new, &DiffOptions::default());
    let ch = &table(&d, "T").descriptions_changed;
    assert_eq!(
        ch.iter()
            .map(|c| (c.column.as_str(), c.minor))
            .collect::<Vec<_>>(),
        [("A", true), ("B", false)]
    );
    assert_eq!(
        (
            d.counts.description_changes,
            d.counts.minor_description_changes
        ),
        (2, 1)
    );
}

#[test]
fn order_is_reported_only_on_request() {
    let old = schema(vec![t(
        "T",
        &[
            ("A", "String", ""),
            ("B", "String", ""),
            ("C", "String", ""),
        ],
    )]);
    let new = schema(vec![t(
        "T",
        &[
            ("B", "String", ""),
            ("A", "String", ""),
            ("C", "String", ""),
        ],
    )]);
    assert!(diff(&old, &new, &DiffOptions::default()).is_empty());
    let d = diff(
        &old,
        &new,
        &DiffOptions {
            include_order: true,
            ..DiffOptions::default()
        },
    );
    assert_eq!(table(&d, "T").columns_moved, ["A"]);
    assert_eq!(d.counts.order_changes, 1);
    // Real: the reference's eight reordered tables.
    let d = real_diff(&DiffOptions {
        include_order: true,
        ..DiffOptions::default()
    });
    assert_eq!(d.counts.order_changes, 8);
}

#[test]
fn a_schema_diffed_with_itself_is_empty() {
    for name in ["schema_current.json", "schema_older.json"] {
        let s = load(name);
        let d = diff(
            &s,
            &s,
            &DiffOptions {
                include_order: true,
                ..DiffOptions::default()
            },
        );
        assert!(d.is_empty(), "{name}: {:?}", d.counts);
        assert_eq!(d.counts, Default::default());
    }
}

#[test]
fn output_is_deterministic_and_camel_case() {
    let old = load("schema_older.json");
    let mut new = load("schema_current.json");
    let first = diff(&old, &new, &DiffOptions::default()).to_json();
    new.tables.reverse();
    let second = diff(&old, &new, &DiffOptions::default()).to_json();
    assert_eq!(first, second);
    for key in [
        "\"tablesAdded\"",
        "\"columnsRenamed\"",
        "\"caseOnly\"",
        "\"documentedCounterpart\"",
        "\"minorDescriptionChanges\"",
        "\"reason\":\"documented\"",
    ] {
        assert!(first.contains(key), "{key} missing");
    }
    assert!(!first.contains("tables_added"));
    // The JSON reads back, so a stored diff can be shown again.
    let back: SchemaDiff = serde_json::from_str(&first).expect("reads back");
    assert_eq!(back.to_json(), first);
}

#[test]
fn markdown_of_the_real_diff() {
    let d = real_diff(&DiffOptions::default());
    let labels = DiffLabels {
        old_label: "March 2023".into(),
        new_label: "July 2026".into(),
    };
    let md = to_markdown(&d, &labels);
    assert!(md.starts_with("# Schema changes: March 2023 → July 2026\n"));
    let counts = md.find("| Columns renamed | 1 |").expect("counts");
    let info = md.find("\n## `DeviceInfo`\n").expect("DeviceInfo section");
    assert!(counts < info);
    assert!(md.contains("- Renamed `DeviceSubType` → `DeviceSubtype` (documented, case only)"));
    assert!(md.contains("- `EntraIdSignInEvents` (45 columns, AppsAndIdentities); documented to replace `AADSignInEventsBeta`"), "{md}");
    assert!(md.contains("<details><summary>13 description changes</summary>"));
}

#[test]
fn schema_round_trips_through_json() {
    let s = load("schema_current.json");
    let again = parse_schema(s.to_json().as_bytes()).expect("re-parses");
    assert_eq!(again, s);
    assert_eq!((s.tables.len(), s.column_count()), (64, 1609));
    let old = load("schema_older.json");
    assert_eq!((old.tables.len(), old.column_count()), (33, 768));
}
