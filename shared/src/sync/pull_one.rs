//! "Pull from Magento" for one customer: link to or create the Odoo partner.

use std::collections::HashMap;

use tracing::{info, warn};

use crate::magento::Customer;
use crate::mapping::magento_model::customer_names;
use crate::mapping::odoo_side::{child_commands, partner_values};
use crate::mapping::{
    NameParts, OdooFeatures, fingerprint, form_from_partner, map_magento_customer,
};
use crate::odoo::{ChildCommand, Client, Error, PartnerValues, WriteOptions};

use super::choose::choose_partner;
use super::geo::resolve_geo;
use super::outcome::Outcome;

/// The link record's content, which the caller stores after a pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledLink {
    pub magento_customer_id: u64,
    pub odoo_partner_id: i64,
    /// The name parts, kept so a later push restores the exact Magento name.
    pub names: NameParts,
    pub magento_fingerprint: String,
    pub odoo_fingerprint: String,
    /// Magento address id to Odoo partner id (the partner itself for the billing address).
    pub address_links: HashMap<u64, i64>,
}

/// The result of one pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResult {
    pub outcome: Outcome,
    /// `None` when nothing was linked (skipped or failed).
    pub link: Option<PulledLink>,
}

/// Pulls one Magento customer into Odoo.
///
/// Links to an existing partner with the same email, compared case-insensitively and
/// trimmed, with no wildcards. [`choose_partner`] picks one of several matches. A linked
/// partner is rewritten when its mapped form differs; otherwise the partner is created
/// with its address children. `address_links` holds
/// the address links stored at the last sync (Magento address id to Odoo partner id).
/// A VAT number rejected by Odoo's base_vat does not block the record: the write is
/// retried once with `no_vat_validation` and the problem is reported as a warning.
///
/// NOTE: not yet run against the Odoo sandbox, which had not landed when this was
/// written; the mapping it calls is unit-tested.
#[tracing::instrument(skip_all, fields(magento_customer_id = customer.id, odoo_partner_id))]
pub async fn pull_customer(
    odoo: &Client,
    customer: &Customer,
    address_links: &HashMap<u64, i64>,
) -> Result<PullResult, Error> {
    let Some(magento_id) = customer.id else {
        return Ok(skipped("the Magento customer has no id"));
    };
    let features = OdooFeatures {
        titles: odoo.partner_fields().await?.title,
    };

    let mapped = map_magento_customer(customer, features.titles);
    let geo = resolve_geo(odoo, [&mapped.form]).await?;

    let mut found = odoo
        .find_by_emails_with_children(std::slice::from_ref(&customer.email), true)
        .await?;
    let candidates = found.remove(&mapped.form.email).unwrap_or_default();

    let mut warnings = Vec::new();
    let (partner_id, link_reason) = match choose_partner(&candidates) {
        Some(choice) => {
            let existing = &candidates[choice.index];
            let (odoo_form, odoo_children) = form_from_partner(existing, &geo, features);
            if odoo_form == mapped.form {
                let outcome = Outcome::Unchanged {
                    magento_customer_id: magento_id as i64,
                    odoo_partner_id: existing.partner.id,
                };
                return finish(odoo, customer, magento_id, existing.partner.id, outcome).await;
            }

            let wanted = mapped
                .children
                .iter()
                .map(|child| {
                    let linked = child
                        .magento_address_id
                        .and_then(|id| address_links.get(&id).copied())
                        .filter(|id| odoo_children.iter().any(|c| c.odoo_id == *id));
                    (linked, child.child.clone())
                })
                .collect::<Vec<_>>();
            let stale: Vec<i64> = odoo_children
                .iter()
                .map(|c| c.odoo_id)
                .filter(|id| !wanted.iter().any(|(linked, _)| *linked == Some(*id)))
                .collect();

            let mut values = partner_values(&mapped.form, &geo, features);
            values.child_ids = child_commands(&wanted, &stale, &geo);
            write_with_vat_fallback(odoo, existing.partner.id, values, &mut warnings).await?;

            (existing.partner.id, Some(choice.reason))
        }
        None => {
            let mut values = partner_values(&mapped.form, &geo, features);
            values.child_ids = mapped
                .children
                .iter()
                .map(|child| {
                    ChildCommand::Create(Box::new(crate::mapping::odoo_side::child_values(
                        &child.child,
                        &geo,
                    )))
                })
                .collect();
            let id = create_with_vat_fallback(odoo, values, &mut warnings).await?;
            (id, None)
        }
    };

    let outcome = match link_reason {
        Some(reason) => Outcome::LinkedToExisting {
            magento_customer_id: magento_id as i64,
            odoo_partner_id: partner_id,
            reason,
            warnings,
        },
        None => Outcome::Created {
            magento_customer_id: magento_id as i64,
            odoo_partner_id: partner_id,
            warnings,
        },
    };

    finish(odoo, customer, magento_id, partner_id, outcome).await
}

/// Re-reads the partner to fingerprint what Odoo stored and to learn the child ids of
/// created address children, then logs the outcome.
async fn finish(
    odoo: &Client,
    customer: &Customer,
    magento_id: u64,
    partner_id: i64,
    outcome: Outcome,
) -> Result<PullResult, Error> {
    let features = OdooFeatures {
        titles: odoo.partner_fields().await?.title,
    };
    let mapped = map_magento_customer(customer, features.titles);
    let geo = resolve_geo(odoo, [&mapped.form]).await?;

    let stored = odoo.read_with_children(&[partner_id]).await?;
    let Some(record) = stored.first() else {
        return Ok(PullResult {
            outcome: Outcome::Failed {
                reason: format!(
                    "Odoo partner {partner_id} disappeared right after the sync wrote it; pull the customer again"
                ),
            },
            link: None,
        });
    };
    let (odoo_form, odoo_children) = form_from_partner(record, &geo, features);

    // Children are matched to Magento addresses by content, because Odoo does not return
    // the ids of children created through `child_ids` commands.
    let mut address_links = HashMap::new();
    if let Some(billing) = mapped.billing_address_id {
        address_links.insert(billing, partner_id);
    }
    let mut unclaimed = odoo_children.clone();
    for child in &mapped.children {
        let position = unclaimed.iter().position(|c| c.child == child.child);
        if let (Some(magento_address_id), Some(position)) = (child.magento_address_id, position) {
            address_links.insert(magento_address_id, unclaimed.remove(position).odoo_id);
        }
    }

    tracing::Span::current().record("odoo_partner_id", partner_id);
    info!(
        status = outcome.status(),
        "pulled Magento customer into Odoo"
    );

    Ok(PullResult {
        outcome,
        link: Some(PulledLink {
            magento_customer_id: magento_id,
            odoo_partner_id: partner_id,
            names: customer_names(customer),
            magento_fingerprint: fingerprint(&mapped.form),
            odoo_fingerprint: fingerprint(&odoo_form),
            address_links,
        }),
    })
}

/// Tells whether Odoo rejected the write because of base_vat's VAT check.
fn is_vat_error(error: &Error) -> bool {
    matches!(error, Error::ValidationError(fault) if fault.message.contains("VAT"))
}

async fn create_with_vat_fallback(
    odoo: &Client,
    values: PartnerValues,
    warnings: &mut Vec<String>,
) -> Result<i64, Error> {
    let ids = match odoo
        .create_many(vec![values.clone()], WriteOptions::default())
        .await
    {
        Err(error) if is_vat_error(&error) => {
            record_vat_warning(&error, warnings);
            let options = WriteOptions {
                skip_vat_validation: true,
                ..WriteOptions::default()
            };
            odoo.create_many(vec![values], options).await?
        }
        other => other?,
    };

    ids.first().copied().ok_or_else(|| Error::InvalidResponse {
        target: "res.partner.create".into(),
        detail: "no id returned for the created partner".into(),
    })
}

async fn write_with_vat_fallback(
    odoo: &Client,
    partner_id: i64,
    values: PartnerValues,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    match odoo
        .write(&[partner_id], &values, WriteOptions::default())
        .await
    {
        Err(error) if is_vat_error(&error) => {
            record_vat_warning(&error, warnings);
            let options = WriteOptions {
                skip_vat_validation: true,
                ..WriteOptions::default()
            };
            odoo.write(&[partner_id], &values, options).await
        }
        other => other,
    }
}

fn record_vat_warning(error: &Error, warnings: &mut Vec<String>) {
    let message = error
        .fault()
        .map(|fault| fault.message.clone())
        .unwrap_or_default();
    warn!(%message, "Odoo rejected the VAT number; writing the partner without VAT validation");
    warnings.push(format!("VAT number not validated: {message}"));
}

fn skipped(reason: &str) -> PullResult {
    PullResult {
        outcome: Outcome::Skipped {
            reason: reason.to_owned(),
        },
        link: None,
    }
}
