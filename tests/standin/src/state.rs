//! Everything the server shares between requests.

use crate::config::Settings;
use crate::faults::Faults;
use crate::log::Log;
use crate::quota::{CallQuota, CpuQuota};
use crate::session::Sessions;
use crate::tenant::Tenant;
use bytes::Bytes;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// One query the portal remembers for `reports/userHistory`.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub query_text: String,
    pub start_time: serde_json::Value,
    pub end_time: serde_json::Value,
    pub ran_at: i64,
}

pub struct State {
    pub tenant: RwLock<Arc<Tenant>>,
    /// The schema endpoint's body, served byte for byte.
    pub schema_bytes: RwLock<Bytes>,
    pub settings: Mutex<Settings>,
    pub sessions: Mutex<Sessions>,
    pub faults: Mutex<Faults>,
    pub calls: Mutex<CallQuota>,
    pub cpu: Mutex<CpuQuota>,
    pub log: Mutex<Log>,
    pub history: Mutex<VecDeque<HistoryEntry>>,
    pub reports: Mutex<Vec<serde_json::Value>>,
    pub fixtures: PathBuf,
    pub static_dir: PathBuf,
}

/// A poisoned lock only means another request panicked mid-update; the
/// stand-in's state stays usable, so take it anyway.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub fn tenant(&self) -> Arc<Tenant> {
        self.tenant
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub fn schema_bytes(&self) -> Bytes {
        self.schema_bytes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
