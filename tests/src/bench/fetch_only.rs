//! The fetch-only limit: keyset paging through every Magento customer with the
//! bulk pull's page size, and nothing else. The bulk pull cannot be faster,
//! because it fetches the same pages one after the other.

use std::time::Instant;

use anyhow::Context;
use futures::TryStreamExt;
use shared::magento::PageCursor;

use super::endpoints::Endpoints;
use super::scenario::{Scenario, ScenarioResult};

/// Pages through all customers and drops each page once counted.
pub async fn run(endpoints: &Endpoints, page_size: u32) -> anyhow::Result<ScenarioResult> {
    let magento = endpoints.magento_client()?;
    let started = Instant::now();

    let mut customers = 0u64;
    let mut pages = std::pin::pin!(magento.customers().pages(PageCursor::all(page_size)));
    while let Some(page) = pages
        .try_next()
        .await
        .context("fetch-only: a Magento customer page failed")?
    {
        customers += page.customers.len() as u64;
    }

    Ok(ScenarioResult {
        scenario: Scenario::FetchOnly,
        customers,
        wall_secs: started.elapsed().as_secs_f64(),
        magento_calls: magento.calls(),
        odoo_calls: 0,
        peak_rss_kib: 0,
        created: 0,
        linked: 0,
        skipped: 0,
        failed: 0,
        complete: true,
        note: None,
    })
}
