//! The per-record baseline: one customer at a time, as queue-job connectors
//! sync (one job per record).
//!
//! Per customer it gets the customer (1 Magento call) and searches the partner
//! by email (1 Odoo call). Unless a partner matched, it creates the partner
//! (1 Odoo call) and each address child (1 Odoo call each). Then it stores the
//! link (1 DynamoDB call). A customer of another website is skipped after the
//! get, as the bulk pull skips it.
//!
//! The ids come from keyset pages of the same page size, because the import
//! job that enqueues the per-record jobs lists them that way. Those calls are
//! counted too. The cost per record does not depend on the number of
//! customers, so the baseline runs over a fixed sample.

use std::time::Instant;

use anyhow::Context;
use futures::TryStreamExt;
use shared::magento::PageCursor;
use shared::mapping::odoo_side::{child_values, partner_values};
use shared::mapping::{OdooFeatures, OdooGeo, fingerprint, map_magento_customer};
use shared::odoo::{WriteOptions, normalize_email};
use shared::sync::SyncContext;
use shared::sync::geo::add_forms;
use shared::sync::snapshot::{customer_snapshot, new_link};

use super::endpoints::Endpoints;
use super::instance::{INSTANCE_ID, WEBSITE_ID, instance_config};
use super::scenario::{Scenario, ScenarioResult};

/// What happened to one customer.
enum RecordOutcome {
    Created,
    Linked,
    Skipped,
}

/// Syncs the first `sample` customers one at a time.
pub async fn run(
    endpoints: &Endpoints,
    page_size: u32,
    sample: u64,
) -> anyhow::Result<ScenarioResult> {
    let ctx = SyncContext::new(
        instance_config(endpoints, page_size),
        endpoints.magento_client()?,
        endpoints.odoo_client()?,
        endpoints.store(),
    );
    let started = Instant::now();

    let ids = list_ids(&ctx.magento, page_size, sample).await?;

    let (mut created, mut linked, mut skipped, mut failed) = (0, 0, 0, 0);
    for id in &ids {
        match sync_record(&ctx, *id).await {
            Ok(RecordOutcome::Created) => created += 1,
            Ok(RecordOutcome::Linked) => linked += 1,
            Ok(RecordOutcome::Skipped) => skipped += 1,
            Err(error) => {
                failed += 1;
                tracing::warn!(
                    magento_customer_id = id,
                    error = format!("{error:#}"),
                    "baseline record failed"
                );
            }
        }
    }

    Ok(ScenarioResult {
        scenario: Scenario::Baseline,
        customers: ids.len() as u64,
        wall_secs: started.elapsed().as_secs_f64(),
        magento_calls: ctx.magento.calls(),
        odoo_calls: ctx.odoo.calls(),
        peak_rss_kib: 0,
        created,
        linked,
        skipped,
        failed,
        complete: true,
        note: Some(format!(
            "sample of the first {} customers, one at a time",
            ids.len()
        )),
    })
}

/// Lists the ids of the first `sample` customers by keyset pages.
async fn list_ids(
    magento: &shared::magento::Client,
    page_size: u32,
    sample: u64,
) -> anyhow::Result<Vec<u64>> {
    let mut ids = Vec::new();
    let mut pages = std::pin::pin!(magento.customers().pages(PageCursor::all(page_size)));

    while (ids.len() as u64) < sample {
        let Some(page) = pages
            .try_next()
            .await
            .context("baseline: listing the customer ids failed")?
        else {
            break;
        };
        ids.extend(page.customers.iter().filter_map(|customer| customer.id));
    }

    ids.truncate(sample as usize);
    Ok(ids)
}

/// Runs the job of one customer.
async fn sync_record(ctx: &SyncContext, id: u64) -> anyhow::Result<RecordOutcome> {
    let customer = ctx
        .magento
        .customers()
        .get(id)
        .await
        .with_context(|| format!("failed to get Magento customer {id}"))?;
    if customer.website_id != Some(u64::from(WEBSITE_ID)) {
        return Ok(RecordOutcome::Skipped);
    }

    // The field list, country list, states and titles are cached by the client,
    // so these lookups cost calls only for the first customers.
    let features = OdooFeatures {
        titles: ctx.odoo.partner_fields().await?.title,
    };
    let mapped = map_magento_customer(&customer, features.titles);
    let mut geo = OdooGeo::default();
    add_forms(ctx, &mut geo, &[&mapped.form]).await?;

    let key = normalize_email(&customer.email)
        .with_context(|| format!("Magento customer {id} has an unusable email address"))?;
    let mut found = ctx
        .odoo
        .find_by_emails(std::slice::from_ref(&customer.email), true)
        .await
        .with_context(|| format!("failed to search the Odoo partner of customer {id}"))?;
    let existing = found.remove(&key).unwrap_or_default();

    let (partner_id, outcome) = match existing.first() {
        Some(partner) => (partner.id, RecordOutcome::Linked),
        None => {
            let values = partner_values(&mapped.form, &geo, features);
            let partner_id = create_one(&ctx.odoo, values, id).await?;

            for child in &mapped.children {
                let mut values = child_values(&child.child, &geo);
                values.parent_id = Some(Some(partner_id));
                create_one(&ctx.odoo, values, id).await?;
            }
            (partner_id, RecordOutcome::Created)
        }
    };

    // The baseline does not read the partner back, so both fingerprints are the
    // mapped Magento form's.
    let form_fingerprint = fingerprint(&mapped.form);
    let fingerprints = (form_fingerprint.clone(), form_fingerprint);
    let snapshot = customer_snapshot(&customer, false);
    let link = new_link(INSTANCE_ID, snapshot, id, partner_id, fingerprints);
    ctx.store
        .create_link(&link)
        .await
        .with_context(|| format!("failed to store the link of customer {id}"))?;

    Ok(outcome)
}

/// Creates one partner in one call and returns its id.
async fn create_one(
    odoo: &shared::odoo::Client,
    values: shared::odoo::PartnerValues,
    customer_id: u64,
) -> anyhow::Result<i64> {
    let ids = odoo
        .create_many(vec![values], WriteOptions::default())
        .await
        .with_context(|| format!("failed to create an Odoo partner for customer {customer_id}"))?;

    ids.first()
        .copied()
        .with_context(|| format!("Odoo returned no id for the partner of customer {customer_id}"))
}
