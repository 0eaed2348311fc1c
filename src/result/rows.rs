//! The two walks over the `Results` array.
//!
//! The scan walk runs once, when a result is built: it counts rows, learns
//! every distinct key in order of first appearance and rejects rows that
//! are not objects or repeat a key. The emit walk runs for every export:
//! it fills one reused slot per column with the raw value of each key and
//! hands the row to a callback. Neither builds a map per row: a key is
//! first compared with the key that followed the previous one (rows
//! almost always repeat the same order), and only looked up in a hash map
//! when that guess fails.

use std::collections::HashMap;
use std::fmt;
use std::ops::ControlFlow;

use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::cell::RawCell;
use super::envelope::KeySeed;
use super::error::ResultError;

/// Distinct row keys in order of first appearance, and the column each
/// one fills.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyTable {
    pub keys: Vec<String>,
    pub index: HashMap<String, usize>,
    pub to_column: Vec<usize>,
}

impl KeyTable {
    /// The position in `keys` of `key`, trying `guess` first.
    #[inline]
    fn find(&self, key: &str, guess: usize) -> Option<usize> {
        match self.keys.get(guess) {
            Some(k) if k == key => Some(guess),
            _ => self.index.get(key).copied(),
        }
    }
}

/// State of the scan walk.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub table: KeyTable,
    /// For each key, the row (plus one) that last had it.
    stamp: Vec<usize>,
    pub rows: usize,
    pub problem: Option<ResultError>,
}

/// Seed for the `Results` value during the scan walk.
pub(crate) struct ScanSeed<'s>(pub &'s mut Scan);

impl<'de> DeserializeSeed<'de> for ScanSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(ScanRows(self.0))
    }
}

struct ScanRows<'s>(&'s mut Scan);

impl<'de> Visitor<'de> for ScanRows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(ScanRow(&mut *self.0))?.is_some() {
            self.0.rows += 1;
        }
        Ok(())
    }
}

struct ScanRow<'s>(&'s mut Scan);

impl<'de> DeserializeSeed<'de> for ScanRow<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let mut entered = false;
        let row = self.0.rows;
        let scanned = d.deserialize_map(ScanFields {
            scan: &mut *self.0,
            entered: &mut entered,
        });
        if let Err(err) = &scanned {
            if !entered && self.0.problem.is_none() {
                self.0.problem = Some(ResultError::RowNotObject {
                    row,
                    message: err.to_string(),
                });
            }
        }
        scanned
    }
}

struct ScanFields<'s> {
    scan: &'s mut Scan,
    entered: &'s mut bool,
}

impl<'de> Visitor<'de> for ScanFields<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        *self.entered = true;
        let scan = self.scan;
        let row_mark = scan.rows + 1;
        let mut guess = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let pos = match scan.table.find(&key, guess) {
                Some(pos) => pos,
                None => {
                    let pos = scan.table.keys.len();
                    scan.table.keys.push(key.to_string());
                    scan.table.index.insert(key.to_string(), pos);
                    scan.stamp.push(0);
                    pos
                }
            };
            if scan.stamp[pos] == row_mark {
                let problem = ResultError::DuplicateColumn {
                    row: scan.rows,
                    column: key.into_owned(),
                };
                let err = A::Error::custom(&problem);
                scan.problem = Some(problem);
                return Err(err);
            }
            scan.stamp[pos] = row_mark;
            guess = pos + 1;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// State of the emit walk.
pub(crate) struct Emit<'t, 'de, F> {
    table: &'t KeyTable,
    slots: Vec<RawCell<'de>>,
    on_row: F,
    pub stopped: bool,
}

impl<'t, 'de, F> Emit<'t, 'de, F>
where
    F: FnMut(&[RawCell<'de>]) -> ControlFlow<()>,
{
    pub(crate) fn new(table: &'t KeyTable, columns: usize, on_row: F) -> Self {
        Emit {
            table,
            slots: vec![RawCell::Null; columns],
            on_row,
            stopped: false,
        }
    }
}

/// Seed for the `Results` value during the emit walk.
pub(crate) struct EmitSeed<'e, 't, 'de, F>(pub &'e mut Emit<'t, 'de, F>);

impl<'de, F> DeserializeSeed<'de> for EmitSeed<'_, '_, 'de, F>
where
    F: FnMut(&[RawCell<'de>]) -> ControlFlow<()>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(EmitRows(self.0))
    }
}

/// Error text used only to unwind serde when the callback asks to stop.
const STOPPED: &str = "row walk stopped by its caller";

struct EmitRows<'e, 't, 'de, F>(&'e mut Emit<'t, 'de, F>);

impl<'de, F> Visitor<'de> for EmitRows<'_, '_, 'de, F>
where
    F: FnMut(&[RawCell<'de>]) -> ControlFlow<()>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let emit = self.0;
        while seq.next_element_seed(EmitRow(&mut *emit))?.is_some() {
            if (emit.on_row)(&emit.slots).is_break() {
                emit.stopped = true;
                return Err(A::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

struct EmitRow<'e, 't, 'de, F>(&'e mut Emit<'t, 'de, F>);

impl<'de, F> DeserializeSeed<'de> for EmitRow<'_, '_, 'de, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F> Visitor<'de> for EmitRow<'_, '_, 'de, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let emit = self.0;
        emit.slots.fill(RawCell::Null);
        let mut guess = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let Some(pos) = emit.table.find(&key, guess) else {
                return Err(A::Error::custom(format_args!(
                    "row key {key:?} was not seen when the result was read"
                )));
            };
            guess = pos + 1;
            let raw: &'de RawValue = map.next_value()?;
            let column = emit.table.to_column[pos];
            if let Some(slot) = emit.slots.get_mut(column) {
                *slot = RawCell::from_raw(raw);
            }
        }
        Ok(())
    }
}
