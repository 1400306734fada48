//! "Pull from Magento" for one customer.

use crate::config::ConflictPolicy;

use super::context::SyncContext;
use super::error::SyncError;
use super::pull::{CustomerResult, PullOptions, pull_customers};

/// Pulls one Magento customer into Odoo: reads it (1 Magento call), then links it to
/// the partner with the same email or creates one, or rewrites its linked partner, as
/// [`pull_customers`] does for a batch of one.
///
/// The user requested Magento's version, so Magento wins even when the partner also
/// changed since the last sync. The outcome then carries a conflict note. The linked
/// partner is read even when Magento did not change, so an Odoo edit is overwritten
/// and a deleted partner is reported.
#[tracing::instrument(skip(ctx), fields(instance_id = %ctx.instance_id()))]
pub async fn pull_customer(
    ctx: &SyncContext,
    magento_customer_id: u64,
) -> Result<CustomerResult, SyncError> {
    let customer = ctx.magento.customers().get(magento_customer_id).await?;

    let options = PullOptions {
        policy: ConflictPolicy::MagentoWins,
        recheck_linked: true,
        ..PullOptions::for_instance(&ctx.instance)
    };
    let report = pull_customers(ctx, vec![customer], &options).await?;

    report
        .results
        .into_iter()
        .next()
        .ok_or_else(|| SyncError::TaskFailed {
            instance_id: ctx.instance_id().to_owned(),
            detail: format!(
                "the pull of Magento customer {magento_customer_id} returned no result"
            ),
        })
}
