//! Serialises query results in the portal's queryExecutor envelope
//! (`{"Quota","ChartVisualization","Schema","Results"}`) and the CSV ground
//! truth, both from the same [`Frame`] cells.

use crate::config::SizeMode;
use crate::kql::Frame;
use crate::time;
use bytes::Bytes;
use std::io::{self, Write};

const CHUNK: usize = 1 << 20;

#[derive(Clone, Copy, Debug, Default)]
pub struct QuotaInfo {
    pub query_cpu_usage: u64,
    pub cpu_load: u64,
    pub execution_ticks: i64,
    pub total_cpu_ticks: i64,
}

fn prefix(frame: &Frame, q: &QuotaInfo) -> Vec<u8> {
    let schema: Vec<serde_json::Value> = frame
        .cols
        .iter()
        .map(|c| serde_json::json!({"Name": c.name, "Type": c.ty.name(), "Entity": null}))
        .collect();
    let head = serde_json::json!({
        "Quota": {
            "QueryCpuUsage": q.query_cpu_usage,
            "CpuLoad": q.cpu_load,
            "ExecutionTime": time::timespan(q.execution_ticks),
            "TotalCpuTime": time::timespan(q.total_cpu_ticks),
        },
        "ChartVisualization": {"ChartType": "None"},
        "Schema": schema,
    });
    let mut out = serde_json::to_vec(&head).unwrap_or_default();
    // Reopen the object to append the Results array after Schema, keeping
    // the portal's key order.
    out.pop();
    out.extend_from_slice(b",\"Results\":[");
    out
}

const SUFFIX: &[u8] = b"]}";

struct RowWriter {
    keys: Vec<Vec<u8>>,
}

impl RowWriter {
    fn new(frame: &Frame) -> RowWriter {
        let keys = frame
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut k = Vec::new();
                k.push(if i == 0 { b'{' } else { b',' });
                let _ = serde_json::to_writer(&mut k, &c.name);
                k.push(b':');
                k
            })
            .collect();
        RowWriter { keys }
    }

    fn write(&self, frame: &Frame, r: usize, out: &mut Vec<u8>) {
        if self.keys.is_empty() {
            out.push(b'{');
        }
        for (c, k) in self.keys.iter().enumerate() {
            out.extend_from_slice(k);
            frame.cell(r, c).write_json(out);
        }
        out.push(b'}');
    }
}

pub enum Capped {
    Body {
        chunks: Vec<Bytes>,
        len: u64,
        rows: u64,
    },
    TooLarge,
}

/// The API response: at most `max_rows` rows (first rows of the frame's
/// order), and at most `size_cap` bytes in total: past it either an error
/// or, in truncate mode, only the rows that fit.
pub fn capped(
    frame: &Frame,
    q: &QuotaInfo,
    max_rows: u64,
    size_cap: u64,
    mode: SizeMode,
) -> Capped {
    let mut buf = prefix(frame, q);
    let mut chunks = Vec::new();
    let mut total = buf.len() as u64;
    let rw = RowWriter::new(frame);
    let n = (frame.len() as u64).min(max_rows) as usize;
    let mut row = Vec::with_capacity(4096);
    let mut rows = 0u64;
    for r in 0..n {
        row.clear();
        if r > 0 {
            row.push(b',');
        }
        rw.write(frame, r, &mut row);
        if total + row.len() as u64 + SUFFIX.len() as u64 > size_cap {
            match mode {
                SizeMode::Error => return Capped::TooLarge,
                SizeMode::Truncate => break,
            }
        }
        buf.extend_from_slice(&row);
        total += row.len() as u64;
        rows += 1;
        if buf.len() >= CHUNK {
            chunks.push(Bytes::from(std::mem::take(&mut buf)));
        }
    }
    if total + SUFFIX.len() as u64 > size_cap && mode == SizeMode::Error {
        return Capped::TooLarge;
    }
    buf.extend_from_slice(SUFFIX);
    total += SUFFIX.len() as u64;
    chunks.push(Bytes::from(buf));
    Capped::Body {
        chunks,
        len: total,
        rows,
    }
}

/// The whole result as envelope JSON, handed out in chunks; `sink` returns
/// false when the receiver has gone away.
pub fn stream_json(frame: &Frame, q: &QuotaInfo, mut sink: impl FnMut(Bytes) -> bool) {
    let mut buf = prefix(frame, q);
    let rw = RowWriter::new(frame);
    for r in 0..frame.len() {
        if r > 0 {
            buf.push(b',');
        }
        rw.write(frame, r, &mut buf);
        if buf.len() >= CHUNK && !sink(Bytes::from(std::mem::take(&mut buf))) {
            return;
        }
    }
    buf.extend_from_slice(SUFFIX);
    sink(Bytes::from(buf));
}

struct ChunkSink<F: FnMut(Bytes) -> bool> {
    buf: Vec<u8>,
    sink: F,
}

impl<F: FnMut(Bytes) -> bool> Write for ChunkSink<F> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() && !(self.sink)(Bytes::from(std::mem::take(&mut self.buf))) {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "receiver gone"));
        }
        Ok(())
    }
}

/// The CSV convention the product's writer matches: csv crate defaults
/// (comma, quotes only when needed, doubled quotes), CRLF records, a header
/// of column names in Schema order, then each row's [`crate::model::Value::csv_field`].
pub fn stream_csv(frame: &Frame, sink: impl FnMut(Bytes) -> bool) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(ChunkSink {
            buf: Vec::new(),
            sink,
        });
    w.write_record(frame.cols.iter().map(|c| c.name.as_str()))?;
    let mut rec: Vec<String> = Vec::with_capacity(frame.cols.len());
    for r in 0..frame.len() {
        rec.clear();
        rec.extend((0..frame.cols.len()).map(|c| frame.cell(r, c).csv_field()));
        w.write_record(&rec)?;
    }
    w.flush()?;
    let mut inner = w
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    inner.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kql;
    use crate::tenant::{SchemaDoc, Tenant};

    fn tenant() -> Tenant {
        let doc: SchemaDoc = serde_json::from_str(
            r#"{"Tables":[{"Name":"T","Schema":[{"Name":"Timestamp","Type":"DateTime"},
               {"Name":"ProcessCommandLine","Type":"String"},{"Name":"IsX","Type":"Boolean"},{"Name":"D","Type":"Dynamic"}]}]}"#,
        )
        .expect("schema");
        Tenant::new(3, time::parse("2025-01-01T00:00:00Z").expect("now"), &doc)
    }

    fn collect(f: impl FnOnce(&mut dyn FnMut(Bytes) -> bool)) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut |b: Bytes| {
            out.extend_from_slice(&b);
            true
        });
        out
    }

    #[test]
    fn csv_convention_with_crlf_and_quotes() {
        // A hand-built frame through the same writer as the truth endpoint.
        let t = tenant();
        let (frame, _) = kql::run(&t, "T | getschema | take 2", None).expect("run");
        let out = collect(|s| stream_csv(&frame, s).expect("csv"));
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "ColumnName,ColumnOrdinal,DataType,ColumnType\r\nTimestamp,0,System.DateTime,datetime\r\nProcessCommandLine,1,System.String,string\r\n"
        );
        // The convention on hostile cells, built by hand so the case is
        // always present.
        use crate::model::{ColType, Value};
        let hand = Frame::materialised(
            vec![
                ("S".into(), ColType::String),
                ("N".into(), ColType::Int64),
                ("B".into(), ColType::Boolean),
                ("D".into(), ColType::Dynamic),
                ("E".into(), ColType::Double),
            ],
            vec![
                vec![
                    Value::Str("say \"hi\", then\r\nbye".into()),
                    Value::Int(i64::MAX),
                    Value::SByte(true),
                    Value::Dyn(serde_json::json!({"b":1,"a":[1,"x,y"]})),
                    Value::Null,
                ],
                vec![
                    Value::Str("=1+1".into()),
                    Value::Null,
                    Value::Bool(false),
                    Value::Str("{\"a\":1}".into()),
                    Value::Real(0.5),
                ],
            ],
        );
        let out = collect(|s| stream_csv(&hand, s).expect("csv"));
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "S,N,B,D,E\r\n\"say \"\"hi\"\", then\r\nbye\",9223372036854775807,1,\"{\"\"b\"\":1,\"\"a\"\":[1,\"\"x,y\"\"]}\",\r\n=1+1,,false,\"{\"\"a\"\":1}\",0.5\r\n"
        );
        // Every generated cell round-trips through a CSV reader to its
        // csv_field.
        let (frame, _) = kql::run(&t, "T", None).expect("run");
        let out = collect(|s| stream_csv(&frame, s).expect("csv"));
        assert!(out.starts_with(b"Timestamp,ProcessCommandLine,IsX,D\r\n"));
        let mut rdr = csv::ReaderBuilder::new().from_reader(out.as_slice());
        let mut n = 0;
        for (r, rec) in rdr.records().enumerate() {
            let rec = rec.expect("record");
            for c in 0..4 {
                assert_eq!(&rec[c], frame.cell(r, c).csv_field());
            }
            n += 1;
        }
        assert_eq!(n, frame.len());
    }

    #[test]
    fn json_envelope_and_caps() {
        let t = tenant();
        let (frame, _) = kql::run(&t, "T", None).expect("run");
        let q = QuotaInfo {
            execution_ticks: 11_144_704,
            ..Default::default()
        };
        let full = collect(|s| stream_json(&frame, &q, s));
        let v: serde_json::Value = serde_json::from_slice(&full).expect("valid json");
        assert_eq!(v["Quota"]["ExecutionTime"], "00:00:01.1144704");
        assert_eq!(v["Quota"]["TotalCpuTime"], "00:00:00");
        assert_eq!(v["ChartVisualization"]["ChartType"], "None");
        assert_eq!(
            v["Schema"][2],
            serde_json::json!({"Name":"IsX","Type":"Boolean","Entity":null})
        );
        assert_eq!(v["Results"].as_array().expect("rows").len(), frame.len());
        let keys: Vec<&String> = v.as_object().expect("obj").keys().collect();
        assert_eq!(keys, ["Quota", "ChartVisualization", "Schema", "Results"]);

        let Capped::Body { chunks, len, rows } = capped(&frame, &q, 10, u64::MAX, SizeMode::Error)
        else {
            panic!("fits")
        };
        assert_eq!(rows, 10);
        let body: Vec<u8> = chunks.concat();
        assert_eq!(body.len() as u64, len);
        assert_eq!(
            body[..body.len() - 2],
            full[..body.len() - 2],
            "capped rows are the first rows"
        );
        assert!(matches!(
            capped(&frame, &q, u64::MAX, 5000, SizeMode::Error),
            Capped::TooLarge
        ));
        let Capped::Body { len, rows, .. } = capped(&frame, &q, u64::MAX, 5000, SizeMode::Truncate)
        else {
            panic!("truncates")
        };
        assert!(len <= 5000 && rows > 0 && rows < frame.len() as u64);
    }
}
