//! "Update in Magento": an Odoo partner's changes onto its linked Magento customer.

use chrono::Utc;

use crate::mapping::NameParts;
use crate::mapping::magento_model::map_magento_customer;
use crate::store::{CustomerLink, LinkState, partners_by_address};

use super::super::context::SyncContext;
use super::super::error::SyncError;
use super::super::magento_write::{MagentoWrite, features, merge_and_save, partner_version};
use super::super::outcome::Outcome;
use super::super::snapshot::customer_snapshot;
use super::{log_push, push_address_links, push_fingerprints};

/// Writes the partner's names, email, VAT, phone, company and billing address onto its
/// linked Magento customer, keeping everything else Magento holds: every other address
/// with its id, both default addresses, the group, the newsletter flag, custom and
/// extension attributes.
///
/// Reads the partner (2 Odoo calls) and the current customer (1 Magento call), checks
/// the merged customer with Magento's rules, and sends the complete object (1 call)
/// only when it differs. Fails with [`SyncError::NotLinked`] when the partner has no
/// Magento customer yet (use "Create in Magento"), and with [`SyncError::Invalid`],
/// before any write, when Magento would reject the result.
#[tracing::instrument(skip(ctx), fields(instance_id = %ctx.instance_id()))]
pub async fn update_in_magento(
    ctx: &SyncContext,
    odoo_partner_id: i64,
) -> Result<Outcome, SyncError> {
    let link = ctx
        .store
        .get_link_by_partner(ctx.instance_id(), odoo_partner_id)
        .await?
        .ok_or_else(|| SyncError::NotLinked {
            instance_id: ctx.instance_id().to_owned(),
            odoo_partner_id,
        })?;
    let magento_customer_id = link.magento_customer_id;

    let record = ctx
        .odoo
        .read_with_children(&[odoo_partner_id])
        .await?
        .into_iter()
        .next()
        .ok_or(SyncError::PartnerNotFound { odoo_partner_id })?;
    let stored = stored_names(&link);
    let version = partner_version(ctx, &record, Some(&stored)).await?;

    let current = ctx.magento.customers().get(magento_customer_id).await?;
    let mut warnings = Vec::new();
    let titles = features(ctx).await?.titles;
    let current_fingerprint =
        crate::mapping::fingerprint(&map_magento_customer(&current, titles).form);
    if current_fingerprint != link.magento_fingerprint {
        warnings.push(
            "Magento also changed this customer since the last sync; the Odoo version of the names, email, VAT, phone, company and billing address replaced it".to_owned(),
        );
    }

    let (saved, changed) =
        match merge_and_save(ctx, magento_customer_id, &current, &version).await? {
            MagentoWrite::Updated(saved) => (saved, true),
            MagentoWrite::Unchanged(current) => (current, false),
        };

    let previous = partners_by_address(&link.addresses);
    let addresses = push_address_links(
        ctx,
        &saved,
        odoo_partner_id,
        &version.children,
        &previous,
        &[],
    )
    .await?;
    let (magento_fingerprint, odoo_fingerprint) = push_fingerprints(ctx, &saved, &version).await?;

    let updated = CustomerLink {
        customer: customer_snapshot(&saved, link.customer.send_welcome_email),
        magento_fingerprint,
        odoo_fingerprint,
        last_synced_at: Utc::now(),
        state: LinkState::Synced,
        last_error: None,
        addresses,
        ..link
    };
    ctx.store.save_link(&updated).await?;

    let outcome = if changed {
        Outcome::Updated {
            magento_customer_id: magento_customer_id as i64,
            odoo_partner_id,
            warnings,
        }
    } else {
        Outcome::Unchanged {
            magento_customer_id: magento_customer_id as i64,
            odoo_partner_id,
        }
    };
    log_push(
        ctx,
        &updated,
        outcome.status(),
        "updated the Magento customer from Odoo",
    );
    Ok(outcome)
}

fn stored_names(link: &CustomerLink) -> NameParts {
    NameParts::new(
        link.customer.prefix.as_deref(),
        &link.customer.firstname,
        link.customer.middlename.as_deref(),
        &link.customer.lastname,
        link.customer.suffix.as_deref(),
    )
}
