//! Storing what a pull learned, each link with its address links: new links in
//! conditional transactions, refreshed links in batches.
//!
//! A concurrent call (a single-customer pull during a bulk run, or two single pulls)
//! may link the same customer or partner between this pull's lookup and its link
//! write. The conditional transaction lets exactly one of them win. The loser archives
//! the partner and address children it created, so Odoo keeps one active partner per
//! customer, and reports the customer as skipped.

use chrono::Utc;

use crate::odoo::WriteOptions;
use crate::store::{CustomerLink, CustomerSnapshot, LinkState, StoreError, check_link_size};

use super::super::children::address_links;
use super::super::context::SyncContext;
use super::super::error::SyncError;
use super::super::outcome::Outcome;
use super::super::snapshot::new_link;
use super::CustomerResult;
use super::finish::{LinkUpdate, Written};

/// Stores the links of every written customer and returns each customer's result, in
/// input order. A new link that loses to an existing one (the customer or the partner
/// got linked meanwhile) turns that customer's outcome into `Skipped`; see the module
/// documentation. A link too large for one DynamoDB item (a customer with thousands of
/// addresses) turns the outcome into `Failed` and is not written, so that the rest of
/// the batch is stored.
pub(super) async fn store_all(
    ctx: &SyncContext,
    written: Vec<Written>,
) -> Result<Vec<CustomerResult>, SyncError> {
    let instance_id = ctx.instance_id();
    let mut results: Vec<CustomerResult> = Vec::with_capacity(written.len());
    let mut new_links: Vec<(usize, CustomerLink)> = Vec::new();
    // The Odoo records a new link would own when its partner was created by this pull.
    let mut created_records: Vec<Vec<i64>> = Vec::new();
    let mut refreshed: Vec<CustomerLink> = Vec::new();

    for (position, item) in written.into_iter().enumerate() {
        let Written {
            entry,
            mut outcome,
            update,
        } = item;

        match (update, entry.link.map(|link| *link)) {
            (Some(update), None) => {
                created_records.push(match outcome {
                    Outcome::Created { .. } => created_ids(&update),
                    _ => Vec::new(),
                });
                let link = CustomerLink {
                    addresses: address_links(&update.targets),
                    ..new_link(
                        instance_id,
                        update.snapshot,
                        entry.magento_id,
                        update.partner_id,
                        (update.magento_fingerprint, update.odoo_fingerprint),
                    )
                };
                new_links.push((position, link));
            }
            (Some(update), Some(existing)) => {
                let link = refresh(existing.clone(), update);
                if let Err(error) = check_link_size(&link) {
                    outcome = Outcome::Failed {
                        reason: error.to_string(),
                    };
                    refreshed.push(mark_failed(existing, &outcome));
                } else {
                    refreshed.push(link);
                }
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

    let (positions, links): (Vec<usize>, Vec<CustomerLink>) = new_links.into_iter().unzip();
    let created = ctx.store.create_links(&links).await;
    let mut to_archive = Vec::new();
    for (((position, link), records), result) in positions
        .iter()
        .zip(&links)
        .zip(created_records)
        .zip(created)
    {
        match result {
            Ok(()) => {}
            // The concurrent call chose the same partner: the link is as intended, with
            // that call's address links.
            Err(StoreError::LinkExists {
                magento_customer_id,
                odoo_partner_id,
                ..
            }) if magento_customer_id == link.magento_customer_id
                && odoo_partner_id == link.odoo_partner_id => {}
            Err(StoreError::LinkExists {
                magento_customer_id,
                odoo_partner_id,
                ..
            }) => {
                // A partner the winning link owns stays active, even if this pull
                // created it.
                let records = match odoo_partner_id == link.odoo_partner_id {
                    true => Vec::new(),
                    false => records,
                };
                results[*position].outcome = Outcome::Skipped {
                    reason: lost_race_reason(magento_customer_id, odoo_partner_id, &records),
                };
                to_archive.extend(records);
            }
            // The partner stays, so the next pull finds it by email and fails the same way
            // until the customer has fewer addresses.
            Err(error @ StoreError::LinkTooLarge { .. }) => {
                tracing::warn!(instance_id, magento_customer_id = link.magento_customer_id, odoo_partner_id = link.odoo_partner_id, %error, "failed to store the link of a customer with too many addresses");
                results[*position].outcome = Outcome::Failed {
                    reason: error.to_string(),
                };
            }
            Err(error) => return Err(error.into()),
        }
    }
    if !to_archive.is_empty() {
        tracing::warn!(instance_id, partners = ?to_archive, "a concurrent call linked these customers first; archiving the partners this pull created");
        ctx.odoo
            .archive(&to_archive, WriteOptions::default())
            .await?;
    }

    if !refreshed.is_empty() {
        ctx.store.save_links(&refreshed).await?;
    }

    Ok(results)
}

/// Returns the created partner and its address children, without repeats.
fn created_ids(update: &LinkUpdate) -> Vec<i64> {
    let mut ids = vec![update.partner_id];

    for (_, odoo_partner_id, _) in &update.targets {
        if !ids.contains(odoo_partner_id) {
            ids.push(*odoo_partner_id);
        }
    }
    ids
}

/// Explains a lost link race with the link that won: Magento customer to Odoo partner.
fn lost_race_reason(magento_customer_id: u64, odoo_partner_id: i64, archived: &[i64]) -> String {
    let base = format!(
        "a concurrent call linked Magento customer {magento_customer_id} to Odoo partner {odoo_partner_id} first"
    );

    match archived.first() {
        Some(partner_id) => format!(
            "{base}; the duplicate Odoo partner {partner_id} this pull had created is archived"
        ),
        None => format!("{base}; this pull's link was not stored"),
    }
}

/// Returns the existing link with the snapshot, fingerprints and address links of this
/// sync. The Send Welcome Email choice is not a Magento field, so the stored one is
/// kept.
fn refresh(existing: CustomerLink, update: LinkUpdate) -> CustomerLink {
    let send_welcome_email = existing.customer.send_welcome_email;

    CustomerLink {
        customer: CustomerSnapshot {
            send_welcome_email,
            ..update.snapshot
        },
        magento_fingerprint: update.magento_fingerprint,
        odoo_fingerprint: update.odoo_fingerprint,
        last_synced_at: Utc::now(),
        state: LinkState::Synced,
        last_error: None,
        addresses: address_links(&update.targets),
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
