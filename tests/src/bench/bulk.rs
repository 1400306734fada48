//! The connector's bulk pull (`shared::sync::start_bulk_pull`), from an empty
//! link state, with the options a deployed instance gets.

use std::time::{Duration, Instant};

use anyhow::Context;
use shared::sync::{BulkOptions, SyncContext, start_bulk_pull};

use super::endpoints::Endpoints;
use super::instance::instance_config;
use super::scenario::{Scenario, ScenarioResult};

/// Runs one bulk job over every customer, taking no new page after
/// `time_limit`. A run stopped there reports the customers it processed.
pub async fn run(
    endpoints: &Endpoints,
    page_size: u32,
    time_limit: Duration,
) -> anyhow::Result<ScenarioResult> {
    let ctx = SyncContext::new(
        instance_config(endpoints, page_size),
        endpoints.magento_client()?,
        endpoints.odoo_client()?,
        endpoints.store(),
    );
    let options = BulkOptions {
        deadline: Some(tokio::time::Instant::now() + time_limit),
        ..BulkOptions::for_instance(&ctx.instance)
    };
    let started = Instant::now();

    let report = start_bulk_pull(&ctx, &options)
        .await
        .context("the bulk pull failed")?;

    let wall_secs = started.elapsed().as_secs_f64();
    let counts = report.counts;
    let note = (!report.finished).then(|| {
        format!(
            "stopped at the {} s time limit after {} pages ({} of {} customers); its rates cover those customers",
            time_limit.as_secs(),
            report.pages,
            counts.processed,
            counts.total
        )
    });

    Ok(ScenarioResult {
        scenario: Scenario::Bulk,
        customers: counts.processed,
        wall_secs,
        magento_calls: ctx.magento.calls(),
        odoo_calls: ctx.odoo.calls(),
        peak_rss_kib: 0,
        created: counts.created,
        linked: counts.linked,
        skipped: counts.skipped,
        failed: counts.failed,
        complete: report.finished,
        note,
    })
}
