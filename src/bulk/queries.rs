//! Query lists: several queries to run one after the other.
//!
//! * `.kql` / `.txt`: one query per file, or several separated by a line
//!   that holds only `;`. Blank lines do not separate queries, because
//!   real hunting queries use them between their `let` statements. A
//!   query's name is its first `//` comment line, else the file name and
//!   its position.
//! * `.jsonl`: one JSON object per line, shaped like the public query
//!   collections: `{"source","name","query","tables"}`; `query` is
//!   required, `name` and `source` optional, and optional `start` / `end`
//!   (ISO times) give the query its own time range.
//!
//! Lines that cannot be used are reported with their line number.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ticks::{parse_ticks, Window, TICKS_PER_MS};

/// One query of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryItem {
    pub name: String,
    pub query: String,
    /// Its own time range; `None` uses the job's.
    #[serde(default)]
    pub range: Option<Window>,
    #[serde(default)]
    pub source: Option<String>,
}

/// A line of a list that was not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListProblem {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryList {
    pub queries: Vec<QueryItem>,
    pub problems: Vec<ListProblem>,
}

/// Reads a query file, choosing the format by its name (`.jsonl` is JSON
/// lines, anything else is KQL text).
pub fn parse_query_file(file_name: &str, text: &str) -> QueryList {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if file_name.to_ascii_lowercase().ends_with(".jsonl") {
        parse_query_jsonl(text)
    } else {
        parse_query_text(text, file_name)
    }
}

/// KQL text: queries separated by lines holding only `;`.
pub fn parse_query_text(text: &str, file_name: &str) -> QueryList {
    let mut list = QueryList::default();
    let mut block: Vec<&str> = Vec::new();
    let mut block_line = 1;
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == ";" {
            push_block(&mut list, &block, block_line, file_name);
            block.clear();
            block_line = i + 2;
        } else {
            block.push(line);
        }
    }
    push_block(&mut list, &block, block_line, file_name);
    if list.queries.is_empty() {
        list.problems.push(ListProblem {
            line: 1,
            reason: "no query in the file".into(),
        });
    }
    list
}

fn push_block(list: &mut QueryList, block: &[&str], first_line: usize, file_name: &str) {
    let has_code = block.iter().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with("//")
    });
    if !has_code {
        return;
    }
    let query = block.join("\n").trim().to_owned();
    let comment = block
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("//"))
        .map(|l| l.trim_start_matches('/').trim().to_owned())
        .filter(|c| !c.is_empty());
    let name = comment.unwrap_or_else(|| {
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        format!("{base} #{} (line {first_line})", list.queries.len() + 1)
    });
    list.queries.push(QueryItem {
        name,
        query,
        range: None,
        source: Some(file_name.to_owned()),
    });
}

/// JSON lines: one `{"query": …}` object per line.
pub fn parse_query_jsonl(text: &str) -> QueryList {
    let mut list = QueryList::default();
    for (i, line) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match read_item(line, list.queries.len() + 1) {
            Ok(item) => list.queries.push(item),
            Err(reason) => list.problems.push(ListProblem {
                line: line_no,
                reason,
            }),
        }
    }
    list
}

fn read_item(line: &str, position: usize) -> Result<QueryItem, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not json: {e}"))?;
    let object = value.as_object().ok_or("not a json object")?;
    let text_field = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let query = text_field("query")
        .filter(|q| !q.trim().is_empty())
        .ok_or("no \"query\" text")?;
    let name = text_field("name")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("query {position}"));
    let time = |key: &str| -> Result<Option<i64>, String> {
        match text_field(key) {
            None => Ok(None),
            Some(t) => parse_ticks(&t)
                .map(|ticks| Some(ticks.div_euclid(TICKS_PER_MS)))
                .map_err(|e| format!("{key}: {e}")),
        }
    };
    let range = match (time("start")?, time("end")?) {
        (Some(start), Some(end)) if start < end => Some(Window::new(start, end)),
        (Some(_), Some(_)) => return Err("\"start\" is not before \"end\"".into()),
        (None, None) => None,
        _ => return Err("give both \"start\" and \"end\", or neither".into()),
    };
    Ok(QueryItem {
        name,
        query,
        range,
        source: text_field("source"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolon_lines_separate_queries() {
        let text = "// First\nT\n\n| take 1\r\n;\n\n;\nU | where A\n  ;  \n// only a comment\n";
        let list = parse_query_text(text, "dir/hunt.kql");
        let names: Vec<&str> = list.queries.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["First", "hunt.kql #2 (line 8)"]);
        assert_eq!(list.queries[0].query, "// First\nT\n\n| take 1");
        assert_eq!(list.queries[1].query, "U | where A");
        assert!(list.problems.is_empty());
        assert_eq!(parse_query_text("\n// x\n", "e.kql").problems.len(), 1);
    }

    #[test]
    fn jsonl_reports_bad_lines() {
        let text = concat!(
            r#"{"source":"s","name":"A","query":"T | take 1","tables":["T"]}"#,
            "\n\nnot json\n",
            r#"{"name":"B"}"#,
            "\n",
            r#"{"query":"U","start":"2024-01-02T00:00:00Z","end":"2024-01-01T00:00:00Z"}"#,
            "\n",
            r#"{"query":"V","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00.5Z"}"#
        );
        let list = parse_query_file("q.JSONL", text);
        assert_eq!(list.queries.len(), 2);
        assert_eq!(list.queries[0].name, "A");
        assert_eq!(list.queries[1].name, "query 2");
        assert_eq!(
            list.queries[1].range,
            Some(Window::new(1_704_067_200_000, 1_704_153_600_500))
        );
        let lines: Vec<usize> = list.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        assert!(list.problems[1].reason.contains("no \"query\""));
    }
}
