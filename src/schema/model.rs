//! The schema model: the tables and columns the portal's schema endpoint
//! returns, kept close to the wire format so a snapshot can be written back
//! byte-for-byte in the same shape.
//!
//! Optional fields are `Option` rather than defaulted so that "absent" and
//! "empty" stay distinguishable after a round trip; reading is done by the
//! case-tolerant visitors in `parse.rs`, writing by the derives below.

use serde::Serialize;
use serde_json::Value;

/// A whole schema response: every table, plus the portal's `Functions`
/// member, kept verbatim because its shape is not documented.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schema {
    #[serde(rename = "Tables")]
    pub tables: Vec<Table>,
    #[serde(rename = "Functions")]
    pub functions: Option<Value>,
}

/// One table of the schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Table {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "TableSection")]
    pub section: Option<String>,
    #[serde(rename = "TableType")]
    pub table_type: Option<String>,
    #[serde(rename = "HasData")]
    pub has_data: Option<bool>,
    #[serde(rename = "Tags")]
    pub tags: Option<Value>,
    #[serde(rename = "TableRetention")]
    pub retention: Option<Retention>,
    #[serde(rename = "Schema")]
    pub columns: Vec<Column>,
}

/// How long a table keeps its data, in days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Retention {
    #[serde(rename = "HotDays")]
    pub hot_days: Option<u32>,
    #[serde(rename = "ColdDays")]
    pub cold_days: Option<u32>,
    #[serde(rename = "TotalInteractiveDays")]
    pub total_interactive_days: Option<u32>,
}

/// One column of a table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Column {
    #[serde(rename = "Name")]
    pub name: String,
    /// The type as the source spelled it (`String`, `Int64`, `System.String`,
    /// `long` …); compare types with [`canonical_type`].
    #[serde(rename = "Type")]
    pub type_name: Option<String>,
    #[serde(rename = "Description")]
    pub description: Option<String>,
    #[serde(rename = "Entity")]
    pub entity: Option<Value>,
}

impl Schema {
    /// The first table with exactly this name (KQL names are case-sensitive).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Number of columns over all tables.
    pub fn column_count(&self) -> usize {
        self.tables.iter().map(|t| t.columns.len()).sum()
    }

    /// The schema in the portal's own JSON format.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, numbers and `Value`s cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Table {
    /// The first column with exactly this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The Kusto type a type name stands for, so that `System.Int64`, `Int64`
/// and `long` compare equal: schemas imported from other tools spell types
/// in these different ways, and a spelling difference is not a retype.
pub fn canonical_type(name: &str) -> &str {
    let bare = name.strip_prefix("System.").unwrap_or(name);
    const ALIASES: &[(&str, &str)] = &[
        ("string", "string"),
        ("int", "int"),
        ("int32", "int"),
        ("long", "long"),
        ("int64", "long"),
        ("real", "real"),
        ("double", "real"),
        ("bool", "bool"),
        ("boolean", "bool"),
        ("sbyte", "bool"),
        ("datetime", "datetime"),
        ("date", "datetime"),
        ("timespan", "timespan"),
        ("time", "timespan"),
        ("dynamic", "dynamic"),
        ("object", "dynamic"),
        ("guid", "guid"),
        ("decimal", "decimal"),
        ("data.sqltypes.sqldecimal", "decimal"),
    ];
    ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(bare))
        .map_or(bare, |(_, canonical)| canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_type_folds_spellings() {
        assert_eq!(canonical_type("System.Int64"), "long");
        assert_eq!(canonical_type("Int64"), canonical_type("long"));
        assert_eq!(canonical_type("Boolean"), canonical_type("System.SByte"));
        assert_ne!(canonical_type("Int32"), canonical_type("Int64"));
        assert_eq!(canonical_type("Weird"), "Weird");
    }
}
