//! Metadata of a stored schema snapshot. Storage itself lives behind the
//! platform traits; this is only the record that is stored.

use serde::{Deserialize, Serialize};

use super::model::Schema;

/// A schema as it was at one moment for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaSnapshot {
    pub id: String,
    pub tenant_id: String,
    /// Milliseconds since the Unix epoch, as JavaScript's `Date.now()`.
    pub taken_at_ms: u64,
    pub source: SnapshotSource,
    /// Kept in the portal's own format (PascalCase), so an exported snapshot
    /// can be imported again or compared with a raw portal response.
    pub schema: Schema,
}

/// Where a snapshot came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SnapshotSource {
    /// Fetched from the portal by the extension.
    Portal,
    /// Read from a file the user chose.
    #[serde(rename_all = "camelCase")]
    Imported { file_name: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::parse_schema;

    #[test]
    fn round_trips_with_camel_case_metadata() {
        let schema =
            parse_schema(br#"{"Tables":[{"Name":"T","Schema":[{"Name":"A"}]}]}"#).expect("parses");
        let snap = SchemaSnapshot {
            id: "s1".into(),
            tenant_id: "t1".into(),
            taken_at_ms: 1_700_000_000_000,
            source: SnapshotSource::Imported {
                file_name: "old.json".into(),
            },
            schema,
        };
        let json = serde_json::to_string(&snap).expect("serializes");
        assert!(json.contains(r#""tenantId":"t1""#), "{json}");
        assert!(
            json.contains(r#""source":{"kind":"imported","fileName":"old.json"}"#),
            "{json}"
        );
        assert!(json.contains(r#""Tables":[{"Name":"T""#), "{json}");
        let back: SchemaSnapshot = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, snap);
    }
}
