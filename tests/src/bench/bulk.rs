//! The connector's bulk pull (`shared::sync::start_bulk_pull`), from an empty
//! link state, with the options a deployed instance gets.

use std::time::Instant;

use anyhow::Context;
use shared::sync::{BulkOptions, SyncContext, start_bulk_pull};

use super::endpoints::Endpoints;
use super::instance::instance_config;
use super::scenario::{Scenario, ScenarioResult};

/// Runs one bulk job over every customer.
pub async fn run(endpoints: &Endpoints, page_size: u32) -> anyhow::Result<ScenarioResult> {
    let ctx = SyncContext::new(
        instance_config(endpoints, page_size),
        endpoints.magento_client()?,
        endpoints.odoo_client()?,
        endpoints.store(),
    );
    let options = BulkOptions::for_instance(&ctx.instance);
    let started = Instant::now();

    let report = start_bulk_pull(&ctx, &options)
        .await
        .context("the bulk pull failed")?;

    let wall_secs = started.elapsed().as_secs_f64();
    let counts = report.counts;
    let note = (!report.finished).then(|| {
        format!(
            "the job stopped before the last page, after {} pages",
            report.pages
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
        note,
    })
}
