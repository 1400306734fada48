//! The job's list of recent problems: the first failures and conflicts of each page,
//! with their reasons.

use crate::store::{Store, StoreError};

use super::super::outcome::Outcome;
use super::super::pull::PullReport;

/// Problems recorded per page at most. The job keeps the latest 20 and counts all of
/// them, so a page full of failures costs a few writes, not one per customer.
pub const MAX_RECORDED_PER_PAGE: usize = 3;

/// Records the page's first failures and conflicts in the job.
pub(super) async fn record_problems(
    store: &Store,
    job_id: &str,
    report: &PullReport,
) -> Result<(), StoreError> {
    let problems = report.results.iter().filter_map(|result| {
        let reason = match (&result.outcome, &result.conflict) {
            (Outcome::Failed { reason }, _) => reason.clone(),
            (_, Some(conflict)) => conflict.clone(),
            _ => return None,
        };
        Some((
            result.magento_customer_id,
            result.outcome.odoo_partner_id(),
            reason,
        ))
    });

    for (magento_customer_id, odoo_partner_id, reason) in problems.take(MAX_RECORDED_PER_PAGE) {
        store
            .record_job_error(job_id, magento_customer_id, odoo_partner_id, &reason)
            .await?;
    }
    Ok(())
}
