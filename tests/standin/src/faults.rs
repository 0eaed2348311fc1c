//! Queued faults: each is consumed by the next API requests whose path
//! matches, `count` times, in the order they were queued.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    #[serde(rename = "quota_429")]
    Quota429,
    CpuBlock,
    #[serde(rename = "server_500")]
    Server500,
    #[serde(rename = "gateway_504_empty")]
    Gateway504Empty,
    Timeout,
    Slow,
    DropMidBody,
    #[serde(rename = "expire_401")]
    Expire401,
    ExpireRedirect,
    ExpireHtml,
    #[serde(rename = "xsrf_403")]
    Xsrf403,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub count: u32,
    /// Only requests whose path (with query) contains this; any /apiproxy
    /// request when absent.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// cpu_block: the wait the message announces (default 441 s = 00:07:21).
    #[serde(default)]
    pub wait_secs: Option<u64>,
    /// drop_mid_body: bytes of the body sent before the connection closes
    /// (default: half the body).
    #[serde(default)]
    pub after_bytes: Option<u64>,
    /// slow: the delay (default 5000 ms).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// timeout: 400 (default, as the portal reports query timeouts) or 504.
    #[serde(default)]
    pub status: Option<u16>,
}

fn one() -> u32 {
    1
}

#[derive(Default)]
pub struct Faults {
    queue: Vec<Fault>,
}

impl Faults {
    pub fn push(&mut self, f: Fault) {
        if f.count > 0 {
            self.queue.push(f);
        }
    }

    pub fn clear(&mut self) {
        self.queue.clear();
    }

    pub fn list(&self) -> &[Fault] {
        &self.queue
    }

    /// Takes one use of the first fault matching `path`.
    pub fn take(&mut self, path: &str) -> Option<Fault> {
        let i = self
            .queue
            .iter()
            .position(|f| f.path_contains.as_deref().is_none_or(|p| path.contains(p)))?;
        let f = self.queue[i].clone();
        self.queue[i].count -= 1;
        if self.queue[i].count == 0 {
            self.queue.remove(i);
        }
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumed_in_order_by_path() {
        let mut q = Faults::default();
        q.push(
            serde_json::from_str(
                r#"{"kind":"server_500","count":2,"path_contains":"queryExecutor"}"#,
            )
            .expect("fault"),
        );
        q.push(serde_json::from_str(r#"{"kind":"slow"}"#).expect("fault"));
        assert_eq!(
            q.take("/apiproxy/mtp/huntingService/schema")
                .map(|f| f.kind),
            Some(FaultKind::Slow)
        );
        assert_eq!(q.take("/apiproxy/mtp/huntingService/schema"), None);
        assert_eq!(
            q.take("/x/queryExecutor?useFanOut=false").map(|f| f.kind),
            Some(FaultKind::Server500)
        );
        assert_eq!(
            q.take("/x/queryExecutor").map(|f| f.kind),
            Some(FaultKind::Server500)
        );
        assert_eq!(q.take("/x/queryExecutor"), None);
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"nope"}"#).is_err());
    }
}
