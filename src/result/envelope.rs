//! Reads the top level of a query response: `Schema`, `Quota`,
//! `ChartVisualization` and `Results`, matching keys without regard to
//! case (the portal writes `Schema`, Graph writes `schema`).
//!
//! The `Results` value is handed to a caller-chosen seed, so one pass over
//! the body can scan the rows (when a result is built) or stream them
//! (when it is exported) without first copying the array anywhere.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Serialize;
use serde_json::Value;

use super::error::ResultError;

/// One column of a result: its name and the type the portal reported
/// (`String`, `Int64`, `DateTime`, `Dynamic`, …; empty when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub name: String,
    pub type_name: String,
}

impl Column {
    pub fn new(name: impl Into<String>, type_name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            type_name: type_name.into(),
        }
    }
}

/// The portal's resource figures for one query. Missing or odd fields fall
/// back to defaults: they are informative, never worth failing a result.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    pub query_cpu_usage: f64,
    pub cpu_load: f64,
    /// A .NET TimeSpan such as `00:00:01.1144704`, as sent.
    pub execution_time: String,
    pub total_cpu_time: String,
}

/// What the top level held, apart from the rows.
#[derive(Debug, Default)]
pub(crate) struct Envelope {
    pub schema: Option<Vec<Column>>,
    pub quota: Quota,
    pub chart_type: Option<String>,
    pub has_results: bool,
    pub keys: Vec<String>,
}

/// Which envelope key a top-level key is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Schema,
    Results,
    Quota,
    Chart,
    Other,
}

fn part_of(key: &str) -> Part {
    if key.eq_ignore_ascii_case("results") {
        Part::Results
    } else if key.eq_ignore_ascii_case("schema") {
        Part::Schema
    } else if key.eq_ignore_ascii_case("quota") {
        Part::Quota
    } else if key.eq_ignore_ascii_case("chartvisualization") {
        Part::Chart
    } else {
        Part::Other
    }
}

/// Reads the envelope of `body`, passing the `Results` value to `results`.
/// With `with_meta` false, `Schema`, `Quota` and the chart are skipped.
///
/// Errors raised inside `results` come back as [`ResultError::Malformed`]
/// for `Results`; a seed that knows better keeps its own error and prefers
/// it.
pub(crate) fn read_envelope<'de, S>(
    body: &'de str,
    with_meta: bool,
    results: S,
) -> Result<Envelope, ResultError>
where
    S: DeserializeSeed<'de, Value = ()>,
{
    let mut problem = None;
    let mut entered = false;
    let mut de = serde_json::Deserializer::from_str(body);
    let visitor = EnvelopeVisitor {
        with_meta,
        results: Some(results),
        problem: &mut problem,
        entered: &mut entered,
    };
    let read = de
        .deserialize_map(visitor)
        .and_then(|envelope| de.end().map(|()| envelope));
    read.map_err(|err| match problem {
        Some(known) => known,
        None if err.is_data() && !entered => ResultError::NotAnObject {
            message: err.to_string(),
        },
        None if err.is_data() => ResultError::Malformed {
            key: "Results",
            message: err.to_string(),
        },
        None => ResultError::NotJson {
            message: err.to_string(),
        },
    })
}

struct EnvelopeVisitor<'p, S> {
    with_meta: bool,
    results: Option<S>,
    /// The precise reason when this visitor itself rejects the body.
    problem: &'p mut Option<ResultError>,
    /// Set once the top level turned out to be an object.
    entered: &'p mut bool,
}

impl<'de, S> Visitor<'de> for EnvelopeVisitor<'_, S>
where
    S: DeserializeSeed<'de, Value = ()>,
{
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a response object with Schema and Results")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Envelope, A::Error> {
        *self.entered = true;
        let mut envelope = Envelope::default();
        let mut seen = [false; 4];
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let part = part_of(&key);
            envelope.keys.push(key.into_owned());
            if let Some(slot) = part.slot() {
                if std::mem::replace(&mut seen[slot], true) {
                    return Err(self.reject(ResultError::DuplicateKey { key: part.name() }));
                }
            }
            match part {
                Part::Results => {
                    if let Some(seed) = self.results.take() {
                        map.next_value_seed(seed)?;
                    }
                    envelope.has_results = true;
                }
                Part::Schema if self.with_meta => {
                    let value: Value = map.next_value()?;
                    match read_schema(value) {
                        Ok(columns) => envelope.schema = Some(columns),
                        Err(message) => {
                            return Err(self.reject(ResultError::Malformed {
                                key: "Schema",
                                message,
                            }))
                        }
                    }
                }
                Part::Quota if self.with_meta => {
                    envelope.quota = read_quota(&map.next_value()?);
                }
                Part::Chart if self.with_meta => {
                    let value: Value = map.next_value()?;
                    envelope.chart_type = get_ci(&value, "charttype").and_then(text_of);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(envelope)
    }
}

impl<S> EnvelopeVisitor<'_, S> {
    fn reject<E: serde::de::Error>(&mut self, problem: ResultError) -> E {
        let err = E::custom(&problem);
        *self.problem = Some(problem);
        err
    }
}

impl Part {
    /// Index for duplicate detection.
    fn slot(self) -> Option<usize> {
        match self {
            Part::Schema => Some(0),
            Part::Results => Some(1),
            Part::Quota => Some(2),
            Part::Chart => Some(3),
            Part::Other => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Part::Schema => "Schema",
            Part::Results => "Results",
            Part::Quota => "Quota",
            Part::Chart => "ChartVisualization",
            Part::Other => "an unknown key",
        }
    }
}

/// Reads `Schema`: a list of `{Name, Type}` objects, any key casing.
fn read_schema(value: Value) -> Result<Vec<Column>, String> {
    let Value::Array(entries) = value else {
        return Err(format!("expected a list, found {}", kind_of(&value)));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let name = get_ci(entry, "name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("entry {i} has no string name: {entry}"))?;
            let type_name = get_ci(entry, "type").and_then(text_of).unwrap_or_default();
            Ok(Column::new(name, type_name))
        })
        .collect()
}

fn read_quota(value: &Value) -> Quota {
    let number = |key: &str| match get_ci(value, key) {
        Some(Value::Number(n)) => n.as_f64().unwrap_or_default(),
        Some(Value::String(s)) => s.trim().parse().unwrap_or_default(),
        _ => 0.0,
    };
    let text = |key: &str| get_ci(value, key).and_then(text_of).unwrap_or_default();
    Quota {
        query_cpu_usage: number("querycpuusage"),
        cpu_load: number("cpuload"),
        execution_time: text("executiontime"),
        total_cpu_time: text("totalcputime"),
    }
}

/// Looks up `key` (given in lower case) in an object, ignoring case.
pub(crate) fn get_ci<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A string as is, a number as its text; anything else is absent.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Deserializes an object key, borrowing it from the body unless it had
/// escapes.
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}
