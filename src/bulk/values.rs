//! Indicator lists as analysts bring them: pasted text, a `.txt` with one
//! value per line, or a CSV/TSV export from another tool.
//!
//! * Text: UTF-8 with or without a BOM, or UTF-16 with a BOM (what Excel's
//!   "Unicode text" writes); LF or CRLF line ends.
//! * Lines: one value per line, trimmed; blank lines and lines starting
//!   with `#` or `//` (feed comments) are skipped.
//! * CSV: read with the `csv` crate (quoted fields, embedded delimiters and
//!   newlines). The first record is a header when none of its fields is an
//!   indicator and a later record has one, or when a field is a usual
//!   header name (`indicator`, `ioc`, `ip`, `sha256`, …). The values come
//!   from one column: the one asked for, else the column whose header is a
//!   usual name, else the column holding the most indicators.
//!
//! Every value is refanged and classified (see [`super::ioc`]); values that
//! are no known kind are reported with their line number and the reason,
//! and duplicates (after normalisation) are dropped, keeping the first.

use std::collections::HashMap;

use serde::Serialize;

use super::ioc::{classify, normalise, refang, IndicatorKind};

/// How to read a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Lines,
    Csv {
        delimiter: u8,
        /// The 0-based column to read; `None` picks one (see the module
        /// documentation).
        column: Option<usize>,
    },
}

impl InputFormat {
    /// `.csv` and `.tsv` files are delimited (the CSV delimiter is guessed
    /// among `,`, `;` and tab from the first line); pasted text whose lines
    /// all hold a tab came from a spreadsheet; anything else is lines.
    pub fn detect(file_name: Option<&str>, text: &str) -> InputFormat {
        let lower = file_name.unwrap_or("").to_ascii_lowercase();
        if lower.ends_with(".tsv") {
            return InputFormat::Csv {
                delimiter: b'\t',
                column: None,
            };
        }
        if lower.ends_with(".csv") {
            let first = text
                .trim_start_matches('\u{feff}')
                .lines()
                .next()
                .unwrap_or("");
            let delimiter = [b',', b';', b'\t']
                .into_iter()
                .max_by_key(|d| {
                    (
                        first.bytes().filter(|b| b == d).count(),
                        usize::from(*d == b','),
                    )
                })
                .unwrap_or(b',');
            return InputFormat::Csv {
                delimiter,
                column: None,
            };
        }
        let mut lines = text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .take(20)
            .peekable();
        if lines.peek().is_some() && lines.all(|l| l.contains('\t')) {
            return InputFormat::Csv {
                delimiter: b'\t',
                column: None,
            };
        }
        InputFormat::Lines
    }
}

/// One recognised value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicator {
    pub value: String,
    pub kind: IndicatorKind,
    /// 1-based line where it was found.
    pub line: usize,
    /// Whether it was written defanged (`evil[.]com`).
    pub refanged: bool,
}

/// A line that holds no known indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// A value seen before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Duplicate {
    pub line: usize,
    pub first_line: usize,
    pub value: String,
}

/// What a list held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndicatorList {
    pub indicators: Vec<Indicator>,
    pub rejected: Vec<Rejected>,
    pub duplicates: Vec<Duplicate>,
    /// The CSV header, when the first record was one.
    pub header: Option<Vec<String>>,
    /// The CSV column the values came from.
    pub column: Option<usize>,
}

impl IndicatorList {
    /// The values, in order, ready for a template.
    pub fn values(&self) -> Vec<String> {
        self.indicators.iter().map(|i| i.value.clone()).collect()
    }

    /// How many values of each kind, for the UI.
    pub fn counts(&self) -> Vec<(IndicatorKind, usize)> {
        let mut counts: Vec<(IndicatorKind, usize)> = Vec::new();
        for i in &self.indicators {
            match counts.iter_mut().find(|(k, _)| *k == i.kind) {
                Some((_, n)) => *n += 1,
                None => counts.push((i.kind, 1)),
            }
        }
        counts
    }
}

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the file is not utf-8 text (invalid byte at offset {offset}); save it as utf-8 and load it again")]
    NotUtf8 { offset: usize },
    #[error("the file is utf-16 with an odd number of bytes ({len})")]
    OddUtf16 { len: usize },
    #[error("the file is utf-16 with an invalid character at byte {offset}")]
    BadUtf16 { offset: usize },
    #[error("the csv is malformed at line {line}: {message}")]
    Csv { line: u64, message: String },
}

/// The text of a loaded file: UTF-8 (BOM dropped) or UTF-16 with a BOM.
pub fn decode_text(bytes: &[u8]) -> Result<String, TextError> {
    let utf16 = |rest: &[u8], le: bool| -> Result<String, TextError> {
        if !rest.len().is_multiple_of(2) {
            return Err(TextError::OddUtf16 { len: bytes.len() });
        }
        let units = rest.chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        let mut out = String::with_capacity(rest.len() / 2);
        for (i, c) in char::decode_utf16(units).enumerate() {
            out.push(c.map_err(|_| TextError::BadUtf16 { offset: 2 + i * 2 })?);
        }
        Ok(out)
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest, 3),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => utf8(bytes, 0),
    }
}

fn utf8(bytes: &[u8], skipped: usize) -> Result<String, TextError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| TextError::NotUtf8 {
        offset: skipped + e.utf8_error().valid_up_to(),
    })
}

/// Reads a list of indicators.
pub fn parse_indicators(text: &str, format: InputFormat) -> Result<IndicatorList, TextError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut list = Collector::default();
    match format {
        InputFormat::Lines => {
            for (i, raw) in text.split('\n').enumerate() {
                let cell = raw.trim();
                if cell.is_empty() || cell.starts_with('#') || cell.starts_with("//") {
                    continue;
                }
                list.add(i + 1, cell);
            }
        }
        InputFormat::Csv { delimiter, column } => {
            let records = read_csv(text, delimiter)?;
            let header = is_header(&records);
            let data = if header { &records[1..] } else { &records[..] };
            let column =
                column.unwrap_or_else(|| pick_column(header.then(|| &records[0].1[..]), data));
            for (line, fields) in data {
                if let Some(cell) = fields
                    .get(column)
                    .map(|f| f.trim())
                    .filter(|f| !f.is_empty())
                {
                    list.add(*line, cell);
                }
            }
            list.out.header = header.then(|| records[0].1.clone());
            list.out.column = Some(column);
        }
    }
    Ok(list.out)
}

#[derive(Default)]
struct Collector {
    out: IndicatorList,
    seen: HashMap<String, usize>,
}

impl Collector {
    fn add(&mut self, line: usize, cell: &str) {
        let fanged = refang(cell);
        let refanged = fanged != cell;
        match classify(&fanged) {
            Ok(kind) => {
                let value = normalise(kind, &fanged);
                if let Some(&first_line) = self.seen.get(&value) {
                    self.out.duplicates.push(Duplicate {
                        line,
                        first_line,
                        value,
                    });
                    return;
                }
                self.seen.insert(value.clone(), line);
                self.out.indicators.push(Indicator {
                    value,
                    kind,
                    line,
                    refanged,
                });
            }
            Err(reason) => self.out.rejected.push(Rejected {
                line,
                text: cell.to_owned(),
                reason: reason.to_owned(),
            }),
        }
    }
}

type Record = (usize, Vec<String>);

fn read_csv(text: &str, delimiter: u8) -> Result<Vec<Record>, TextError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    // Line numbers are counted here from byte offsets: the csv crate
    // counts a CRLF's line feed only when the next record starts.
    let (mut counted_to, mut line) = (0usize, 1usize);
    for record in reader.records() {
        let record = record.map_err(|e| TextError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut start = record.position().map_or(counted_to, |p| {
            usize::try_from(p.byte()).unwrap_or(usize::MAX)
        });
        start = start.min(text.len());
        while text
            .as_bytes()
            .get(start)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            start += 1;
        }
        line += text.as_bytes()[counted_to.min(start)..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = counted_to.max(start);
        records.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(records)
}

const HEADER_NAMES: &[&str] = &[
    "indicator",
    "indicators",
    "ioc",
    "iocs",
    "value",
    "observable",
    "ip",
    "ipaddress",
    "ip_address",
    "remoteip",
    "domain",
    "hostname",
    "url",
    "hash",
    "md5",
    "sha1",
    "sha256",
    "email",
    "mail",
    "account",
    "accountname",
    "user",
    "username",
];

fn is_header_name(field: &str) -> bool {
    let f = field.trim().to_ascii_lowercase();
    HEADER_NAMES.contains(&f.as_str())
}

fn is_indicator(field: &str) -> bool {
    classify(&refang(field.trim())).is_ok()
}

fn is_header(records: &[Record]) -> bool {
    let Some((_, first)) = records.first() else {
        return false;
    };
    if first.iter().any(|f| is_indicator(f)) {
        return false;
    }
    first.iter().any(|f| is_header_name(f))
        || records[1..]
            .iter()
            .any(|(_, r)| r.iter().any(|f| is_indicator(f)))
}

fn pick_column(header: Option<&[String]>, data: &[Record]) -> usize {
    if let Some(named) = header.and_then(|h| h.iter().position(|f| is_header_name(f))) {
        return named;
    }
    let width = data.iter().map(|(_, r)| r.len()).max().unwrap_or(1);
    let score = |c: usize| {
        data.iter()
            .filter(|(_, r)| r.get(c).is_some_and(|f| is_indicator(f)))
            .count()
    };
    // The first column wins ties: min_by_key keeps the first of equals.
    (0..width)
        .min_by_key(|&c| std::cmp::Reverse(score(c)))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_skip_blanks_and_comments() {
        let list = parse_indicators(
            "# feed\n\n10.0.0.1\r\n  evil.com  \r\n// note\n",
            InputFormat::Lines,
        )
        .expect("parse");
        let got: Vec<(&str, usize)> = list
            .indicators
            .iter()
            .map(|i| (i.value.as_str(), i.line))
            .collect();
        assert_eq!(got, [("10.0.0.1", 3), ("evil.com", 4)]);
    }

    #[test]
    fn detects_formats() {
        assert_eq!(
            InputFormat::detect(Some("iocs.CSV"), "a;b;c\n"),
            InputFormat::Csv {
                delimiter: b';',
                column: None
            }
        );
        assert_eq!(
            InputFormat::detect(Some("x.csv"), "a,b\n"),
            InputFormat::Csv {
                delimiter: b',',
                column: None
            }
        );
        assert_eq!(
            InputFormat::detect(None, "1.1.1.1\tx\n2.2.2.2\ty\n"),
            InputFormat::Csv {
                delimiter: b'\t',
                column: None
            }
        );
        assert_eq!(InputFormat::detect(None, "1.1.1.1\n"), InputFormat::Lines);
    }

    #[test]
    fn decodes_boms() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc").as_deref(), Ok("abc"));
        assert_eq!(decode_text(b"\xFF\xFEa\0b\0").as_deref(), Ok("ab"));
        assert_eq!(decode_text(b"\xFE\xFF\0a\0b").as_deref(), Ok("ab"));
        assert_eq!(
            decode_text(b"ab\xFF"),
            Err(TextError::NotUtf8 { offset: 2 })
        );
    }
}
