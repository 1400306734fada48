//! Pulling Magento customers into Odoo, a batch at a time.
//!
//! One batch (a Magento page, or a single customer) costs a fixed number of calls
//! whatever its size:
//!
//! 1. DynamoDB: the links of the batch's customers (BatchGetItem). A linked customer
//!    whose Magento fingerprint did not change is `Unchanged` with no other call.
//! 2. Odoo: the linked partners that must be compared (`search_read` with `child_of`)
//!    and the partners with the emails of unlinked customers (`search_read`, then a
//!    `read` of their children), in parallel; DynamoDB: which found partners are
//!    already linked (BatchGetItem).
//! 3. Odoo: one `create` with children for all new partners, the changed partners in
//!    one `load` call per set of fields (a `write` each if Odoo rejects a row), and a
//!    Magento PUT per conflict that Odoo won.
//! 4. Odoo: the written partners read back (`search_read` with `child_of`), for the
//!    fingerprints and the ids of new address children.
//! 5. DynamoDB: new links, each carrying its address links, in conditional transactions
//!    of at most 100 actions; refreshed links with BatchWriteItem.
//!    A customer linked meanwhile by a concurrent call is skipped, and the partner this
//!    pull created for it is archived.
//!
//! A problem with one customer's data becomes that customer's `Failed` outcome. An
//! error that stops the whole batch (a system unavailable after every retry) is
//! returned as `Err`. Nothing that the batch wrote is lost, because a later run links
//! the partners it created by their email.

mod decide;
mod entry;
mod finish;
mod odoo_write;
mod persist;

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::config::{ConflictPolicy, InstanceConfig};
use crate::magento::Customer;
use crate::mapping::{CustomerForm, OdooFeatures, OdooGeo};
use crate::odoo::{self, PartnerWithChildren};
use crate::store::JobCounts;

use super::context::SyncContext;
use super::error::SyncError;
use super::geo::{add_forms, add_partners};
use super::magento_write::features;
use super::outcome::Outcome;
use entry::{Entry, Plan};

/// Odoo writes of changed partners in flight at once, by default; the Odoo client's own
/// concurrency limit applies on top.
pub const DEFAULT_WRITE_CONCURRENCY: usize = 4;

/// Settings of one pull.
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// The side that wins when both changed since the last sync.
    pub policy: ConflictPolicy,
    /// Odoo writes (and Magento PUTs of conflicts won by Odoo) in flight at once.
    pub write_concurrency: usize,
    /// The job this pull belongs to, for the logs.
    pub job_id: Option<String>,
    /// Reads and compares the linked partner even when the Magento customer did not
    /// change, so that a requested pull restores Magento's version over an Odoo edit
    /// and reports a deleted partner. Bulk and scheduled runs leave it off: they trust
    /// the fingerprints and make no Odoo call for an unchanged customer.
    pub recheck_linked: bool,
}

impl PullOptions {
    /// Builds the options of an instance: its conflict policy, default concurrency.
    pub fn for_instance(instance: &InstanceConfig) -> Self {
        Self {
            policy: instance.conflict_policy,
            write_concurrency: DEFAULT_WRITE_CONCURRENCY,
            job_id: None,
            recheck_linked: false,
        }
    }
}

/// The result of pulling one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerResult {
    pub magento_customer_id: Option<u64>,
    pub outcome: Outcome,
    /// The settlement of a conflict, when both sides changed since the last sync.
    pub conflict: Option<String>,
}

/// The results of one pull, in the order of the input customers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PullReport {
    pub results: Vec<CustomerResult>,
}

impl PullReport {
    /// Counts the results as job counters (`processed` is the number of results;
    /// `total` is left to the caller).
    pub fn counts(&self) -> JobCounts {
        let mut counts = JobCounts {
            processed: self.results.len() as u64,
            ..JobCounts::default()
        };

        for result in &self.results {
            match result.outcome {
                Outcome::Created { .. } => counts.created += 1,
                Outcome::LinkedToExisting { .. } => counts.linked += 1,
                Outcome::Updated { .. } => counts.updated += 1,
                Outcome::Unchanged { .. } => counts.unchanged += 1,
                Outcome::Skipped { .. } | Outcome::AlreadyExists { .. } => counts.skipped += 1,
                Outcome::Failed { .. } => counts.failed += 1,
            }
            if result.conflict.is_some() {
                counts.conflicts += 1;
            }
        }

        counts
    }
}

/// Pulls a batch of Magento customers (for example one page) into Odoo; see the module
/// documentation for the calls it makes. Takes the customers by value so that each one
/// is freed once its link is built, before the batch waits for DynamoDB.
#[tracing::instrument(skip_all, fields(instance_id = %ctx.instance_id(), job_id = options.job_id.as_deref(), count = customers.len()))]
pub async fn pull_customers(
    ctx: &SyncContext,
    customers: Vec<Customer>,
    options: &PullOptions,
) -> Result<PullReport, SyncError> {
    let features = features(ctx).await?;
    let website_id = u64::from(ctx.instance.magento_website_id);

    let mut positions = Vec::with_capacity(customers.len());
    let mut entries = Vec::with_capacity(customers.len());
    let mut results: Vec<(usize, CustomerResult)> = Vec::new();
    for (position, customer) in customers.into_iter().enumerate() {
        let magento_customer_id = customer.id;
        match Entry::new(customer, website_id, features.titles) {
            Ok(entry) => {
                positions.push(position);
                entries.push(entry);
            }
            Err(outcome) => results.push((
                position,
                CustomerResult {
                    magento_customer_id,
                    outcome,
                    conflict: None,
                },
            )),
        }
    }

    let geo = plan(ctx, &mut entries, features, options).await?;
    for entry in &mut entries {
        entry.keep_only_snapshot();
    }
    let written = finish::write_all(ctx, entries, geo, features, options).await?;
    let stored = persist::store_all(ctx, written).await?;

    results.extend(positions.into_iter().zip(stored));
    results.sort_by_key(|(position, _)| *position);

    let report = PullReport {
        results: results.into_iter().map(|(_, result)| result).collect(),
    };
    log_results(ctx, &report, options);
    Ok(report)
}

/// Looks up links and Odoo partners and sets every entry's plan. Returns the country,
/// state and title codes resolved on the way.
async fn plan(
    ctx: &SyncContext,
    entries: &mut [Entry],
    features: OdooFeatures,
    options: &PullOptions,
) -> Result<OdooGeo, SyncError> {
    let instance_id = ctx.instance_id();

    let ids: Vec<u64> = entries.iter().map(|entry| entry.magento_id).collect();
    let mut links = if ids.is_empty() {
        HashMap::new()
    } else {
        ctx.store
            .get_links_for_magento_ids(instance_id, &ids)
            .await?
    };
    for entry in entries.iter_mut() {
        entry.attach_link(links.remove(&entry.magento_id), options.recheck_linked);
    }
    entry::skip_repeated_emails(entries);

    let mut geo = OdooGeo::default();
    let mut forms: Vec<&CustomerForm> = Vec::new();
    for entry in entries.iter() {
        if matches!(entry.plan, Plan::ReadLinked | Plan::Match) {
            forms.push(&entry.mapped.form);
        }
    }
    add_forms(ctx, &mut geo, &forms).await?;

    let linked_ids: Vec<i64> = entries
        .iter()
        .filter(|entry| matches!(entry.plan, Plan::ReadLinked))
        .filter_map(|entry| entry.link.as_ref().map(|link| link.odoo_partner_id))
        .collect();
    let emails: Vec<String> = entries
        .iter()
        .filter(|entry| matches!(entry.plan, Plan::Match))
        .filter_map(|entry| entry.customer().map(|customer| customer.email.clone()))
        .collect();

    let (linked, found) = tokio::try_join!(
        read_by_id(&ctx.odoo, &linked_ids),
        find_by_email(&ctx.odoo, &emails)
    )?;
    let mut records: Vec<&PartnerWithChildren> = linked.values().collect();
    records.extend(found.values().flatten());
    add_partners(&ctx.odoo, &mut geo, &records).await?;

    let found_ids: Vec<i64> = found
        .values()
        .flatten()
        .map(|record| record.partner.id)
        .collect();
    let linked_elsewhere = if found_ids.is_empty() {
        HashMap::new()
    } else {
        ctx.store.get_partner_links(instance_id, &found_ids).await?
    };

    for entry in entries.iter_mut() {
        match entry.plan {
            Plan::ReadLinked => {
                decide::plan_linked(entry, &linked, &geo, features, options.policy);
            }
            Plan::Match => decide::plan_match(entry, &found, &linked_elsewhere, &geo, features),
            _ => {}
        }
    }

    Ok(geo)
}

async fn read_by_id(
    odoo: &odoo::Client,
    ids: &[i64],
) -> Result<HashMap<i64, PartnerWithChildren>, odoo::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }

    let records = odoo.read_with_children(ids).await?;
    Ok(records
        .into_iter()
        .map(|record| (record.partner.id, record))
        .collect())
}

async fn find_by_email(
    odoo: &odoo::Client,
    emails: &[String],
) -> Result<HashMap<String, Vec<PartnerWithChildren>>, odoo::Error> {
    if emails.is_empty() {
        return Ok(HashMap::new());
    }

    odoo.find_by_emails_with_children(emails, true).await
}

/// Runs `operation` on each item with at most `limit` in flight, keeping input order.
pub(super) async fn bounded<T, R, E, F, Fut>(
    items: Vec<T>,
    limit: usize,
    operation: F,
) -> Result<Vec<R>, E>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    futures::stream::iter(items)
        .map(operation)
        .buffered(limit.max(1))
        .try_collect()
        .await
}

/// Logs every outcome with the ids involved: failures at warn, changes and skips at
/// info, unchanged customers at debug.
fn log_results(ctx: &SyncContext, report: &PullReport, options: &PullOptions) {
    for result in &report.results {
        let odoo_partner_id = result.outcome.odoo_partner_id();
        let status = result.outcome.status();

        match &result.outcome {
            Outcome::Unchanged { .. } => tracing::debug!(
                instance_id = %ctx.instance_id(),
                job_id = options.job_id.as_deref(),
                magento_customer_id = result.magento_customer_id,
                odoo_partner_id,
                status,
                "pulled Magento customer"
            ),
            // A skip is expected (for example a customer of another website), so it
            // is not a warning.
            Outcome::Skipped { reason } => tracing::info!(
                instance_id = %ctx.instance_id(),
                job_id = options.job_id.as_deref(),
                magento_customer_id = result.magento_customer_id,
                status,
                %reason,
                "Magento customer not pulled"
            ),
            Outcome::Failed { reason } => tracing::warn!(
                instance_id = %ctx.instance_id(),
                job_id = options.job_id.as_deref(),
                magento_customer_id = result.magento_customer_id,
                status,
                %reason,
                "Magento customer not pulled"
            ),
            _ => tracing::info!(
                instance_id = %ctx.instance_id(),
                job_id = options.job_id.as_deref(),
                magento_customer_id = result.magento_customer_id,
                odoo_partner_id,
                status,
                conflict = result.conflict.as_deref(),
                "pulled Magento customer"
            ),
        }
    }
}
