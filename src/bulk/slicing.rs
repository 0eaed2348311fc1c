//! Whether a query can be time-sliced exactly, decided before any request.
//!
//! Slicing runs the query once per window and keeps, from each answer, the
//! rows whose `Timestamp` lies in that window. That is exact only for
//! row-level queries whose output carries the original `Timestamp`: an
//! aggregation, a `take`, or a join computed per window is not the same as
//! the one computed over the whole range.
//!
//! The check is textual, over the tokens of [`super::scan`] (so strings and
//! comments never count), and conservative: it refuses a query when any of
//! these appears anywhere, even in a subquery or a `let`:
//!
//! * operators that aggregate, keep a subset, or pair rows across the
//!   range: `summarize`, `count`, `make-series`, `distinct`, `take`,
//!   `limit`, `top`, `top-nested`, `top-hitters`, `sample`,
//!   `sample-distinct`, `join`, `lookup`, `reduce`, `facet`, `evaluate`,
//!   `invoke`, `fork`, `partition`, `scan`, `serialize`, `getschema`,
//!   `consume`, `make-graph`, `graph-match`;
//! * functions that number or compare neighbouring rows: `row_number`,
//!   `prev`, `next`, `row_cumsum`, `row_rank_dense`, `row_rank_min`,
//!   `row_window_session`;
//! * `print` as a statement, and any assignment to `Timestamp`
//!   (`Timestamp = …`), which changes the value windows are cut on.
//!
//! In the final statement's own pipeline it also refuses a `project` or
//! `project-keep` that does not list `Timestamp` as a plain column, a
//! `project-away` that names it or uses a wildcard, and a `project-rename`
//! that mentions it. Projections inside `let` statements are left to the
//! run itself: an answer without a `Timestamp` column stops the job with
//! the same kind of explanation.

use serde::{Deserialize, Serialize};

use super::scan::{scan, Kind, Token};

/// Why a query is not time-sliced, in words for the analyst.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("this query cannot be split into time windows: {reason}")]
pub struct SliceRefusal {
    pub reason: String,
    /// 1-based line of the construct that caused the refusal.
    pub line: Option<u32>,
}

/// What the check learnt about a sliceable query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sliceable {
    /// Whether a `| summarize` may be appended to count rows per time bin
    /// (not after `render`, which must stay last).
    pub countable: bool,
}

const AGGREGATES: &[&str] = &[
    "summarize",
    "count",
    "make-series",
    "distinct",
    "reduce",
    "facet",
];
const SUBSETS: &[&str] = &[
    "take",
    "limit",
    "top",
    "top-nested",
    "top-hitters",
    "sample",
    "sample-distinct",
];
const PAIRS: &[&str] = &["join", "lookup"];
const RESHAPES: &[&str] = &[
    "evaluate",
    "invoke",
    "fork",
    "partition",
    "scan",
    "serialize",
    "getschema",
    "consume",
    "make-graph",
    "graph-match",
];
const NEIGHBOUR_FUNCTIONS: &[&str] = &[
    "row_number",
    "prev",
    "next",
    "row_cumsum",
    "row_rank_dense",
    "row_rank_min",
    "row_window_session",
];

/// Decides whether `query` can be time-sliced exactly.
pub fn check_sliceable(query: &str) -> Result<Sliceable, SliceRefusal> {
    let tokens: Vec<Token> = scan(query)
        .into_iter()
        .filter(|t| t.kind != Kind::Comment)
        .collect();
    let line = |t: &Token| Some(line_of(query, t.start));
    let refuse = |reason: String, t: &Token| SliceRefusal {
        reason,
        line: line(t),
    };
    if tokens.is_empty() {
        return Err(SliceRefusal {
            reason: "the query is empty".into(),
            line: None,
        });
    }
    let mut countable = true;
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1);
        if t.is_punct("|") {
            let Some(op) = next.filter(|n| n.kind == Kind::Word) else {
                continue;
            };
            let name = op.text.as_str();
            if let Some(reason) = operator_reason(name) {
                return Err(refuse(reason, op));
            }
            if name == "render" {
                countable = false;
            }
        } else if t.kind == Kind::Word
            && NEIGHBOUR_FUNCTIONS.contains(&t.text.as_str())
            && next.is_some_and(|n| n.is_punct("("))
        {
            return Err(refuse(
                format!("it uses {}(), whose value depends on the neighbouring rows, which differ from window to window", t.text),
                t,
            ));
        } else if t.is_name("Timestamp") && next.is_some_and(|n| n.is_punct("=")) {
            return Err(refuse(
                "it assigns a new value to Timestamp, and windows must be cut on the original time of each row".into(),
                t,
            ));
        } else if t.is_name("print") && (i == 0 || tokens[i - 1].is_punct(";")) {
            return Err(refuse(
                "it prints values instead of returning table rows".into(),
                t,
            ));
        }
    }
    check_final_projection(&tokens, query)?;
    Ok(Sliceable { countable })
}

fn operator_reason(name: &str) -> Option<String> {
    if AGGREGATES.contains(&name) {
        Some(format!(
            "it uses {name}, which aggregates rows: each window would aggregate only its own rows, so the pieces would \
             not add up to the answer over the whole range. Export the rows without the aggregation instead"
        ))
    } else if SUBSETS.contains(&name) {
        Some(format!(
            "it uses {name}, which keeps only some rows: every window would keep its own share"
        ))
    } else if PAIRS.contains(&name) {
        Some(format!(
            "it uses {name}, which pairs rows across the whole time range: pairs whose sides fall in different \
             windows would be lost"
        ))
    } else if RESHAPES.contains(&name) {
        Some(format!(
            "it uses {name}, whose output is not one row per event with its own Timestamp"
        ))
    } else {
        None
    }
}

/// The projection rules, applied to the last statement's top-level
/// pipeline (the one whose rows the portal returns).
fn check_final_projection(tokens: &[Token], query: &str) -> Result<(), SliceRefusal> {
    let last = last_statement(tokens);
    let mut depth = 0i32;
    for (i, t) in last.iter().enumerate() {
        match t.text.as_str() {
            "(" | "[" | "{" if t.kind == Kind::Punct => depth += 1,
            ")" | "]" | "}" if t.kind == Kind::Punct => depth -= 1,
            _ => {}
        }
        if depth != 0 || !t.is_punct("|") {
            continue;
        }
        let Some(op) = last.get(i + 1).filter(|o| o.kind == Kind::Word) else {
            continue;
        };
        let args = segment(&last[i + 2..]);
        let refuse = |reason: String| SliceRefusal {
            reason,
            line: Some(line_of(query, op.start)),
        };
        match op.text.as_str() {
            "project" | "project-keep" => {
                let keeps = items(args)
                    .iter()
                    .any(|item| item.len() == 1 && item[0].is_name("Timestamp"));
                if !keeps {
                    return Err(refuse(format!(
                        "its {} leaves out Timestamp, which huntkit needs to place each row in exactly one window; \
                         add Timestamp to the list",
                        op.text
                    )));
                }
            }
            "project-away"
                if args
                    .iter()
                    .any(|a| a.is_name("Timestamp") || a.is_punct("*")) =>
            {
                return Err(refuse(
                    "its project-away removes Timestamp (or may, through a wildcard), which huntkit needs to \
                     place each row in exactly one window"
                        .into(),
                ));
            }
            "project-rename" if args.iter().any(|a| a.is_name("Timestamp")) => {
                return Err(refuse(
                    "its project-rename renames Timestamp, which huntkit needs to place each row in exactly \
                     one window"
                        .into(),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The tokens of the last non-empty statement (statements end at a `;`
/// outside brackets).
fn last_statement(tokens: &[Token]) -> &[Token] {
    let mut depth = 0i32;
    let mut start = 0;
    let mut last = tokens;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != Kind::Punct {
            continue;
        }
        match t.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            ";" if depth == 0 => {
                if i > start {
                    last = &tokens[start..i];
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() {
        last = &tokens[start..];
    }
    last
}

/// The arguments of an operator: up to the next `|` or `;` at its level.
fn segment(tokens: &[Token]) -> &[Token] {
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != Kind::Punct {
            continue;
        }
        match t.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth < 0 {
                    return &tokens[..i];
                }
            }
            "|" | ";" if depth == 0 => return &tokens[..i],
            _ => {}
        }
    }
    tokens
}

/// A column list split at its top-level commas.
fn items(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != Kind::Punct {
            continue;
        }
        match t.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            "," if depth == 0 => {
                out.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&tokens[start..]);
    out
}

fn line_of(src: &str, offset: usize) -> u32 {
    let before = src.get(..offset).unwrap_or(src);
    u32::try_from(before.bytes().filter(|&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(q: &str) -> SliceRefusal {
        check_sliceable(q).expect_err(q)
    }

    #[test]
    fn row_level_queries_are_sliceable() {
        for q in [
            "DeviceProcessEvents | where FileName =~ \"cmd.exe\"",
            "DeviceProcessEvents\n| where ProcessCommandLine has \"| summarize\" // | take 5\n| project Timestamp, DeviceName",
            "let ips = externaldata(ip:string)[@\"https://x\"] | project ip;\nDeviceNetworkEvents | where RemoteIP in (ips)",
            "DeviceEvents | project-away AdditionalFields | extend Day = bin(Timestamp, 1d)",
            "DeviceEvents | project ['Timestamp'], DeviceName | sort by Timestamp desc",
            "DeviceEvents | where Timestamp == datetime(2024-01-01)",
        ] {
            assert_eq!(check_sliceable(q), Ok(Sliceable { countable: true }), "{q}");
        }
        assert_eq!(
            check_sliceable("T | render timechart"),
            Ok(Sliceable { countable: false })
        );
    }

    #[test]
    fn aggregations_and_subsets_are_refused_with_a_reason() {
        let r = refused("DeviceEvents\n| summarize count() by DeviceName");
        assert_eq!(r.line, Some(2));
        assert!(r
            .to_string()
            .starts_with("this query cannot be split into time windows: it uses summarize"));
        for q in [
            "T | count",
            "T | take 10",
            "T | limit 10",
            "T | top 5 by Timestamp",
            "T | distinct DeviceName",
            "T | make-series n = count() on Timestamp step 1h",
            "T | join (U) on DeviceId",
            "T | where X in ((U | summarize by X))",
            "T | serialize | extend n = row_number()",
            "T | extend p = prev(Timestamp)",
            "print 1",
            "T | extend Timestamp = now()",
            "T | getschema",
        ] {
            refused(q);
        }
    }

    #[test]
    fn projections_must_keep_timestamp() {
        let r = refused("T\n| project DeviceName, FileName");
        assert_eq!(r.line, Some(2));
        assert!(r.reason.contains("leaves out Timestamp"));
        refused("T | project-away Timestamp");
        refused("T | project-away Time*");
        refused("T | project-rename Time = Timestamp");
        refused("T | project-keep DeviceName");
        refused("T | project T2 = Timestamp");
        refused("");
        refused("// only a comment");
    }
}
