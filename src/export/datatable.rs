//! A KQL `datatable` literal of a result's first rows, for pasting back
//! into a query:
//!
//! ```text
//! datatable(Timestamp:datetime, ReportId:long, FileName:string)[
//!     datetime(2024-10-26T08:39:36.8200123Z), 9223372036854775807, "a \"b\""
//! ]
//! ```
//!
//! Column types come from [`column_kinds`]: a column whose values do not
//! all fit its portal type is a `string` column, so every value pastes
//! back. Strings are double-quoted with `\\`, `\"`, `\n`, `\r` and `\t`
//! escaped, so no value can end its literal early; names that are not
//! plain identifiers are written `['…']`. Null is `long(null)` and so on;
//! a null string (which KQL does not have) is `""`.

use std::fmt::Write as _;

use super::clipboard::{cell_text, Stop};
use super::error::ExportError;
use super::typing::{column_kinds, ColumnKind};
use crate::kql::is_keyword;
use crate::result::json_text::minify_into;
use crate::result::{Cell, QueryResult};

/// The `datatable` text of the first `max_rows` rows and how many rows it
/// holds.
pub fn kql_datatable(
    result: &QueryResult,
    max_rows: usize,
) -> Result<(String, usize), ExportError> {
    let kinds = column_kinds(result)?;
    let mut out = String::from("datatable(");
    for (i, (column, kind)) in result.columns().iter().zip(&kinds).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_name(&mut out, &column.name);
        out.push(':');
        out.push_str(type_name(*kind));
    }
    out.push_str(")[\n");
    let mut rows = 0;
    let mut scratch = Vec::new();
    let visited = result.for_each_row(|cells| {
        if rows == max_rows {
            return Err(Stop::Enough);
        }
        // No trailing comma: separators go before every value but the first.
        out.push_str(if rows == 0 { "    " } else { ",\n    " });
        for (i, (cell, kind)) in cells.iter().zip(&kinds).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            push_value(&mut out, cell, *kind, &mut scratch);
        }
        rows += 1;
        Ok(())
    });
    match visited {
        Ok(()) | Err(Stop::Enough) => {}
        Err(Stop::Result(err)) => return Err(err.into()),
    }
    out.push_str("\n]");
    Ok((out, rows))
}

fn type_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Long => "long",
        ColumnKind::Int => "int",
        ColumnKind::Real => "real",
        ColumnKind::Bool => "bool",
        ColumnKind::DateTime => "datetime",
        ColumnKind::Guid => "guid",
        ColumnKind::Dynamic => "dynamic",
        ColumnKind::Text => "string",
    }
}

fn push_name(out: &mut String, name: &str) {
    let plain = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(name);
    if plain {
        out.push_str(name);
    } else {
        out.push_str("['");
        for c in name.chars() {
            push_escaped_char(out, c, '\'');
        }
        out.push_str("']");
    }
}

fn push_value(out: &mut String, cell: &Cell<'_>, kind: ColumnKind, scratch: &mut Vec<u8>) {
    match (kind, cell) {
        (ColumnKind::Text, cell) => push_string(out, &cell_text(cell, scratch)),
        (kind, Cell::Null) => {
            let _ = write!(out, "{}(null)", type_name(kind));
        }
        (ColumnKind::Bool, Cell::Number(n)) => {
            out.push_str(if *n == "1" { "true" } else { "false" })
        }
        (_, Cell::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (ColumnKind::Dynamic, cell) => {
            out.push_str("dynamic(");
            match cell {
                Cell::Json(raw) => {
                    scratch.clear();
                    minify_into(raw.get(), scratch);
                    out.push_str(&String::from_utf8_lossy(scratch));
                }
                Cell::Str(s) => push_string(out, s),
                other => out.push_str(&cell_text(other, scratch)),
            }
            out.push(')');
        }
        (ColumnKind::DateTime, Cell::Str(s)) => {
            let _ = write!(out, "datetime({s})");
        }
        (ColumnKind::Guid, Cell::Str(s)) => {
            let _ = write!(out, "guid({s})");
        }
        (_, Cell::Number(n)) => out.push_str(n),
        // column_kinds made every other pairing a Text column.
        (_, cell) => push_string(out, &cell_text(cell, scratch)),
    }
}

fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        push_escaped_char(out, c, '"');
    }
    out.push('"');
}

fn push_escaped_char(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datatable_is_typed_and_escaped() {
        let body = br#"{"Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"ReportId","Type":"Int64"},
            {"Name":"Text","Type":"String"},{"Name":"D","Type":"Dynamic"},{"Name":"IsX","Type":"Boolean"},
            {"Name":"where","Type":"Int32"},{"Name":"Odd","Type":"Int64"}],
            "Results":[{"Timestamp":"2024-10-26T08:39:36.8200123Z","ReportId":9223372036854775807,
              "Text":"a\"b\\\r\n\")]; DeviceEvents","D":{"k": "v)"},"IsX":1,"where":-5,"Odd":"x"},
              {"Timestamp":null,"ReportId":null,"Text":null,"D":null,"IsX":false,"where":null,"Odd":1}]}"#;
        let result = QueryResult::from_body(body.to_vec()).expect("result");
        let (text, rows) = kql_datatable(&result, 10).expect("datatable");
        assert_eq!(rows, 2);
        assert_eq!(
            text,
            "datatable(Timestamp:datetime, ReportId:long, Text:string, D:dynamic, IsX:bool, ['where']:int, Odd:string)[\n    \
             datetime(2024-10-26T08:39:36.8200123Z), 9223372036854775807, \"a\\\"b\\\\\\r\\n\\\")]; DeviceEvents\", dynamic({\"k\":\"v)\"}), true, -5, \"x\",\n    \
             datetime(null), long(null), \"\", dynamic(null), false, int(null), \"1\"\n]"
        );
    }
}
