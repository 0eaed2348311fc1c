//! Unit tests of the analysis: where tables, columns and local names are
//! found, and where they must not be.

use super::analyze;

fn tables(src: &str) -> Vec<&str> {
    analyze(src).table_names(src)
}

fn columns(src: &str) -> Vec<&str> {
    analyze(src).column_names(src)
}

#[test]
fn table_at_the_start_and_in_let() {
    assert_eq!(tables("DeviceInfo | take 1"), vec!["DeviceInfo"]);
    assert_eq!(tables("// c\nDeviceInfo"), vec!["DeviceInfo"]);
    let src = "let p = DeviceProcessEvents | where X == 1;\np | join (DeviceInfo) on DeviceId";
    assert_eq!(tables(src), vec!["DeviceInfo", "DeviceProcessEvents"]);
}

#[test]
fn union_join_lookup_and_find_operands() {
    let src =
        "union kind=outer withsource=Src DeviceFileEvents, (DeviceEvents | where A), Email*\n\
               | join kind=inner hint.strategy=shuffle (IdentityInfo | project B) on B\n\
               | lookup kind=leftouter AlertInfo on AlertId";
    assert_eq!(
        tables(src),
        vec![
            "AlertInfo",
            "DeviceEvents",
            "DeviceFileEvents",
            "Email*",
            "IdentityInfo"
        ]
    );
    assert!(analyze(src).tables.iter().any(|t| t.wildcard));
    assert!(!columns(src).contains(&"Src"), "{:?}", columns(src));
    assert_eq!(
        tables("find in (DeviceEvents, Device*Events) where X"),
        vec!["Device*Events", "DeviceEvents"]
    );
    assert_eq!(tables("T | join U on X"), vec!["T", "U"]);
}

#[test]
fn materialize_toscalar_and_subqueries() {
    let src = "let a = materialize(DeviceInfo);\nlet n = toscalar(EmailEvents | count);\n\
               DeviceEvents | where DeviceId in (DeviceNetworkEvents | project DeviceId)";
    assert_eq!(
        tables(src),
        vec![
            "DeviceEvents",
            "DeviceInfo",
            "DeviceNetworkEvents",
            "EmailEvents"
        ]
    );
}

#[test]
fn blank_lines_separate_queries() {
    let src = "DeviceProcessEvents\n| take 1\n\n// next\nDeviceFileEvents\n| take 1";
    assert_eq!(tables(src), vec!["DeviceFileEvents", "DeviceProcessEvents"]);
    // A blank line inside an unfinished list does not end the query.
    let src = "DeviceInfo\n| project\n    DeviceId,\n\n    DeviceName\n| where X in (\n\n Y)";
    assert_eq!(tables(src), vec!["DeviceInfo"]);
    assert_eq!(columns(src), vec!["DeviceId", "DeviceName", "X", "Y"]);
}

#[test]
fn let_names_and_parameters_are_not_tables() {
    let src = "let f = (T:(DeviceId:string), n:int) { T | take n };\n\
               let x = DeviceInfo;\nf(x)\n| project DeviceId";
    assert_eq!(tables(src), vec!["DeviceInfo"]);
    assert_eq!(columns(src), vec!["DeviceId"]);
}

#[test]
fn strings_and_comments_hide_names() {
    let src = "T | where A == \"B\" and C has 'D' and E == @\"F\"\"G\" // H\n\
               | where I has ```J\nK```";
    assert_eq!(columns(src), vec!["A", "C", "E", "I"]);
}

#[test]
fn aliases_shadow_only_after_their_expression() {
    let src = "T | extend FileName = tolower(FileName), Y = FileName | where FileName != ''";
    let a = analyze(src);
    let hits: Vec<u32> = a
        .columns
        .iter()
        .filter(|c| c.name(src) == "FileName")
        .map(|c| c.column)
        .collect();
    // Only the read inside tolower(), not the definitions nor later uses.
    assert_eq!(hits, vec![31]);
    assert_eq!(a.local_names(src), vec!["FileName", "Y"]);
}

#[test]
fn definition_forms() {
    let src = "T | summarize Cnt = count() by Dev\n\
               | project-rename NewName = OldName\n\
               | parse Cmd with * \"-u \" User \" \" Port:int\n\
               | extend (A, B) = f(Cmd)\n\
               | mv-expand with_itemindex=Idx Arr\n\
               | where Cnt > 1 and NewName != User and Port > A and B > Idx";
    assert_eq!(columns(src), vec!["Arr", "Cmd", "Dev", "OldName"]);
}

#[test]
fn properties_calls_and_join_sides() {
    let src = "T | extend V = AdditionalFields.Key, W = parse_json(F).Other, Z = G[\"H\"]\n\
               | join U on $left.DeviceId == $right.Id";
    assert_eq!(
        columns(src),
        vec!["AdditionalFields", "DeviceId", "F", "G", "Id"]
    );
}

#[test]
fn render_options_are_not_columns() {
    let src = "T | summarize count() by bin(Timestamp, 1h) | render timechart with (ysplit=panels, xcolumn=Timestamp)";
    assert_eq!(columns(src), vec!["Timestamp"]);
    let a = analyze(src);
    assert_eq!(a.columns.len(), 2);
}

#[test]
fn datatable_and_externaldata_declare_columns() {
    let src = "let t = datatable(Name:string, Val:int) [\"a\", 1];\n\
               let e = externaldata(Url:string) [@\"https://x\"] with (format=\"txt\");\n\
               t | where Name == 'a' | join e on $left.Name == $right.Url";
    assert!(columns(src).is_empty(), "{:?}", columns(src));
}
