use super::*;
use crate::tenant::SchemaDoc;
use crate::time::{self, TICKS_PER_DAY, TICKS_PER_MS};

fn tenant() -> Tenant {
    let doc: SchemaDoc = serde_json::from_str(
        r#"{"Tables":[{"Name":"TestEvents","Schema":[
            {"Name":"Timestamp","Type":"DateTime"},{"Name":"ActionType","Type":"String"},
            {"Name":"FileName","Type":"String"},{"Name":"RemotePort","Type":"Int32"},
            {"Name":"ReportId","Type":"Int64"},{"Name":"IsFlag","Type":"Boolean"},
            {"Name":"Score","Type":"Double"},{"Name":"Extra","Type":"Dynamic"}]},
          {"Name":"NoTime","Schema":[{"Name":"Name","Type":"String"}]}]}"#,
    )
    .expect("schema");
    Tenant::new(11, time::parse("2025-03-01T00:00:00Z").expect("now"), &doc)
}

fn rows(t: &Tenant, q: &str) -> Vec<Vec<Value>> {
    let (f, _) = run(t, q, None).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    (0..f.len())
        .map(|r| (0..f.cols.len()).map(|c| f.cell(r, c)).collect())
        .collect()
}

fn count(t: &Tenant, q: &str) -> i64 {
    match rows(t, q)[0][0] {
        Value::Int(n) => n,
        ref other => panic!("not a count: {other:?}"),
    }
}

fn brute(t: &Tenant, col: &str, pred: impl Fn(&Value) -> bool) -> i64 {
    let tb = t.table("TestEvents").expect("table");
    let c = tb.col(col).expect("col");
    (0..tb.rows()).filter(|r| pred(&tb.cell(*r, c))).count() as i64
}

#[test]
fn take_project_count() {
    let t = tenant();
    let n = t.table("TestEvents").expect("table").rows() as i64;
    assert!((500..=3000).contains(&n));
    assert_eq!(count(&t, "TestEvents | count"), n);
    let r = rows(
        &t,
        "TestEvents | project ReportId, When = Timestamp | take 3",
    );
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].len(), 2);
    let tb = t.table("TestEvents").expect("table");
    assert_eq!(r[1][1], tb.cell(1, 0));
    let (f, _) = run(
        &t,
        "TestEvents | project ReportId, When = Timestamp | limit 1",
        None,
    )
    .expect("run");
    assert_eq!(f.cols[1].name, "When");
    assert_eq!(f.cols[1].ty, ColType::DateTime);
}

#[test]
fn where_operators_match_brute_force() {
    let t = tenant();
    let s = |v: &Value| v.as_text().unwrap_or_default();
    assert_eq!(
        count(
            &t,
            r#"TestEvents | where ActionType == "ProcessCreated" | count"#
        ),
        brute(&t, "ActionType", |v| s(v) == "ProcessCreated")
    );
    assert_eq!(
        count(
            &t,
            r#"TestEvents | where ActionType =~ 'processcreated' | count"#
        ),
        brute(&t, "ActionType", |v| s(v) == "ProcessCreated")
    );
    assert_eq!(
        count(
            &t,
            r#"TestEvents | where ActionType != "ProcessCreated" | count"#
        ),
        brute(&t, "ActionType", |v| s(v) != "ProcessCreated")
    );
    assert_eq!(
        count(
            &t,
            r#"TestEvents | where FileName in ("cmd.exe", "bash") | count"#
        ),
        brute(&t, "FileName", |v| s(v) == "cmd.exe" || s(v) == "bash")
    );
    assert_eq!(
        count(&t, r#"TestEvents | where FileName in~ ("CMD.EXE") | count"#),
        brute(&t, "FileName", |v| s(v) == "cmd.exe")
    );
    assert_eq!(
        count(&t, r#"TestEvents | where FileName !in ("cmd.exe") | count"#),
        brute(&t, "FileName", |v| s(v) != "cmd.exe")
    );
    assert_eq!(
        count(&t, r#"TestEvents | where FileName endswith ".EXE" | count"#),
        brute(&t, "FileName", |v| s(v).to_lowercase().ends_with(".exe"))
    );
    assert_eq!(
        count(
            &t,
            r#"TestEvents | where FileName startswith "power" | count"#
        ),
        brute(&t, "FileName", |v| s(v).starts_with("power"))
    );
    assert_eq!(
        count(
            &t,
            r#"TestEvents | where FileName contains "SHELL" | count"#
        ),
        brute(&t, "FileName", |v| s(v).contains("shell"))
    );
    let port = |v: &Value| {
        if let Value::Int(p) = v {
            Some(*p)
        } else {
            None
        }
    };
    assert_eq!(
        count(
            &t,
            "TestEvents | where RemotePort between (80 .. 443) | count"
        ),
        brute(&t, "RemotePort", |v| port(v)
            .is_some_and(|p| (80..=443).contains(&p)))
    );
    assert_eq!(
        count(&t, "TestEvents | where RemotePort > 1000 | count"),
        brute(&t, "RemotePort", |v| port(v).is_some_and(|p| p > 1000))
    );
    assert_eq!(
        count(
            &t,
            "TestEvents | where RemotePort >= 443 and RemotePort <= 443 | count"
        ),
        brute(&t, "RemotePort", |v| port(v) == Some(443))
    );
    assert_eq!(
        count(
            &t,
            "TestEvents | where not(RemotePort == 443) or RemotePort == 443 | count"
        ),
        t.table("TestEvents").expect("table").rows() as i64
    );
    assert_eq!(
        count(
            &t,
            "TestEvents | where ReportId == 9223372036854775807 | count"
        ),
        brute(&t, "ReportId", |v| *v == Value::Int(i64::MAX))
    );
    assert_eq!(
        count(&t, "TestEvents | where IsFlag | count"),
        brute(&t, "IsFlag", |v| matches!(
            v,
            Value::Bool(true) | Value::SByte(true)
        ))
    );
    assert_eq!(
        count(&t, "TestEvents | where IsFlag == true | count"),
        count(&t, "TestEvents | where IsFlag | count")
    );
    let since = t.now - 7 * TICKS_PER_DAY;
    assert_eq!(
        count(&t, "TestEvents | where Timestamp > ago(7d) | count"),
        brute(
            &t,
            "Timestamp",
            |v| matches!(v, Value::Date(d) if *d > since)
        )
    );
    let cut = time::parse("2025-02-20T12:00:00Z").expect("cut");
    assert_eq!(
        count(
            &t,
            "TestEvents | where Timestamp >= datetime(2025-02-20 12:00:00) | count"
        ),
        brute(
            &t,
            "Timestamp",
            |v| matches!(v, Value::Date(d) if *d >= cut)
        )
    );
}

#[test]
fn has_is_term_matching() {
    assert!(has_term("c:\\windows\\system32\\cmd.exe", "cmd.exe"));
    assert!(has_term("run cmd now", "cmd"));
    assert!(!has_term("runcmdnow", "cmd"));
    assert!(!has_term("cmdline", "cmd"));
    assert!(has_term("a-b", "b"));
}

#[test]
fn summarize_sort_getschema() {
    let t = tenant();
    let groups = rows(&t, "TestEvents | summarize count() by ActionType");
    let total: i64 = groups
        .iter()
        .map(|g| if let Value::Int(n) = g[1] { n } else { 0 })
        .sum();
    assert_eq!(total, t.table("TestEvents").expect("table").rows() as i64);
    let named = run(
        &t,
        "TestEvents | summarize N = count() by FileName, ActionType",
        None,
    )
    .expect("run")
    .0;
    assert_eq!(
        named
            .cols
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["FileName", "ActionType", "N"]
    );

    let sorted = rows(
        &t,
        "TestEvents | sort by ReportId desc | project ReportId | take 5",
    );
    assert_eq!(
        sorted[0][0],
        Value::Int(i64::MAX),
        "some rows carry i64::MAX"
    );
    let asc = rows(
        &t,
        "TestEvents | order by RemotePort asc | project RemotePort",
    );
    assert_eq!(asc[0][0], Value::Null, "nulls first when ascending");
    assert!(asc
        .windows(2)
        .all(|w| order_values(&w[0][0], &w[1][0]) != Some(Ordering::Greater)));
    let desc = rows(&t, "TestEvents | sort by RemotePort | project RemotePort");
    assert_eq!(
        desc.last().expect("rows")[0],
        Value::Null,
        "default is desc, nulls last"
    );
    let top = rows(&t, "TestEvents | top 2 by Timestamp");
    assert_eq!(top.len(), 2);

    let schema = rows(&t, "TestEvents | project IsFlag, Extra | getschema");
    assert_eq!(
        schema[0],
        vec![
            Value::Str("IsFlag".into()),
            Value::Int(0),
            Value::Str("System.SByte".into()),
            Value::Str("bool".into())
        ]
    );
    assert_eq!(schema[1][2], Value::Str("System.Object".into()));
}

#[test]
fn getschema_matches_the_real_portal_response() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    let schema: SchemaDoc =
        serde_json::from_slice(&std::fs::read(dir.join("schema_current.json")).expect("schema"))
            .expect("parse");
    let real: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("results_portal_queryexecutor_getschema.json")).expect("fixture"),
    )
    .expect("json");
    let t = Tenant::new(
        1,
        time::parse("2024-10-26T08:39:36.820Z").expect("now"),
        &schema,
    );
    let (f, stats) = run(&t, "AADSignInEventsBeta | getschema", None).expect("run");
    assert!(stats.metadata_only);
    let got: Vec<serde_json::Value> = (0..f.len())
        .map(|r| {
            let mut m = serde_json::Map::new();
            for c in 0..f.cols.len() {
                m.insert(f.cols[c].name.clone(), f.cell(r, c).to_json_value());
            }
            serde_json::Value::Object(m)
        })
        .collect();
    assert_eq!(serde_json::Value::Array(got), real["response"]["Results"]);
}

#[test]
fn window_edges_at_100ns_against_ms() {
    let t = tenant();
    let tb = t.table("TestEvents").expect("table");
    let on_ms = (0..tb.rows())
        .map(|r| tb.times[r])
        .find(|x| x % TICKS_PER_MS == 0)
        .expect("a row on a ms boundary");
    let off_ms = (0..tb.rows())
        .map(|r| tb.times[r])
        .find(|x| x % TICKS_PER_MS != 0)
        .expect("a row inside a ms");
    let at = |start: i64, end: i64, inclusive_end: bool| {
        let w = Window {
            start,
            end,
            inclusive_end,
        };
        let (f, _) = run(
            &t,
            "TestEvents | where Timestamp >= datetime(1970-01-01) | project Timestamp",
            Some(w),
        )
        .expect("run");
        (0..f.len())
            .any(|r| f.cell(r, 0) == Value::Date(on_ms) || f.cell(r, 0) == Value::Date(off_ms))
    };
    // A row exactly at EndTime: kept by inclusive, dropped by exclusive.
    assert!(at(on_ms - TICKS_PER_MS, on_ms, true));
    assert!(!at(on_ms - TICKS_PER_MS, on_ms, false));
    // A row exactly at StartTime is kept either way.
    assert!(at(on_ms, on_ms + TICKS_PER_MS, false));
    // A row 100 ns-precise inside a millisecond: the ms floor as EndTime
    // excludes it in both modes; as StartTime it includes it.
    let floor = off_ms - off_ms % TICKS_PER_MS;
    let only_off = |start: i64, end: i64, inc: bool| {
        let (lo, hi) = tb.window(start, end, inc);
        tb.times[lo..hi].contains(&off_ms)
    };
    assert!(!only_off(floor - TICKS_PER_MS, floor, true));
    assert!(only_off(floor, floor + TICKS_PER_MS, false));
    // Exclusive windows that tile a range count every row exactly once.
    let (a0, a1) = tb.window(t.now - 30 * TICKS_PER_DAY, on_ms, false);
    let (b0, b1) = tb.window(on_ms, t.now, false);
    assert_eq!(a1, b0);
    assert_eq!((a1 - a0) + (b1 - b0), tb.rows());
    // Inclusive windows that tile a range count the shared edge twice.
    let (_, c1) = tb.window(t.now - 30 * TICKS_PER_DAY, on_ms, true);
    assert!(c1 > b0);
}

#[test]
fn tables_without_timestamp_are_not_time_filtered() {
    let t = tenant();
    let w = Window {
        start: 0,
        end: 1,
        inclusive_end: false,
    };
    let (f, _) = run(&t, "NoTime | count", Some(w)).expect("run");
    assert_eq!(
        f.cell(0, 0),
        Value::Int(t.table("NoTime").expect("table").rows() as i64)
    );
    let (f, _) = run(&t, "TestEvents | count", Some(w)).expect("run");
    assert_eq!(f.cell(0, 0), Value::Int(0));
}

#[test]
fn portal_like_errors() {
    let t = tenant();
    let err = |q: &str| {
        run(&t, q, None)
            .err()
            .unwrap_or_else(|| panic!("{q} should fail"))
            .message
    };
    assert_eq!(
        err("TestEvents | project x"),
        "'project' operator: Failed to resolve scalar expression named 'x'"
    );
    assert_eq!(
        err("TestEvents | where Nope == 1"),
        "'where' operator: Failed to resolve scalar expression named 'Nope'"
    );
    assert_eq!(
        err("NoSuchTable | take 1"),
        "Failed to resolve table or column expression named 'NoSuchTable'"
    );
    assert_eq!(
        err("TestEvents | extend y = 1"),
        "A recognition error occurred."
    );
    assert_eq!(err("TestEvents | where"), "A recognition error occurred.");
    assert_eq!(err("TestEvents | take"), "A recognition error occurred.");
    assert_eq!(
        err("TestEvents | where ActionType == \"x"),
        "A recognition error occurred."
    );
    assert!(err("TestEvents | where Timestamp > 'x'")
        .starts_with("Cannot compare values of types datetime and string"));
    // Comments and verbatim strings parse.
    let q =
        "// leading comment\nTestEvents // trailing\n| where FileName != @\"C:\\x\"\"y\" | take 1";
    assert_eq!(rows(&t, q).len(), 1);
}

#[test]
fn summarize_by_bin_at_counts_every_row_in_aligned_bins() {
    // The bulk planner's row-count probe (src/bulk/probe.rs) has this shape.
    let t = tenant();
    let hour = 3_600 * 10_000_000_i64;
    let bins = rows(
        &t,
        "TestEvents | summarize HuntkitRows = count() by Timestamp = bin_at(Timestamp, 3600000ms, datetime(2020-01-01T00:30:00.000Z))",
    );
    let anchor = crate::time::parse("2020-01-01T00:30:00.000Z").expect("a time");
    let mut total = 0;
    for bin in &bins {
        let Value::Date(start) = bin[0] else {
            panic!("a datetime bin, got {:?}", bin[0])
        };
        assert_eq!(
            (start - anchor).rem_euclid(hour),
            0,
            "bin {start} is not on the anchor's hour grid"
        );
        let Value::Int(n) = bin[1] else {
            panic!("a count")
        };
        total += n;
    }
    assert!(bins.len() > 1);
    assert_eq!(total, t.table("TestEvents").expect("table").rows() as i64);
    let Err(error) = run(
        &t,
        "TestEvents | summarize count() by bin_size(Timestamp, 1h)",
        None,
    ) else {
        panic!("bin_size() is not supported and must be refused");
    };
    assert!(format!("{error:?}").contains("bin_size"));
}
