//! Time, so that schedulers and durations can be tested on a simulated clock.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

/// Milliseconds since the Unix epoch, and a way to wait.
pub trait Clock {
    fn now_ms(&self) -> i64;
    /// Resolves after `ms` milliseconds of this clock's time.
    fn sleep(&self, ms: u64) -> Pin<Box<dyn Future<Output = ()> + '_>>;
}

/// A clock that only moves when told to; `sleep` advances it at once, so a
/// test of a job that waits out a 7-minute CPU block runs in microseconds
/// and can still assert how long the job waited.
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Cell<i64>,
}

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        Self {
            now: Cell::new(start_ms),
        }
    }

    pub fn advance(&self, ms: u64) {
        self.now.set(self.now.get() + ms as i64);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now.get()
    }

    fn sleep(&self, ms: u64) -> Pin<Box<dyn Future<Output = ()> + '_>> {
        self.advance(ms);
        Box::pin(std::future::ready(()))
    }
}
