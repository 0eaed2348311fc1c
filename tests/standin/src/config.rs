//! Command line and run-time settings. Settings can be changed while running
//! through `POST /_standin/settings` (a JSON merge).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Whether a row exactly at EndTime is returned. Nobody has published what
/// the portal does, so both are offered; the default is inclusive because the
/// portal's own time picker reads like Kusto's inclusive `between`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Edge {
    Inclusive,
    Exclusive,
}

/// What happens past the result-size cap: the portal's documented 400, or the
/// silent partial result the portal's docs also describe.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SizeMode {
    Error,
    Truncate,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub edge: Edge,
    pub row_cap: u64,
    pub size_cap_bytes: u64,
    pub size_mode: SizeMode,
    /// Calls per rolling minute to the hunting endpoints; 0 turns it off.
    pub calls_per_minute: u32,
    /// CPU seconds per 15-minute cycle; null turns the CPU quota off.
    pub cpu_budget: Option<f64>,
    pub xsrf_ttl_secs: u64,
    /// Added delay before every /apiproxy request.
    pub latency_ms: u64,
    /// The page's Content-Security-Policy; null sends none.
    pub csp: Option<String>,
    /// Retry-After on 429s. Unknown whether the portal sends one, so none by
    /// default.
    pub retry_after_secs: Option<u64>,
}

pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; connect-src 'self'";

impl Default for Settings {
    fn default() -> Self {
        Settings {
            edge: Edge::Inclusive,
            row_cap: 100_000,
            size_cap_bytes: 64 * 1024 * 1024,
            size_mode: SizeMode::Error,
            calls_per_minute: 45,
            cpu_budget: None,
            xsrf_ttl_secs: 600,
            latency_ms: 0,
            csp: Some(DEFAULT_CSP.to_string()),
            retry_after_secs: None,
        }
    }
}

impl Settings {
    /// JSON merge: keys present in `patch` replace the current values; an
    /// unknown key or a wrong type is an error and changes nothing.
    pub fn merged(&self, patch: &serde_json::Value) -> Result<Settings, String> {
        let obj = patch.as_object().ok_or("settings must be a JSON object")?;
        let mut cur = serde_json::to_value(self).map_err(|e| e.to_string())?;
        if let Some(m) = cur.as_object_mut() {
            for (k, v) in obj {
                m.insert(k.clone(), v.clone());
            }
        }
        serde_json::from_value(cur).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Clone)]
pub struct Args {
    pub port: u16,
    pub fixtures: PathBuf,
    pub lifetime_secs: u64,
    pub now: Option<String>,
    pub seed: u64,
    pub exit_on_stdin_eof: bool,
    pub settings: Settings,
}

pub fn default_fixtures() -> PathBuf {
    match std::env::var_os("HUNTKIT_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures"
        )),
    }
}

pub const USAGE: &str = "usage: standin [--port N] [--fixtures DIR] [--lifetime-secs N] [--now RFC3339] \
[--seed N] [--edge inclusive|exclusive] [--row-cap N] [--size-cap-bytes N] [--calls-per-minute N] [--exit-on-stdin-eof]";

pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Args, String> {
    let mut a = Args {
        port: 0,
        fixtures: default_fixtures(),
        lifetime_secs: 3600,
        now: None,
        seed: 1,
        exit_on_stdin_eof: false,
        settings: Settings::default(),
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if name == "--exit-on-stdin-eof" {
            a.exit_on_stdin_eof = true;
            continue;
        }
        if name == "--help" || name == "-h" {
            return Err(USAGE.into());
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let num = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: not a number: {v}"))
        };
        match name.as_str() {
            "--port" => {
                a.port = num(value()?)?
                    .try_into()
                    .map_err(|_| "--port out of range".to_string())?
            }
            "--fixtures" => a.fixtures = PathBuf::from(value()?),
            "--lifetime-secs" => a.lifetime_secs = num(value()?)?,
            "--now" => a.now = Some(value()?),
            "--seed" => a.seed = num(value()?)?,
            "--edge" => {
                a.settings.edge = match value()?.as_str() {
                    "inclusive" => Edge::Inclusive,
                    "exclusive" => Edge::Exclusive,
                    other => return Err(format!("--edge: inclusive or exclusive, not {other}")),
                }
            }
            "--row-cap" => a.settings.row_cap = num(value()?)?,
            "--size-cap-bytes" => a.settings.size_cap_bytes = num(value()?)?,
            "--calls-per-minute" => {
                a.settings.calls_per_minute = num(value()?)?
                    .try_into()
                    .map_err(|_| "--calls-per-minute too large".to_string())?
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_and_merge() {
        let a = parse_args(
            [
                "--port",
                "0",
                "--edge=exclusive",
                "--row-cap",
                "10",
                "--exit-on-stdin-eof",
            ]
            .map(String::from),
        )
        .expect("args");
        assert_eq!(a.settings.edge, Edge::Exclusive);
        assert_eq!(a.settings.row_cap, 10);
        assert!(a.exit_on_stdin_eof);
        assert!(parse_args(["--bogus".to_string()]).is_err());
        let s = Settings::default()
            .merged(&serde_json::json!({"csp": null, "size_mode": "truncate"}))
            .expect("merge");
        assert_eq!(s.csp, None);
        assert_eq!(s.size_mode, SizeMode::Truncate);
        assert!(Settings::default()
            .merged(&serde_json::json!({"nope": 1}))
            .is_err());
        assert!(Settings::default()
            .merged(&serde_json::json!({"row_cap": "x"}))
            .is_err());
    }
}
