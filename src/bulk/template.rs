//! Query templates run over a list of values.
//!
//! A template holds `{{values}}` where a comma-separated list of string
//! literals goes (`| where RemoteIP in ({{values}})`), or `{{value}}` where
//! one literal goes (`| where Url has {{value}}`). With `{{values}}` the
//! values are batched, with `{{value}}` each value is its own query. A
//! template uses one of the two, as often as it likes; white space inside
//! the braces is allowed.
//!
//! huntkit writes the quotes itself (see [`super::literal`]), so a
//! placeholder inside a string literal is an error that says so; one inside
//! a `//` comment is left alone.

use serde::{Deserialize, Serialize};

use super::literal::{kql_string, push_kql_string, LiteralError};
use super::scan::{scan, Kind};

/// Which placeholder a template uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Placeholder {
    /// `{{values}}`: a batch of literals, comma-separated.
    Values,
    /// `{{value}}`: one literal.
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Part {
    Text(String),
    Slot,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    text: String,
    placeholder: Placeholder,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template has no {{{{values}}}} or {{{{value}}}} placeholder")]
    NoPlaceholder,
    #[error("the template uses both {{{{values}}}} and {{{{value}}}}; use one of them")]
    Mixed,
    #[error("unknown placeholder {found:?} on line {line}; use {{{{values}}}} or {{{{value}}}}")]
    Unknown { found: String, line: usize },
    #[error(
        "the placeholder on line {line} is inside a string literal; remove the quotes around it, huntkit adds them"
    )]
    InString { line: usize },
}

/// Limits on one batch of a `{{values}}` template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BatchLimits {
    pub max_values: usize,
    /// Most characters of literals in one batch, so a list of long URLs
    /// does not make a query text the portal refuses.
    pub max_chars: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            max_values: 500,
            max_chars: 50_000,
        }
    }
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let tokens = scan(text);
        let mut parts = Vec::new();
        let mut found: Option<Placeholder> = None;
        let mut copied = 0;
        let mut from = 0;
        while let Some(rel) = text[from..].find("{{") {
            let open = from + rel;
            let Some(close_rel) = text[open + 2..].find("}}") else {
                break;
            };
            let close = open + 2 + close_rel + 2;
            let line = text[..open].matches('\n').count() + 1;
            let inside = |kind: Kind| {
                tokens
                    .iter()
                    .any(|t| t.kind == kind && t.start <= open && open < t.end)
            };
            if inside(Kind::Comment) {
                from = close;
                continue;
            }
            let name = text[open + 2..close - 2].trim();
            let this = match name {
                "values" => Placeholder::Values,
                "value" => Placeholder::Value,
                _ => {
                    // `{{` can be ordinary KQL (a dynamic bag inside a bag);
                    // only a word between the braces is a placeholder.
                    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        from = open + 2;
                        continue;
                    }
                    return Err(TemplateError::Unknown {
                        found: text[open..close].to_owned(),
                        line,
                    });
                }
            };
            if inside(Kind::Str) {
                return Err(TemplateError::InString { line });
            }
            if found.is_some_and(|f| f != this) {
                return Err(TemplateError::Mixed);
            }
            found = Some(this);
            parts.push(Part::Text(text[copied..open].to_owned()));
            parts.push(Part::Slot);
            copied = close;
            from = close;
        }
        let placeholder = found.ok_or(TemplateError::NoPlaceholder)?;
        parts.push(Part::Text(text[copied..].to_owned()));
        Ok(Template {
            text: text.to_owned(),
            placeholder,
            parts,
        })
    }

    pub fn placeholder(&self) -> Placeholder {
        self.placeholder
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The query for one batch (`{{value}}` templates take the first value).
    pub fn render<S: AsRef<str>>(&self, values: &[S]) -> Result<String, LiteralError> {
        let list = match self.placeholder {
            Placeholder::Values => {
                let mut list = String::new();
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        list.push_str(", ");
                    }
                    push_kql_string(&mut list, v.as_ref())?;
                }
                list
            }
            Placeholder::Value => kql_string(values.first().map_or("", |v| v.as_ref()))?,
        };
        let mut out = String::with_capacity(self.text.len() + list.len());
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Slot => out.push_str(&list),
            }
        }
        Ok(out)
    }

    /// Splits `values` into batches: one value each for `{{value}}`, else
    /// up to the limits (a value longer than `max_chars` alone).
    pub fn batches(&self, values: &[String], limits: BatchLimits) -> Vec<Vec<String>> {
        if self.placeholder == Placeholder::Value {
            return values.iter().map(|v| vec![v.clone()]).collect();
        }
        batch_values(values, limits)
    }
}

/// Greedy batching under [`BatchLimits`], keeping the order.
pub fn batch_values(values: &[String], limits: BatchLimits) -> Vec<Vec<String>> {
    let max_values = limits.max_values.max(1);
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut chars = 0;
    for v in values {
        // Quotes, escapes and the ", " separator, counted generously.
        let cost = v.len() + v.matches(['\\', '"', '\n', '\r', '\t']).count() + 4;
        if !current.is_empty() && (current.len() >= max_values || chars + cost > limits.max_chars) {
            batches.push(std::mem::take(&mut current));
            chars = 0;
        }
        chars += cost;
        current.push(v.clone());
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_literal_list() {
        let t = Template::parse(
            "DeviceNetworkEvents\n| where RemoteIP in ({{ values }}) or LocalIP in ({{values}})",
        )
        .expect("template");
        assert_eq!(t.placeholder(), Placeholder::Values);
        assert_eq!(
            t.render(&["1.1.1.1", "a\"b"]).as_deref(),
            Ok("DeviceNetworkEvents\n| where RemoteIP in (\"1.1.1.1\", \"a\\\"b\") or LocalIP in (\"1.1.1.1\", \"a\\\"b\")")
        );
    }

    #[test]
    fn rejects_bad_placeholders() {
        assert_eq!(
            Template::parse("T | where A == 1"),
            Err(TemplateError::NoPlaceholder)
        );
        assert_eq!(
            Template::parse("T | where A in ({{values}}) and B == {{value}}"),
            Err(TemplateError::Mixed)
        );
        assert_eq!(
            Template::parse("T\n| where A == {{valeu}}"),
            Err(TemplateError::Unknown {
                found: "{{valeu}}".into(),
                line: 2
            })
        );
        let err = Template::parse("T | where A == \"{{value}}\"").expect_err("in string");
        assert_eq!(
            err.to_string(),
            "the placeholder on line 1 is inside a string literal; remove the quotes around it, huntkit adds them"
        );
        assert_eq!(
            Template::parse("// {{values}}\nT | where A == 1"),
            Err(TemplateError::NoPlaceholder)
        );
    }

    #[test]
    fn value_templates_run_one_value_each() {
        let t = Template::parse("T | where Url has {{value}}").expect("template");
        let values: Vec<String> = ["a", "b"].map(String::from).to_vec();
        assert_eq!(
            t.batches(&values, BatchLimits::default()),
            vec![vec!["a".to_owned()], vec!["b".to_owned()]]
        );
        assert_eq!(
            t.render(&["x\ny"]).as_deref(),
            Ok("T | where Url has \"x\\ny\"")
        );
    }
}
