//! Pacing against the portal's call quota, and the jitter for backoffs.
//!
//! The quota is a count of calls per rolling window (PORTAL.md: 45 a minute
//! and 1,500 an hour per tenant), so the pacer keeps a log of its own send
//! times and lets a call go only when every window has room. A small margin
//! is added to each window: the portal counts calls when they arrive, a
//! little after they leave, and arrival delays vary.
//!
//! When a 429 names a limit the pacer did not know ("maximum allowed 45
//! per 00:01:00"), that limit is adopted for the rest of the job.
//!
//! A 429 below the known limit means someone else uses the same quota (the
//! analyst in the portal, another tool). The pacer then lowers its own
//! share of that window to what it had sent when refused, less one (but
//! never below half its share, since one 429 may be someone else's burst),
//! and takes a sixteenth of the limit back for every quiet window, so it
//! settles just under what is left.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// At most `limit` calls in any `per_ms` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub limit: u32,
    pub per_ms: i64,
}

/// A rule and the share of it the pacer currently allows itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kept {
    rule: Rule,
    allowed: u32,
    /// When `allowed` last changed (or a 429 came).
    changed_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pacer {
    rules: Vec<Kept>,
    margin_ms: i64,
    /// Send times, oldest first, no older than the longest window.
    sent: VecDeque<i64>,
}

impl Pacer {
    pub fn new(rules: Vec<Rule>, margin_ms: i64) -> Self {
        let rules = rules
            .into_iter()
            .filter(|r| r.limit > 0 && r.per_ms > 0)
            .map(|rule| Kept {
                rule,
                allowed: rule.limit,
                changed_ms: 0,
            })
            .collect();
        Pacer {
            rules,
            margin_ms: margin_ms.max(0),
            sent: VecDeque::new(),
        }
    }

    /// The earliest time, not before `now`, at which a call may leave.
    pub fn next_free(&self, now: i64) -> i64 {
        let mut at = now;
        for kept in &self.rules {
            let span = kept.rule.per_ms + self.margin_ms;
            let in_window = self
                .sent
                .iter()
                .rev()
                .take_while(|&&t| t > now - span)
                .count();
            let limit = kept.allowed.max(1) as usize;
            if in_window >= limit {
                // The call `limit` places back must leave the window first.
                let oldest = self.sent[self.sent.len() - limit];
                at = at.max(oldest + span);
            }
        }
        at
    }

    pub fn record(&mut self, now: i64) {
        for kept in &mut self.rules {
            // A whole window without a 429: take one call of the share back.
            if kept.allowed < kept.rule.limit
                && now.saturating_sub(kept.changed_ms) >= kept.rule.per_ms
            {
                kept.allowed = (kept.allowed + (kept.rule.limit / 16).max(1)).min(kept.rule.limit);
                kept.changed_ms = now;
            }
        }
        let longest = self.rules.iter().map(|k| k.rule.per_ms).max().unwrap_or(0) + self.margin_ms;
        while self.sent.front().is_some_and(|&t| t <= now - longest) {
            self.sent.pop_front();
        }
        self.sent.push_back(now);
    }

    /// Takes on a limit a 429 named, unless an equal or stricter rule for
    /// the same window is already kept.
    pub fn adopt(&mut self, rule: Rule) {
        if rule.limit == 0 || rule.per_ms <= 0 {
            return;
        }
        match self.rules.iter_mut().find(|k| k.rule.per_ms == rule.per_ms) {
            Some(known) => {
                known.rule.limit = known.rule.limit.min(rule.limit);
                known.allowed = known.allowed.min(rule.limit);
            }
            None => self.rules.push(Kept {
                rule,
                allowed: rule.limit,
                changed_ms: 0,
            }),
        }
    }

    /// A call sent at `sent_ms` was refused with a 429 for the window of
    /// `per_ms`: others use part of the quota, so lower our share to what we
    /// had sent in that window, less one, but at most by half.
    pub fn refused(&mut self, sent_ms: i64, per_ms: i64, now: i64) {
        let ours = self
            .sent
            .iter()
            .filter(|&&t| t > sent_ms - per_ms - self.margin_ms && t <= sent_ms)
            .count();
        let ours = u32::try_from(ours).unwrap_or(u32::MAX);
        if let Some(kept) = self.rules.iter_mut().find(|k| k.rule.per_ms == per_ms) {
            let floor = (kept.allowed / 2).max(1);
            kept.allowed = kept.allowed.min(ours.saturating_sub(1)).max(floor);
            kept.changed_ms = now;
        }
    }

    /// Calls sent in the `per_ms` before `now` (for progress).
    pub fn calls_within(&self, now: i64, per_ms: i64) -> usize {
        self.sent
            .iter()
            .rev()
            .take_while(|&&t| t > now - per_ms)
            .count()
    }
}

/// SplitMix64: small, fast and deterministic from its seed, so a test with
/// a fixed seed sees the same jitter on every run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Rng {
    #[serde(with = "u64_text")]
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..=max`.
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        self.next_u64() % (max + 1)
    }
}

/// Exponential backoff with "equal jitter": half of `base·2^(n-1)` (capped)
/// is fixed and half random, so retries from several units spread out but
/// never come back sooner than half the nominal delay.
pub(crate) fn backoff_ms(rng: &mut Rng, n: u32, base_ms: u64, max_ms: u64) -> u64 {
    let exp = n.saturating_sub(1).min(30);
    let nominal = base_ms.saturating_mul(1u64 << exp).min(max_ms);
    nominal / 2 + rng.up_to(nominal - nominal / 2)
}

/// u64 values as decimal strings in JSON: job state may pass through
/// JavaScript, whose numbers round anything past 2^53.
pub(crate) mod u64_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom(format!("not a whole number: {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_the_limit_in_a_rolling_window() {
        let mut pacer = Pacer::new(
            vec![Rule {
                limit: 3,
                per_ms: 1_000,
            }],
            0,
        );
        let mut sends = Vec::new();
        let mut now = 0;
        while sends.len() < 10 {
            now = pacer.next_free(now);
            pacer.record(now);
            sends.push(now);
            now += 10;
        }
        assert_eq!(
            sends,
            [0, 10, 20, 1_000, 1_010, 1_020, 2_000, 2_010, 2_020, 3_000]
        );
    }

    #[test]
    fn adopts_a_stricter_limit_from_a_429() {
        let mut pacer = Pacer::new(
            vec![Rule {
                limit: 45,
                per_ms: 60_000,
            }],
            100,
        );
        pacer.adopt(Rule {
            limit: 1_500,
            per_ms: 3_600_000,
        });
        pacer.adopt(Rule {
            limit: 30,
            per_ms: 60_000,
        });
        for t in 0..30 {
            pacer.record(t);
        }
        assert_eq!(pacer.next_free(30), 60_100);
    }

    #[test]
    fn a_429_below_the_limit_lowers_the_share_then_it_grows_back() {
        let mut pacer = Pacer::new(
            vec![Rule {
                limit: 32,
                per_ms: 1_000,
            }],
            0,
        );
        for t in 0..21 {
            pacer.record(t);
        }
        pacer.refused(20, 1_000, 100);
        // Twenty allowed: the twentieth most recent call (at 1) leaves first.
        assert_eq!(pacer.next_free(100), 1_001);
        // A quiet window later the share is 20 + 32/16 = 22.
        for t in 1_100..1_122 {
            pacer.record(t);
        }
        assert_eq!(pacer.next_free(1_122), 2_100);
        // One early 429 halves the share at most.
        let mut pacer = Pacer::new(
            vec![Rule {
                limit: 45,
                per_ms: 60_000,
            }],
            0,
        );
        pacer.record(0);
        pacer.refused(0, 60_000, 10);
        assert_eq!(pacer.next_free(10), 10);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let mut rng = Rng::new(7);
        for n in 1..10 {
            let d = backoff_ms(&mut rng, n, 1_000, 30_000);
            let nominal = (1_000u64 << (n - 1)).min(30_000);
            assert!(d >= nominal / 2 && d <= nominal, "{n}: {d}");
        }
        let json = serde_json::to_string(&Rng::new(u64::MAX)).expect("json");
        assert_eq!(json, "\"18446744073709551615\"");
    }
}
