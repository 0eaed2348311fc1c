//! A multi-result file keeps the columns of its first result; later
//! results are mapped onto them by exact name.

use super::error::ExportError;
use crate::result::Column;

/// For each `header` column, the position of the column of the same name
/// in `columns`; a result with a column the header lacks is refused, since
/// writing it would silently drop its values.
pub(crate) fn map_columns(
    header: &[String],
    columns: &[Column],
) -> Result<Vec<Option<usize>>, ExportError> {
    let new_columns: Vec<String> = columns
        .iter()
        .filter(|c| !header.contains(&c.name))
        .map(|c| c.name.clone())
        .collect();
    if !new_columns.is_empty() {
        return Err(ExportError::ColumnMismatch {
            new_columns,
            header: header.to_vec(),
        });
    }
    Ok(header
        .iter()
        .map(|name| columns.iter().position(|c| &c.name == name))
        .collect())
}

/// Whether `map` sends every column to itself.
pub(crate) fn is_identity(map: &[Option<usize>], width: usize) -> bool {
    map.len() == width && map.iter().enumerate().all(|(i, m)| *m == Some(i))
}
