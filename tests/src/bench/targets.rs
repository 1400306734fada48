//! The targets the bulk pull must meet, checked against the measurements.
//! A miss is reported, never turned into a failing exit status.

use super::measurement::{Measured, Measurement, find};
use super::scenario::Scenario;

/// Minimum ratio of baseline to bulk remote calls per customer.
pub const MIN_CALL_REDUCTION: f64 = 20.0;
/// Minimum ratio of bulk to baseline customers per second.
pub const MIN_SPEEDUP: f64 = 10.0;
/// Maximum ratio of bulk to fetch-only wall time.
pub const MAX_WALL_OVER_FETCH: f64 = 1.3;
/// Maximum peak RSS of the bulk pull at the largest size, in MiB.
pub const MAX_PEAK_RSS_MIB: f64 = 64.0;
/// Fractional allowance on "median peak RSS no higher than at the smallest size".
/// Single runs of one size peaked up to 3.6 MiB apart (17.4 to 21.0 MiB), and medians
/// of 3 runs differed by less than 5 %. NOTE: a verdict near the limit can flip between
/// benches, and more `--bulk-runs` settle it.
pub const RSS_GROWTH_ALLOWANCE: f64 = 0.05;

/// Whether a target was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Miss,
    /// A scenario the target needs did not run.
    NotMeasured,
}

impl Verdict {
    /// Returns the word printed in the report.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Miss => "MISS",
            Self::NotMeasured => "NOT MEASURED",
        }
    }

    fn from_check(met: bool) -> Self {
        if met { Self::Pass } else { Self::Miss }
    }
}

/// One target with its measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetCheck {
    pub target: String,
    /// The measured value, or what is missing to measure it.
    pub measured: String,
    pub verdict: Verdict,
}

/// Checks every target: the three ratios at each size, then memory across sizes.
pub fn evaluate(measurements: &[Measurement], sizes: &[u64]) -> Vec<TargetCheck> {
    let mut checks = Vec::new();

    for &size in sizes {
        checks.push(call_reduction(measurements, size));
        checks.push(speedup(measurements, size));
        checks.push(wall_over_fetch(measurements, size));
    }

    let smallest = sizes.iter().copied().min();
    let largest = sizes.iter().copied().max();
    if let Some(largest) = largest {
        checks.push(peak_rss_limit(measurements, largest));
    }
    if let (Some(smallest), Some(largest)) = (smallest, largest)
        && smallest != largest
    {
        checks.push(flat_rss(measurements, smallest, largest));
    }

    checks
}

fn call_reduction(measurements: &[Measurement], size: u64) -> TargetCheck {
    let target = format!(
        "{size} customers: baseline calls per customer / bulk calls per customer >= {MIN_CALL_REDUCTION}"
    );
    let bulk = find(measurements, size, Scenario::Bulk);
    let baseline = find(measurements, size, Scenario::Baseline);

    match (bulk, baseline) {
        (Some(bulk), Some(baseline)) if bulk.total_calls_per_customer() > 0.0 => {
            let ratio = baseline.total_calls_per_customer() / bulk.total_calls_per_customer();
            TargetCheck {
                target,
                measured: format!(
                    "{ratio:.1}x ({:.2} vs {:.4} calls per customer){}",
                    baseline.total_calls_per_customer(),
                    bulk.total_calls_per_customer(),
                    partial_note(bulk)
                ),
                verdict: Verdict::from_check(ratio >= MIN_CALL_REDUCTION),
            }
        }
        _ => not_measured(target, "needs the bulk and baseline runs"),
    }
}

fn speedup(measurements: &[Measurement], size: u64) -> TargetCheck {
    let target =
        format!("{size} customers: bulk customers/s / baseline customers/s >= {MIN_SPEEDUP}");
    let bulk = find(measurements, size, Scenario::Bulk);
    let baseline = find(measurements, size, Scenario::Baseline);

    match (bulk, baseline) {
        (Some(bulk), Some(baseline)) if baseline.result.throughput() > 0.0 => {
            let ratio = bulk.result.throughput() / baseline.result.throughput();
            TargetCheck {
                target,
                measured: format!(
                    "{ratio:.1}x ({:.1} vs {:.1} customers/s){}",
                    bulk.result.throughput(),
                    baseline.result.throughput(),
                    partial_note(bulk)
                ),
                verdict: Verdict::from_check(ratio >= MIN_SPEEDUP),
            }
        }
        _ => not_measured(target, "needs the bulk and baseline runs"),
    }
}

fn wall_over_fetch(measurements: &[Measurement], size: u64) -> TargetCheck {
    let target =
        format!("{size} customers: bulk wall time / fetch-only wall time <= {MAX_WALL_OVER_FETCH}");
    let bulk = find(measurements, size, Scenario::Bulk);
    let fetch = find(measurements, size, Scenario::FetchOnly);

    match (bulk, fetch) {
        (Some(bulk), Some(_)) if !bulk.result.complete => not_measured(target, &incomplete(bulk)),
        (Some(bulk), Some(fetch)) if fetch.result.wall_secs > 0.0 => {
            let ratio = bulk.result.wall_secs / fetch.result.wall_secs;
            TargetCheck {
                target,
                measured: format!(
                    "{ratio:.2}x ({:.1} s vs {:.1} s)",
                    bulk.result.wall_secs, fetch.result.wall_secs
                ),
                verdict: Verdict::from_check(ratio <= MAX_WALL_OVER_FETCH),
            }
        }
        _ => not_measured(target, "needs the bulk and fetch-only runs"),
    }
}

fn peak_rss_limit(measurements: &[Measurement], size: u64) -> TargetCheck {
    let target = format!("{size} customers: bulk peak RSS < {MAX_PEAK_RSS_MIB} MiB");

    match whole_bulk_runs(measurements, size) {
        Ok(runs) => {
            let highest = runs
                .iter()
                .map(|run| run.peak_rss_mib())
                .fold(0.0, f64::max);
            TargetCheck {
                target,
                measured: format!("{highest:.1} MiB{}", highest_of(runs.len())),
                verdict: Verdict::from_check(highest < MAX_PEAK_RSS_MIB),
            }
        }
        Err(reason) => not_measured(target, &reason),
    }
}

fn flat_rss(measurements: &[Measurement], smallest: u64, largest: u64) -> TargetCheck {
    let target = format!(
        "bulk median peak RSS at {largest} customers <= at {smallest} (+{:.0} % allowance)",
        RSS_GROWTH_ALLOWANCE * 100.0
    );
    let runs = whole_bulk_runs(measurements, smallest)
        .and_then(|small| Ok((small, whole_bulk_runs(measurements, largest)?)));

    match runs {
        Ok((small, large)) => {
            let (small_median, large_median) = (median_peak_rss(&small), median_peak_rss(&large));
            let limit = small_median * (1.0 + RSS_GROWTH_ALLOWANCE);
            TargetCheck {
                target,
                measured: format!(
                    "{large_median:.1} MiB vs {small_median:.1} MiB (runs: {} vs {})",
                    peaks_text(&large),
                    peaks_text(&small)
                ),
                verdict: Verdict::from_check(large_median <= limit),
            }
        }
        Err(reason) => not_measured(target, &reason),
    }
}

/// Returns the finished bulk runs at `size`, or why they cannot measure a
/// whole-run target: none finished, or one stopped at its time limit.
fn whole_bulk_runs(measurements: &[Measurement], size: u64) -> Result<Vec<&Measured>, String> {
    let runs: Vec<&Measured> = measurements
        .iter()
        .filter(|m| m.size == size && m.scenario == Scenario::Bulk)
        .filter_map(|m| m.outcome.as_ref().ok())
        .collect();

    if let Some(partial) = runs.iter().find(|run| !run.result.complete) {
        return Err(incomplete(partial));
    }
    if runs.is_empty() {
        return Err(format!("needs a finished bulk run at {size} customers"));
    }
    Ok(runs)
}

/// Returns the median peak RSS of `runs` in MiB: the middle value, or the mean
/// of the two middle values for an even count. `runs` must not be empty.
fn median_peak_rss(runs: &[&Measured]) -> f64 {
    let mut peaks: Vec<f64> = runs.iter().map(|run| run.peak_rss_mib()).collect();
    peaks.sort_by(f64::total_cmp);

    let middle = peaks.len() / 2;
    if peaks.len() % 2 == 0 {
        (peaks[middle - 1] + peaks[middle]) / 2.0
    } else {
        peaks[middle]
    }
}

/// Lists the peak RSS of each run, e.g. "17.3, 18.6, 17.6 MiB".
fn peaks_text(runs: &[&Measured]) -> String {
    let peaks: Vec<String> = runs
        .iter()
        .map(|run| format!("{:.1}", run.peak_rss_mib()))
        .collect();
    format!("{} MiB", peaks.join(", "))
}

/// Returns " (highest of N runs)" when more than one run was measured.
fn highest_of(runs: usize) -> String {
    if runs > 1 {
        format!(" (highest of {runs} runs)")
    } else {
        String::new()
    }
}

/// Returns " (partial run)" for a bulk pull stopped at its time limit: its
/// rates still hold for the customers it processed.
fn partial_note(bulk: &Measured) -> &'static str {
    if bulk.result.complete {
        ""
    } else {
        " (partial run)"
    }
}

/// Explains why a partial bulk pull cannot measure a whole-run target.
fn incomplete(bulk: &Measured) -> String {
    format!(
        "the bulk pull stopped at its time limit after {} customers ({:.1} s, {:.1} MiB peak RSS)",
        bulk.result.customers,
        bulk.result.wall_secs,
        bulk.peak_rss_mib()
    )
}

fn not_measured(target: String, reason: &str) -> TargetCheck {
    TargetCheck {
        target,
        measured: reason.to_owned(),
        verdict: Verdict::NotMeasured,
    }
}

#[cfg(test)]
mod tests {
    use super::super::measurement::fixtures::measured;
    use super::super::measurement::{Measured, Measurement};
    use super::*;

    fn ok(size: u64, run: Measured) -> Measurement {
        Measurement {
            size,
            scenario: run.result.scenario,
            outcome: Ok(run),
            breakdown: None,
        }
    }

    /// Bulk: 10,000 customers in 12 s with 100 + 200 + 800 calls and 30 MiB.
    /// Baseline: 300 in 60 s with 6 calls each. Fetch-only: 10 s.
    fn passing_runs(size: u64, bulk_rss_kib: u64) -> Vec<Measurement> {
        vec![
            ok(
                size,
                measured(Scenario::Bulk, 10_000, 12.0, [100, 200, 800], bulk_rss_kib),
            ),
            ok(
                size,
                measured(Scenario::Baseline, 300, 60.0, [300, 1200, 300], 20_000),
            ),
            ok(
                size,
                measured(Scenario::FetchOnly, 10_000, 10.0, [100, 0, 0], 10_000),
            ),
        ]
    }

    fn verdicts(checks: &[TargetCheck]) -> Vec<Verdict> {
        checks.iter().map(|check| check.verdict).collect()
    }

    #[test]
    fn targets_all_pass() {
        let mut runs = passing_runs(10_000, 30_720);
        runs.extend(passing_runs(100_000, 31_000));

        let checks = evaluate(&runs, &[10_000, 100_000]);

        assert_eq!(checks.len(), 8);
        assert!(
            checks.iter().all(|check| check.verdict == Verdict::Pass),
            "{checks:#?}"
        );
    }

    #[test]
    fn targets_slow_bulk_misses_wall() {
        let mut runs = passing_runs(10_000, 30_720);
        runs[0] = ok(
            10_000,
            measured(Scenario::Bulk, 10_000, 14.0, [100, 200, 800], 30_720),
        );

        let checks = evaluate(&runs, &[10_000]);

        assert_eq!(
            verdicts(&checks),
            vec![Verdict::Pass, Verdict::Pass, Verdict::Miss, Verdict::Pass]
        );
        assert_eq!(checks[2].measured, "1.40x (14.0 s vs 10.0 s)");
    }

    #[test]
    fn targets_growing_memory_misses() {
        let mut runs = passing_runs(10_000, 30_720);
        runs.extend(passing_runs(100_000, 40_960));

        let checks = evaluate(&runs, &[10_000, 100_000]);

        let flat = checks.last().map(|check| check.verdict);
        assert_eq!(flat, Some(Verdict::Miss));
        assert_eq!(checks[6].verdict, Verdict::Pass);
    }

    /// Adds bulk runs at `size` with the given peaks in KiB, each otherwise like
    /// the passing one.
    fn more_bulk_runs(runs: &mut Vec<Measurement>, size: u64, peaks_kib: &[u64]) {
        for &peak in peaks_kib {
            runs.push(ok(
                size,
                measured(Scenario::Bulk, 10_000, 12.0, [100, 200, 800], peak),
            ));
        }
    }

    #[test]
    fn targets_memory_compares_medians() {
        let mut runs = passing_runs(10_000, 18_432);
        more_bulk_runs(&mut runs, 10_000, &[30_720, 18_637]);
        runs.extend(passing_runs(100_000, 19_251));
        more_bulk_runs(&mut runs, 100_000, &[18_944, 19_354]);

        let checks = evaluate(&runs, &[10_000, 100_000]);

        let flat = &checks[7];
        assert_eq!(
            flat.target,
            "bulk median peak RSS at 100000 customers <= at 10000 (+5 % allowance)"
        );
        assert_eq!(
            flat.measured,
            "18.8 MiB vs 18.2 MiB (runs: 18.8, 18.5, 18.9 MiB vs 18.0, 30.0, 18.2 MiB)"
        );
        assert_eq!(flat.verdict, Verdict::Pass);
    }

    #[test]
    fn targets_memory_median_grows() {
        let mut runs = passing_runs(10_000, 18_432);
        more_bulk_runs(&mut runs, 10_000, &[18_432]);
        runs.extend(passing_runs(100_000, 18_432));
        more_bulk_runs(&mut runs, 100_000, &[22_528]);

        let checks = evaluate(&runs, &[10_000, 100_000]);

        // Medians of two runs: (18 + 22) / 2 = 20 MiB against 18 MiB.
        assert!(checks[7].measured.starts_with("20.0 MiB vs 18.0 MiB"));
        assert_eq!(checks[7].verdict, Verdict::Miss);
    }

    #[test]
    fn targets_memory_limit_highest_run() {
        let mut runs = passing_runs(100_000, 30_720);
        more_bulk_runs(&mut runs, 100_000, &[70 * 1024, 30_720]);

        let checks = evaluate(&runs, &[100_000]);

        assert_eq!(checks[3].measured, "70.0 MiB (highest of 3 runs)");
        assert_eq!(checks[3].verdict, Verdict::Miss);
    }

    #[test]
    fn targets_memory_one_partial_run() {
        let mut runs = passing_runs(10_000, 18_432);
        runs.extend(passing_runs(100_000, 18_432));
        let mut partial = measured(Scenario::Bulk, 20_000, 240.0, [200, 400, 1_600], 18_432);
        partial.result.complete = false;
        runs.push(ok(100_000, partial));

        let checks = evaluate(&runs, &[10_000, 100_000]);

        assert_eq!(checks[6].verdict, Verdict::NotMeasured);
        assert_eq!(checks[7].verdict, Verdict::NotMeasured);
        assert!(checks[7].measured.contains("after 20000 customers"));
    }

    #[test]
    fn targets_memory_limit_missed() {
        let runs = passing_runs(100_000, 70 * 1024);

        let checks = evaluate(&runs, &[100_000]);

        assert_eq!(checks[3].target, "100000 customers: bulk peak RSS < 64 MiB");
        assert_eq!(checks[3].verdict, Verdict::Miss);
    }

    #[test]
    fn targets_without_bulk_not_measured() {
        let mut runs = passing_runs(10_000, 30_720);
        runs[0] = Measurement {
            size: 10_000,
            scenario: Scenario::Bulk,
            outcome: Err("not available".into()),
            breakdown: None,
        };

        let checks = evaluate(&runs, &[10_000]);

        assert!(
            checks
                .iter()
                .all(|check| check.verdict == Verdict::NotMeasured)
        );
    }

    #[test]
    fn targets_partial_bulk() {
        let mut runs = passing_runs(100_000, 30_720);
        let mut bulk = measured(Scenario::Bulk, 20_000, 240.0, [200, 400, 1_600], 30_720);
        bulk.result.complete = false;
        runs[0] = ok(100_000, bulk);

        let checks = evaluate(&runs, &[100_000]);

        assert_eq!(
            verdicts(&checks),
            vec![
                Verdict::Pass,
                Verdict::Pass,
                Verdict::NotMeasured,
                Verdict::NotMeasured
            ]
        );
        assert_eq!(
            checks[0].measured,
            "54.5x (6.00 vs 0.1100 calls per customer) (partial run)"
        );
        assert_eq!(
            checks[3].measured,
            "the bulk pull stopped at its time limit after 20000 customers (240.0 s, 30.0 MiB peak RSS)"
        );
    }

    #[test]
    fn targets_call_ratio_text() {
        let runs = passing_runs(10_000, 30_720);

        let checks = evaluate(&runs, &[10_000]);

        // Baseline: 1800 calls / 300 = 6 per customer; bulk: 1100 / 10,000 = 0.11.
        assert_eq!(
            checks[0].measured,
            "54.5x (6.00 vs 0.1100 calls per customer)"
        );
    }
}
