//! Where export bytes go: a file in the analyst's downloads folder.

use std::io::Write;

/// An export being written. Bytes arrive in order through `Write`; `finish`
/// hands the file to the browser and returns how many bytes it holds.
/// Dropping a sink without `finish` abandons the file.
pub trait DownloadSink: Write {
    fn finish(&mut self) -> std::io::Result<u64>;
}

/// In memory, for tests: the "file" is the vector itself.
impl DownloadSink for Vec<u8> {
    fn finish(&mut self) -> std::io::Result<u64> {
        Ok(self.len() as u64)
    }
}
