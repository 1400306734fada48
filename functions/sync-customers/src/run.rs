//! Running the slices of a bulk pull.

use std::time::Instant;

use functions_common::outcome::outcome_counts;
use functions_common::{ApiError, ErrorCode};
use shared::store::{JobCounts, JobStatus};
use shared::sync::{BulkOptions, SyncError, resume_job};

use crate::App;
use crate::event::Continuation;

/// Runs one slice of a bulk pull and, when customers remain, invokes the next slice.
///
/// Returns `Err` only for failures that a later attempt may get past (a system
/// unavailable after every retry), so that Lambda's asynchronous retry runs the slice
/// again from the job's last checkpoint. Other failures mark the job failed and end.
pub async fn run_slice(
    app: &App,
    continuation: &Continuation,
    deadline: Instant,
) -> Result<(), ApiError> {
    let instance_id = &continuation.instance_id;
    let job_id = &continuation.job_id;

    let clients = match app.clients.get(&app.store, &app.secrets, instance_id).await {
        Ok(clients) => clients,
        Err(error) => return fail_job(app, job_id, error).await,
    };
    let context = clients.sync_context(&app.store);
    let before = app.store.get_job(job_id).await?.counts;

    let mut options = BulkOptions::for_instance(&context.instance);
    options.deadline = Some(tokio::time::Instant::from_std(deadline));
    let report = match resume_job(&context, job_id, &options).await {
        Ok(report) => report,
        Err(SyncError::Busy { .. }) => {
            // The run that holds the lease continues this job; a second one must not.
            tracing::warn!(%instance_id, %job_id, "instance lease is held by another run; stopping this slice");
            return Ok(());
        }
        Err(error) if error.is_transient() => return Err(error.into()),
        Err(error) => {
            // The bulk pull has recorded the error and marked the job failed.
            tracing::error!(%instance_id, %job_id, error = %error, "bulk pull failed");
            return Ok(());
        }
    };

    record_outcomes(app, &before, &report.counts);
    if report.finished {
        tracing::info!(%instance_id, %job_id, processed = report.counts.processed, "bulk pull finished");
        return Ok(());
    }

    let cursor = report
        .cursor
        .as_ref()
        .and_then(|cursor| serde_json::to_string(cursor).ok());
    let next = Continuation::new(instance_id, job_id, cursor);
    app.invoker.continue_job(&next).await
}

/// Emits the outcome metrics of this slice: the job's counters minus those before it.
fn record_outcomes(app: &App, before: &JobCounts, after: &JobCounts) {
    let delta = JobCounts {
        processed: after.processed.saturating_sub(before.processed),
        total: after.total,
        created: after.created.saturating_sub(before.created),
        linked: after.linked.saturating_sub(before.linked),
        updated: after.updated.saturating_sub(before.updated),
        unchanged: after.unchanged.saturating_sub(before.unchanged),
        skipped: after.skipped.saturating_sub(before.skipped),
        failed: after.failed.saturating_sub(before.failed),
        conflicts: after.conflicts.saturating_sub(before.conflicts),
    };
    for (kind, count) in outcome_counts(&delta) {
        app.metrics.outcome(kind, count);
    }
}

/// Marks a job failed for a failure that no retry fixes, e.g. a deleted instance.
async fn fail_job(app: &App, job_id: &str, error: ApiError) -> Result<(), ApiError> {
    tracing::error!(%job_id, error = %error, "bulk pull cannot start");
    if error.code == ErrorCode::UpstreamUnavailable || error.code == ErrorCode::UpstreamTimeout {
        return Err(error);
    }

    let reason = format!("the run could not start: {}", error.message);
    app.store
        .record_job_error(job_id, None, None, &reason)
        .await?;
    app.store.set_job_status(job_id, JobStatus::Failed).await?;
    Ok(())
}
