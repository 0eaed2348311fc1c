//! Renames Microsoft documented, embedded from `renames.json` (a trimmed
//! copy of the shared fixture) so the diff can name a rename as documented
//! rather than guess it.

use std::sync::OnceLock;

use serde::Deserialize;

/// One documented rename of a table.
#[derive(Debug, Clone, Deserialize)]
pub struct TableRenameFact {
    pub old: String,
    pub new: String,
}

/// One documented rename of a column; `table` is `*` when it applied to
/// every table.
#[derive(Debug, Clone, Deserialize)]
pub struct ColumnRenameFact {
    pub table: String,
    pub old: String,
    pub new: String,
}

/// All documented renames.
#[derive(Debug, Default, Deserialize)]
pub struct DocumentedRenames {
    pub tables: Vec<TableRenameFact>,
    pub columns: Vec<ColumnRenameFact>,
}

impl DocumentedRenames {
    /// The documented new name of table `old`, if any.
    pub fn table_successor(&self, old: &str) -> Option<&str> {
        self.tables
            .iter()
            .find(|r| r.old == old)
            .map(|r| r.new.as_str())
    }

    /// The documented old name that table `new` replaced, if any.
    pub fn table_predecessor(&self, new: &str) -> Option<&str> {
        self.tables
            .iter()
            .find(|r| r.new == new)
            .map(|r| r.old.as_str())
    }

    /// Column renames documented for a table known as `old_table` before
    /// and `new_table` after.
    pub fn columns_for<'a>(
        &'a self,
        old_table: &'a str,
        new_table: &'a str,
    ) -> impl Iterator<Item = &'a ColumnRenameFact> + 'a {
        self.columns
            .iter()
            .filter(move |r| r.table == "*" || r.table == old_table || r.table == new_table)
    }
}

/// The embedded renames, parsed once.
pub fn documented() -> &'static DocumentedRenames {
    static CELL: OnceLock<DocumentedRenames> = OnceLock::new();
    CELL.get_or_init(|| {
        // The file is compiled in and a unit test parses it, so the empty
        // fallback can only be reached by a build that skipped the tests.
        serde_json::from_str(include_str!("renames.json")).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_file_parses_and_holds_the_known_facts() {
        let parsed: DocumentedRenames =
            serde_json::from_str(include_str!("renames.json")).expect("renames.json parses");
        assert!(parsed.tables.len() >= 5);
        let d = documented();
        assert_eq!(
            d.table_successor("AADSignInEventsBeta"),
            Some("EntraIdSignInEvents")
        );
        assert_eq!(d.table_predecessor("AgentsInfo"), Some("AIAgentsInfo"));
        assert!(d
            .columns_for("DeviceInfo", "DeviceInfo")
            .any(|r| r.old == "DeviceSubType" && r.new == "DeviceSubtype"));
        assert!(d
            .columns_for("AnyTable", "AnyTable")
            .any(|r| r.old == "EventTime"));
    }
}
