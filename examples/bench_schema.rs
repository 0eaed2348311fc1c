//! Times the schema work natively: parsing the two schema fixtures, the
//! diff between them, and the impact check over all shared hunting
//! queries. Run with `cargo run --release --example bench_schema`.
//!
//! The wasm budgets are 5 ms for parse + diff and 200 ms for impact; wasm
//! runs slower than native, so these figures should sit well below them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use huntkit::impact::{impact, QueryIndex, QueryRef};
use huntkit::schema::{diff, parse_schema, DiffOptions};

const ITERATIONS: usize = 20;

fn fixtures() -> PathBuf {
    std::env::var_os("HUNTKIT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"))
        })
}

/// Runs `f` repeatedly and returns the fastest and the median run.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut runs: Vec<Duration> = (0..ITERATIONS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    runs.sort();
    (runs[0], runs[runs.len() / 2])
}

fn report(label: &str, (min, median): (Duration, Duration)) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<34} min {:>8.3} ms   median {:>8.3} ms",
        ms(min),
        ms(median)
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = fixtures();
    let old_bytes = std::fs::read(dir.join("schema_older.json"))?;
    let new_bytes = std::fs::read(dir.join("schema_current.json"))?;
    let queries: Vec<QueryRef> = std::fs::read_to_string(dir.join("queries.jsonl"))?
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Ok(QueryRef {
                id: i.to_string(),
                name: s("name"),
                text: s("query"),
            })
        })
        .collect::<Result<_, serde_json::Error>>()?;
    let opts = DiffOptions::default();
    let old = parse_schema(&old_bytes)?;
    let new = parse_schema(&new_bytes)?;
    let d = diff(&old, &new, &opts);
    let bytes: usize = queries.iter().map(|q| q.text.len()).sum();
    println!(
        "{} + {} tables; {} queries, {:.1} MB; {ITERATIONS} runs each",
        old.tables.len(),
        new.tables.len(),
        queries.len(),
        bytes as f64 / 1e6
    );

    report(
        "parse both schemas",
        time(|| (parse_schema(&old_bytes), parse_schema(&new_bytes))),
    );
    report("diff", time(|| diff(&old, &new, &opts)));
    report(
        "parse + diff",
        time(|| -> Result<_, huntkit::schema::SchemaError> {
            Ok(diff(
                &parse_schema(&old_bytes)?,
                &parse_schema(&new_bytes)?,
                &opts,
            ))
        }),
    );
    report(
        "index queries (tokenize + analyse)",
        time(|| QueryIndex::new(&queries)),
    );
    let index = QueryIndex::new(&queries);
    report("impact on a prepared index", time(|| index.impact(&d)));
    report("impact from scratch", time(|| impact(&d, &queries)));
    println!("{} hits", index.impact(&d).len());
    Ok(())
}
