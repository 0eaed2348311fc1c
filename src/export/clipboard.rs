//! Clipboard texts: a Markdown table for a ticket and a KQL `datatable`
//! literal that pastes back into a query (see [`super::datatable`]).
//!
//! Both are built in memory (they go to the clipboard as one string), so
//! they take the first rows only; [`ClipboardText`] says how many.

use serde::Serialize;

use super::datatable::kql_datatable;
use super::error::ExportError;
use crate::result::json_text::minify_into;
use crate::result::{Cell, QueryResult};

/// Rows a clipboard text holds at most.
pub const CLIPBOARD_ROWS: usize = 1_000;

/// A clipboard format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardFormat {
    Markdown,
    Datatable,
}

impl ClipboardFormat {
    /// `"markdown"` or `"datatable"`, any case.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "markdown" | "md" => Some(ClipboardFormat::Markdown),
            "datatable" | "kql" => Some(ClipboardFormat::Datatable),
            _ => None,
        }
    }
}

/// Text for the clipboard and how much of the result it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClipboardText {
    pub text: String,
    pub rows: usize,
    pub total_rows: usize,
}

/// The first `max_rows` rows of `result` in `format`.
pub fn clipboard_text(
    result: &QueryResult,
    format: ClipboardFormat,
    max_rows: usize,
) -> Result<ClipboardText, ExportError> {
    let (text, rows) = match format {
        ClipboardFormat::Markdown => markdown_table(result, max_rows)?,
        ClipboardFormat::Datatable => kql_datatable(result, max_rows)?,
    };
    Ok(ClipboardText {
        text,
        rows,
        total_rows: result.row_count(),
    })
}

/// A GitHub-flavoured Markdown table of the first `max_rows` rows; returns
/// the text and the number of rows in it.
///
/// Cells are plain text: `|` and `\` are escaped, line breaks become
/// `<br>`, and `&`, `<`, `>` become entities so that cell text cannot open
/// HTML in the ticket.
pub fn markdown_table(
    result: &QueryResult,
    max_rows: usize,
) -> Result<(String, usize), ExportError> {
    let mut out = String::new();
    let columns = result.columns();
    push_row(&mut out, columns.iter().map(|c| c.name.as_str()));
    out.push('|');
    for _ in columns {
        out.push_str(" --- |");
    }
    out.push('\n');
    let mut rows = 0;
    let mut texts: Vec<String> = Vec::with_capacity(columns.len());
    let mut scratch = Vec::new();
    let visited = result.for_each_row(|cells| {
        if rows == max_rows {
            return Err(Stop::Enough);
        }
        texts.clear();
        texts.extend(cells.iter().map(|cell| cell_text(cell, &mut scratch)));
        push_row(&mut out, texts.iter().map(String::as_str));
        rows += 1;
        Ok(())
    });
    match visited {
        Ok(()) | Err(Stop::Enough) => Ok((out, rows)),
        Err(Stop::Result(err)) => Err(err.into()),
    }
}

/// Why a capped walk over the rows ended early.
pub(crate) enum Stop {
    Enough,
    Result(crate::result::ResultError),
}

impl From<crate::result::ResultError> for Stop {
    fn from(err: crate::result::ResultError) -> Self {
        Stop::Result(err)
    }
}

/// A cell as text, the way the CSV export writes it: null is empty,
/// `Dynamic` values compact JSON.
pub fn cell_text(cell: &Cell<'_>, scratch: &mut Vec<u8>) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Bool(b) => b.to_string(),
        Cell::Number(n) => (*n).to_owned(),
        Cell::Str(s) => s.to_string(),
        Cell::Json(raw) => {
            scratch.clear();
            minify_into(raw.get(), scratch);
            String::from_utf8_lossy(scratch).into_owned()
        }
    }
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    out.push('|');
    for cell in cells {
        out.push(' ');
        push_escaped(out, cell);
        out.push_str(" |");
    }
    out.push('\n');
}

fn push_escaped(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        let body = br#"{"Schema":[{"Name":"A|B","Type":"String"},{"Name":"D","Type":"Dynamic"}],
            "Results":[{"A|B":"x|y\r\nz <b>&","D":{"k": [1, 2]}},{"A|B":null,"D":null},{"A|B":"3"}]}"#;
        let result = QueryResult::from_body(body.to_vec()).expect("result");
        let (text, rows) = markdown_table(&result, 2).expect("markdown");
        assert_eq!(rows, 2);
        assert_eq!(
            text,
            "| A\\|B | D |\n| --- | --- |\n| x\\|y<br>z &lt;b&gt;&amp; | {\"k\":[1,2]} |\n|  |  |\n"
        );
        assert_eq!(
            ClipboardFormat::parse("Markdown"),
            Some(ClipboardFormat::Markdown)
        );
    }
}
