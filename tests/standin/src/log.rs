//! What the stand-in saw: every API request with the auth material it
//! carried, so tests can check what the extension sent.

use serde::Serialize;

#[derive(Serialize, Clone, Debug, Default)]
pub struct Entry {
    pub time: String,
    /// "api" for /apiproxy requests; "page" and "signin" appear only in
    /// `GET /_standin/log?all=1`.
    pub kind: &'static str,
    pub method: String,
    pub host: Option<String>,
    pub path: String,
    pub has_sccauth: bool,
    pub cookies: Vec<String>,
    pub x_xsrf_token: Option<String>,
    pub xsrf_expected: Option<String>,
    pub xsrf_ok: bool,
    pub origin: Option<String>,
    pub sec_fetch_site: Option<String>,
    pub status: u16,
    pub query_text: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
    /// Which fault, quota or error produced the answer, if any.
    pub note: Option<String>,
}

/// Bounded so a long soak cannot exhaust memory; the oldest go first.
const MAX: usize = 200_000;

#[derive(Default)]
pub struct Log {
    entries: std::collections::VecDeque<Entry>,
}

impl Log {
    pub fn push(&mut self, e: Entry) {
        if self.entries.len() >= MAX {
            self.entries.pop_front();
        }
        self.entries.push_back(e);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn snapshot(&self, all: bool) -> Vec<Entry> {
        self.entries
            .iter()
            .filter(|e| all || e.kind == "api")
            .cloned()
            .collect()
    }
}
