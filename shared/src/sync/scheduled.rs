//! Scheduled pull: the customers each due instance changed in Magento since its last
//! run, through the same pipeline as the bulk pull.
//!
//! A run requests the customers with `updated_at >= watermark - overlap` from Magento. The watermark stored
//! after a finished run is the time the run's job was created, not the time it ended,
//! so a customer changed while the run was reading pages past it is read again next
//! time; the overlap covers clock skew between Magento and this service. Reading a
//! customer twice is harmless: its link's fingerprint shows it unchanged. Customers that
//! changed on both sides since the last sync are settled by the instance's conflict
//! policy and counted and described in the job.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::InstanceConfig;
use crate::magento::PageCursor;
use crate::store::{Job, JobKind, JobStatus, Store};

use super::bulk::{BulkOptions, BulkReport, run_job};
use super::conflict::format_magento_time;
use super::context::SyncContext;
use super::error::SyncError;

/// Margin subtracted from the watermark, for clock skew and slow saves in Magento.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(60);
/// Recent jobs searched for an unfinished scheduled job to resume.
const RECENT_JOBS: u32 = 10;

/// The result of the scheduled pull of one instance.
#[derive(Debug, Serialize)]
pub struct InstanceRun {
    pub instance_id: String,
    /// The run's report, or why it did not run or stopped.
    pub result: Result<BulkReport, String>,
}

/// Pulls the customers of one instance changed since its watermark, or resumes its
/// unfinished scheduled job. When the run reaches the last page, the watermark moves
/// to the job's creation time and the next run is due `pull_interval_minutes` after
/// `now`.
///
/// An instance that never ran has no watermark and pulls every customer.
#[tracing::instrument(skip(ctx, options), fields(instance_id = %ctx.instance_id()))]
pub async fn scheduled_pull(
    ctx: &SyncContext,
    now: DateTime<Utc>,
    overlap: Duration,
    options: &BulkOptions,
) -> Result<BulkReport, SyncError> {
    let instance_id = ctx.instance_id();

    let job = match unfinished_job(&ctx.store, instance_id).await? {
        Some(job) => job,
        None => {
            ctx.store
                .create_job(instance_id, JobKind::Scheduled)
                .await?
        }
    };
    let job_created = job.created_at;

    let state = ctx.store.get_sync_state(instance_id).await?;
    let start = match state.updated_at_watermark {
        Some(watermark) => {
            let since = watermark - chrono::Duration::from_std(overlap).unwrap_or_default();
            PageCursor::updated_since(format_magento_time(since), options.page_size)
        }
        None => PageCursor::all(options.page_size),
    };

    let report = run_job(ctx, job, start, options).await?;

    if report.finished {
        ctx.store
            .advance_watermark(instance_id, job_created)
            .await?;
        let interval = chrono::Duration::minutes(i64::from(ctx.instance.pull_interval_minutes));
        ctx.store
            .record_scheduled_run(instance_id, now, now + interval)
            .await?;
    }
    Ok(report)
}

/// Runs the scheduled pull of every instance that is due at `now` (never ran, or its
/// next run is due), one after the other, until `deadline`.
///
/// `connect` builds an instance's context (its clients, with credentials from the
/// secrets store). An instance whose run fails is reported and the others still run; an
/// instance left when the deadline passes runs at the next invocation.
pub async fn pull_due_instances<F, Fut>(
    store: &Store,
    now: DateTime<Utc>,
    deadline: Option<tokio::time::Instant>,
    connect: F,
) -> Result<Vec<InstanceRun>, SyncError>
where
    F: Fn(InstanceConfig) -> Fut,
    Fut: Future<Output = Result<SyncContext, SyncError>>,
{
    let mut runs = Vec::new();

    for instance in store.list_instances().await? {
        if deadline.is_some_and(|deadline| tokio::time::Instant::now() >= deadline) {
            break;
        }
        let state = store.get_sync_state(&instance.id).await?;
        if state.next_due_at.is_some_and(|due| due > now) {
            continue;
        }

        let instance_id = instance.id.clone();
        let mut options = BulkOptions::for_instance(&instance);
        options.deadline = deadline;

        let result = match connect(instance).await {
            Ok(ctx) => scheduled_pull(&ctx, now, DEFAULT_OVERLAP, &options).await,
            Err(error) => Err(error),
        };
        if let Err(error) = &result {
            tracing::error!(%instance_id, %error, "scheduled pull failed");
        }
        runs.push(InstanceRun {
            instance_id,
            result: result.map_err(|error| error.to_string()),
        });
    }

    Ok(runs)
}

/// Returns the newest scheduled job of the instance when it is still running (it
/// stopped at a deadline or died).
async fn unfinished_job(store: &Store, instance_id: &str) -> Result<Option<Job>, SyncError> {
    let jobs = store.list_jobs(instance_id, RECENT_JOBS).await?;

    Ok(jobs
        .into_iter()
        .find(|job| job.kind == JobKind::Scheduled)
        .filter(|job| job.status == JobStatus::Running))
}
