//! The two quotas the portal enforces: calls per minute (429) and CPU per
//! 15-minute cycle ("You can run queries again in ...").

use crate::time::{self, TICKS_PER_MIN, TICKS_PER_SEC};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A rolling one-minute window of accepted calls. Rejected calls do not
/// count, so a client that waits out the window gets through.
#[derive(Default)]
pub struct CallQuota {
    calls: VecDeque<Instant>,
}

impl CallQuota {
    pub fn try_take(&mut self, limit: u32, now: Instant) -> bool {
        if limit == 0 {
            return true;
        }
        while self
            .calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            self.calls.pop_front();
        }
        if self.calls.len() >= limit as usize {
            return false;
        }
        self.calls.push_back(now);
        true
    }
}

pub const CYCLE: i64 = 15 * TICKS_PER_MIN;

/// CPU seconds used in the current wall-clock-aligned 15-minute cycle.
#[derive(Default)]
pub struct CpuQuota {
    cycle: i64,
    used: f64,
}

impl CpuQuota {
    fn roll(&mut self, now: i64) {
        let c = now.div_euclid(CYCLE);
        if c != self.cycle {
            self.cycle = c;
            self.used = 0.0;
        }
    }

    /// Ticks until the cycle ends when the budget is spent, else None.
    pub fn blocked_for(&mut self, budget: Option<f64>, now: i64) -> Option<i64> {
        self.roll(now);
        let b = budget?;
        if self.used >= b {
            Some((self.cycle + 1) * CYCLE - now)
        } else {
            None
        }
    }

    pub fn charge(&mut self, cpu_secs: f64, now: i64) {
        self.roll(now);
        self.used += cpu_secs;
    }

    pub fn used(&mut self, now: i64) -> f64 {
        self.roll(now);
        self.used
    }
}

/// The portal's CPU-quota message with the wait as a .NET TimeSpan, rounded
/// up to whole seconds.
pub fn cpu_message(wait_ticks: i64) -> String {
    let secs = (wait_ticks + TICKS_PER_SEC - 1) / TICKS_PER_SEC;
    format!(
        "You have exceeded processing resources allocated to this tenant. You can run queries again in {}.",
        time::timespan(secs * TICKS_PER_SEC)
    )
}

pub fn calls_message(limit: u32) -> String {
    format!("API calls quota exceeded! maximum allowed {limit} per 00:01:00")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_minute() {
        let mut q = CallQuota::default();
        let t0 = Instant::now();
        assert!(q.try_take(2, t0));
        assert!(q.try_take(2, t0));
        assert!(!q.try_take(2, t0 + Duration::from_secs(59)));
        assert!(q.try_take(2, t0 + Duration::from_secs(60)));
        assert!(q.try_take(0, t0));
    }

    #[test]
    fn cpu_cycle() {
        let mut c = CpuQuota::default();
        let start = 1000 * CYCLE;
        assert_eq!(c.blocked_for(Some(1.0), start), None);
        c.charge(2.0, start + 60 * TICKS_PER_SEC);
        assert_eq!(
            c.blocked_for(Some(1.0), start + 459 * TICKS_PER_SEC),
            Some(441 * TICKS_PER_SEC)
        );
        assert_eq!(cpu_message(441 * TICKS_PER_SEC - 5), "You have exceeded processing resources allocated to this tenant. You can run queries again in 00:07:21.");
        assert_eq!(
            c.blocked_for(Some(1.0), start + CYCLE),
            None,
            "a new cycle starts afresh"
        );
    }
}
