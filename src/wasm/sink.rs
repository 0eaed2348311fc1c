//! A `Write` that hands export bytes to JavaScript in chunks of about 1 MiB,
//! so an export never sits whole in wasm memory (engine.js folds the chunks
//! into a Blob, which Chrome keeps on disk when large).

use std::io::Write;

use js_sys::{Function, Uint8Array};
use wasm_bindgen::JsValue;

use crate::platform::DownloadSink;

const CHUNK: usize = 1 << 20;

pub struct ChunkSink {
    push: Function,
    buffer: Vec<u8>,
    written: u64,
}

impl ChunkSink {
    pub fn new(push: Function) -> Self {
        Self {
            push,
            buffer: Vec::with_capacity(CHUNK),
            written: 0,
        }
    }

    fn hand_over(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        // Uint8Array::from copies into the JS heap; the buffer is then reused.
        let chunk = Uint8Array::from(self.buffer.as_slice());
        self.push.call1(&JsValue::NULL, &chunk).map_err(|e| {
            std::io::Error::other(format!("the download sink refused a chunk: {e:?}"))
        })?;
        self.written += self.buffer.len() as u64;
        self.buffer.clear();
        Ok(())
    }
}

impl Write for ChunkSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.hand_over()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl DownloadSink for ChunkSink {
    fn finish(&mut self) -> std::io::Result<u64> {
        self.hand_over()?;
        Ok(self.written)
    }
}
