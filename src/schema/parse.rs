//! Reading a schema response.
//!
//! The portal spells keys `Name`, Graph-style payloads `name`, and older
//! exports mix both, so every struct is read by a hand-written visitor that
//! matches keys without regard to ASCII case. `null` and missing optional
//! members read as `None`, unknown members are skipped, and a missing table
//! or column name is an error because nothing can be diffed without it.
//! Keys are matched through a [`DeserializeSeed`] that borrows the key text,
//! so reading allocates only for the values kept.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::model::{Column, Retention, Schema, Table};

/// A schema response that could not be read. The raw text is kept so the
/// diagnostics view can show what actually arrived.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "schema response is not valid json: {source}; it starts with {}",
        preview(raw)
    )]
    NotJson {
        #[source]
        source: serde_json::Error,
        raw: String,
    },
    #[error(
        "schema response has an unexpected shape: {source}; it starts with {}",
        preview(raw)
    )]
    WrongShape {
        #[source]
        source: serde_json::Error,
        raw: String,
    },
}

impl SchemaError {
    /// The text that failed to parse, as received (invalid UTF-8 replaced).
    pub fn raw(&self) -> &str {
        match self {
            SchemaError::NotJson { raw, .. } | SchemaError::WrongShape { raw, .. } => raw,
        }
    }
}

/// The first characters of a bad response, quoted, for error messages.
fn preview(raw: &str) -> String {
    const MAX: usize = 120;
    match raw.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &raw[..cut]),
        None => format!("{raw:?}"),
    }
}

/// Reads the portal's schema response
/// (`{"Tables":[…],"Functions":…}`), tolerant of key casing, `null`s and
/// missing optional members.
pub fn parse_schema(bytes: &[u8]) -> Result<Schema, SchemaError> {
    serde_json::from_slice::<Schema>(bytes).map_err(|source| {
        let raw = String::from_utf8_lossy(bytes).into_owned();
        match source.classify() {
            serde_json::error::Category::Data => SchemaError::WrongShape { source, raw },
            _ => SchemaError::NotJson { source, raw },
        }
    })
}

/// Finds which of `names` a map key is, ignoring ASCII case.
struct FieldSeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldSeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|n| n.eq_ignore_ascii_case(key)))
    }
}

/// A boolean that also accepts 0/1, as the portal sends booleans as
/// `System.SByte` in results and may do so in schema metadata too.
struct LenientBool(bool);

impl<'de> Deserialize<'de> for LenientBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientBool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean, 0 or 1")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<LenientBool, E> {
                Ok(LenientBool(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientBool, E> {
                match v {
                    0 | 1 => Ok(LenientBool(v == 1)),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientBool, E> {
                match v {
                    0 | 1 => Ok(LenientBool(v == 1)),
                    _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads the value of a member this struct does not know, so it is skipped.
fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// Declares a struct visitor: the member names it knows and how it builds
/// the value. Written out per struct because each has a different set of
/// required members.
macro_rules! map_visitor {
    ($ty:ty, $expecting:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<$ty, A::Error> {
                        <$ty>::read_map(map)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

map_visitor!(Schema, "a schema object with a Tables array");
map_visitor!(Table, "a table object");
map_visitor!(Column, "a column object");
map_visitor!(Retention, "a retention object");

impl Schema {
    const FIELDS: &'static [&'static str] = &["Tables", "Functions"];

    fn read_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut tables: Option<Option<Vec<Table>>> = None;
        let mut functions = None;
        while let Some(field) = map.next_key_seed(FieldSeed(Self::FIELDS))? {
            match field {
                Some(0) => tables = Some(map.next_value()?),
                Some(1) => functions = map.next_value::<Option<Value>>()?,
                _ => skip(&mut map)?,
            }
        }
        // A body without `Tables` is most likely an error object from the
        // portal, so it is refused; `"Tables": null` is merely empty.
        let tables = tables.ok_or_else(|| de::Error::missing_field("Tables"))?;
        Ok(Schema {
            tables: tables.unwrap_or_default(),
            functions,
        })
    }
}

impl Table {
    const FIELDS: &'static [&'static str] = &[
        "Name",
        "TableSection",
        "TableType",
        "HasData",
        "Tags",
        "TableRetention",
        "Schema",
    ];

    fn read_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut name: Option<String> = None;
        let mut table = Table::default();
        while let Some(field) = map.next_key_seed(FieldSeed(Self::FIELDS))? {
            match field {
                Some(0) => name = map.next_value()?,
                Some(1) => table.section = map.next_value()?,
                Some(2) => table.table_type = map.next_value()?,
                Some(3) => table.has_data = map.next_value::<Option<LenientBool>>()?.map(|b| b.0),
                Some(4) => table.tags = map.next_value::<Option<Value>>()?,
                Some(5) => table.retention = map.next_value()?,
                Some(6) => {
                    table.columns = map.next_value::<Option<Vec<Column>>>()?.unwrap_or_default()
                }
                _ => skip(&mut map)?,
            }
        }
        table.name = name.ok_or_else(|| de::Error::missing_field("Name"))?;
        Ok(table)
    }
}

impl Column {
    const FIELDS: &'static [&'static str] = &["Name", "Type", "Description", "Entity"];

    fn read_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut name: Option<String> = None;
        let mut column = Column::default();
        while let Some(field) = map.next_key_seed(FieldSeed(Self::FIELDS))? {
            match field {
                Some(0) => name = map.next_value()?,
                Some(1) => column.type_name = map.next_value()?,
                Some(2) => column.description = map.next_value()?,
                Some(3) => column.entity = map.next_value::<Option<Value>>()?,
                _ => skip(&mut map)?,
            }
        }
        column.name = name.ok_or_else(|| de::Error::missing_field("Name"))?;
        Ok(column)
    }
}

impl Retention {
    const FIELDS: &'static [&'static str] = &["HotDays", "ColdDays", "TotalInteractiveDays"];

    fn read_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut r = Retention::default();
        while let Some(field) = map.next_key_seed(FieldSeed(Self::FIELDS))? {
            match field {
                Some(0) => r.hot_days = map.next_value()?,
                Some(1) => r.cold_days = map.next_value()?,
                Some(2) => r.total_interactive_days = map.next_value()?,
                _ => skip(&mut map)?,
            }
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_either_key_casing_and_nulls() {
        let json = br#"{"tables":[{"name":"T","TABLESECTION":null,"hasData":1,
            "tableRetention":{"hotDays":30},"extra":[1,2],
            "schema":[{"name":"A","type":"String"},{"Name":"B","Description":null}]}]}"#;
        let s = parse_schema(json).expect("parses");
        let t = &s.tables[0];
        assert_eq!(t.name, "T");
        assert_eq!(t.section, None);
        assert_eq!(t.has_data, Some(true));
        assert_eq!(t.retention.as_ref().and_then(|r| r.hot_days), Some(30));
        assert_eq!(t.columns[0].type_name.as_deref(), Some("String"));
        assert_eq!(t.columns[1].type_name, None);
        assert_eq!(s.functions, None);
    }

    #[test]
    fn null_tables_is_empty_but_missing_tables_is_an_error() {
        assert!(parse_schema(br#"{"Tables":null}"#)
            .expect("parses")
            .tables
            .is_empty());
        let err = parse_schema(br#"{"error":"quota"}"#).expect_err("refused");
        assert!(matches!(err, SchemaError::WrongShape { .. }));
        assert_eq!(err.raw(), r#"{"error":"quota"}"#);
        assert!(err.to_string().contains("missing field `Tables`"), "{err}");
        assert!(
            err.to_string().contains(r#"{\"error\":\"quota\"}"#),
            "{err}"
        );
    }

    #[test]
    fn syntax_errors_are_not_json_errors() {
        let err = parse_schema(b"<html>504</html>").expect_err("refused");
        assert!(matches!(err, SchemaError::NotJson { .. }));
        assert!(
            err.to_string()
                .starts_with("schema response is not valid json"),
            "{err}"
        );
        assert!(err.to_string().contains("<html>504</html>"), "{err}");
    }

    #[test]
    fn a_column_without_a_name_is_refused() {
        let err = parse_schema(br#"{"Tables":[{"Name":"T","Schema":[{"Type":"String"}]}]}"#)
            .expect_err("refused");
        assert!(err.to_string().contains("missing field `Name`"), "{err}");
    }

    #[test]
    fn long_raw_text_is_cut_in_the_message_but_kept_whole() {
        let raw = format!("[{}]", "1,".repeat(500) + "1");
        let err = parse_schema(raw.as_bytes()).expect_err("refused");
        assert!(err.to_string().len() < 400);
        assert_eq!(err.raw(), raw);
    }

    #[test]
    fn writes_back_the_portal_format() {
        let json = br#"{"Tables":[{"Name":"T","TableSection":"Devices","TableType":"Regular","HasData":true,"Tags":null,"TableRetention":{"HotDays":30,"ColdDays":0,"TotalInteractiveDays":30},"Schema":[{"Name":"A","Type":"String","Description":"d","Entity":null}]}],"Functions":null}"#;
        let s = parse_schema(json).expect("parses");
        assert_eq!(s.to_json().as_bytes(), json);
    }
}
