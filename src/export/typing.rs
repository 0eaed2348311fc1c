//! What a column's portal type means to a typed format (XLSX, Parquet, a
//! KQL `datatable`), and the checks that decide whether a value really fits
//! that type.
//!
//! Design: the portal's `Schema` is a promise, not a guarantee (a `Boolean`
//! may arrive as `0`/`1`, a `DateTime` with 0 to 7 fractional digits, a
//! computed column with an empty type). Typed formats therefore ask
//! [`column_kinds`] for one kind per column: the schema's kind when every
//! value of the column fits it, [`ColumnKind::Text`] otherwise, so that a
//! typed file never drops or alters a value that the type cannot hold.

use crate::result::{Cell, Column, QueryResult, ResultError};

/// The typed shape of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// `Int64` (`long`): exact 64-bit integers.
    Long,
    /// `Int32` (`int`).
    Int,
    /// `Double` / `Real` (`real`).
    Real,
    /// `Boolean` and `SByte` (`bool`): `true`/`false` or `0`/`1`.
    Bool,
    /// `DateTime`: ISO 8601 text in UTC, up to 9 fractional digits.
    DateTime,
    /// `Guid`: the 36-character hyphenated form.
    Guid,
    /// `Dynamic`: any JSON value.
    Dynamic,
    /// `String`, and anything whose values do not fit their type.
    Text,
}

impl ColumnKind {
    /// The kind the portal's type name promises (`Int64`, `System.Int64`,
    /// `long`, …; case-insensitive). Unknown and empty names are text.
    pub fn from_type_name(type_name: &str) -> Self {
        let name = type_name.trim();
        let name = name.strip_prefix("System.").unwrap_or(name);
        match name.to_ascii_lowercase().as_str() {
            "int64" | "long" => ColumnKind::Long,
            "int32" | "int" => ColumnKind::Int,
            "double" | "real" | "single" => ColumnKind::Real,
            "boolean" | "bool" | "sbyte" => ColumnKind::Bool,
            "datetime" | "date" => ColumnKind::DateTime,
            "guid" | "uniqueid" => ColumnKind::Guid,
            "dynamic" | "object" => ColumnKind::Dynamic,
            _ => ColumnKind::Text,
        }
    }

    /// Whether `cell` can be held by this kind without loss. Null fits
    /// every kind.
    pub fn fits(self, cell: &Cell<'_>) -> bool {
        match (self, cell) {
            (_, Cell::Null) | (ColumnKind::Text | ColumnKind::Dynamic, _) => true,
            (ColumnKind::Long, Cell::Number(n)) => n.parse::<i64>().is_ok(),
            (ColumnKind::Int, Cell::Number(n)) => n.parse::<i32>().is_ok(),
            (ColumnKind::Real, Cell::Number(n)) => real_is_exact(n),
            (ColumnKind::Bool, Cell::Bool(_)) => true,
            (ColumnKind::Bool, Cell::Number(n)) => matches!(*n, "0" | "1"),
            (ColumnKind::DateTime, Cell::Str(s)) => parse_timestamp(s).is_some(),
            (ColumnKind::Guid, Cell::Str(s)) => is_guid(s),
            _ => false,
        }
    }
}

/// One kind per column of `result`: the schema's kind where every value
/// fits it, [`ColumnKind::Text`] where one does not (one pass over the
/// rows).
pub fn column_kinds(result: &QueryResult) -> Result<Vec<ColumnKind>, ResultError> {
    let mut kinds: Vec<ColumnKind> = result
        .columns()
        .iter()
        .map(|c| ColumnKind::from_type_name(&c.type_name))
        .collect();
    result.for_each_row(|cells| {
        for (kind, cell) in kinds.iter_mut().zip(cells) {
            if !kind.fits(cell) {
                *kind = ColumnKind::Text;
            }
        }
        Ok::<(), ResultError>(())
    })?;
    Ok(kinds)
}

/// The kinds of `columns` as the schema states them, before any value is
/// checked.
pub fn schema_kinds(columns: &[Column]) -> Vec<ColumnKind> {
    columns
        .iter()
        .map(|c| ColumnKind::from_type_name(&c.type_name))
        .collect()
}

/// Nanoseconds since the Unix epoch of an ISO 8601 UTC timestamp as the
/// portal writes it (`2024-10-26T08:39:36.8200123Z`, 0 to 9 fractional
/// digits, `Z` or an offset). `None` for anything else.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    // jiff also accepts forms the portal never sends (a space for `T`);
    // the `T` check keeps "fits" strict so odd text stays text.
    if text.len() < 20 || text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let instant: jiff::Timestamp = text.parse().ok()?;
    i64::try_from(instant.as_nanosecond()).ok()
}

/// Whether `text` is a GUID in its 8-4-4-4-12 hexadecimal form.
pub fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Whether number text survives a round trip through `f64` digit for
/// digit in value (`2.50` → 2.5 is the same value; `0.1` is the nearest
/// double, which every reader prints back as `0.1`).
fn real_is_exact(text: &str) -> bool {
    significant_digits(text) <= 15 && text.parse::<f64>().is_ok_and(f64::is_finite)
}

/// How many significant decimal digits number text has (leading zeros and
/// the exponent do not count; trailing zeros of the mantissa do not either).
pub fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_map_to_kinds() {
        assert_eq!(ColumnKind::from_type_name("Int64"), ColumnKind::Long);
        assert_eq!(ColumnKind::from_type_name("System.Int64"), ColumnKind::Long);
        assert_eq!(ColumnKind::from_type_name("SByte"), ColumnKind::Bool);
        assert_eq!(ColumnKind::from_type_name("Real"), ColumnKind::Real);
        assert_eq!(ColumnKind::from_type_name(""), ColumnKind::Text);
        assert_eq!(ColumnKind::from_type_name("TimeSpan"), ColumnKind::Text);
    }

    #[test]
    fn values_fit_only_where_nothing_is_lost() {
        assert!(ColumnKind::Long.fits(&Cell::Number("-9223372036854775808")));
        assert!(!ColumnKind::Long.fits(&Cell::Number("9223372036854775808")));
        assert!(!ColumnKind::Long.fits(&Cell::Number("1.5")));
        assert!(ColumnKind::Bool.fits(&Cell::Number("1")));
        assert!(!ColumnKind::Bool.fits(&Cell::Number("2")));
        assert!(ColumnKind::Real.fits(&Cell::Number("4.621215")));
        assert!(!ColumnKind::Real.fits(&Cell::Number("1.2345678901234567")));
        assert!(ColumnKind::DateTime.fits(&Cell::Str("2024-10-26T08:39:36.8200123Z".into())));
        assert!(!ColumnKind::DateTime.fits(&Cell::Str("2024-10-26 08:39:36Z".into())));
        assert!(!ColumnKind::DateTime.fits(&Cell::Str("".into())));
        assert!(ColumnKind::Guid.fits(&Cell::Str("0f8fad5b-d9cb-469f-a165-70867728950e".into())));
        assert!(!ColumnKind::Guid.fits(&Cell::Str("0f8fad5b".into())));
        assert!(ColumnKind::Long.fits(&Cell::Null));
    }

    #[test]
    fn timestamps_keep_every_digit() {
        assert_eq!(
            parse_timestamp("2024-10-26T08:39:36.8200123Z"),
            Some(1_729_931_976_820_012_300)
        );
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
    }

    #[test]
    fn significant_digits_ignore_padding() {
        assert_eq!(significant_digits("9007199254740993"), 16);
        assert_eq!(significant_digits("-0.000120"), 2);
        assert_eq!(significant_digits("1.5e300"), 2);
    }
}
