//! Reading a query set the analyst imports to check against a schema diff:
//! JSON Lines (one object per line, as exported by hunting-query
//! collections) or a single `.kql` file.
//!
//! A JSONL line names its query text `query`, `queryText` or `text` (any
//! case), its name `name` or `title`, and may carry an `id`; lines without a
//! query are errors rather than skipped, because a silently dropped query
//! would look like a query that nothing breaks.

use serde_json::{Map, Value};

use super::QueryRef;

/// A query file that could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryFileError {
    #[error("{file}: line {line} is not a json object: {message}")]
    NotJson {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: line {line} has no query text (expected a \"query\" member); it starts with {start:?}")]
    NoQuery {
        file: String,
        line: usize,
        start: String,
    },
    #[error("{file}: the file holds no query")]
    Empty { file: String },
}

/// Reads `text`, the content of the file called `file_name`. Files ending
/// in `.jsonl` or `.ndjson` are JSON Lines; anything else is one KQL query.
pub fn parse_query_file(file_name: &str, text: &str) -> Result<Vec<QueryRef>, QueryFileError> {
    let lower = file_name.to_ascii_lowercase();
    let queries = if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        parse_jsonl(file_name, text)?
    } else if text.trim().is_empty() {
        Vec::new()
    } else {
        vec![QueryRef {
            id: file_name.to_string(),
            name: file_name.to_string(),
            text: text.to_string(),
        }]
    };
    if queries.is_empty() {
        return Err(QueryFileError::Empty {
            file: file_name.to_string(),
        });
    }
    Ok(queries)
}

fn parse_jsonl(file: &str, text: &str) -> Result<Vec<QueryRef>, QueryFileError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let object: Map<String, Value> =
            serde_json::from_str(line).map_err(|e| QueryFileError::NotJson {
                file: file.to_string(),
                line: line_no,
                message: e.to_string(),
            })?;
        let Some(query) = member(&object, &["query", "queryText", "text"]) else {
            return Err(QueryFileError::NoQuery {
                file: file.to_string(),
                line: line_no,
                start: line.chars().take(60).collect(),
            });
        };
        let name = member(&object, &["name", "title"])
            .map_or_else(|| format!("{file} line {line_no}"), str::to_string);
        let id =
            member(&object, &["id"]).map_or_else(|| format!("{file}:{line_no}"), str::to_string);
        out.push(QueryRef {
            id,
            name,
            text: query.to_string(),
        });
    }
    Ok(out)
}

/// The first of `keys` (ASCII case ignored) whose value is a string.
fn member<'a>(object: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|key| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jsonl_with_names_and_ids() {
        let text = "{\"name\":\"A\",\"query\":\"T | take 1\"}\n\n{\"Title\":\"B\",\"QueryText\":\"U\",\"id\":\"x7\"}\n{\"text\":\"V\"}\n";
        let q = parse_query_file("set.jsonl", text).expect("reads");
        let got: Vec<(&str, &str, &str)> = q
            .iter()
            .map(|q| (q.id.as_str(), q.name.as_str(), q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("set.jsonl:1", "A", "T | take 1"),
                ("x7", "B", "U"),
                ("set.jsonl:4", "set.jsonl line 4", "V")
            ]
        );
    }

    #[test]
    fn a_line_without_a_query_is_an_error_that_names_it() {
        let err = parse_query_file("q.jsonl", "{\"query\":\"T\"}\n{\"name\":\"no text\"}\n")
            .expect_err("line 2 has no query");
        assert_eq!(
            err.to_string(),
            "q.jsonl: line 2 has no query text (expected a \"query\" member); it starts with \"{\\\"name\\\":\\\"no text\\\"}\""
        );
        let err = parse_query_file("q.jsonl", "not json\n").expect_err("not json");
        assert!(
            err.to_string()
                .starts_with("q.jsonl: line 1 is not a json object: "),
            "{err}"
        );
    }

    #[test]
    fn a_kql_file_is_one_query_named_after_the_file() {
        let q = parse_query_file("hunt.kql", "DeviceInfo\n| take 1\n").expect("reads");
        assert_eq!(q.len(), 1);
        assert_eq!(
            (q[0].id.as_str(), q[0].name.as_str()),
            ("hunt.kql", "hunt.kql")
        );
        assert_eq!(
            parse_query_file("empty.kql", " \n"),
            Err(QueryFileError::Empty {
                file: "empty.kql".into()
            })
        );
    }
}
