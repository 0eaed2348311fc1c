//! Markdown rendering of a schema diff, for copying into a ticket or a
//! change log: the counts first, then one section per table. Description
//! changes go last in each table, inside `<details>`, because most of them
//! are rewordings that would hide the changes that break queries.

use std::fmt::Write;

use super::diff::{Change, DiffCounts, RenameReason, SchemaDiff, TableDiff};
use super::model::Retention;

/// What the two sides of a diff are called in the rendered text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLabels {
    pub old_label: String,
    pub new_label: String,
}

/// Renders `diff` as Markdown.
pub fn to_markdown(diff: &SchemaDiff, labels: &DiffLabels) -> String {
    let mut md = String::new();
    // Writing into a String cannot fail, hence the ignored results.
    let _ = writeln!(
        md,
        "# Schema changes: {} → {}\n",
        labels.old_label, labels.new_label
    );
    if diff.is_empty() {
        md.push_str("No changes.\n");
        return md;
    }
    counts_table(&mut md, &diff.counts);

    if !diff.tables_added.is_empty() {
        md.push_str("\n## Tables added\n\n");
        for t in &diff.tables_added {
            let _ = write!(md, "- {} ({} columns", code(&t.name), t.column_count);
            if let Some(section) = &t.section {
                let _ = write!(md, ", {section}");
            }
            md.push(')');
            if let Some(old) = &t.documented_counterpart {
                let _ = write!(md, "; documented to replace {}", code(old));
            }
            md.push('\n');
        }
    }
    if !diff.tables_removed.is_empty() {
        md.push_str("\n## Tables removed\n\n");
        for t in &diff.tables_removed {
            let _ = write!(md, "- {} ({} columns)", code(&t.name), t.column_count);
            if let Some(new) = &t.documented_counterpart {
                let _ = write!(md, "; documented successor {}", code(new));
            }
            md.push('\n');
        }
    }
    if !diff.tables_renamed.is_empty() {
        md.push_str("\n## Tables renamed\n\n");
        for r in &diff.tables_renamed {
            let why = match r.reason {
                RenameReason::Documented => "documented".to_string(),
                RenameReason::CaseOnly => "case only".to_string(),
                RenameReason::SimilarColumns => {
                    format!("{:.0} % of columns shared", r.similarity * 100.0)
                }
            };
            let _ = writeln!(md, "- {} → {} ({why})", code(&r.from), code(&r.to));
        }
    }
    for t in &diff.tables_changed {
        table_section(&mut md, t);
    }
    md
}

fn counts_table(md: &mut String, c: &DiffCounts) {
    md.push_str("| Change | Count |\n|---|---:|\n");
    let rows = [
        ("Tables added", c.tables_added),
        ("Tables removed", c.tables_removed),
        ("Tables renamed", c.tables_renamed),
        ("Tables changed", c.tables_changed),
        ("Columns added", c.columns_added),
        ("Columns removed", c.columns_removed),
        ("Columns renamed", c.columns_renamed),
        ("Columns retyped", c.columns_retyped),
        ("Table property changes", c.property_changes),
        ("Tables reordered", c.order_changes),
        ("Description changes", c.description_changes),
    ];
    for (label, n) in rows {
        let _ = writeln!(md, "| {label} | {n} |");
    }
}

fn table_section(md: &mut String, t: &TableDiff) {
    let _ = write!(md, "\n## {}", code(&t.table));
    if let Some(old) = &t.renamed_from {
        let _ = write!(md, " (was {})", code(old));
    }
    md.push_str("\n\n");
    property(md, "Section", &t.section, |v| opt(v.as_deref()));
    property(md, "Table type", &t.table_type, |v| opt(v.as_deref()));
    property(md, "HasData", &t.has_data, |v| {
        opt(v.map(|b| b.to_string()).as_deref())
    });
    property(md, "Retention", &t.retention, |v| retention(v.as_ref()));
    for c in &t.columns_added {
        let _ = writeln!(
            md,
            "- Added {}: {}",
            code(&c.name),
            opt(c.type_name.as_deref())
        );
    }
    for c in &t.columns_removed {
        let _ = writeln!(
            md,
            "- Removed {}: {}",
            code(&c.name),
            opt(c.type_name.as_deref())
        );
    }
    for r in &t.columns_renamed {
        let why = match (r.reason, r.case_only) {
            (RenameReason::Documented, true) => "documented, case only",
            (RenameReason::Documented, false) => "documented",
            _ => "case only",
        };
        let _ = write!(md, "- Renamed {} → {} ({why})", code(&r.from), code(&r.to));
        if let Some(tc) = &r.type_change {
            let _ = write!(
                md,
                "; type {} → {}",
                opt(tc.old.as_deref()),
                opt(tc.new.as_deref())
            );
        }
        md.push('\n');
    }
    for r in &t.columns_retyped {
        let _ = writeln!(
            md,
            "- Retyped {}: {} → {}",
            code(&r.name),
            opt(r.from.as_deref()),
            opt(r.to.as_deref())
        );
    }
    if !t.columns_moved.is_empty() {
        let names: Vec<String> = t.columns_moved.iter().map(|n| code(n)).collect();
        let _ = writeln!(md, "- Column order changed; moved: {}", names.join(", "));
    }
    if !t.descriptions_changed.is_empty() {
        let _ = writeln!(
            md,
            "\n<details><summary>{} description changes</summary>\n",
            t.descriptions_changed.len()
        );
        for d in &t.descriptions_changed {
            let _ = writeln!(
                md,
                "- {}{}: {} → {}",
                code(&d.column),
                if d.minor { " (minor)" } else { "" },
                quote(d.old.as_deref()),
                quote(d.new.as_deref())
            );
        }
        md.push_str("\n</details>\n");
    }
}

fn property<T>(
    md: &mut String,
    label: &str,
    change: &Option<Change<T>>,
    show: impl Fn(&T) -> String,
) {
    if let Some(c) = change {
        let _ = writeln!(md, "- {label}: {} → {}", show(&c.old), show(&c.new));
    }
}

fn retention(r: Option<&Retention>) -> String {
    let Some(r) = r else {
        return "none".to_string();
    };
    let days = |d: Option<u32>| d.map_or("?".to_string(), |d| d.to_string());
    format!(
        "hot {} / cold {} / interactive {} days",
        days(r.hot_days),
        days(r.cold_days),
        days(r.total_interactive_days)
    )
}

fn opt(v: Option<&str>) -> String {
    v.map_or_else(|| "none".to_string(), str::to_string)
}

/// An inline code span that survives backticks inside the name.
fn code(name: &str) -> String {
    if name.contains('`') {
        format!("`` {name} ``")
    } else {
        format!("`{name}`")
    }
}

/// A description on one line, quoted; Markdown would otherwise break the
/// list item at a line break.
fn quote(text: Option<&str>) -> String {
    match text {
        None | Some("") => "(empty)".to_string(),
        Some(t) => format!("“{}”", t.split_whitespace().collect::<Vec<_>>().join(" ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{diff, parse_schema, DiffOptions};

    fn labels() -> DiffLabels {
        DiffLabels {
            old_label: "March".into(),
            new_label: "July".into(),
        }
    }

    #[test]
    fn empty_diff_says_so() {
        let md = to_markdown(&SchemaDiff::default(), &labels());
        assert_eq!(md, "# Schema changes: March → July\n\nNo changes.\n");
    }

    #[test]
    fn counts_come_first_then_tables() {
        let old = parse_schema(
            br#"{"Tables":[{"Name":"T","Schema":[{"Name":"A","Type":"Int32","Description":"x"},{"Name":"B"}]}]}"#,
        )
        .expect("old");
        let new = parse_schema(
            br#"{"Tables":[{"Name":"T","Schema":[{"Name":"A","Type":"Int64","Description":"line one\n line two"},{"Name":"C","Type":"String"}]}]}"#,
        )
        .expect("new");
        let md = to_markdown(&diff(&old, &new, &DiffOptions::default()), &labels());
        let counts = md.find("| Columns retyped | 1 |").expect("counts row");
        let table = md.find("## `T`").expect("table heading");
        assert!(counts < table, "{md}");
        assert!(md.contains("- Retyped `A`: Int32 → Int64"), "{md}");
        assert!(md.contains("- Added `C`: String"), "{md}");
        assert!(md.contains("- Removed `B`: none"), "{md}");
        assert!(md.contains("“x” → “line one line two”"), "{md}");
    }
}
