//! The printed report: a Markdown table of the runs and the target verdicts,
//! ready to paste into docs/benchmarks.md.

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

    for measurement in measurements {
        let scenario = measurement.scenario.name();
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
            },
            Measurement {
                size: 10_000,
                scenario: Scenario::Bulk,
                outcome: Err("the child exited with 1".into()),
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
