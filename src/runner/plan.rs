//! From what the analyst entered in the Bulk view to a [`Job`], with every
//! input problem reported next to its line instead of silently dropped.

use serde::{Deserialize, Serialize};

use crate::bulk::{
    parse_indicators, parse_query_file, BulkError, IndicatorKind, InputFormat, Job, JobConfig,
    ListProblem, Rejected, Window,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum JobKind {
    Queries,
    Template,
    Sliced,
}

/// The Bulk view's form.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    pub kind: JobKind,
    /// The query, the template, or (for a list) pasted queries.
    pub query_text: String,
    /// A loaded query list (`.kql`, `.txt`, `.jsonl`), used instead of
    /// `query_text` for a list when present.
    #[serde(default)]
    pub query_file: Option<LoadedFile>,
    /// The indicator values of a template job, pasted or loaded.
    #[serde(default)]
    pub values: Option<LoadedFile>,
    pub start_ms: i64,
    pub end_ms: i64,
    #[serde(default)]
    pub config: JobConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadedFile {
    /// `None` for pasted text.
    pub name: Option<String>,
    pub text: String,
}

/// What planning found in the inputs, for the analyst to check.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanNotes {
    pub query_problems: Vec<ListProblem>,
    pub rejected_values: Vec<Rejected>,
    pub duplicate_values: usize,
    /// (kind label, count) of the accepted indicators.
    pub value_kinds: Vec<(String, usize)>,
}

pub fn plan_job(spec: &JobSpec) -> Result<(Job, PlanNotes), BulkError> {
    let range = Window::new(spec.start_ms, spec.end_ms);
    let config = spec.config.clone();
    let mut notes = PlanNotes::default();
    let job = match spec.kind {
        JobKind::Sliced => Job::sliced(&spec.query_text, range, config)?,
        JobKind::Queries => {
            let list = match &spec.query_file {
                Some(file) => {
                    parse_query_file(file.name.as_deref().unwrap_or("queries.kql"), &file.text)
                }
                None => parse_query_file("pasted.kql", &spec.query_text),
            };
            notes.query_problems = list.problems;
            Job::queries(list.queries, range, config)?
        }
        JobKind::Template => {
            let values = spec.values.as_ref().ok_or(BulkError::NoValues)?;
            let format = InputFormat::detect(values.name.as_deref(), &values.text);
            let list = parse_indicators(&values.text, format).map_err(|_| BulkError::NoValues)?;
            notes.rejected_values = list.rejected.clone();
            notes.duplicate_values = list.duplicates.len();
            notes.value_kinds = list
                .counts()
                .into_iter()
                .map(|(kind, n): (IndicatorKind, usize)| (kind.label().to_owned(), n))
                .collect();
            Job::template(&spec.query_text, &list.values(), range, config)?
        }
    };
    Ok((job, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: JobKind, query: &str) -> JobSpec {
        JobSpec {
            kind,
            query_text: query.into(),
            query_file: None,
            values: None,
            start_ms: 1_700_000_000_000,
            end_ms: 1_700_086_400_000,
            config: JobConfig::default(),
        }
    }

    #[test]
    fn a_template_reports_rejected_and_duplicate_values() {
        let mut template = spec(
            JobKind::Template,
            "DeviceNetworkEvents | where RemoteIP in ({{values}})",
        );
        template.values = Some(LoadedFile {
            name: Some("iocs.txt".into()),
            text: "\u{feff}192.0.2.1\r\n192.0.2.1\r\nnot an indicator!!\r\n2001:db8::1\r\n".into(),
        });
        let (job, notes) = plan_job(&template).expect("plans");
        assert_eq!(notes.duplicate_values, 1);
        assert_eq!(notes.rejected_values.len(), 1);
        assert_eq!(notes.rejected_values[0].line, 3);
        assert!(!job.units().is_empty());
    }

    #[test]
    fn a_summarize_is_not_sliced_and_says_why() {
        let error = plan_job(&spec(
            JobKind::Sliced,
            "DeviceInfo | summarize count() by DeviceName",
        ))
        .expect_err("refused");
        assert!(error.to_string().contains("summarize"), "{error}");
    }
}
