//! The time-slicing planner: which window to ask for next.
//!
//! The range is kept as a sorted list of segments not yet handed out as
//! windows. A segment is either
//! * awaiting a probe (see [`super::probe`]) that will count its rows per bin,
//! * counted: its per-bin row counts are known, and windows are cut from its
//!   front greedily, each holding as many bins as fit under the target
//!   (the gaps between non-empty bins go along for free); a bin that alone
//!   exceeds the row cap gets a finer probe of its own, or a 1 ms window;
//! * unknown: windows are sized from the density measured so far (the
//!   segment's own hint when it came back from a window that hit the cap).
//!
//! Windows are planned one at a time, when the scheduler has a free slot,
//! so each is sized with everything learnt until then. Windows that hit the
//! cap come back as unknown segments, never wider than half the window, so
//! every round makes progress down to 1 ms.
//!
//! All persisted numbers are integers: the plan must resume identically
//! after a JSON round trip.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::probe::bin_width_ms;
use super::ticks::{Window, TICKS_PER_MS};

/// One probe bin: `[start_ms, end_ms)` held `rows` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bin {
    pub start_ms: i64,
    pub end_ms: i64,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
enum SegState {
    Awaiting,
    Counted {
        bins: VecDeque<Bin>,
    },
    Unknown {
        /// Rows per `hint_width_ms` seen (or guessed) in this very region.
        hint_rows: u64,
        hint_width_ms: i64,
        /// Widest window this segment may yield (half a window that hit the
        /// cap), so re-planning always shrinks.
        max_width_ms: Option<i64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Segment {
    span: Window,
    #[serde(flatten)]
    state: SegState,
}

/// What to ask for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Planned {
    Window {
        window: Window,
        expected_rows: Option<u64>,
    },
    Probe {
        region: Window,
        bin_ms: i64,
    },
}

/// How many rows a window should aim at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Targets {
    /// When the rows are counted (a probe said so).
    pub counted: u64,
    /// When the rows are estimated from density.
    pub estimated: u64,
    pub row_cap: u64,
    /// Bytes one answer should stay under.
    pub byte_budget: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Planner {
    segments: Vec<Segment>,
    /// Rows kept and milliseconds covered by complete windows: the density
    /// that sizes windows in unknown segments.
    rows_seen: u64,
    width_seen_ms: i64,
    /// Rows and bytes of answers, to keep windows under the size cap.
    bytes_seen: u64,
    rows_with_bytes: u64,
    /// Rows the probes counted, for progress.
    counted_rows: u64,
}

impl Planner {
    /// A plan for `range`; with `probe`, the whole range first awaits a
    /// probe (returned, for the caller to make a unit of).
    pub fn new(range: Window, probe: bool, row_cap: u64) -> (Planner, Option<Planned>) {
        let mut planner = Planner {
            segments: Vec::new(),
            rows_seen: 0,
            width_seen_ms: 0,
            bytes_seen: 0,
            rows_with_bytes: 0,
            counted_rows: 0,
        };
        if probe {
            planner.insert(Segment {
                span: range,
                state: SegState::Awaiting,
            });
            (
                planner,
                Some(Planned::Probe {
                    region: range,
                    bin_ms: bin_width_ms(range, row_cap),
                }),
            )
        } else {
            planner.insert(unknown(range, 0, 0, None));
            (planner, None)
        }
    }

    /// Nothing left to hand out.
    pub fn is_exhausted(&self) -> bool {
        self.segments.is_empty()
    }

    /// Drops everything not yet handed out (the job stopped).
    pub fn clear(&mut self) {
        self.segments.clear();
    }

    /// The next window or probe, if one can be planned now. `waiting_on_window`
    /// says a window is in flight, whose answer may teach the density an
    /// unknown segment needs.
    pub fn next(&mut self, targets: Targets, waiting_on_window: bool) -> Option<Planned> {
        let estimated = self.size_limited(targets.estimated, targets.byte_budget);
        let counted = self.size_limited(targets.counted, targets.byte_budget);
        let density = (self.width_seen_ms > 0).then_some((self.rows_seen, self.width_seen_ms));
        for i in 0..self.segments.len() {
            let segment = &mut self.segments[i];
            let planned = match &mut segment.state {
                SegState::Awaiting => None,
                SegState::Counted { bins } => Some(cut_counted(
                    &mut segment.span,
                    bins,
                    counted,
                    targets.row_cap,
                )),
                SegState::Unknown {
                    hint_rows,
                    hint_width_ms,
                    max_width_ms,
                } => {
                    let hint = (*hint_width_ms > 0)
                        .then_some((*hint_rows, *hint_width_ms))
                        .or(density);
                    cut_unknown(
                        &mut segment.span,
                        hint,
                        *max_width_ms,
                        estimated,
                        waiting_on_window,
                    )
                }
            };
            if let Some(planned) = planned {
                if self.segments[i].span.is_empty() {
                    self.segments.remove(i);
                }
                if let Planned::Probe { region, .. } = planned {
                    self.insert(Segment {
                        span: region,
                        state: SegState::Awaiting,
                    });
                }
                return Some(planned);
            }
        }
        None
    }

    /// A probe answered: `bins` are `(start in ticks, rows)`. Returns false
    /// (and treats the region as unknown) when the bins do not fit the grid.
    pub fn counted(&mut self, region: Window, bin_ms: i64, bins: &[(i64, u64)]) -> bool {
        let mut out: VecDeque<Bin> = VecDeque::new();
        let mut sorted = bins.to_vec();
        sorted.sort_unstable();
        for (ticks, rows) in sorted {
            let on_grid = ticks % TICKS_PER_MS == 0
                && (ticks / TICKS_PER_MS - region.start_ms) % bin_ms.max(1) == 0;
            if !on_grid {
                self.resolve(region, unknown(region, 0, 0, None));
                return false;
            }
            let start = ticks / TICKS_PER_MS;
            // Bins outside the region hold only the padding's rows.
            if start < region.start_ms || start >= region.end_ms || rows == 0 {
                continue;
            }
            let end = start.saturating_add(bin_ms).min(region.end_ms);
            match out.back_mut() {
                Some(last) if last.start_ms == start => last.rows += rows,
                _ => out.push_back(Bin {
                    start_ms: start,
                    end_ms: end,
                    rows,
                }),
            }
        }
        self.counted_rows += out.iter().map(|b| b.rows).sum::<u64>();
        self.resolve(
            region,
            Segment {
                span: region,
                state: SegState::Counted { bins: out },
            },
        );
        true
    }

    /// A probe failed: its region is sliced by density instead.
    pub fn probe_failed(&mut self, region: Window) {
        self.resolve(region, unknown(region, 0, 0, None));
    }

    /// A window must be planned again in smaller pieces (it hit the row or
    /// size cap, or timed out). `rows` is a lower bound of what it holds.
    pub fn replan(&mut self, window: Window, rows: u64) {
        let max = (window.width_ms() / 2).max(1);
        // Three times the lower bound: a window that hit the cap likely held
        // more (the figure that needed fewest calls on bursty test data).
        self.insert(unknown(
            window,
            rows.saturating_mul(3),
            window.width_ms(),
            Some(max),
        ));
    }

    /// A window finished; `complete` when its answer was not cut.
    pub fn record(
        &mut self,
        window: Window,
        kept_rows: u64,
        row_count: u64,
        body_bytes: u64,
        complete: bool,
    ) {
        if complete {
            self.rows_seen += kept_rows;
            self.width_seen_ms += window.width_ms();
            // Density is local (bursts come and go): the unknown segment
            // right after this window is sized from this window first.
            let next = self
                .segments
                .iter_mut()
                .find(|s| s.span.start_ms == window.end_ms);
            if let Some(Segment {
                state:
                    SegState::Unknown {
                        hint_rows,
                        hint_width_ms,
                        ..
                    },
                ..
            }) = next
            {
                *hint_rows = kept_rows;
                *hint_width_ms = window.width_ms();
            }
        }
        if row_count > 0 && body_bytes > 0 {
            self.bytes_seen += body_bytes;
            self.rows_with_bytes += row_count;
        }
    }

    /// Windows still to plan, roughly, for the ETA.
    pub fn remaining_windows(&self, targets: Targets) -> u64 {
        let target = targets.counted.max(1);
        self.segments
            .iter()
            .map(|s| match &s.state {
                SegState::Awaiting => 2,
                SegState::Counted { bins } => bins
                    .iter()
                    .map(|b| b.rows)
                    .sum::<u64>()
                    .div_ceil(target)
                    .max(1),
                SegState::Unknown { .. } if self.width_seen_ms > 0 => {
                    let rows = (self.rows_seen as f64 / self.width_seen_ms as f64)
                        * s.span.width_ms() as f64;
                    ((rows / targets.estimated.max(1) as f64).ceil() as u64).max(1)
                }
                SegState::Unknown { .. } => 1,
            })
            .sum()
    }

    /// Rows the probes counted over the whole range (0 without probes).
    pub fn counted_rows(&self) -> u64 {
        self.counted_rows
    }

    /// Average answer bytes per row seen so far.
    pub fn bytes_per_row(&self) -> Option<u64> {
        (self.rows_with_bytes > 0).then(|| self.bytes_seen.div_ceil(self.rows_with_bytes))
    }

    /// A row target, lowered when the answers seen so far are so wide that
    /// the target's rows would pass the byte budget.
    fn size_limited(&self, rows: u64, byte_budget: u64) -> u64 {
        match self.bytes_per_row() {
            Some(per_row) if per_row > 0 => rows.min(byte_budget / per_row).max(1),
            _ => rows.max(1),
        }
    }

    /// Replaces the awaiting segment of `region` with `segment`.
    fn resolve(&mut self, region: Window, segment: Segment) {
        self.segments
            .retain(|s| !(s.span == region && s.state == SegState::Awaiting));
        if !segment.span.is_empty() {
            self.insert(segment);
        }
    }

    fn insert(&mut self, segment: Segment) {
        let at = self
            .segments
            .partition_point(|s| s.span.start_ms < segment.span.start_ms);
        self.segments.insert(at, segment);
    }
}

fn unknown(span: Window, hint_rows: u64, hint_width_ms: i64, max_width_ms: Option<i64>) -> Segment {
    Segment {
        span,
        state: SegState::Unknown {
            hint_rows,
            hint_width_ms,
            max_width_ms,
        },
    }
}

/// Cuts the next window off the front of a counted segment.
fn cut_counted(span: &mut Window, bins: &mut VecDeque<Bin>, target: u64, row_cap: u64) -> Planned {
    let start = span.start_ms;
    let mut rows = 0u64;
    let mut taken = 0;
    for bin in bins.iter() {
        if bin.rows > target {
            if taken > 0 {
                break;
            }
            // A heavy bin at the front (with the empty gap before it).
            let region = Window::new(start, bin.end_ms);
            let heavy = *bin;
            bins.pop_front();
            span.start_ms = heavy.end_ms;
            if heavy.rows < row_cap || heavy.end_ms - heavy.start_ms <= 1 {
                return Planned::Window {
                    window: region,
                    expected_rows: Some(heavy.rows),
                };
            }
            // Bins as fine as the heavy bin alone allows: the gap before it
            // is empty, so it adds no rows to the probe's answer.
            let inner = Window::new(heavy.start_ms, heavy.end_ms);
            let bin_ms = bin_width_ms(inner, row_cap);
            if bin_ms >= inner.width_ms() {
                // No finer bins fit under the cap: let the window hit the
                // cap and be re-planned in halves.
                return Planned::Window {
                    window: region,
                    expected_rows: Some(heavy.rows),
                };
            }
            return Planned::Probe { region, bin_ms };
        }
        if rows + bin.rows > target {
            break;
        }
        rows += bin.rows;
        taken += 1;
    }
    if taken == bins.len() {
        bins.clear();
        let window = Window::new(start, span.end_ms);
        span.start_ms = span.end_ms;
        return Planned::Window {
            window,
            expected_rows: Some(rows),
        };
    }
    let end = bins[taken].start_ms;
    bins.drain(..taken);
    span.start_ms = end;
    Planned::Window {
        window: Window::new(start, end),
        expected_rows: Some(rows),
    }
}

/// Cuts the next window off the front of an unknown segment, sized from
/// `density` (rows per width); `None` when there is nothing to size it by
/// yet and a window in flight may soon tell.
fn cut_unknown(
    span: &mut Window,
    density: Option<(u64, i64)>,
    max_width_ms: Option<i64>,
    target: u64,
    waiting_on_window: bool,
) -> Option<Planned> {
    let full = span.width_ms();
    let mut width = match density {
        Some((rows, width)) if rows > 0 => {
            // target / (rows / width), in integers.
            let w = (u128::from(target) * width.max(1) as u128 / u128::from(rows)) as i64;
            w.clamp(1, full)
        }
        Some(_) => full,
        None if waiting_on_window => return None,
        None => full,
    };
    if let Some(max) = max_width_ms {
        width = width.min(max.max(1));
    }
    // A sliver left at the end would cost a call of its own: take it now
    // when it is under a tenth of this window.
    if full - width < width / 10 && max_width_ms.is_none_or(|m| full <= m) {
        width = full;
    }
    let window = Window::new(span.start_ms, span.start_ms + width);
    span.start_ms = window.end_ms;
    Some(Planned::Window {
        window,
        expected_rows: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGETS: Targets = Targets {
        counted: 100,
        estimated: 80,
        row_cap: 120,
        byte_budget: u64::MAX,
    };

    fn windows(planner: &mut Planner) -> Vec<Planned> {
        std::iter::from_fn(|| planner.next(TARGETS, false)).collect()
    }

    #[test]
    fn counted_bins_pack_greedily_and_tile_the_range() {
        let range = Window::new(0, 100);
        let (mut p, probe) = Planner::new(range, true, 120);
        assert_eq!(
            probe,
            Some(Planned::Probe {
                region: range,
                bin_ms: 1
            })
        );
        assert_eq!(p.next(TARGETS, false), None, "awaiting the probe");
        let t = |ms: i64| ms * TICKS_PER_MS;
        assert!(p.counted(
            range,
            10,
            &[
                (t(0), 60),
                (t(20), 30),
                (t(50), 50),
                (t(90), 10),
                (t(-10), 99)
            ]
        ));
        assert_eq!(
            windows(&mut p),
            vec![
                Planned::Window {
                    window: Window::new(0, 50),
                    expected_rows: Some(90)
                },
                Planned::Window {
                    window: Window::new(50, 100),
                    expected_rows: Some(60)
                },
            ]
        );
        assert!(p.is_exhausted());
    }

    #[test]
    fn a_heavy_bin_gets_its_own_probe_or_window() {
        let range = Window::new(0, 100);
        let (mut p, _) = Planner::new(range, true, 120);
        let t = |ms: i64| ms * TICKS_PER_MS;
        assert!(p.counted(range, 10, &[(t(0), 50), (t(40), 500), (t(50), 110)]));
        let got = windows(&mut p);
        assert_eq!(
            got[0],
            Planned::Window {
                window: Window::new(0, 40),
                expected_rows: Some(50)
            }
        );
        assert!(matches!(got[1], Planned::Probe { region, .. } if region == Window::new(40, 50)));
        assert_eq!(
            got[2],
            Planned::Window {
                window: Window::new(50, 60),
                expected_rows: Some(110)
            }
        );
        assert_eq!(
            got[3],
            Planned::Window {
                window: Window::new(60, 100),
                expected_rows: Some(0)
            }
        );
        assert_eq!(got.len(), 4);
        assert!(!p.is_exhausted(), "the finer probe is still out");
    }

    #[test]
    fn unknown_segments_size_from_density_and_shrink_on_replan() {
        let range = Window::new(0, 1_000);
        let (mut p, probe) = Planner::new(range, false, 120);
        assert_eq!(probe, None);
        let first = p.next(TARGETS, false);
        assert_eq!(
            first,
            Some(Planned::Window {
                window: range,
                expected_rows: None
            })
        );
        p.replan(range, 120);
        // Hint: 360 rows per 1000 ms, target 80 ⇒ 222 ms (at most 500).
        assert_eq!(
            p.next(TARGETS, true),
            Some(Planned::Window {
                window: Window::new(0, 222),
                expected_rows: None
            })
        );
        // The next window is sized from this one's density: 40 rows in
        // 222 ms ⇒ 444 ms for 80 rows.
        p.record(Window::new(0, 222), 40, 40, 0, true);
        let next = p.next(TARGETS, true);
        assert_eq!(
            next,
            Some(Planned::Window {
                window: Window::new(222, 666),
                expected_rows: None
            })
        );
    }
}
