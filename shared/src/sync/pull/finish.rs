//! Carrying out the plans of a batch: the Odoo creates and writes, the Magento PUTs of
//! conflicts won by Odoo, and the read-back that gives each partner's fingerprint and
//! the ids of its new address children.

use std::collections::{HashMap, HashSet};

use crate::magento::Customer;
use crate::mapping::magento_model::map_magento_customer;
use crate::mapping::odoo_side::{child_values, partner_values};
use crate::mapping::{
    MappedCustomer, NameParts, OdooChild, OdooFeatures, OdooGeo, fingerprint, form_from_partner,
};
use crate::odoo::{ChildCommand, PartnerValues, PartnerWithChildren};
use crate::store::{CustomerSnapshot, partners_by_address};

use super::super::children::{AddressTarget, address_targets, child_commands};
use super::super::context::SyncContext;
use super::super::error::SyncError;
use super::super::geo::add_partners;
use super::super::magento_write::{MagentoWrite, merge_and_save, partner_version};
use super::super::outcome::Outcome;
use super::super::snapshot::customer_snapshot;
use super::entry::{Entry, LinkKind, Plan};
use super::odoo_write::{Created, create_partners, write_partners};
use super::{PullOptions, bounded, read_by_id};

/// The link data to store for a customer whose partner is known.
#[derive(Debug)]
pub(super) struct LinkUpdate {
    pub partner_id: i64,
    /// The link's copy of the Magento customer as it is now. Only this copy is kept,
    /// not a clone of the whole customer, so a page in flight contains each customer once.
    pub snapshot: CustomerSnapshot,
    pub magento_fingerprint: String,
    pub odoo_fingerprint: String,
    pub targets: Vec<AddressTarget>,
}

/// One customer after the remote writes.
#[derive(Debug)]
pub(super) struct Written {
    pub entry: Entry,
    pub outcome: Outcome,
    pub update: Option<LinkUpdate>,
}

/// Magento address id to Odoo partner id, per Magento customer, as stored before.
type Previous = HashMap<u64, HashMap<u64, i64>>;

/// The results of a batch's remote writes, each with the index of its entry.
struct WriteResults {
    created: Vec<(usize, Created)>,
    /// The warnings of each Odoo write, or why Odoo rejected it.
    written: Vec<(usize, Result<Vec<String>, String>)>,
    /// The customer as Magento stored it, or why Magento rejected it.
    pushed: Vec<(usize, Result<Customer, String>)>,
}

/// Runs every plan's remote writes and returns each customer's outcome.
pub(super) async fn write_all(
    ctx: &SyncContext,
    entries: Vec<Entry>,
    geo: OdooGeo,
    features: OdooFeatures,
    options: &PullOptions,
) -> Result<Vec<Written>, SyncError> {
    let previous = previous_links(&entries);
    let results = send_writes(ctx, &entries, &previous, &geo, features, options).await?;

    let mut touched: Vec<i64> = results
        .created
        .iter()
        .filter_map(|(_, created)| created.id.as_ref().ok().copied())
        .collect();
    touched.extend(
        results
            .written
            .iter()
            .filter(|(_, result)| result.is_ok())
            .filter_map(|(i, _)| planned_partner(&entries[*i])),
    );
    let after = read_by_id(&ctx.odoo, &touched).await?;
    let mut geo = geo;
    let records: Vec<&PartnerWithChildren> = after.values().collect();
    add_partners(&ctx.odoo, &mut geo, &records).await?;

    Ok(settle_all(
        entries, results, &after, &previous, &geo, features,
    ))
}

/// Sends the batch's Odoo creates and writes and its Magento PUTs, all at once: one
/// create call, and writes and PUTs with bounded concurrency.
async fn send_writes(
    ctx: &SyncContext,
    entries: &[Entry],
    previous: &Previous,
    geo: &OdooGeo,
    features: OdooFeatures,
    options: &PullOptions,
) -> Result<WriteResults, SyncError> {
    let creates = indices(entries, |plan| matches!(plan, Plan::Create));
    let create_values: Vec<PartnerValues> = creates
        .iter()
        .map(|&i| new_partner_values(&entries[i].mapped, geo, features))
        .collect();

    let mut writes: Vec<(usize, i64, PartnerValues)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if let Plan::Write { record, .. } = &entry.plan {
            let prior = previous.get(&entry.magento_id);
            let values = changed_values(entry, record, prior, geo, features);
            writes.push((i, record.partner.id, values));
        }
    }

    let pushes = indices(entries, |plan| matches!(plan, Plan::Push { .. }));

    let (created, written, pushed) = tokio::try_join!(
        async { Ok::<_, SyncError>(create_partners(&ctx.odoo, &create_values).await?) },
        async {
            Ok::<_, SyncError>(write_partners(&ctx.odoo, writes, options.write_concurrency).await?)
        },
        bounded(pushes, options.write_concurrency, |i| async move {
            let result = push_to_magento(ctx, &entries[i]).await?;
            Ok::<_, SyncError>((i, result))
        }),
    )?;

    Ok(WriteResults {
        created: creates.into_iter().zip(created).collect(),
        written,
        pushed,
    })
}

/// Turns every entry and its write results into an outcome and the link data to store.
fn settle_all(
    entries: Vec<Entry>,
    results: WriteResults,
    after: &HashMap<i64, PartnerWithChildren>,
    previous: &Previous,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> Vec<Written> {
    let mut outcomes: HashMap<usize, (Outcome, Option<LinkUpdate>)> = HashMap::new();

    for (i, created) in results.created {
        let entry = &entries[i];
        let done = match created.id {
            Ok(id) => created_outcome(entry, id, created.warnings, after, geo, features),
            Err(reason) => (Outcome::Failed { reason }, None),
        };
        outcomes.insert(i, done);
    }
    for (i, result) in results.written {
        let entry = &entries[i];
        let prior = previous.get(&entry.magento_id);
        let done = match result {
            Ok(warnings) => written_outcome(entry, warnings, after, prior, geo, features),
            Err(reason) => (Outcome::Failed { reason }, None),
        };
        outcomes.insert(i, done);
    }
    for (i, result) in results.pushed {
        let entry = &entries[i];
        let prior = previous.get(&entry.magento_id);
        outcomes.insert(i, pushed_outcome(entry, result, prior, geo, features));
    }

    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let prior = previous.get(&entry.magento_id);
            let (outcome, update) = outcomes
                .remove(&i)
                .unwrap_or_else(|| settle_without_write(&entry, prior, geo, features));
            Written {
                entry,
                outcome,
                update,
            }
        })
        .collect()
}

fn indices(entries: &[Entry], check: fn(&Plan) -> bool) -> Vec<usize> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| check(&entry.plan))
        .map(|(i, _)| i)
        .collect()
}

fn planned_partner(entry: &Entry) -> Option<i64> {
    match &entry.plan {
        Plan::Write { record, .. } | Plan::Keep { record, .. } | Plan::Push { record } => {
            Some(record.partner.id)
        }
        _ => None,
    }
}

/// Returns the address links stored with the links of the customers whose partner may
/// be written.
fn previous_links(entries: &[Entry]) -> Previous {
    entries
        .iter()
        .filter(|entry| planned_partner(entry).is_some())
        .filter_map(|entry| {
            let link = entry.link.as_ref()?;
            Some((entry.magento_id, partners_by_address(&link.addresses)))
        })
        .collect()
}

/// Builds the values of a new partner with every address child.
fn new_partner_values(
    mapped: &MappedCustomer,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> PartnerValues {
    let mut values = partner_values(&mapped.form, geo, features);
    values.child_ids = mapped
        .children
        .iter()
        .map(|child| ChildCommand::Create(Box::new(child_values(&child.child, geo))))
        .collect();
    values
}

/// The values that make an existing partner hold the Magento version.
fn changed_values(
    entry: &Entry,
    record: &PartnerWithChildren,
    previous: Option<&HashMap<u64, i64>>,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> PartnerValues {
    let (_, existing) = form_from_partner(record, geo, features);
    let empty = HashMap::new();

    let mut values = partner_values(&entry.mapped.form, geo, features);
    values.child_ids = child_commands(&entry.mapped, &existing, previous.unwrap_or(&empty), geo);
    values
}

fn created_outcome(
    entry: &Entry,
    partner_id: i64,
    warnings: Vec<String>,
    after: &HashMap<i64, PartnerWithChildren>,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> (Outcome, Option<LinkUpdate>) {
    let Some(record) = after.get(&partner_id) else {
        return vanished(partner_id);
    };

    let (odoo_form, children) = form_from_partner(record, geo, features);
    let mut fresh: Vec<i64> = children.iter().map(|child| child.odoo_id).collect();
    fresh.sort_unstable();

    let update = LinkUpdate {
        partner_id,
        snapshot: entry.snapshot(),
        magento_fingerprint: entry.magento_fingerprint.clone(),
        odoo_fingerprint: fingerprint(&odoo_form),
        targets: address_targets(
            &entry.mapped,
            partner_id,
            &children,
            &HashMap::new(),
            &fresh,
        ),
    };
    let outcome = Outcome::Created {
        magento_customer_id: entry.magento_id as i64,
        odoo_partner_id: partner_id,
        warnings,
    };
    (outcome, Some(update))
}

fn written_outcome(
    entry: &Entry,
    mut warnings: Vec<String>,
    after: &HashMap<i64, PartnerWithChildren>,
    previous: Option<&HashMap<u64, i64>>,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> (Outcome, Option<LinkUpdate>) {
    let Plan::Write { record, link } = &entry.plan else {
        return settle_without_write(entry, previous, geo, features);
    };
    let partner_id = record.partner.id;
    let Some(stored) = after.get(&partner_id) else {
        return vanished(partner_id);
    };

    let before: HashSet<i64> = record.children.iter().map(|child| child.id).collect();
    let (odoo_form, children) = form_from_partner(stored, geo, features);
    let mut fresh: Vec<i64> = children
        .iter()
        .map(|child| child.odoo_id)
        .filter(|id| !before.contains(id))
        .collect();
    fresh.sort_unstable();

    let update = link_update(entry, partner_id, &odoo_form, &children, previous, &fresh);
    warnings.extend(entry.conflict.clone());
    (
        link_outcome(entry, partner_id, link, warnings, true),
        Some(update),
    )
}

/// Settles a customer whose plan needed no remote write: a partner that already has
/// the Magento version (`Keep`), or a customer finished while planning.
fn settle_without_write(
    entry: &Entry,
    previous: Option<&HashMap<u64, i64>>,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> (Outcome, Option<LinkUpdate>) {
    match &entry.plan {
        Plan::Keep { record, link } => {
            let partner_id = record.partner.id;
            let (odoo_form, children) = form_from_partner(record, geo, features);
            let update = link_update(entry, partner_id, &odoo_form, &children, previous, &[]);
            (
                link_outcome(entry, partner_id, link, Vec::new(), false),
                Some(update),
            )
        }
        Plan::Finished(outcome) => (outcome.clone(), None),
        _ => (
            Outcome::Failed {
                reason: format!(
                    "Magento customer {} was left without a plan; pull it again",
                    entry.magento_id
                ),
            },
            None,
        ),
    }
}

fn link_update(
    entry: &Entry,
    partner_id: i64,
    odoo_form: &crate::mapping::CustomerForm,
    children: &[OdooChild],
    previous: Option<&HashMap<u64, i64>>,
    fresh: &[i64],
) -> LinkUpdate {
    let empty = HashMap::new();
    let previous = previous.unwrap_or(&empty);

    LinkUpdate {
        partner_id,
        snapshot: entry.snapshot(),
        magento_fingerprint: entry.magento_fingerprint.clone(),
        odoo_fingerprint: fingerprint(odoo_form),
        targets: address_targets(&entry.mapped, partner_id, children, previous, fresh),
    }
}

fn link_outcome(
    entry: &Entry,
    partner_id: i64,
    link: &LinkKind,
    warnings: Vec<String>,
    wrote: bool,
) -> Outcome {
    let magento_customer_id = entry.magento_id as i64;

    match link {
        LinkKind::New { reason } => Outcome::LinkedToExisting {
            magento_customer_id,
            odoo_partner_id: partner_id,
            reason: reason.clone(),
            warnings,
        },
        LinkKind::Existing if wrote => Outcome::Updated {
            magento_customer_id,
            odoo_partner_id: partner_id,
            warnings,
        },
        LinkKind::Existing => Outcome::Unchanged {
            magento_customer_id,
            odoo_partner_id: partner_id,
        },
    }
}

/// Writes the partner's version onto the Magento customer, for a conflict Odoo won.
/// Returns the customer as Magento stored it, or why Magento rejected it.
async fn push_to_magento(
    ctx: &SyncContext,
    entry: &Entry,
) -> Result<Result<Customer, String>, SyncError> {
    // An entry planned as a push keeps its whole customer (see `keep_only_snapshot`).
    let (Plan::Push { record }, Some(link), Some(current)) =
        (&entry.plan, &entry.link, entry.customer())
    else {
        return Ok(Err(format!(
            "Magento customer {} was not written back: the pull had no link or no whole Magento record for it; pull it again",
            entry.magento_id
        )));
    };
    let stored = NameParts::new(
        link.customer.prefix.as_deref(),
        &link.customer.firstname,
        link.customer.middlename.as_deref(),
        &link.customer.lastname,
        link.customer.suffix.as_deref(),
    );

    let version = partner_version(ctx, record, Some(&stored)).await?;
    match merge_and_save(ctx, entry.magento_id, current, &version).await {
        Ok(MagentoWrite::Updated(customer) | MagentoWrite::Unchanged(customer)) => Ok(Ok(customer)),
        Err(SyncError::Invalid(errors)) => Ok(Err(format!(
            "the Odoo version of partner {} won a conflict but Magento would reject it: {errors}",
            record.partner.id
        ))),
        Err(error) if !error.is_transient() && matches!(error, SyncError::Magento(_)) => {
            Ok(Err(error.to_string()))
        }
        Err(error) => Err(error),
    }
}

fn pushed_outcome(
    entry: &Entry,
    result: Result<Customer, String>,
    previous: Option<&HashMap<u64, i64>>,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> (Outcome, Option<LinkUpdate>) {
    let Plan::Push { record } = &entry.plan else {
        return settle_without_write(entry, previous, geo, features);
    };
    let customer = match result {
        Ok(customer) => customer,
        Err(reason) => return (Outcome::Failed { reason }, None),
    };

    let partner_id = record.partner.id;
    let mapped = map_magento_customer(&customer, features.titles);
    let (odoo_form, children) = form_from_partner(record, geo, features);
    let empty = HashMap::new();
    let previous = previous.unwrap_or(&empty);

    let update = LinkUpdate {
        partner_id,
        magento_fingerprint: fingerprint(&mapped.form),
        odoo_fingerprint: fingerprint(&odoo_form),
        targets: address_targets(&mapped, partner_id, &children, previous, &[]),
        snapshot: customer_snapshot(&customer, false),
    };
    let outcome = Outcome::Updated {
        magento_customer_id: entry.magento_id as i64,
        odoo_partner_id: partner_id,
        warnings: entry.conflict.clone().into_iter().collect(),
    };
    (outcome, Some(update))
}

fn vanished(partner_id: i64) -> (Outcome, Option<LinkUpdate>) {
    let outcome = Outcome::Failed {
        reason: format!(
            "Odoo partner {partner_id} could not be read back right after the sync wrote it; pull the customer again"
        ),
    };
    (outcome, None)
}
