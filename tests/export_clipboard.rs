//! Clipboard texts hold every source's first rows without letting a cell
//! break the table (Markdown) or its string literal (KQL `datatable`).

mod result_support;

use huntkit::export::{clipboard_text, ClipboardFormat};
use result_support::*;

/// `|` not preceded by an escaping backslash.
fn bare_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count
}

#[test]
fn markdown_rows_keep_their_shape() {
    let mut sources: Vec<Source> = fixture_sources().into_iter().map(|(s, _)| s).collect();
    sources.push(adversarial_source());
    for source in sources {
        let result = source.result();
        let text = clipboard_text(&result, ClipboardFormat::Markdown, 5).expect("markdown");
        assert_eq!(text.rows, source.rows.len().min(5), "{}", source.label);
        assert_eq!(text.total_rows, source.rows.len());
        let lines: Vec<&str> = text.text.lines().collect();
        assert_eq!(
            lines.len(),
            text.rows + 2,
            "{}: one line per row",
            source.label
        );
        for line in lines {
            assert_eq!(bare_pipes(line), source.columns.len() + 1, "{line}");
        }
    }
}

#[test]
fn datatable_rows_stay_on_their_lines() {
    let mut sources: Vec<Source> = fixture_sources().into_iter().map(|(s, _)| s).collect();
    sources.push(adversarial_source());
    for source in sources {
        let result = source.result();
        let text = clipboard_text(&result, ClipboardFormat::Datatable, 1000).expect("datatable");
        assert_eq!(text.rows, source.rows.len(), "{}", source.label);
        let lines: Vec<&str> = text.text.lines().collect();
        assert!(lines[0].starts_with("datatable(") && lines[0].ends_with(")["));
        assert_eq!(lines.last(), Some(&"]"));
        // A raw line break inside a literal would add lines.
        assert_eq!(lines.len(), text.rows + 2, "{}", source.label);
    }
}
