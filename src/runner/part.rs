//! A finished unit's rows, as stored until the export is assembled: a
//! portal-shaped envelope `{"Schema":[…],"Results":[…]}` holding only the
//! rows the job kept, each exactly as the portal sent it. Reading it back
//! is `QueryResult::from_body`, so the export path is the same as for a
//! single query.

use crate::bulk::KeptRows;
use crate::export::{write_json_rows, ExportError};
use crate::result::QueryResult;

pub fn unit_part(result: &QueryResult, kept: &KeptRows) -> Result<(String, u64), ExportError> {
    let mut out = Vec::with_capacity(result.body().len() / 2);
    out.extend_from_slice(b"{\"Schema\":");
    let schema: Vec<serde_json::Value> = result
        .columns()
        .iter()
        .map(|c| serde_json::json!({"Name": c.name, "Type": c.type_name}))
        .collect();
    serde_json::to_writer(&mut out, &schema).map_err(|e| ExportError::Io(e.into()))?;
    out.extend_from_slice(b",\"Results\":[");
    let rows = match kept {
        KeptRows::All => write_json_rows(&mut out, result, |_| true)?,
        KeptRows::Indices(indices) => {
            // Indices are ascending: a moving cursor keeps the check O(1).
            let cursor = std::cell::Cell::new(0usize);
            write_json_rows(&mut out, result, |row| {
                let at = cursor.get();
                if indices.get(at) == Some(&(row as usize)) {
                    cursor.set(at + 1);
                    true
                } else {
                    false
                }
            })?
        }
    };
    out.extend_from_slice(b"]}");
    // The body was valid UTF-8 JSON and everything added is ASCII.
    let text = String::from_utf8(out).map_err(|e| ExportError::Io(std::io::Error::other(e)))?;
    Ok((text, rows))
}
