//! Storing what a pull learned: new links in conditional transactions, refreshed links
//! and address links in batches.

use chrono::Utc;

use crate::store::{AddressKey, AddressLink, CustomerLink, LinkState, StoreError};

use super::super::context::SyncContext;
use super::super::error::SyncError;
use super::super::outcome::Outcome;
use super::super::snapshot::{customer_snapshot, new_link};
use super::finish::{LinkUpdate, Written};
use super::{CustomerResult, LinkWrites};

/// Stores the links of every written customer and returns each customer's result, in
/// input order. A new link that loses to an existing one (the customer or the partner
/// got linked meanwhile) turns that customer's outcome into `Failed`.
pub(super) async fn store_all(
    ctx: &SyncContext,
    written: Vec<Written<'_>>,
    link_writes: LinkWrites,
) -> Result<Vec<CustomerResult>, SyncError> {
    let instance_id = ctx.instance_id();
    let mut results: Vec<CustomerResult> = Vec::with_capacity(written.len());
    let mut new_links: Vec<(usize, CustomerLink)> = Vec::new();
    let mut refreshed: Vec<CustomerLink> = Vec::new();
    let mut addresses: Vec<(usize, Vec<AddressLink>, Vec<AddressKey>)> = Vec::new();

    for (position, item) in written.into_iter().enumerate() {
        let Written {
            entry,
            outcome,
            update,
        } = item;

        match (update, entry.link) {
            (Some(update), None) => {
                let link = new_link(
                    instance_id,
                    &update.customer,
                    entry.magento_id,
                    update.partner_id,
                    (
                        update.magento_fingerprint.clone(),
                        update.odoo_fingerprint.clone(),
                    ),
                    false,
                );
                addresses.push((
                    position,
                    address_links(instance_id, entry.magento_id, &update),
                    Vec::new(),
                ));
                new_links.push((position, link));
            }
            (Some(update), Some(existing)) => {
                let (links, stale) = changed_addresses(instance_id, entry.magento_id, &update);
                addresses.push((position, links, stale));
                refreshed.push(refresh(existing, &update));
            }
            (None, Some(existing)) if matches!(outcome, Outcome::Failed { .. }) => {
                refreshed.push(mark_failed(existing, &outcome));
            }
            (None, _) => {}
        }

        results.push(CustomerResult {
            magento_customer_id: Some(entry.magento_id),
            outcome,
            conflict: entry.conflict,
        });
    }

    let links: Vec<CustomerLink> = new_links.iter().map(|(_, link)| link.clone()).collect();
    let mut rejected = Vec::new();
    if link_writes == LinkWrites::Conditional {
        let created = ctx.store.create_links(&links).await;
        for ((position, _), result) in new_links.iter().zip(created) {
            match result {
                Ok(()) => {}
                Err(error @ StoreError::LinkExists { .. }) => {
                    results[*position].outcome = Outcome::Failed {
                        reason: format!(
                            "the sync wrote the Odoo partner but could not link it: {error}"
                        ),
                    };
                    rejected.push(*position);
                }
                Err(error) => return Err(error.into()),
            }
        }
    }

    let mut puts = Vec::new();
    let mut deletes = Vec::new();
    for (position, links, stale) in addresses {
        if !rejected.contains(&position) {
            puts.extend(links);
            deletes.extend(stale);
        }
    }

    // The remaining writes touch different items, so they go out together.
    tokio::try_join!(
        async {
            match link_writes {
                LinkWrites::Batched if !links.is_empty() => ctx.store.put_new_links(&links).await,
                _ => Ok(()),
            }
        },
        async {
            match refreshed.is_empty() {
                true => Ok(()),
                false => ctx.store.save_links(&refreshed).await,
            }
        },
        async {
            match puts.is_empty() {
                true => Ok(()),
                false => ctx.store.put_address_links(&puts).await,
            }
        },
        async {
            match deletes.is_empty() {
                true => Ok(()),
                false => {
                    ctx.store
                        .delete_address_links_by_keys(instance_id, &deletes)
                        .await
                }
            }
        },
    )?;

    Ok(results)
}

fn address_links(
    instance_id: &str,
    magento_customer_id: u64,
    update: &LinkUpdate,
) -> Vec<AddressLink> {
    let now = Utc::now();

    update
        .targets
        .iter()
        .map(
            |(magento_address_id, odoo_partner_id, fingerprint)| AddressLink {
                instance_id: instance_id.to_owned(),
                magento_customer_id,
                magento_address_id: *magento_address_id,
                odoo_partner_id: *odoo_partner_id,
                fingerprint: fingerprint.clone(),
                updated_at: now,
            },
        )
        .collect()
}

/// Returns the address links to write and the keys of links whose address is gone.
fn changed_addresses(
    instance_id: &str,
    magento_customer_id: u64,
    update: &LinkUpdate,
) -> (Vec<AddressLink>, Vec<AddressKey>) {
    let links = address_links(instance_id, magento_customer_id, update);

    let stale = update
        .linked_before
        .iter()
        .filter(|id| !links.iter().any(|link| link.magento_address_id == **id))
        .map(|id| (magento_customer_id, *id))
        .collect();

    (links, stale)
}

/// Returns the existing link with the snapshot and fingerprints of this sync. The
/// Send Welcome Email choice is not a Magento field, so the stored one is kept.
fn refresh(existing: CustomerLink, update: &LinkUpdate) -> CustomerLink {
    let send_welcome_email = existing.customer.send_welcome_email;

    CustomerLink {
        customer: customer_snapshot(&update.customer, send_welcome_email),
        magento_fingerprint: update.magento_fingerprint.clone(),
        odoo_fingerprint: update.odoo_fingerprint.clone(),
        last_synced_at: Utc::now(),
        state: LinkState::Synced,
        last_error: None,
        ..existing
    }
}

/// Returns the existing link marked as failed, so the next pull tries it again even
/// if Magento does not change.
fn mark_failed(existing: CustomerLink, outcome: &Outcome) -> CustomerLink {
    let reason = match outcome {
        Outcome::Failed { reason } => Some(reason.clone()),
        _ => None,
    };

    CustomerLink {
        state: LinkState::Error,
        last_error: reason,
        ..existing
    }
}
