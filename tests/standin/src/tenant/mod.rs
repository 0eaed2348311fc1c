//! The synthetic tenant: tables from the served schema, each with sorted
//! timestamps held in memory and every other cell generated on demand from a
//! hash of (seed, table, row, column).

mod text;
mod timestamps;
mod values;

use crate::hash::{fnv1a, key};
use crate::model::{ColType, Value};
use crate::time::{self, TICKS_PER_DAY};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The span of data: [now - 30 days, now), the portal's default retention.
pub const SPAN_DAYS: i64 = 30;

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: ColType,
    /// Hash of the name: values depend on the column's name, not its position,
    /// so a schema change that adds columns leaves other values unchanged.
    pub key: u64,
    /// Per-column style flag: for Boolean, send as SByte 0/1; for Dynamic,
    /// send JSON inside a string rather than a real object/array.
    pub alt_style: bool,
}

#[derive(Debug)]
pub struct Table {
    pub name: String,
    pub key: u64,
    pub seed: u64,
    pub columns: Vec<Column>,
    /// Index of the `Timestamp` column (DateTime), the one the request's
    /// StartTime/EndTime filter on.
    pub ts_col: Option<usize>,
    /// Sorted ascending; row i's event time is `times[i]`.
    pub times: Arc<Vec<i64>>,
    pub now: i64,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.times.len()
    }

    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The cell at (row, column): a pure function of the seed and names.
    pub fn cell(&self, row: usize, col: usize) -> Value {
        let c = &self.columns[col];
        if Some(col) == self.ts_col {
            return Value::Date(self.times[row]);
        }
        values::cell(self, row, c)
    }

    /// Row index range whose Timestamp lies in the request window.
    pub fn window(&self, start: i64, end: i64, inclusive_end: bool) -> (usize, usize) {
        let lo = self.times.partition_point(|t| *t < start);
        let hi = if inclusive_end {
            self.times.partition_point(|t| *t <= end)
        } else {
            self.times.partition_point(|t| *t < end)
        };
        (lo, hi.max(lo))
    }
}

/// Portal schema format, as much as the stand-in needs of it.
#[derive(Deserialize)]
pub struct SchemaDoc {
    #[serde(rename = "Tables")]
    pub tables: Vec<SchemaTable>,
}

#[derive(Deserialize)]
pub struct SchemaTable {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Schema")]
    pub schema: Vec<SchemaColumn>,
}

#[derive(Deserialize)]
pub struct SchemaColumn {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Type")]
    pub ty: String,
}

#[derive(Clone)]
pub struct Tenant {
    pub seed: u64,
    pub tenant_id: String,
    pub now: i64,
    pub tables: Vec<Arc<Table>>,
    /// Timestamps generated for the tables of the original schema; kept when
    /// the schema is replaced so those tables keep their data.
    generated: HashMap<String, Arc<Vec<i64>>>,
}

/// Default row counts: DeviceProcessEvents is large enough that the 100,000
/// row cap bites, DeviceNetworkEvents is the bulk-export table.
pub fn row_count(seed: u64, table: &str) -> usize {
    match table {
        "DeviceProcessEvents" => 150_000,
        "DeviceNetworkEvents" => 1_000_000,
        _ => 500 + (key(&[seed, fnv1a(table), 0xC0]) % 2_501) as usize,
    }
}

fn guid_from(seed: u64) -> String {
    let a = key(&[seed, 1]);
    let b = key(&[seed, 2]);
    let v = ((a as u128) << 64) | b as u128;
    let h = format!("{v:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

impl Tenant {
    pub fn new(seed: u64, now: i64, schema: &SchemaDoc) -> Tenant {
        let mut generated = HashMap::new();
        for t in &schema.tables {
            let n = row_count(seed, &t.name);
            let times = timestamps::generate(
                seed,
                fnv1a(&t.name),
                n,
                now - SPAN_DAYS * TICKS_PER_DAY,
                now,
            );
            generated.insert(t.name.clone(), Arc::new(times));
        }
        let mut tenant = Tenant {
            seed,
            tenant_id: guid_from(key(&[seed, 0x7E4A])),
            now,
            tables: Vec::new(),
            generated,
        };
        tenant.set_schema(schema);
        tenant
    }

    /// Rebuilds the table list from a (possibly replaced) schema. Tables that
    /// have generated data keep it; new tables are empty, like a table that
    /// was just added and has not received events yet.
    pub fn set_schema(&mut self, schema: &SchemaDoc) {
        let empty = Arc::new(Vec::new());
        self.tables = schema
            .tables
            .iter()
            .map(|t| {
                let tkey = fnv1a(&t.name);
                let columns: Vec<Column> = t
                    .schema
                    .iter()
                    .map(|c| {
                        let ckey = fnv1a(&c.name);
                        Column {
                            name: c.name.clone(),
                            ty: ColType::parse(&c.ty).unwrap_or(ColType::String),
                            key: ckey,
                            alt_style: key(&[self.seed, ckey, 0x57]).is_multiple_of(2),
                        }
                    })
                    .collect();
                let ts_col = columns
                    .iter()
                    .position(|c| c.name == "Timestamp" && c.ty == ColType::DateTime);
                Arc::new(Table {
                    name: t.name.clone(),
                    key: tkey,
                    seed: self.seed,
                    columns,
                    ts_col,
                    times: self
                        .generated
                        .get(&t.name)
                        .cloned()
                        .unwrap_or_else(|| empty.clone()),
                    now: self.now,
                })
            })
            .collect();
    }

    pub fn table(&self, name: &str) -> Option<Arc<Table>> {
        self.tables.iter().find(|t| t.name == name).cloned()
    }

    pub fn now_text(&self) -> String {
        time::fmt3(self.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> SchemaDoc {
        serde_json::from_str(
            r#"{"Tables":[{"Name":"DeviceProcessEvents","Schema":[
                {"Name":"Timestamp","Type":"DateTime"},{"Name":"ProcessCommandLine","Type":"String"},
                {"Name":"ReportId","Type":"Int64"},{"Name":"AdditionalFields","Type":"Dynamic"},
                {"Name":"IsProcessRemoteSession","Type":"Boolean"}]},
              {"Name":"EmailEvents","Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"Subject","Type":"String"}]}]}"#,
        )
        .expect("schema")
    }

    #[test]
    fn rows_are_deterministic() {
        let now = time::parse("2025-01-01T00:00:00Z").expect("now");
        let a = Tenant::new(5, now, &doc());
        let b = Tenant::new(5, now, &doc());
        let c = Tenant::new(6, now, &doc());
        let (ta, tb, tc) = (
            a.tables[0].clone(),
            b.tables[0].clone(),
            c.tables[0].clone(),
        );
        assert_eq!(ta.rows(), 150_000);
        assert_eq!(a.tenant_id, b.tenant_id);
        assert_ne!(a.tenant_id, c.tenant_id);
        for row in [0, 1, 777, 149_999] {
            for col in 0..ta.columns.len() {
                assert_eq!(ta.cell(row, col), tb.cell(row, col));
            }
        }
        let differs = (0..50).any(|r| ta.cell(r, 1) != tc.cell(r, 1));
        assert!(differs, "another seed must give other data");
    }

    #[test]
    fn timestamps_sorted_in_span_with_ties_and_ms_boundaries() {
        let now = time::parse("2025-01-01T00:00:00Z").expect("now");
        let t = Tenant::new(5, now, &doc());
        let times = &t.tables[0].times;
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(*times.first().expect("rows") >= now - SPAN_DAYS * TICKS_PER_DAY);
        assert!(*times.last().expect("rows") < now);
        let ties = times.windows(2).filter(|w| w[0] == w[1]).count();
        assert!(ties > 100, "ties: {ties}");
        let ms = times
            .iter()
            .filter(|t| *t % time::TICKS_PER_MS == 0)
            .count();
        assert!(ms > 1000, "ms boundaries: {ms}");
        let sub_ms = times
            .iter()
            .filter(|t| *t % time::TICKS_PER_MS != 0)
            .count();
        assert!(sub_ms > 100_000);
    }

    #[test]
    fn replaced_schema_keeps_data_and_adds_empty_tables() {
        let now = time::parse("2025-01-01T00:00:00Z").expect("now");
        let mut t = Tenant::new(5, now, &doc());
        let before = t.tables[1].cell(3, 1);
        let new: SchemaDoc = serde_json::from_str(
            r#"{"Tables":[{"Name":"EmailEvents","Schema":[{"Name":"Extra","Type":"Int32"},
               {"Name":"Timestamp","Type":"DateTime"},{"Name":"Subject","Type":"String"}]},
               {"Name":"BrandNew","Schema":[{"Name":"Timestamp","Type":"DateTime"}]}]}"#,
        )
        .expect("schema");
        t.set_schema(&new);
        assert_eq!(t.tables[0].cell(3, 2), before);
        assert_eq!(t.table("BrandNew").expect("table").rows(), 0);
    }
}
