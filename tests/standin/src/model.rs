//! The one row model. The JSON that queryExecutor serves and the ground truth
//! (JSON and CSV) are both written from these values, so they always agree.

use crate::time;
use std::io::Write;

/// Column types as the portal names them in `Schema[].Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColType {
    String,
    Int64,
    Int32,
    Double,
    Boolean,
    DateTime,
    Dynamic,
    Guid,
}

impl ColType {
    pub fn parse(s: &str) -> Option<ColType> {
        Some(match s {
            "String" => ColType::String,
            "Int64" => ColType::Int64,
            "Int32" => ColType::Int32,
            "Double" => ColType::Double,
            "Boolean" => ColType::Boolean,
            "DateTime" => ColType::DateTime,
            "Dynamic" => ColType::Dynamic,
            "Guid" => ColType::Guid,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ColType::String => "String",
            ColType::Int64 => "Int64",
            ColType::Int32 => "Int32",
            ColType::Double => "Double",
            ColType::Boolean => "Boolean",
            ColType::DateTime => "DateTime",
            ColType::Dynamic => "Dynamic",
            ColType::Guid => "Guid",
        }
    }

    /// `getschema`'s DataType and ColumnType, as in the real fixture (bool is
    /// `System.SByte`/`bool` there).
    pub fn getschema_names(self) -> (&'static str, &'static str) {
        match self {
            ColType::String => ("System.String", "string"),
            ColType::Int64 => ("System.Int64", "long"),
            ColType::Int32 => ("System.Int32", "int"),
            ColType::Double => ("System.Double", "real"),
            ColType::Boolean => ("System.SByte", "bool"),
            ColType::DateTime => ("System.DateTime", "datetime"),
            ColType::Dynamic => ("System.Object", "dynamic"),
            ColType::Guid => ("System.Guid", "guid"),
        }
    }

    /// Kusto's lower-case type names, used in error messages.
    pub fn kusto_name(self) -> &'static str {
        self.getschema_names().1
    }
}

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Str(String),
    Int(i64),
    Real(f64),
    Bool(bool),
    /// A boolean the live portal sends as `System.SByte`: JSON `0`/`1`.
    SByte(bool),
    /// 100 ns ticks since the epoch; written with 7 fractional digits.
    Date(i64),
    /// A real JSON object or array in a Dynamic column.
    Dyn(serde_json::Value),
}

impl Value {
    /// Appends the cell's JSON text.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Writing into a Vec cannot fail; serde_json only errors on I/O or on
        // non-string map keys, neither of which can happen here.
        let _ = match self {
            Value::Null => out.write_all(b"null"),
            Value::Str(s) => serde_json::to_writer(&mut *out, s).map_err(std::io::Error::from),
            Value::Int(i) => serde_json::to_writer(&mut *out, i).map_err(std::io::Error::from),
            Value::Real(f) => serde_json::to_writer(&mut *out, f).map_err(std::io::Error::from),
            Value::Bool(b) => out.write_all(if *b { b"true" } else { b"false" }),
            Value::SByte(b) => out.write_all(if *b { b"1" } else { b"0" }),
            Value::Date(t) => {
                out.push(b'"');
                time::write_ticks(out, *t, 7);
                out.push(b'"');
                Ok(())
            }
            Value::Dyn(v) => serde_json::to_writer(&mut *out, v).map_err(std::io::Error::from),
        };
    }

    /// The CSV field by the project's convention: null empty, strings
    /// verbatim, numbers and booleans as their JSON text, Dynamic
    /// objects/arrays as compact JSON.
    pub fn csv_field(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Str(s) => s.clone(),
            Value::Date(t) => time::fmt7(*t),
            other => {
                let mut v = Vec::new();
                other.write_json(&mut v);
                String::from_utf8_lossy(&v).into_owned()
            }
        }
    }

    /// A text form for string operators (`has`, `contains`, ...) applied to
    /// non-string cells, the way Kusto converts with tostring().
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) | Value::SByte(b) => Some(if *b { "true" } else { "false" }.into()),
            other => Some(other.csv_field()),
        }
    }

    pub fn to_json_value(&self) -> serde_json::Value {
        let mut v = Vec::new();
        self.write_json(&mut v);
        serde_json::from_slice(&v).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: &Value) -> String {
        let mut out = Vec::new();
        v.write_json(&mut out);
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn json_text_is_exact() {
        assert_eq!(json(&Value::Int(i64::MAX)), "9223372036854775807");
        assert_eq!(json(&Value::SByte(true)), "1");
        assert_eq!(json(&Value::Bool(false)), "false");
        assert_eq!(json(&Value::Real(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(json(&Value::Str("a\"b\r\n".into())), r#""a\"b\r\n""#);
        assert_eq!(json(&Value::Date(0)), "\"1970-01-01T00:00:00.0000000Z\"");
    }

    #[test]
    fn csv_fields() {
        assert_eq!(Value::Null.csv_field(), "");
        assert_eq!(Value::SByte(false).csv_field(), "0");
        let d: serde_json::Value =
            serde_json::from_str(r#"{"z":1,"a":[1,{"b":null}]}"#).expect("json");
        assert_eq!(Value::Dyn(d).csv_field(), r#"{"z":1,"a":[1,{"b":null}]}"#);
    }
}
