//! Bulk pull: every Magento customer of an instance into Odoo, designed for throughput
//! with flat memory, resumable from a checkpoint.
//!
//! ```text
//!  fetcher task           bounded channel        writers (k pages at once)        checkpoints
//!  Magento page N+2  ──▶  [N+1] [N+2]  ──▶  page N-1 │ page N │ page N+1  ──▶  in page order
//!  entity_id > last                          Odoo + DynamoDB per page          cursor + counters
//! ```
//!
//! - The fetcher reads pages one at a time by keyset (`entity_id > last id`, ascending),
//!   a few pages ahead of the writers.
//! - Up to `pages_in_flight` pages are written at once, each by
//!   [`pull_customers`](super::pull::pull_customers) in its own task, so the Odoo calls
//!   of one page overlap the fetch of the next and the writes of the previous one.
//! - Results are taken in page order. The job's cursor moves to the end of page N, with
//!   the page's counters in the same update, only once pages up to N are fully
//!   written. Pages that finished while the previous checkpoint was being written share
//!   the next one, so a busy run writes fewer checkpoints than pages. A run that dies restarts after the last checkpoint: the pages after it
//!   are pulled again, and their customers are recognised by their links or, for a
//!   partner created just before the crash, by their email. Nothing is skipped and no
//!   partner is created twice.
//! - The instance lease is held for the whole run, so a second run is refused.
//! - At the deadline the run takes no new page, finishes the pages in flight,
//!   checkpoints them and returns the cursor. The job stays `running` for the next run.

mod fetch;
mod lease;
mod record;

pub use record::general_reason;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde::Serialize;
use tokio::time::Instant;

use crate::config::{ConflictPolicy, InstanceConfig};
use crate::magento::{CustomerPage, PageCursor};
use crate::store::{Job, JobCounts, JobKind, JobStatus, StoreError};

use super::context::{RemoteCalls, SyncContext};
use super::error::SyncError;
use super::pull::{PullOptions, PullReport, pull_customers};
use lease::LeaseKeeper;

/// Pages written at once by default. A page waits on about a dozen calls in sequence
/// (Odoo, then DynamoDB), so many pages must overlap to keep the Odoo client's 4
/// connections and the Magento fetcher busy. In `make bench` at 10,000 customers, 4
/// pages took 13.0 s, 8 took 11.0 s, 16 took 9.3 s and 32 took 9.8 s.
pub const DEFAULT_PAGES_IN_FLIGHT: usize = 16;
/// Pages the fetcher may read ahead of the writers by default.
pub const DEFAULT_PREFETCH_PAGES: usize = 4;
/// Pages one checkpoint covers at most.
const MAX_PAGES_PER_CHECKPOINT: usize = 8;
/// Lease duration by default; the lease is renewed every third of it.
pub const DEFAULT_LEASE_DURATION: Duration = Duration::from_secs(120);

/// Settings of one bulk run.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Customers per Magento page (Magento caps it at 300 when input limits are on).
    pub page_size: u32,
    pub pages_in_flight: usize,
    pub prefetch_pages: usize,
    /// Odoo writes of changed partners in flight at once, per page.
    pub write_concurrency: usize,
    pub lease_duration: Duration,
    /// When to stop taking new pages, e.g. the Lambda's remaining time minus a margin
    /// for the pages in flight.
    pub deadline: Option<Instant>,
    pub policy: ConflictPolicy,
}

impl BulkOptions {
    /// Builds the options of an instance: its page size and conflict policy, defaults
    /// for the rest, no deadline.
    pub fn for_instance(instance: &InstanceConfig) -> Self {
        Self {
            page_size: instance.magento_page_size,
            pages_in_flight: DEFAULT_PAGES_IN_FLIGHT,
            prefetch_pages: DEFAULT_PREFETCH_PAGES,
            write_concurrency: super::pull::DEFAULT_WRITE_CONCURRENCY,
            lease_duration: DEFAULT_LEASE_DURATION,
            deadline: None,
            policy: instance.conflict_policy,
        }
    }
}

/// The result of one run of a bulk or scheduled job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkReport {
    pub job_id: String,
    /// True when the run reached the last page; false when it stopped at the deadline.
    pub finished: bool,
    /// The resume position: after the last customer of the last checkpoint.
    pub cursor: Option<PageCursor>,
    /// The job's counters after this run, earlier runs included.
    pub counts: JobCounts,
    /// Pages and customers this run wrote.
    pub pages: u64,
    pub customers: u64,
    /// Magento and Odoo requests this run sent, retries included.
    pub calls: RemoteCalls,
}

/// Creates a bulk job for the instance and runs it; see the module documentation.
pub async fn start_bulk_pull(
    ctx: &SyncContext,
    options: &BulkOptions,
) -> Result<BulkReport, SyncError> {
    let job = ctx
        .store
        .create_job(ctx.instance_id(), JobKind::Bulk)
        .await?;

    run_job(ctx, job, PageCursor::all(options.page_size), options).await
}

/// Continues a bulk or scheduled job after its last checkpoint, e.g. after a run that
/// stopped at its deadline or died. Fails with [`SyncError::Busy`] while another run
/// has the instance lease.
pub async fn resume_job(
    ctx: &SyncContext,
    job_id: &str,
    options: &BulkOptions,
) -> Result<BulkReport, SyncError> {
    let job = ctx.store.get_job(job_id).await?;

    run_job(ctx, job, PageCursor::all(options.page_size), options).await
}

/// Runs `job` from its stored cursor, or from `start` when it has none.
pub(super) async fn run_job(
    ctx: &SyncContext,
    job: Job,
    start: PageCursor,
    options: &BulkOptions,
) -> Result<BulkReport, SyncError> {
    let job_id = job.job_id.clone();
    if job.instance_id != ctx.instance_id() {
        return Err(SyncError::TaskFailed {
            instance_id: ctx.instance_id().to_owned(),
            detail: format!(
                "job {job_id} belongs to instance {}; run it with that instance's context",
                job.instance_id
            ),
        });
    }

    if job.status.is_finished() {
        return Err(StoreError::JobFinished {
            job_id,
            status: job.status,
        }
        .into());
    }

    let cursor = match job.cursor.as_deref() {
        Some(stored) => parse_cursor(ctx, &job_id, stored)?,
        None => start,
    };
    let stopped = Arc::new(AtomicBool::new(false));
    let lost = Arc::new(AtomicBool::new(false));
    let owner = format!("{job_id}/{}", uuid::Uuid::new_v4());
    let keeper = LeaseKeeper::acquire(
        &ctx.store,
        ctx.instance_id(),
        owner,
        options.lease_duration,
        Arc::clone(&lost),
    )
    .await?;

    if let Err(error) = mark_started(ctx, &job, &cursor).await {
        keeper.release().await?;
        return Err(error);
    }
    tracing::info!(instance_id = %ctx.instance_id(), %job_id, after_id = cursor.after_id, "bulk pull started");

    let calls_before = ctx.calls();
    let run = Run {
        ctx,
        job_id: &job_id,
        options,
        stopped: Arc::clone(&stopped),
        lost: Arc::clone(&lost),
    };
    let progress = run.pages(cursor.clone(), job.counts).await;
    let calls = ctx.calls().since(calls_before);

    let result = finish(ctx, &job_id, progress, cursor, calls).await;
    keeper.release().await?;
    result
}

/// Moves a queued job to running and stores its start cursor when it has none. The
/// stored cursor lets a resumed scheduled job keep its `updated_at` filter even if this
/// run dies before its first checkpoint.
async fn mark_started(ctx: &SyncContext, job: &Job, cursor: &PageCursor) -> Result<(), SyncError> {
    if job.status == JobStatus::Queued {
        ctx.store
            .set_job_status(&job.job_id, JobStatus::Running)
            .await?;
    }
    if job.cursor.is_none() {
        let start = serde_json::to_string(cursor).unwrap_or_default();
        ctx.store.save_job_cursor(&job.job_id, Some(&start)).await?;
    }
    Ok(())
}

/// The work of a run, up to its end or its first error.
struct Progress {
    counts: JobCounts,
    cursor: Option<PageCursor>,
    pages: u64,
    customers: u64,
    reached_end: bool,
    failure: Option<SyncError>,
}

/// One page written, in the writer task.
struct PageDone {
    report: PullReport,
    /// The cursor after this page.
    resume: PageCursor,
    /// Customers left at this page's request, this page included.
    remaining: u64,
    last: bool,
}

struct Run<'a> {
    ctx: &'a SyncContext,
    job_id: &'a str,
    options: &'a BulkOptions,
    stopped: Arc<AtomicBool>,
    lost: Arc<AtomicBool>,
}

impl Run<'_> {
    /// Runs the pipeline from `cursor` and checkpoints every page in order.
    async fn pages(&self, cursor: PageCursor, counts: JobCounts) -> Progress {
        let (receiver, fetcher) = fetch::spawn_fetcher(
            self.ctx.magento.clone(),
            cursor.clone(),
            self.options.prefetch_pages,
            Arc::clone(&self.stopped),
            self.options.deadline,
        );

        let stopped = Arc::clone(&self.stopped);
        let lost = Arc::clone(&self.lost);
        let deadline = self.options.deadline;
        let intake = futures::stream::unfold(receiver, move |mut receiver| {
            let halt = stopped.load(Ordering::Relaxed)
                || lost.load(Ordering::Relaxed)
                || deadline.is_some_and(|deadline| Instant::now() >= deadline);
            async move {
                if halt {
                    return None;
                }
                let fetched = receiver.recv().await?;
                Some((fetched, receiver))
            }
        });

        let ctx = self.ctx.clone();
        let pull = PullOptions {
            policy: self.options.policy,
            write_concurrency: self.options.write_concurrency,
            job_id: Some(self.job_id.to_owned()),
            recheck_linked: false,
        };
        let written = intake
            .map(move |fetched| write_page(ctx.clone(), pull.clone(), fetched, cursor.clone()))
            .buffered(self.options.pages_in_flight.max(1));
        let mut written = std::pin::pin!(written);

        let mut progress = Progress {
            counts,
            cursor: None,
            pages: 0,
            customers: 0,
            reached_end: false,
            failure: None,
        };
        let mut total_set = false;

        while let Some(done) = written.next().await {
            if progress.failure.is_some() {
                // Pages after a failed one finish in the background but are not
                // checkpointed: the next run starts before them.
                continue;
            }
            if self.lost.load(Ordering::Relaxed) {
                progress.failure = Some(SyncError::TaskFailed {
                    instance_id: self.ctx.instance_id().to_owned(),
                    detail: "another run took over the instance lease while this run stalled; this run stopped".to_owned(),
                });
                continue;
            }

            let (pages, failure) = take_finished_pages(done, &mut written);
            let outcome = self
                .checkpoint(pages, &mut progress, &mut total_set)
                .await
                .and_then(|()| failure.map_or(Ok(()), Err));
            if let Err(error) = outcome {
                self.stopped.store(true, Ordering::Relaxed);
                progress.failure = Some(error);
            }
        }

        fetcher.abort();
        progress
    }

    /// Records consecutive written pages: their counters and the cursor after the last
    /// one in one update, then the first failures and conflicts of each page in the
    /// job's list of recent errors. No pages, no writes.
    async fn checkpoint(
        &self,
        pages: Vec<PageDone>,
        progress: &mut Progress,
        total_set: &mut bool,
    ) -> Result<(), SyncError> {
        let Some(last) = pages.last() else {
            return Ok(());
        };
        let (resume, reached_end) = (last.resume.clone(), last.last);

        if !*total_set {
            let total = progress.counts.processed + pages[0].remaining;
            self.ctx.store.set_job_total(self.job_id, total).await?;
            progress.counts.total = total;
            *total_set = true;
        }

        let mut delta = JobCounts::default();
        let mut skip_reasons = BTreeMap::new();
        for page in &pages {
            delta += page.report.counts();
            for (reason, count) in record::skip_reasons(&page.report) {
                *skip_reasons.entry(reason).or_insert(0) += count;
            }
        }

        let cursor_json = serde_json::to_string(&resume).unwrap_or_default();
        progress.counts = self
            .ctx
            .store
            .checkpoint_job(self.job_id, &delta, &skip_reasons, &cursor_json)
            .await?;
        for page in &pages {
            record::record_problems(&self.ctx.store, self.job_id, &page.report).await?;
        }

        progress.pages += pages.len() as u64;
        progress.customers += delta.processed;
        progress.cursor = Some(resume);
        progress.reached_end = reached_end;

        tracing::info!(
            instance_id = %self.ctx.instance_id(),
            job_id = %self.job_id,
            processed = progress.counts.processed,
            total = progress.counts.total,
            "bulk pull checkpoint"
        );
        Ok(())
    }
}

/// Returns the finished page and the pages after it that have already finished, in
/// order and up to [`MAX_PAGES_PER_CHECKPOINT`], with the error of the first failed
/// one. Pages after a failed page are left in the stream.
fn take_finished_pages<S>(
    first: Result<PageDone, SyncError>,
    written: &mut std::pin::Pin<&mut S>,
) -> (Vec<PageDone>, Option<SyncError>)
where
    S: futures::Stream<Item = Result<PageDone, SyncError>>,
{
    let mut pages = Vec::new();
    let mut next = Some(first);

    while let Some(done) = next.take() {
        match done {
            Ok(page) => pages.push(page),
            Err(error) => return (pages, Some(error)),
        }
        if pages.len() < MAX_PAGES_PER_CHECKPOINT {
            // `now_or_never` polls once: a page that is still being written ends the
            // batch, and the poll also lets the stream start the next pages.
            next = written.next().now_or_never().flatten();
        }
    }
    (pages, None)
}

/// Starts writing one fetched page in its own task, so it progresses while the caller
/// awaits earlier pages. The returned future resolves to the page's result.
fn write_page(
    ctx: SyncContext,
    options: PullOptions,
    fetched: fetch::Fetched,
    template: PageCursor,
) -> BoxFuture<'static, Result<PageDone, SyncError>> {
    let page = match fetched {
        Ok(page) => page,
        Err(error) => return futures::future::ready(Err(error.into())).boxed(),
    };
    let instance_id = ctx.instance_id().to_owned();

    let task = tokio::spawn(async move {
        // The pull takes the customers, so the page keeps only its position.
        let mut page = page;
        let last_id = page.last_id();
        let customers = std::mem::take(&mut page.customers);

        let report = pull_customers(&ctx, customers, &options).await?;
        Ok::<_, SyncError>(page_done(page, last_id, report, &template))
    });

    async move {
        task.await.map_err(|error| SyncError::TaskFailed {
            instance_id,
            detail: format!("the writer of a page panicked or was cancelled: {error}"),
        })?
    }
    .boxed()
}

/// Builds a written page's result. `last_id` is the page's highest customer id, taken
/// before its customers went to the pull.
fn page_done(
    page: CustomerPage,
    last_id: Option<u64>,
    report: PullReport,
    template: &PageCursor,
) -> PageDone {
    let last = page.next.is_none();
    let resume = match page.next {
        Some(next) => next,
        None => PageCursor {
            after_id: last_id.unwrap_or(template.after_id),
            ..template.clone()
        },
    };

    PageDone {
        report,
        resume,
        remaining: page.remaining,
        last,
    }
}

/// Settles the job after the pipeline: succeeded at the last page, still running after
/// a deadline or a transient error (a later run resumes it), failed otherwise.
async fn finish(
    ctx: &SyncContext,
    job_id: &str,
    progress: Progress,
    start: PageCursor,
    calls: RemoteCalls,
) -> Result<BulkReport, SyncError> {
    let cursor = progress.cursor.clone().or(Some(start));

    if let Some(error) = progress.failure {
        let reason = format!("the run stopped: {error}");
        tracing::error!(instance_id = %ctx.instance_id(), %job_id, %error, "bulk pull stopped");
        ctx.store
            .record_job_error(job_id, None, None, &reason)
            .await?;
        if !error.is_transient() {
            ctx.store.set_job_status(job_id, JobStatus::Failed).await?;
        }
        return Err(error);
    }

    if progress.reached_end {
        ctx.store
            .set_job_status(job_id, JobStatus::Succeeded)
            .await?;
    }
    tracing::info!(
        instance_id = %ctx.instance_id(),
        %job_id,
        finished = progress.reached_end,
        pages = progress.pages,
        customers = progress.customers,
        magento_calls = calls.magento,
        odoo_calls = calls.odoo,
        "bulk pull run ended"
    );

    Ok(BulkReport {
        job_id: job_id.to_owned(),
        finished: progress.reached_end,
        cursor,
        counts: progress.counts,
        pages: progress.pages,
        customers: progress.customers,
        calls,
    })
}

fn parse_cursor(ctx: &SyncContext, job_id: &str, stored: &str) -> Result<PageCursor, SyncError> {
    serde_json::from_str(stored).map_err(|error| SyncError::TaskFailed {
        instance_id: ctx.instance_id().to_owned(),
        detail: format!(
            "job {job_id} has an unreadable cursor {stored:?} ({error}); start a new job"
        ),
    })
}

#[cfg(test)]
mod tests {
    use futures::stream;

    use super::*;

    fn page(after_id: u64) -> PageDone {
        PageDone {
            report: PullReport::default(),
            resume: PageCursor {
                after_id,
                ..PageCursor::all(10)
            },
            remaining: 0,
            last: false,
        }
    }

    fn failure() -> SyncError {
        SyncError::TaskFailed {
            instance_id: "main".to_owned(),
            detail: "test failure".to_owned(),
        }
    }

    fn resumes(pages: &[PageDone]) -> Vec<u64> {
        pages.iter().map(|page| page.resume.after_id).collect()
    }

    #[tokio::test]
    async fn finished_pages_share_checkpoint() {
        let mut written = std::pin::pin!(stream::iter([Ok(page(20)), Ok(page(30))]));

        let (pages, failure) = take_finished_pages(Ok(page(10)), &mut written);

        assert_eq!(resumes(&pages), [10, 20, 30]);
        assert!(failure.is_none());
    }

    #[tokio::test]
    async fn pending_page_ends_batch() {
        let ready = stream::iter([Ok(page(20))]);
        let mut written = std::pin::pin!(ready.chain(stream::pending()));

        let (pages, failure) = take_finished_pages(Ok(page(10)), &mut written);

        assert_eq!(resumes(&pages), [10, 20]);
        assert!(failure.is_none());
    }

    #[tokio::test]
    async fn failed_page_ends_batch() {
        let mut written =
            std::pin::pin!(stream::iter([Ok(page(20)), Err(failure()), Ok(page(40)),]));

        let (pages, failure) = take_finished_pages(Ok(page(10)), &mut written);

        assert_eq!(resumes(&pages), [10, 20]);
        assert!(failure.is_some());
        let left = written
            .next()
            .await
            .map(|done| done.map(|page| page.resume.after_id));
        assert!(
            matches!(left, Some(Ok(40))),
            "the page after the failure stays in the stream"
        );
    }

    #[tokio::test]
    async fn batch_capped_at_max_pages() {
        let ready: Vec<Result<PageDone, SyncError>> =
            (2..=20).map(|index| Ok(page(index * 10))).collect();
        let mut written = std::pin::pin!(stream::iter(ready));

        let (pages, _) = take_finished_pages(Ok(page(10)), &mut written);

        assert_eq!(pages.len(), MAX_PAGES_PER_CHECKPOINT);
        let next = written
            .next()
            .await
            .map(|done| done.map(|page| page.resume.after_id));
        assert!(matches!(next, Some(Ok(90))));
    }

    #[tokio::test]
    async fn first_failure_returns_no_pages() {
        let mut written = std::pin::pin!(stream::iter([Ok(page(20))]));

        let (pages, failure) = take_finished_pages(Err(failure()), &mut written);

        assert!(pages.is_empty());
        assert!(failure.is_some());
    }
}
