//! The snapshot catalog: which schema snapshots are stored, under which
//! storage keys, which of them retention drops, and when the daily snapshot
//! is due.
//!
//! Design: this is the bookkeeping only, as plain data. The extension keeps
//! the catalog (a small index) and each snapshot's bytes in
//! `chrome.storage.local` and asks this module what to add and what to
//! drop, so every rule here is tested natively and the storage code in
//! JavaScript stays a thin reader and writer. Every stored value carries a
//! `version` so a later format can migrate the first one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::snapshot::SnapshotSource;

/// Storage key of the catalog (a [`Catalog`]).
pub const CATALOG_KEY: &str = "schema.catalog";
/// Storage key of the settings (a [`SchemaSettings`]).
pub const SETTINGS_KEY: &str = "schema.settings";
/// Storage key of the days the daily snapshot was taken ([`DailyMarks`]).
pub const DAILY_KEY: &str = "schema.daily";

const DAY_MS: u64 = 86_400_000;

/// Storage key of one snapshot's bytes.
pub fn body_key(id: &str) -> String {
    format!("schema.snapshot.{id}")
}

/// The snapshot settings, as the options page stores them. Missing members
/// read as their defaults, so settings stored by an older version still
/// load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SchemaSettings {
    pub version: u32,
    /// Take a snapshot on the first engine start per tenant and UTC day.
    pub daily_snapshot: bool,
    /// Most snapshots kept per tenant (imported files count as one tenant);
    /// `None` keeps any number.
    pub keep_count: Option<u32>,
    /// Snapshots older than this many days are dropped; `None` keeps them.
    pub keep_days: Option<u32>,
}

impl Default for SchemaSettings {
    fn default() -> Self {
        // 20 compressed snapshots of a ~360 KB schema take about 1 MB, well
        // inside chrome.storage.local's 10 MB without `unlimitedStorage`.
        SchemaSettings {
            version: 1,
            daily_snapshot: true,
            keep_count: Some(20),
            keep_days: Some(180),
        }
    }
}

/// Upper bound of [`SchemaSettings::keep_count`]: what fits the storage
/// quota with room to spare for the other features.
pub const MAX_KEEP_COUNT: u32 = 100;

impl SchemaSettings {
    /// The settings with out-of-range values brought into range: at least
    /// one snapshot and one day are kept, at most [`MAX_KEEP_COUNT`].
    pub fn normalized(mut self) -> Self {
        self.version = 1;
        self.keep_count = self.keep_count.map(|n| n.clamp(1, MAX_KEEP_COUNT));
        self.keep_days = self.keep_days.map(|d| d.max(1));
        self
    }
}

/// One stored snapshot, without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotMeta {
    pub id: String,
    /// The tenant the schema was fetched for; empty for an imported file.
    pub tenant_id: String,
    /// Milliseconds since the Unix epoch.
    pub taken_at_ms: u64,
    pub source: SnapshotSource,
    /// Taken automatically as the day's first snapshot.
    #[serde(default)]
    pub daily: bool,
    /// Size of the response as the portal sent it.
    pub raw_bytes: u64,
    pub table_count: usize,
    pub column_count: usize,
}

impl SnapshotMeta {
    /// How the snapshot is named in a diff's heading and file name.
    pub fn label(&self) -> String {
        let when = utc_minute(self.taken_at_ms);
        match &self.source {
            SnapshotSource::Imported { file_name } => format!("{file_name} (imported {when})"),
            SnapshotSource::Portal => format!("tenant {} at {when}", self.tenant_id),
        }
    }
}

/// What a new snapshot is, before the catalog gives it an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSnapshot {
    pub tenant_id: String,
    pub taken_at_ms: u64,
    pub source: SnapshotSource,
    #[serde(default)]
    pub daily: bool,
    pub raw_bytes: u64,
    pub table_count: usize,
    pub column_count: usize,
}

/// Every stored snapshot, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Catalog {
    pub version: u32,
    pub snapshots: Vec<SnapshotMeta>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            version: 1,
            snapshots: Vec::new(),
        }
    }
}

/// What [`Catalog::add`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Added {
    pub snapshot: SnapshotMeta,
    /// Snapshots retention dropped to make room; delete their bytes.
    pub removed: Vec<SnapshotMeta>,
}

impl Catalog {
    /// The snapshot with this id.
    pub fn get(&self, id: &str) -> Option<&SnapshotMeta> {
        self.snapshots.iter().find(|s| s.id == id)
    }

    /// Files a new snapshot under a fresh id, then applies retention. The
    /// new snapshot is never among the removed.
    pub fn add(&mut self, new: NewSnapshot, settings: &SchemaSettings, now_ms: u64) -> Added {
        let id = self.fresh_id(new.taken_at_ms);
        let snapshot = SnapshotMeta {
            id,
            tenant_id: new.tenant_id,
            taken_at_ms: new.taken_at_ms,
            source: new.source,
            daily: new.daily,
            raw_bytes: new.raw_bytes,
            table_count: new.table_count,
            column_count: new.column_count,
        };
        self.snapshots.push(snapshot.clone());
        self.snapshots
            .sort_by(|a, b| a.taken_at_ms.cmp(&b.taken_at_ms).then(a.id.cmp(&b.id)));
        let removed = self.prune(settings, now_ms);
        Added { snapshot, removed }
    }

    /// Removes one snapshot; returns it when it was there.
    pub fn remove(&mut self, id: &str) -> Option<SnapshotMeta> {
        let at = self.snapshots.iter().position(|s| s.id == id)?;
        Some(self.snapshots.remove(at))
    }

    /// Drops what `settings` no longer keep and returns it. The newest
    /// snapshot of each tenant always stays, so there is always a baseline
    /// to compare the next one with, however old it is.
    pub fn prune(&mut self, settings: &SchemaSettings, now_ms: u64) -> Vec<SnapshotMeta> {
        let mut by_tenant: BTreeMap<&str, Vec<(u64, &str)>> = BTreeMap::new();
        for s in &self.snapshots {
            by_tenant
                .entry(s.tenant_id.as_str())
                .or_default()
                .push((s.taken_at_ms, s.id.as_str()));
        }
        let mut drop: Vec<String> = Vec::new();
        for list in by_tenant.values_mut() {
            // Newest first; ties by id so the order never depends on input.
            list.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(a.1)));
            for (rank, (taken, id)) in list.iter().enumerate().skip(1) {
                let over_count = settings.keep_count.is_some_and(|n| rank >= n as usize);
                let too_old = settings
                    .keep_days
                    .is_some_and(|d| now_ms.saturating_sub(*taken) > u64::from(d) * DAY_MS);
                if over_count || too_old {
                    drop.push((*id).to_string());
                }
            }
        }
        let (removed, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.snapshots)
            .into_iter()
            .partition(|s| drop.contains(&s.id));
        self.snapshots = kept;
        removed
    }

    /// An id no stored snapshot has: the time, and a counter on a clash.
    fn fresh_id(&self, taken_at_ms: u64) -> String {
        let base = format!("s{taken_at_ms}");
        let mut id = base.clone();
        let mut n = 1;
        while self.get(&id).is_some() {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }
}

/// The UTC day each tenant's daily snapshot was last taken, as
/// `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DailyMarks {
    pub days: BTreeMap<String, String>,
}

impl DailyMarks {
    /// Whether the daily snapshot of `tenant` is due at `now_ms`: it is on,
    /// and none was taken yet on this UTC day.
    pub fn due(&self, tenant: &str, settings: &SchemaSettings, now_ms: u64) -> bool {
        settings.daily_snapshot
            && !tenant.is_empty()
            && self.days.get(tenant).map(String::as_str) != Some(utc_day(now_ms).as_str())
    }

    /// Records that the daily snapshot of `tenant` was taken at `now_ms`.
    pub fn mark(&mut self, tenant: &str, now_ms: u64) {
        self.days.insert(tenant.to_string(), utc_day(now_ms));
    }
}

/// The UTC calendar day of `ms`, as `YYYY-MM-DD`.
pub fn utc_day(ms: u64) -> String {
    let (y, m, d) = civil_from_days(ms / DAY_MS);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM UTC`, for labels.
pub fn utc_minute(ms: u64) -> String {
    let minutes = (ms % DAY_MS) / 60_000;
    format!(
        "{} {:02}:{:02} UTC",
        utc_day(ms),
        minutes / 60,
        minutes % 60
    )
}

/// Year, month and day of a count of days since 1970-01-01 (the proleptic
/// Gregorian calendar; Howard Hinnant's `civil_from_days`, restricted to
/// dates after the epoch, which is all `Date.now()` gives).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_764_777_120_000; // 2025-12-03 15:52 UTC

    fn portal(tenant: &str, at: u64) -> NewSnapshot {
        NewSnapshot {
            tenant_id: tenant.into(),
            taken_at_ms: at,
            source: SnapshotSource::Portal,
            daily: false,
            raw_bytes: 360_000,
            table_count: 200,
            column_count: 4000,
        }
    }

    fn ids(list: &[SnapshotMeta]) -> Vec<&str> {
        list.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn days_and_labels_are_utc() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(T0), "2025-12-03");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
        assert_eq!(utc_day(T0 - 15 * 3_600_000 - 52 * 60_000 - 1), "2025-12-02");
        assert_eq!(utc_minute(T0), "2025-12-03 15:52 UTC");
        let mut c = Catalog::default();
        let a = c.add(portal("t1", T0), &SchemaSettings::default(), T0);
        assert_eq!(a.snapshot.label(), "tenant t1 at 2025-12-03 15:52 UTC");
    }

    #[test]
    fn keys_are_stable() {
        // Stored data outlives versions: these names must never change.
        assert_eq!(CATALOG_KEY, "schema.catalog");
        assert_eq!(SETTINGS_KEY, "schema.settings");
        assert_eq!(DAILY_KEY, "schema.daily");
        assert_eq!(body_key("s1"), "schema.snapshot.s1");
    }

    #[test]
    fn ids_are_unique_even_at_the_same_millisecond() {
        let mut c = Catalog::default();
        let s = SchemaSettings::default();
        let a = c.add(portal("t1", T0), &s, T0).snapshot.id;
        let b = c.add(portal("t2", T0), &s, T0).snapshot.id;
        let d = c.add(portal("t1", T0), &s, T0).snapshot.id;
        assert_eq!(
            (a.as_str(), b.as_str(), d.as_str()),
            ("s1764777120000", "s1764777120000-2", "s1764777120000-3")
        );
    }

    #[test]
    fn count_retention_is_per_tenant_and_keeps_the_newest() {
        let settings = SchemaSettings {
            keep_count: Some(2),
            keep_days: None,
            ..SchemaSettings::default()
        };
        let mut c = Catalog::default();
        for i in 0..3 {
            c.add(portal("t1", T0 + i * DAY_MS), &settings, T0);
        }
        c.add(portal("t2", T0), &settings, T0);
        let added = c.add(portal("t1", T0 + 3 * DAY_MS), &settings, T0);
        assert_eq!(ids(&added.removed), ["s1764863520000"]);
        let left: Vec<(&str, u64)> = c
            .snapshots
            .iter()
            .map(|s| (s.tenant_id.as_str(), (s.taken_at_ms - T0) / DAY_MS))
            .collect();
        assert_eq!(left, [("t2", 0), ("t1", 2), ("t1", 3)]);
    }

    #[test]
    fn age_retention_never_drops_a_tenants_last_snapshot() {
        let settings = SchemaSettings {
            keep_count: None,
            keep_days: Some(30),
            ..SchemaSettings::default()
        };
        let mut c = Catalog::default();
        c.add(portal("t1", T0), &settings, T0);
        c.add(portal("t1", T0 + DAY_MS), &settings, T0 + DAY_MS);
        c.add(portal("t2", T0), &settings, T0);
        let later = T0 + 40 * DAY_MS;
        let removed = c.prune(&settings, later);
        assert_eq!(ids(&removed), ["s1764777120000"]);
        assert_eq!(c.snapshots.len(), 2, "each tenant keeps its newest");
        // Exactly at the limit is still kept.
        let mut c = Catalog::default();
        c.add(portal("t1", T0), &settings, T0);
        c.add(portal("t1", T0 + DAY_MS), &settings, T0);
        assert!(c.prune(&settings, T0 + 30 * DAY_MS).is_empty());
    }

    #[test]
    fn removing_and_finding() {
        let mut c = Catalog::default();
        let id = c
            .add(portal("t1", T0), &SchemaSettings::default(), T0)
            .snapshot
            .id;
        assert!(c.get(&id).is_some());
        assert_eq!(c.remove(&id).map(|s| s.id), Some(id.clone()));
        assert!(c.remove(&id).is_none());
    }

    #[test]
    fn daily_snapshot_is_due_once_per_tenant_and_utc_day() {
        let s = SchemaSettings::default();
        let mut marks = DailyMarks::default();
        assert!(marks.due("t1", &s, T0));
        marks.mark("t1", T0);
        assert!(!marks.due("t1", &s, T0 + 3_600_000));
        assert!(marks.due("t2", &s, T0));
        // 00:00 UTC of the next day.
        let midnight = (T0 / DAY_MS + 1) * DAY_MS;
        assert!(!marks.due("t1", &s, midnight - 1));
        assert!(marks.due("t1", &s, midnight));
        let off = SchemaSettings {
            daily_snapshot: false,
            ..s.clone()
        };
        assert!(!marks.due("t2", &off, T0));
        assert!(!marks.due("", &s, T0), "no tenant, no snapshot");
    }

    #[test]
    fn stored_values_from_an_older_or_partial_version_load_with_defaults() {
        let s: SchemaSettings = serde_json::from_str(r#"{"dailySnapshot":false}"#).expect("reads");
        assert_eq!(
            s,
            SchemaSettings {
                daily_snapshot: false,
                ..SchemaSettings::default()
            }
        );
        let s: SchemaSettings =
            serde_json::from_str(r#"{"keepCount":0,"keepDays":null,"unknown":1}"#).expect("reads");
        let s = s.normalized();
        assert_eq!((s.keep_count, s.keep_days), (Some(1), None));
        let big: SchemaSettings = serde_json::from_str(r#"{"keepCount":5000}"#).expect("reads");
        assert_eq!(big.normalized().keep_count, Some(MAX_KEEP_COUNT));
        let c: Catalog = serde_json::from_str("{}").expect("reads");
        assert_eq!(c, Catalog::default());
        let m: DailyMarks = serde_json::from_str(r#"{"days":{"t1":"2025-12-03"}}"#).expect("reads");
        assert!(!m.due("t1", &SchemaSettings::default(), T0));
    }

    #[test]
    fn metadata_is_camel_case_for_the_pages() {
        let mut c = Catalog::default();
        c.add(
            NewSnapshot {
                source: SnapshotSource::Imported {
                    file_name: "old.json".into(),
                },
                tenant_id: String::new(),
                ..portal("", T0)
            },
            &SchemaSettings::default(),
            T0,
        );
        let json = serde_json::to_string(&c).expect("serializes");
        assert!(json.contains(r#""takenAtMs":1764777120000"#), "{json}");
        assert!(
            json.contains(r#""source":{"kind":"imported","fileName":"old.json"}"#),
            "{json}"
        );
        assert_eq!(
            c.snapshots[0].label(),
            "old.json (imported 2025-12-03 15:52 UTC)"
        );
    }
}
