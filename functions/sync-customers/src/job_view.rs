//! The progress of a job as returned by `GET /instances/{instance_id}/sync/{job_id}`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::store::{Job, JobKind, JobStatus};

#[derive(Debug, Serialize)]
pub struct JobView<'a> {
    pub job_id: &'a str,
    pub instance_id: &'a str,
    pub kind: JobKind,
    pub status: JobStatus,
    pub processed: u64,
    /// Unknown (null) until the first page reports Magento's total count.
    pub total: Option<u64>,
    pub created: u64,
    pub linked: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub failed: u64,
    pub conflicts: u64,
    /// Skipped customers per reason, with the ids in each reason replaced by `N`.
    pub skip_reasons: &'a BTreeMap<String, u64>,
    pub customers_per_second: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub recent_errors: Vec<ErrorView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ErrorView<'a> {
    pub at: DateTime<Utc>,
    pub magento_id: Option<u64>,
    pub odoo_partner_id: Option<i64>,
    pub reason: &'a str,
}

impl<'a> JobView<'a> {
    /// Builds the view; the rate is measured up to `now` while the job runs.
    pub fn new(job: &'a Job, now: DateTime<Utc>) -> Self {
        let counts = &job.counts;
        Self {
            job_id: &job.job_id,
            instance_id: &job.instance_id,
            kind: job.kind,
            status: job.status,
            processed: counts.processed,
            total: (counts.total > 0).then_some(counts.total),
            created: counts.created,
            linked: counts.linked,
            updated: counts.updated,
            unchanged: counts.unchanged,
            skipped: counts.skipped,
            failed: counts.failed,
            conflicts: counts.conflicts,
            skip_reasons: &job.skip_reasons,
            customers_per_second: rate(
                counts.processed,
                job.started_at,
                job.finished_at.unwrap_or(now),
            ),
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            recent_errors: job
                .recent_errors
                .iter()
                .map(|error| ErrorView {
                    at: error.at,
                    magento_id: error.magento_customer_id,
                    odoo_partner_id: error.odoo_partner_id,
                    reason: &error.reason,
                })
                .collect(),
        }
    }
}

/// Returns processed customers per second, rounded to 0.01; `None` before the start
/// or within the first second, where the figure would be noise.
fn rate(processed: u64, started_at: Option<DateTime<Utc>>, until: DateTime<Utc>) -> Option<f64> {
    let seconds = (until - started_at?).num_milliseconds() as f64 / 1000.0;
    if seconds < 1.0 {
        return None;
    }
    Some((processed as f64 / seconds * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn rate_over_elapsed_time() {
        let start = Utc::now();

        assert_eq!(
            rate(500, Some(start), start + Duration::seconds(4)),
            Some(125.0)
        );
    }

    #[test]
    fn rate_unknown_before_start() {
        let now = Utc::now();

        assert_eq!(rate(10, None, now), None);
        assert_eq!(rate(10, Some(now), now + Duration::milliseconds(500)), None);
    }
}
