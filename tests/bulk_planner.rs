//! Exactness of time slicing: whatever the portal does at the edges of a
//! time range, and whichever rows it keeps when it cuts an answer at the
//! row cap, a sliced job writes every row of the range exactly once.

mod bulk_sim;

use bulk_sim::{
    bursty_data, drive, iso_ticks, Edges, SimPortal, SimRng, Truncation, ALL_EDGES, TICKS_PER_MS,
};
use huntkit::bulk::{Action, Disposition, Job, JobConfig, KeptRows, UnitState, Window};
use huntkit::result::QueryResult;
use proptest::prelude::*;

const T0: i64 = 1_729_900_000_000;

fn config(cap: usize, probe: bool, concurrency: usize, seed: u64) -> JobConfig {
    JobConfig {
        row_cap: cap as u64,
        probe,
        concurrency,
        seed,
        calls_per_minute: 0,
        calls_per_hour: 0,
        ..JobConfig::default()
    }
}

/// Runs a sliced job over `data` and checks the output is exactly the rows
/// of `range`, each once.
fn check_exact(
    data: Vec<i64>,
    range: Window,
    portal_edges: Edges,
    truncation: Truncation,
    cfg: JobConfig,
    seed: u64,
) {
    let cap = cfg.row_cap as usize;
    let mut portal = SimPortal::new(data, portal_edges, cap, seed);
    portal.truncation = truncation;
    let mut job =
        Job::sliced("DeviceEvents | where ActionType == \"x\"", range, cfg).expect("sliceable");
    let mut latency =
        |_: &_, rows: usize, rng: &mut SimRng| 200 + rows as i64 / 10 + rng.below(300) as i64;
    let report = drive(&mut job, &mut portal, T0, seed, &mut latency);

    let ticks = range.ticks();
    let expected: Vec<usize> = (0..portal.data.len())
        .filter(|&i| ticks.contains(&portal.data[i]))
        .collect();
    let mut kept = report.kept.clone();
    kept.sort_unstable();
    let dupes = kept.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(dupes, 0, "rows written twice");
    assert_eq!(
        kept.len(),
        expected.len(),
        "rows lost or extra (edges {portal_edges:?}, {truncation:?})"
    );
    assert_eq!(kept, expected);
    let manifest = job.manifest();
    assert!(
        manifest.complete,
        "manifest says incomplete: {:?}",
        manifest.stopped
    );
    assert!(!manifest.may_be_cut_short);
    assert_eq!(manifest.kept_rows as usize, expected.len());
    assert!(job
        .units()
        .iter()
        .all(|u| !matches!(u.state, UnitState::Failed { .. })));
}

/// Data for a case: rows in and around the range, never more than a fifth
/// of the cap in one millisecond (so no 1 ms window can reach the cap, even
/// with its padding).
fn case_data(seed: u64, cap: usize) -> (Vec<i64>, Window) {
    let mut rng = SimRng(seed);
    let span = rng.range(50, 10 * 86_400_000);
    let range = Window::new(T0, T0 + span);
    let rows = rng.range(0, (cap * 25) as i64) as usize;
    let mut data = bursty_data(
        &mut rng,
        range.start_ms - 3,
        range.end_ms + 3,
        rows,
        (cap / 5).max(1),
    );
    // Rows exactly on the range's edges and just inside them.
    for t in [
        range.start_ms * TICKS_PER_MS,
        range.start_ms * TICKS_PER_MS - 1,
        range.end_ms * TICKS_PER_MS - 1,
    ] {
        data.push(t);
    }
    data.push(range.end_ms * TICKS_PER_MS);
    (bulk_sim::thin(data, (cap / 5).max(1)), range)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_row_exactly_once_with_a_probe(seed in any::<u64>(), cap in 50usize..500, edge in 0usize..4, first in any::<bool>(), conc in 1usize..4) {
        let (data, range) = case_data(seed, cap);
        let truncation = if first { Truncation::First } else { Truncation::Arbitrary };
        check_exact(data, range, ALL_EDGES[edge], truncation, config(cap, true, conc, seed), seed);
    }

    #[test]
    fn every_row_exactly_once_by_density(seed in any::<u64>(), cap in 50usize..500, edge in 0usize..4, first in any::<bool>(), conc in 1usize..4) {
        let (data, range) = case_data(seed, cap);
        let truncation = if first { Truncation::First } else { Truncation::Arbitrary };
        check_exact(data, range, ALL_EDGES[edge], truncation, config(cap, false, conc, seed), seed);
    }
}

#[test]
fn a_portal_without_bin_at_falls_back_to_density() {
    for edges in ALL_EDGES {
        let (data, range) = case_data(42, 100);
        let mut portal = SimPortal::new(data, edges, 100, 1);
        portal.refuse_probes = true;
        let mut job = Job::sliced("T", range, config(100, true, 2, 1)).expect("sliceable");
        let mut latency = |_: &_, _: usize, _: &mut SimRng| 100;
        let report = drive(&mut job, &mut portal, T0, 1, &mut latency);
        assert_eq!(portal.probes, 1);
        let mut kept = report.kept;
        kept.sort_unstable();
        let ticks = range.ticks();
        let expected: Vec<usize> = (0..portal.data.len())
            .filter(|&i| ticks.contains(&portal.data[i]))
            .collect();
        assert_eq!(kept, expected);
        let probe = job
            .units()
            .iter()
            .find(|u| matches!(u.state, UnitState::Skipped { .. }))
            .expect("skipped probe");
        assert!(
            matches!(&probe.state, UnitState::Skipped { reason } if reason.contains("sliced by measured density"))
        );
        assert!(job.manifest().complete);
    }
}

#[test]
fn a_dense_instant_is_reported_as_cut_short_never_duplicated() {
    let cap = 50;
    let range = Window::new(T0, T0 + 10_000);
    let mut data: Vec<i64> = (0..400).map(|i| (T0 + 17 * i) * TICKS_PER_MS + 3).collect();
    // 3 × cap rows in one 100 ns tick: no 1 ms window can return them all.
    data.extend(std::iter::repeat_n(
        (T0 + 5_000) * TICKS_PER_MS + 1,
        3 * cap,
    ));
    for edges in ALL_EDGES {
        for probe in [true, false] {
            let mut portal = SimPortal::new(data.clone(), edges, cap, 9);
            let mut job = Job::sliced("T", range, config(cap, probe, 2, 3)).expect("sliceable");
            let mut latency = |_: &_, _: usize, _: &mut SimRng| 50;
            let report = drive(&mut job, &mut portal, T0, 3, &mut latency);
            let mut kept = report.kept.clone();
            kept.sort_unstable();
            kept.dedup();
            assert_eq!(kept.len(), report.kept.len(), "duplicates");
            let manifest = job.manifest();
            assert!(manifest.may_be_cut_short);
            assert!(!manifest.complete);
            // The dense millisecond, and possibly its neighbours (whose
            // padded requests reach into it), are flagged; nothing else.
            let cut: Vec<i64> = manifest
                .units
                .iter()
                .filter(|u| u.cut_short.is_some())
                .map(|u| u.range.as_ref().expect("range"))
                .inspect(|r| {
                    assert_eq!(
                        r.end_ms - r.start_ms,
                        1,
                        "only 1 ms windows are kept cut short"
                    )
                })
                .map(|r| r.start_ms - T0)
                .collect();
            assert!(cut.contains(&5_000), "{edges:?} probe={probe}: {cut:?}");
            assert!(cut.iter().all(|ms| (4_999..=5_001).contains(ms)), "{cut:?}");
            // Every row outside the flagged windows is there.
            let flagged = |i: &usize| cut.contains(&(portal.data[*i] / TICKS_PER_MS - T0));
            let outside = (0..portal.data.len()).filter(|i| !flagged(i)).count();
            let kept_outside = kept.iter().filter(|i| !flagged(i)).count();
            assert_eq!(kept_outside, outside);
        }
    }
}

/// The real path: JSON bodies with mixed timestamp precision, read through
/// `QueryResult` and `Job::read_outcome`.
#[test]
fn json_answers_with_mixed_precision_are_sliced_exactly() {
    let cap = 60;
    let mut rng = SimRng(5);
    let range = Window::new(T0, T0 + 3_600_000);
    // Rows whose text has 7, 6, 5, 3 or 0 digits: the tick value is what
    // the text says, so truncate each row to its precision up front.
    let data: Vec<(i64, usize)> =
        bursty_data(&mut rng, range.start_ms - 2, range.end_ms + 2, 1_500, 10)
            .into_iter()
            .map(|t| {
                let digits = [7usize, 6, 5, 3, 0][rng.below(5) as usize];
                let unit = 10i64.pow(7 - digits as u32);
                (t.div_euclid(unit) * unit, digits)
            })
            .collect();
    let ticks: Vec<i64> = data.iter().map(|d| d.0).collect();
    for edges in ALL_EDGES {
        let mut portal = SimPortal::new(ticks.clone(), edges, cap, 2);
        let digits_of: std::collections::HashMap<i64, usize> = data.iter().copied().collect();
        let mut job = Job::sliced("T", range, config(cap, true, 1, 1)).expect("sliceable");
        let mut kept_ids = Vec::new();
        let mut now = T0;
        loop {
            match job.next_action(now) {
                Action::Send { unit_id, request } => {
                    let answer = portal.answer(&request, now);
                    let outcome = answer.outcome.map(|o| match &o.content {
                        huntkit::bulk::Content::Timestamps(Ok(t)) => {
                            let rows: Vec<String> = t
                                .iter()
                                .zip(&answer.ids)
                                .map(|(&t, id)| {
                                    format!(r#"{{"Timestamp":"{}","Id":{id}}}"#, iso_ticks(t, digits_of[&t]))
                                })
                                .collect();
                            let body = format!(
                                r#"{{"Quota":{{"QueryCpuUsage":0.5}},"Schema":[{{"Name":"Timestamp","Type":"DateTime"}},{{"Name":"Id","Type":"Int64"}}],"Results":[{}]}}"#,
                                rows.join(",")
                            );
                            let result = QueryResult::from_body(body.into_bytes()).expect("result");
                            (job.read_outcome(unit_id, &result, 10), Some(result))
                        }
                        huntkit::bulk::Content::Histogram(Ok(bins)) => {
                            let rows: Vec<String> = bins
                                .iter()
                                .map(|(t, n)| format!(r#"{{"Timestamp":"{}","HuntkitRows":{n}}}"#, iso_ticks(*t, 7)))
                                .collect();
                            let body = format!(
                                r#"{{"Schema":[{{"Name":"Timestamp","Type":"DateTime"}},{{"Name":"HuntkitRows","Type":"Int64"}}],"Results":[{}]}}"#,
                                rows.join(",")
                            );
                            let result = QueryResult::from_body(body.into_bytes()).expect("result");
                            (job.read_outcome(unit_id, &result, 10), None)
                        }
                        _ => unreachable!("the simulation answers timestamps or bins"),
                    });
                    let (outcome, result) = match outcome {
                        Ok((o, r)) => (Ok(o), r),
                        Err(e) => (Err(e), None),
                    };
                    now += 10;
                    match job.on_result(unit_id, outcome, now) {
                        Disposition::Keep(KeptRows::Indices(rows)) => {
                            let result = result.expect("rows");
                            let mut ids = Vec::new();
                            result
                                .for_each_row(|cells| -> Result<(), huntkit::result::ResultError> {
                                    if let huntkit::result::Cell::Number(n) = &cells[1] {
                                        ids.push(n.parse::<usize>().expect("id"));
                                    }
                                    Ok(())
                                })
                                .expect("rows");
                            kept_ids.extend(rows.iter().map(|&r| ids[r]));
                        }
                        Disposition::Keep(KeptRows::All) => {
                            panic!("a window keeps only its own rows")
                        }
                        Disposition::Discard => {}
                    }
                }
                Action::WaitUntil(t) => now = t,
                Action::Done => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        kept_ids.sort_unstable();
        let t = range.ticks();
        let expected: Vec<usize> = (0..portal.data.len())
            .filter(|&i| t.contains(&portal.data[i]))
            .collect();
        assert_eq!(kept_ids, expected, "{edges:?}");
        let manifest = job.manifest();
        assert!(manifest.complete);
        assert!(manifest.units.iter().filter(|u| u.kind == "window").count() >= 1500 / cap);
    }
}

#[test]
fn an_answer_without_timestamp_stops_the_job_with_a_reason() {
    let range = Window::new(T0, T0 + 1_000);
    let mut job =
        Job::sliced("T | where A == 1", range, config(100, false, 2, 1)).expect("sliceable");
    let Action::Send { unit_id, .. } = job.next_action(T0) else {
        panic!("send")
    };
    let body =
        r#"{"Schema":[{"Name":"DeviceName","Type":"String"}],"Results":[{"DeviceName":"a"}]}"#;
    let result = QueryResult::from_body(body.as_bytes().to_vec()).expect("result");
    let outcome = job.read_outcome(unit_id, &result, 5);
    assert_eq!(
        job.on_result(unit_id, Ok(outcome), T0 + 5),
        Disposition::Discard
    );
    assert_eq!(job.next_action(T0 + 5), Action::Done);
    let stopped = job.stopped().expect("stopped");
    assert!(
        stopped.contains("no Timestamp column (columns: DeviceName)"),
        "{stopped}"
    );
    assert!(!job.manifest().complete);
}
