//! The scheduled incremental pull of every due instance, and its summary.
//!
//! Each due instance runs as one scheduled job, which `GET /instances/{id}/sync/{job_id}`
//! reports like a bulk job. An instance whose clients cannot be built records no job: it
//! stays due, so the next scheduled event tries it again.

use std::time::Instant;

use chrono::Utc;
use functions_common::outcome::outcome_counts;
use functions_common::{ApiError, Metrics};
use serde::Serialize;
use serde_json::Value;
use shared::config::InstanceConfig;
use shared::store::JobCounts;
use shared::sync::{BulkReport, InstanceRun, pull_due_instances};

use crate::App;

/// The result of one instance's run, as the invocation returns it.
#[derive(Debug, PartialEq, Serialize)]
pub struct RunSummary {
    pub instance_id: String,
    /// `finished` when the run reached the last page, `stopped` when the deadline came
    /// first and the next scheduled event resumes the job, or `failed`.
    pub status: &'static str,
    pub job_id: Option<String>,
    /// Customers this run processed.
    pub processed: u64,
    /// The job's counters, earlier runs of the same job included.
    pub counts: Option<JobCounts>,
    pub error: Option<String>,
}

/// The result of one scheduled event.
#[derive(Debug, PartialEq, Serialize)]
pub struct ScheduledSummary {
    /// Instances whose pull was due and started before the deadline.
    pub due: usize,
    pub finished: usize,
    pub stopped: usize,
    pub failed: usize,
    pub runs: Vec<RunSummary>,
}

/// Runs the incremental pull of every instance whose pull interval has elapsed, one after
/// the other until `deadline`, and returns the summary as JSON.
///
/// Returns `Err` only when the due instances cannot be listed, so that Lambda's retry
/// runs the event again. A failed instance is in the summary, and the others still run.
pub async fn run_scheduled(app: &App, deadline: Instant) -> Result<Value, ApiError> {
    // The summary keeps only the message, because an HTTP status means nothing to a schedule.
    let connect = |config: InstanceConfig| async move {
        match app.clients.for_instance(&app.secrets, config).await {
            Ok(clients) => Ok(clients.sync_context(&app.store)),
            Err(error) => Err(error.message),
        }
    };

    let runs = pull_due_instances(
        &app.store,
        Utc::now(),
        Some(tokio::time::Instant::from_std(deadline)),
        connect,
    )
    .await?;

    let summary = summarize(runs, &app.metrics);
    tracing::info!(
        due = summary.due,
        finished = summary.finished,
        stopped = summary.stopped,
        failed = summary.failed,
        "scheduled pull ended"
    );
    Ok(serde_json::to_value(&summary).unwrap_or_default())
}

/// Builds the summary and emits the outcome metrics of every finished job.
///
/// A job's outcomes are counted once, when it finishes, because the counters of a resumed
/// job include its earlier runs. NOTE: a job that fails for good is never counted.
fn summarize(runs: Vec<InstanceRun>, metrics: &Metrics) -> ScheduledSummary {
    let mut summary = ScheduledSummary {
        due: runs.len(),
        finished: 0,
        stopped: 0,
        failed: 0,
        runs: Vec::with_capacity(runs.len()),
    };

    for run in runs {
        let entry = match run.result {
            Ok(report) if report.finished => {
                summary.finished += 1;
                for (kind, count) in outcome_counts(&report.counts) {
                    metrics.outcome(kind, count);
                }
                reported(run.instance_id, "finished", report)
            }
            Ok(report) => {
                summary.stopped += 1;
                reported(run.instance_id, "stopped", report)
            }
            Err(error) => {
                summary.failed += 1;
                RunSummary {
                    instance_id: run.instance_id,
                    status: "failed",
                    job_id: None,
                    processed: 0,
                    counts: None,
                    error: Some(error),
                }
            }
        };
        summary.runs.push(entry);
    }

    summary
}

fn reported(instance_id: String, status: &'static str, report: BulkReport) -> RunSummary {
    RunSummary {
        instance_id,
        status,
        job_id: Some(report.job_id),
        processed: report.customers,
        counts: Some(report.counts),
        error: None,
    }
}
