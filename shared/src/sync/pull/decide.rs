//! The plan of each customer once Odoo's partners are known: link, create, write,
//! keep, or settle a conflict.

use std::collections::HashMap;

use crate::config::ConflictPolicy;
use crate::mapping::{OdooFeatures, OdooGeo, fingerprint, form_from_partner};
use crate::odoo::PartnerWithChildren;
use crate::store::LinkState;

use super::super::choose::choose_partner;
use super::super::conflict::{Side, describe, winner};
use super::super::outcome::Outcome;
use super::entry::{Entry, LinkKind, Plan};

/// Plans a linked customer that changed in Magento, or that a single pull rechecks,
/// given the linked partners read from Odoo by id.
///
/// When the partner's form also changed since the last sync (its fingerprint differs
/// from the stored one), both sides changed and `policy` picks the winner.
pub(super) fn plan_linked(
    entry: &mut Entry,
    linked: &HashMap<i64, PartnerWithChildren>,
    geo: &OdooGeo,
    features: OdooFeatures,
    policy: ConflictPolicy,
) {
    let Some(link) = &entry.link else {
        return;
    };
    let Some(record) = linked.get(&link.odoo_partner_id) else {
        entry.plan = Plan::Finished(Outcome::Failed {
            reason: format!(
                "the linked Odoo partner {} no longer exists; delete the link of Magento customer {} and pull it again",
                link.odoo_partner_id, entry.magento_id
            ),
        });
        return;
    };

    let (odoo_form, _) = form_from_partner(record, geo, features);
    if odoo_form == entry.mapped.form {
        entry.plan = Plan::Keep {
            record: Box::new(record.clone()),
            link: LinkKind::Existing,
        };
        return;
    }

    // Only a change on both sides is a conflict: a recheck of an unchanged Magento
    // customer simply restores Magento's version.
    let magento_changed = entry.magento_fingerprint != link.magento_fingerprint;
    let odoo_changed =
        link.state == LinkState::Synced && fingerprint(&odoo_form) != link.odoo_fingerprint;
    let side = if odoo_changed && magento_changed {
        let side = winner(
            policy,
            entry
                .customer()
                .and_then(|customer| customer.updated_at.as_deref()),
            record.partner.write_date,
        );
        entry.conflict = Some(describe(policy, side));
        side
    } else {
        Side::Magento
    };

    entry.plan = match side {
        Side::Magento => Plan::Write {
            record: Box::new(record.clone()),
            link: LinkKind::Existing,
        },
        Side::Odoo => Plan::Push {
            record: Box::new(record.clone()),
        },
    };
}

/// Plans an unlinked customer, given the partners found by email and the partners
/// already linked to other Magento customers of the instance (partner id to Magento
/// customer id), which cannot be linked again.
pub(super) fn plan_match(
    entry: &mut Entry,
    found: &HashMap<String, Vec<PartnerWithChildren>>,
    linked_elsewhere: &HashMap<i64, u64>,
    geo: &OdooGeo,
    features: OdooFeatures,
) {
    let all = entry
        .email_key
        .as_ref()
        .and_then(|key| found.get(key))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let free: Vec<PartnerWithChildren> = all
        .iter()
        .filter(|candidate| !linked_elsewhere.contains_key(&candidate.partner.id))
        .cloned()
        .collect();

    let Some(choice) = choose_partner(&free) else {
        entry.plan = if all.is_empty() {
            Plan::Create
        } else {
            let owners: Vec<String> = all
                .iter()
                .filter_map(|candidate| {
                    let customer = linked_elsewhere.get(&candidate.partner.id)?;
                    Some(format!(
                        "partner {} to customer {customer}",
                        candidate.partner.id
                    ))
                })
                .collect();
            Plan::Finished(Outcome::Skipped {
                reason: format!(
                    "every Odoo partner with this email is already linked to another Magento customer ({}); change one of the emails or delete the other link",
                    owners.join(", ")
                ),
            })
        };
        return;
    };

    let record = free[choice.index].clone();
    let (odoo_form, _) = form_from_partner(&record, geo, features);
    let link = LinkKind::New {
        reason: choice.reason,
    };

    entry.plan = if odoo_form == entry.mapped.form {
        Plan::Keep {
            record: Box::new(record),
            link,
        }
    } else {
        Plan::Write {
            record: Box::new(record),
            link,
        }
    };
}
