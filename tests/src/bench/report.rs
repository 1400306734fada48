//! The printed report: a Markdown table of the runs and the target verdicts,
//! ready to paste into docs/benchmarks.md.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::measurement::Measurement;
use super::targets::TargetCheck;

const HEADER: &str = "| Customers | Scenario | Synced | Wall time (s) | Customers/s | Magento calls/customer | Odoo calls/customer | DynamoDB calls/customer | Total calls/customer | Peak RSS (MiB) | Created / linked / skipped / failed |";
const DIVIDER: &str = "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|";

/// Renders the results table, one row per scenario and size, and the notes
/// that the scenarios returned below it.
pub fn results_table(measurements: &[Measurement]) -> String {
    let mut table = format!("{HEADER}\n{DIVIDER}\n");
    let mut notes = Vec::new();

    for (measurement, scenario) in measurements.iter().zip(run_labels(measurements)) {
        let size = measurement.size;

        let row = match &measurement.outcome {
            Ok(run) => {
                let [magento, odoo, dynamodb] = run.calls_per_customer();
                let result = &run.result;
                if let Some(note) = &result.note {
                    notes.push(format!("{scenario} at {size}: {note}"));
                }
                if run.dynamodb_server_errors > 0 {
                    notes.push(format!(
                        "{scenario} at {size}: {} DynamoDB requests got a 5xx from moto and were sent again; the DynamoDB calls include them",
                        run.dynamodb_server_errors
                    ));
                }
                format!(
                    "| {size} | {scenario} | {} | {:.1} | {:.1} | {magento:.4} | {odoo:.4} | {dynamodb:.4} | {:.4} | {:.1} | {} / {} / {} / {} |",
                    result.customers,
                    result.wall_secs,
                    result.throughput(),
                    run.total_calls_per_customer(),
                    run.peak_rss_mib(),
                    result.created,
                    result.linked,
                    result.skipped,
                    result.failed,
                )
            }
            Err(reason) => {
                notes.push(format!("{scenario} at {size}: not run: {reason}"));
                format!("| {size} | {scenario} | not run | | | | | | | | |")
            }
        };
        table.push_str(&row);
        table.push('\n');
    }

    if !notes.is_empty() {
        table.push('\n');
    }
    for note in notes {
        let _ = writeln!(table, "- {note}");
    }
    table
}

/// Renders each run's calls by operation as a Markdown list.
pub fn breakdown_list(measurements: &[Measurement]) -> String {
    let mut list = String::new();

    for (measurement, label) in measurements.iter().zip(run_labels(measurements)) {
        let Some(breakdown) = &measurement.breakdown else {
            continue;
        };
        let _ = writeln!(list, "- {label} at {}:", measurement.size);
        for line in breakdown.lines() {
            let _ = writeln!(list, "  - {line}");
        }
    }
    list
}

/// Names each measurement by its scenario, adding "run N" to the second and
/// later runs of one scenario at one size.
fn run_labels(measurements: &[Measurement]) -> Vec<String> {
    let mut seen: HashMap<(u64, &str), usize> = HashMap::new();

    measurements
        .iter()
        .map(|measurement| {
            let scenario = measurement.scenario.name();
            let count = seen.entry((measurement.size, scenario)).or_default();
            *count += 1;
            if *count == 1 {
                scenario.to_owned()
            } else {
                format!("{scenario}, run {count}")
            }
        })
        .collect()
}

/// Renders the target verdicts as a Markdown table.
pub fn targets_table(checks: &[TargetCheck]) -> String {
    let mut table = String::from("| Target | Measured | Verdict |\n|---|---|---|\n");

    for check in checks {
        let _ = writeln!(
            table,
            "| {} | {} | {} |",
            check.target,
            check.measured,
            check.verdict.label()
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::counters::CallBreakdown;
    use super::super::measurement::fixtures::measured;
    use super::super::scenario::Scenario;
    use super::super::targets::Verdict;
    use super::*;

    #[test]
    fn table_row_per_run() {
        let mut baseline = measured(Scenario::Baseline, 300, 60.0, [300, 1200, 300], 20_480);
        baseline.result.note = Some("sample of the first 300 customers".into());
        let measurements = vec![
            Measurement {
                size: 10_000,
                scenario: Scenario::Baseline,
                outcome: Ok(baseline),
                breakdown: None,
            },
            Measurement {
                size: 10_000,
                scenario: Scenario::Bulk,
                outcome: Err("the child exited with 1".into()),
                breakdown: None,
            },
        ];

        let table = results_table(&measurements);

        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], HEADER);
        assert_eq!(
            lines[2],
            "| 10000 | baseline | 300 | 60.0 | 5.0 | 1.0000 | 4.0000 | 1.0000 | 6.0000 | 20.0 | 0 / 0 / 0 / 0 |"
        );
        assert_eq!(lines[3], "| 10000 | bulk | not run | | | | | | | | |");
        assert_eq!(lines[4], "");
        assert_eq!(
            lines[5],
            "- baseline at 10000: sample of the first 300 customers"
        );
        assert_eq!(
            lines[6],
            "- bulk at 10000: not run: the child exited with 1"
        );
    }

    #[test]
    fn table_numbers_repeated_runs() {
        let bulk = || {
            Ok(measured(
                Scenario::Bulk,
                10_000,
                5.0,
                [100, 500, 500],
                18_432,
            ))
        };
        let measurements: Vec<Measurement> = [1_000, 1_000, 10_000]
            .into_iter()
            .map(|size| Measurement {
                size,
                scenario: Scenario::Bulk,
                outcome: bulk(),
                breakdown: None,
            })
            .collect();

        let table = results_table(&measurements);

        let scenarios: Vec<&str> = table
            .lines()
            .skip(2)
            .filter_map(|line| line.split(" | ").nth(1))
            .collect();
        assert_eq!(scenarios, vec!["bulk", "bulk, run 2", "bulk"]);
    }

    #[test]
    fn breakdown_listed_per_run() {
        let breakdown = CallBreakdown {
            odoo: BTreeMap::from([("res.partner.create".to_owned(), 3)]),
            ..CallBreakdown::default()
        };
        let measurements = vec![
            Measurement {
                size: 1_000,
                scenario: Scenario::Bulk,
                outcome: Err("stopped at the 240 s limit".into()),
                breakdown: Some(breakdown),
            },
            Measurement {
                size: 1_000,
                scenario: Scenario::FetchOnly,
                outcome: Err("the child exited with 1".into()),
                breakdown: None,
            },
        ];

        let list = breakdown_list(&measurements);

        assert_eq!(list, "- bulk at 1000:\n  - Odoo: res.partner.create 3\n");
    }

    #[test]
    fn targets_row_per_check() {
        let checks = vec![TargetCheck {
            target: "bulk peak RSS < 64 MiB".into(),
            measured: "30.0 MiB".into(),
            verdict: Verdict::Pass,
        }];

        let table = targets_table(&checks);

        assert_eq!(
            table.lines().nth(2),
            Some("| bulk peak RSS < 64 MiB | 30.0 MiB | PASS |")
        );
    }
}
