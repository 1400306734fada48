//! Runs every scenario at every size and builds the report.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::child::{ChildTask, run_in_child};
use super::counters::CallBreakdown;
use super::environment::{BenchStack, Latency};
use super::machine;
use super::measurement::{Measured, Measurement};
use super::report::{breakdown_list, results_table, targets_table};
use super::scenario::Scenario;
use super::targets::evaluate;

/// Sizes, sample, page size, latency and limits of one bench run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Magento customer counts, one stack each.
    pub sizes: Vec<u64>,
    /// Customers the baseline syncs at each size.
    pub sample: u64,
    pub page_size: u32,
    pub latency: Latency,
    /// Bulk runs at each size, each from an empty link state. The memory targets
    /// compare the median peak RSS of these runs, because one run's peak varies
    /// with the pages in flight at that moment.
    pub bulk_runs: usize,
    pub log_dir: PathBuf,
    /// Time after which the bulk pull takes no new page. A child still running
    /// [`STOP_GRACE`] later is killed and reported as not run.
    pub scenario_timeout: Duration,
}

/// Runs the scenarios and returns the Markdown report: settings, results,
/// targets and calls by operation. A scenario that fails or times out is
/// reported as not run. Only a stack that cannot start is an error.
pub async fn run(settings: &Settings) -> anyhow::Result<String> {
    let started = Instant::now();

    let mut measurements = Vec::new();
    for &size in &settings.sizes {
        measurements.extend(run_size(settings, size).await?);
    }

    let checks = evaluate(&measurements, &settings.sizes);
    let report = format!(
        "{}\n## Results\n\n{}\n## Targets\n\n{}\n## Calls by operation\n\n{}\nTotal bench time: {:.0} s. A missed target is reported, never turned into a failing exit status.\n",
        header(settings),
        results_table(&measurements),
        targets_table(&checks),
        breakdown_list(&measurements),
        started.elapsed().as_secs_f64()
    );
    Ok(report)
}

/// Runs fetch-only, then the bulk pull on the same stack (fetch-only writes
/// nothing), then each further bulk run and the baseline on a fresh stack, so
/// that every syncing run starts from an empty link state and the same Odoo
/// partners.
async fn run_size(settings: &Settings, size: u64) -> anyhow::Result<Vec<Measurement>> {
    let mut measurements = Vec::new();

    tracing::info!(size, "starting the stack");
    let stack = BenchStack::start(size, settings.latency, settings.log_dir.clone()).await?;
    for scenario in [Scenario::FetchOnly, Scenario::Bulk] {
        measurements.push(run_scenario(settings, &stack, size, scenario).await);
    }
    drop(stack);

    for run in 2..=settings.bulk_runs {
        tracing::info!(size, run, "starting a fresh stack for another bulk run");
        let stack = BenchStack::start(size, settings.latency, settings.log_dir.clone()).await?;
        measurements.push(run_scenario(settings, &stack, size, Scenario::Bulk).await);
    }

    tracing::info!(size, "starting a fresh stack for the baseline");
    let stack = BenchStack::start(size, settings.latency, settings.log_dir.clone()).await?;
    measurements.push(run_scenario(settings, &stack, size, Scenario::Baseline).await);

    Ok(measurements)
}

async fn run_scenario(
    settings: &Settings,
    stack: &BenchStack,
    size: u64,
    scenario: Scenario,
) -> Measurement {
    tracing::info!(size, scenario = scenario.name(), "running scenario");
    let task = ChildTask {
        scenario,
        customers: size,
        page_size: settings.page_size,
        sample: settings.sample,
        time_limit: settings.scenario_timeout,
    };

    let before = match stack.counters().await {
        Ok(counters) => counters,
        Err(error) => return not_run(size, scenario, format!("{error:#}"), None),
    };
    let finished = tokio::time::timeout(
        settings.scenario_timeout + STOP_GRACE,
        run_in_child(task, &stack.endpoints),
    )
    .await;
    let after = stack.counters().await;
    let breakdown = after.as_ref().ok().map(|after| after.since(&before));

    let result = match finished {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => return not_run(size, scenario, format!("{error:#}"), breakdown),
        Err(_) => {
            let reason = timeout_reason(stack, settings, scenario).await;
            return not_run(size, scenario, reason, breakdown);
        }
    };
    let after = match after {
        Ok(after) => after,
        Err(error) => return not_run(size, scenario, format!("{error:#}"), breakdown),
    };

    tracing::info!(
        size,
        scenario = scenario.name(),
        wall_secs = result.wall_secs,
        "scenario finished"
    );
    Measurement {
        size,
        scenario,
        outcome: Ok(Measured {
            result,
            dynamodb_calls: after.dynamodb_requests - before.dynamodb_requests,
            dynamodb_server_errors: after.dynamodb_server_errors - before.dynamodb_server_errors,
        }),
        breakdown,
    }
}

/// Time a scenario child gets past its time limit before it is killed: the
/// bulk pull finishes and checkpoints the pages in flight when it stops.
const STOP_GRACE: Duration = Duration::from_secs(120);

/// Explains a scenario killed at the time limit, with the bulk job's progress.
async fn timeout_reason(stack: &BenchStack, settings: &Settings, scenario: Scenario) -> String {
    let limit = settings.scenario_timeout.as_secs();
    let progress = match scenario {
        Scenario::Bulk => stack.newest_job_progress().await.ok().flatten(),
        Scenario::Baseline | Scenario::FetchOnly => None,
    };

    match progress {
        Some((processed, total)) => format!(
            "killed {} s after the {limit} s limit (--scenario-timeout-secs), when the job had processed {processed} of {total} customers",
            STOP_GRACE.as_secs()
        ),
        None => format!(
            "killed {} s after the {limit} s limit (--scenario-timeout-secs)",
            STOP_GRACE.as_secs()
        ),
    }
}

fn not_run(
    size: u64,
    scenario: Scenario,
    reason: String,
    breakdown: Option<CallBreakdown>,
) -> Measurement {
    tracing::warn!(size, scenario = scenario.name(), %reason, "scenario did not finish");

    Measurement {
        size,
        scenario,
        outcome: Err(reason),
        breakdown,
    }
}

fn header(settings: &Settings) -> String {
    let latency = settings.latency;
    let mut lines = vec![
        "# Bulk pull benchmark\n".to_owned(),
        format!("- Machine: {}", machine::describe()),
        format!(
            "- Injected latency: {} ms per Magento request, {} ms per Odoo call, {} ms per DynamoDB call (latency proxy in front of moto)",
            latency.magento_ms, latency.odoo_ms, latency.dynamodb_ms
        ),
        format!("- Magento page size: {}", settings.page_size),
        format!(
            "- Bulk runs per size: {}, each on a fresh stack but the first, which follows fetch-only; the memory targets use their median peak RSS",
            settings.bulk_runs
        ),
        "- Odoo seed: every third Magento customer has a partner with the same email, so a third link and the rest are created".to_owned(),
        format!(
            "- Baseline: the first {} customers, one at a time; its cost per customer does not depend on the size",
            settings.sample
        ),
        "- Each scenario runs in its own child process; peak RSS is that process's VmHWM".to_owned(),
    ];
    lines.push(String::new());
    lines.join("\n")
}
