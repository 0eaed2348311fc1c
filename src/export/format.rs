//! Export formats and the names of the files they go to.

use crate::portal::timestamp;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Csv,
    Tsv,
    Json,
    Ndjson,
    Xlsx,
    /// Written by the separate `huntkit-parquet` module; the core only
    /// names its files.
    Parquet,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 6] = [
        ExportFormat::Csv,
        ExportFormat::Tsv,
        ExportFormat::Json,
        ExportFormat::Ndjson,
        ExportFormat::Xlsx,
        ExportFormat::Parquet,
    ];

    /// The extension without its dot.
    pub fn file_extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Tsv => "tsv",
            ExportFormat::Json => "json",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Parquet => "parquet",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Tsv => "text/tab-separated-values",
            ExportFormat::Json => "application/json",
            ExportFormat::Ndjson => "application/x-ndjson",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Parquet => "application/vnd.apache.parquet",
        }
    }

    /// The format named by its extension (`"csv"`, `"tsv"`, `"json"`,
    /// `"ndjson"`, `"xlsx"`, `"parquet"`), any case.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.file_extension().eq_ignore_ascii_case(name))
    }
}

/// Longest file name produced, in bytes (and so in characters).
const MAX_FILE_NAME: usize = 120;
/// Longest tenant part, in bytes: a tenant GUID fits.
const MAX_TENANT: usize = 36;

/// A file name that every OS accepts, e.g.
/// `huntkit_DeviceProcessEvents_tenant-1234_20240101T0000Z-20240131T0000Z.csv`:
/// no `/\:*?"<>|`, no control or direction-changing characters, at most 120
/// bytes.
///
/// `query_name` may also be the query itself: text with a `|`, `;` or line
/// break is read as KQL and named after its first table (see
/// [`query_name_from_text`]). Without a usable name the file is named
/// `query`.
pub fn export_file_name(
    query_name: Option<&str>,
    tenant: Option<&str>,
    start_ms: i64,
    end_ms: i64,
    format: ExportFormat,
) -> String {
    let range = format!("{}-{}", compact_time(start_ms), compact_time(end_ms));
    let extension = format.file_extension();
    let tenant = tenant
        .map(|t| {
            truncate(&sanitize(t), MAX_TENANT)
                .trim_end_matches(TRIMMED)
                .to_owned()
        })
        .filter(|t| !t.is_empty());
    let fixed = "huntkit_".len()
        + 1
        + range.len()
        + 1
        + extension.len()
        + tenant.as_ref().map_or(0, |t| t.len() + 1);
    let name = query_name
        .and_then(|given| match given.contains(['|', ';', '\n']) {
            true => query_name_from_text(given),
            false => Some(given.to_owned()),
        })
        .map(|name| sanitize(&name))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "query".into());
    let name = truncate(&name, MAX_FILE_NAME.saturating_sub(fixed)).trim_end_matches(TRIMMED);
    let mut file = format!("huntkit_{name}");
    if let Some(tenant) = tenant {
        file.push('_');
        file.push_str(&tenant);
    }
    file.push_str(&format!("_{range}.{extension}"));
    file
}

/// `20240101T0000Z`: UTC, minutes, no separators that an OS refuses.
fn compact_time(ms: i64) -> String {
    timestamp(ms).strftime("%Y%m%dT%H%MZ").to_string()
}

/// Keeps letters, digits and harmless punctuation; turns separators and
/// characters that some OS refuses into `_`; drops control and
/// direction-changing characters (which can make `exe.csv` display as
/// `vsc.exe`).
fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_invisible_format(c) {
            continue;
        }
        let c = if c.is_whitespace() || "/\\:*?\"<>|".contains(c) {
            '_'
        } else {
            c
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    out.trim_matches(TRIMMED).to_owned()
}

/// Characters a name part neither starts nor ends with: they would double
/// the `_` separators or leave a name that ends in a dot.
const TRIMMED: [char; 4] = ['_', '.', ' ', '-'];

/// Zero-width and bidirectional formatting characters.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// The longest prefix of `text` of at most `max` bytes that ends on a
/// character boundary.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The first table a query reads, as a name for its export file: skips
/// comments and `let`/`set`/`declare` statements, and looks past `union`
/// options. `None` when the query starts with something else.
pub fn query_name_from_text(query: &str) -> Option<String> {
    let mut rest = query;
    loop {
        rest = skip_blank(rest);
        let word = leading_word(rest);
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "let" | "set" | "declare" | "alias" => rest = after_statement(rest)?,
            "union" => {
                rest = &rest[word.len()..];
                loop {
                    rest = skip_blank(rest).trim_start_matches(['(', ',']);
                    let option = leading_word(rest);
                    let after = skip_blank(&rest[option.len()..]);
                    if !option.is_empty() && after.starts_with('=') {
                        let value = skip_blank(&after[1..]);
                        rest = &value[leading_word(value).len()..];
                    } else {
                        break;
                    }
                }
                return table_name(rest);
            }
            _ => return table_name(rest),
        }
    }
}

fn table_name(text: &str) -> Option<String> {
    let text = skip_blank(text);
    // ['Table name'] and ["Table name"] quote unusual names.
    for (open, close) in [("['", "']"), ("[\"", "\"]")] {
        if let Some(inner) = text.strip_prefix(open) {
            return inner
                .split_once(close)
                .map(|(name, _)| name.to_owned())
                .filter(|n| !n.is_empty());
        }
    }
    let word = leading_word(text);
    let starts_like_name = word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    starts_like_name.then(|| word.to_owned())
}

fn leading_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Skips whitespace and `//` comments.
fn skip_blank(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        match text.strip_prefix("//") {
            Some(comment) => text = comment.split_once('\n').map_or("", |(_, rest)| rest),
            None => return text,
        }
    }
}

/// The text after the `;` that ends the statement at the start of `text`,
/// ignoring `;` inside string literals and comments.
fn after_statement(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' => return Some(&text[i + 1..]),
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN1: i64 = 1_704_067_200_000;
    const JAN31: i64 = 1_706_659_200_000;

    #[test]
    fn names_follow_the_documented_pattern() {
        assert_eq!(
            export_file_name(
                Some("DeviceProcessEvents"),
                Some("tenant-1234"),
                JAN1,
                JAN31,
                ExportFormat::Csv
            ),
            "huntkit_DeviceProcessEvents_tenant-1234_20240101T0000Z-20240131T0000Z.csv"
        );
        assert_eq!(
            export_file_name(None, None, JAN1, JAN31, ExportFormat::Ndjson),
            "huntkit_query_20240101T0000Z-20240131T0000Z.ndjson"
        );
        let from_query = "// hunt\nDeviceLogonEvents\n| where ActionType == 'LogonFailed'";
        assert_eq!(
            export_file_name(Some(from_query), None, JAN1, JAN31, ExportFormat::Json),
            "huntkit_DeviceLogonEvents_20240101T0000Z-20240131T0000Z.json"
        );
        assert_eq!(
            export_file_name(Some("| take 1"), None, JAN1, JAN31, ExportFormat::Tsv),
            "huntkit_query_20240101T0000Z-20240131T0000Z.tsv"
        );
        assert_eq!(
            export_file_name(
                Some("Failed logons (EU)"),
                None,
                JAN1,
                JAN31,
                ExportFormat::Csv
            ),
            "huntkit_Failed_logons_(EU)_20240101T0000Z-20240131T0000Z.csv"
        );
    }

    #[test]
    fn names_are_safe_and_short() {
        let nasty = "a/b\\c:d*e?f\"g<h>i|j\u{0}\u{7}\n\u{202e}gpj.exe  \u{200b}😀".repeat(20);
        for format in ExportFormat::ALL {
            let name = export_file_name(Some(&nasty), Some(&nasty), i64::MIN, i64::MAX, format);
            assert!(name.len() <= 120, "{name}");
            assert!(
                !name.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']),
                "{name}"
            );
            assert!(
                !name
                    .chars()
                    .any(|c| c.is_control() || is_invisible_format(c)),
                "{name}"
            );
            assert!(
                name.ends_with(&format!(
                    "_00010101T0000Z-99991230T2200Z.{}",
                    format.file_extension()
                )),
                "{name}"
            );
            assert!(!name.contains("__"), "{name}");
        }
        assert_eq!(sanitize(" ..My  query: v2?.. "), "My_query_v2");
    }

    #[test]
    fn formats_know_their_extension_and_type() {
        assert_eq!(ExportFormat::Tsv.mime_type(), "text/tab-separated-values");
        assert_eq!(ExportFormat::parse("NDJSON"), Some(ExportFormat::Ndjson));
        assert_eq!(ExportFormat::parse("XLSX"), Some(ExportFormat::Xlsx));
        assert_eq!(ExportFormat::parse("xls"), None);
    }

    #[test]
    fn query_names_come_from_the_first_table() {
        let name = |q: &str| query_name_from_text(q);
        assert_eq!(
            name("DeviceProcessEvents | take 10").as_deref(),
            Some("DeviceProcessEvents")
        );
        assert_eq!(
            name("// hunt\n  // more\nEmailEvents\n| count").as_deref(),
            Some("EmailEvents")
        );
        assert_eq!(
            name("let x = \"a;b\"; // c;\nlet y = 1;\nDeviceFileEvents | where 1 == 1").as_deref(),
            Some("DeviceFileEvents")
        );
        assert_eq!(
            name("union withsource = T kind=outer isfuzzy=true DeviceEvents, DeviceLogonEvents")
                .as_deref(),
            Some("DeviceEvents")
        );
        assert_eq!(
            name("union (DeviceEvents | take 1)").as_deref(),
            Some("DeviceEvents")
        );
        assert_eq!(name("['My Table'] | take 1").as_deref(), Some("My Table"));
        assert_eq!(name("| take 1"), None);
        assert_eq!(name("let x = 1"), None);
    }
}
