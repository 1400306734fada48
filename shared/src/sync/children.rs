//! The Odoo counterparts of a customer's Magento addresses other than the default
//! billing one (which is the partner itself).
//!
//! A Magento address keeps the Odoo child it was linked to at the last sync. An address
//! without a link claims an unlinked Odoo address child with the same content, and
//! otherwise gets a new child. A child linked before whose Magento address is gone is
//! archived. Odoo address children that were never linked are Odoo-only data and stay
//! as they are.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use crate::mapping::odoo_side::child_values;
use crate::mapping::{MagentoChild, MappedCustomer, OdooChild, OdooGeo, fingerprint_of};
use crate::odoo::{ChildCommand, PartnerValues};
use crate::store::AddressLink;

/// Returns, for each of `wanted`, the Odoo child it corresponds to, if any.
///
/// `previous` maps Magento address ids to the Odoo partner ids stored at the last sync;
/// only links to a current child of `existing` count. `fresh` lists children that did
/// not exist before the last write, in creation order: an address still unmatched after
/// the links and the content takes the next of them, because Odoo creates `child_ids`
/// commands in order and assigns ascending ids.
pub(crate) fn claim_children(
    wanted: &[MagentoChild],
    existing: &[OdooChild],
    previous: &HashMap<u64, i64>,
    fresh: &[i64],
) -> Vec<Option<i64>> {
    let mut unclaimed: HashSet<i64> = existing.iter().map(|child| child.odoo_id).collect();
    let mut claims: Vec<Option<i64>> = vec![None; wanted.len()];

    for (claim, child) in claims.iter_mut().zip(wanted) {
        let linked = child
            .magento_address_id
            .and_then(|id| previous.get(&id).copied())
            .filter(|id| unclaimed.contains(id));
        if let Some(id) = linked {
            unclaimed.remove(&id);
            *claim = Some(id);
        }
    }

    for (claim, child) in claims.iter_mut().zip(wanted) {
        if claim.is_some() {
            continue;
        }
        let same = existing
            .iter()
            .find(|odoo| unclaimed.contains(&odoo.odoo_id) && odoo.child == child.child);
        if let Some(odoo) = same {
            unclaimed.remove(&odoo.odoo_id);
            *claim = Some(odoo.odoo_id);
        }
    }

    let mut fresh = fresh.iter().filter(|id| unclaimed.contains(id));
    for claim in claims.iter_mut().filter(|claim| claim.is_none()) {
        match fresh.next() {
            Some(id) => *claim = Some(*id),
            None => break,
        }
    }

    claims
}

/// Builds the `child_ids` commands that make the partner's address children match the
/// Magento addresses: unchanged children are left out, changed ones updated, missing
/// ones created, and children whose linked Magento address is gone archived.
pub(crate) fn child_commands(
    mapped: &MappedCustomer,
    existing: &[OdooChild],
    previous: &HashMap<u64, i64>,
    geo: &OdooGeo,
) -> Vec<ChildCommand> {
    let claims = claim_children(&mapped.children, existing, previous, &[]);
    let mut commands = Vec::new();

    for (claim, child) in claims.iter().zip(&mapped.children) {
        let current = claim.and_then(|id| existing.iter().find(|odoo| odoo.odoo_id == id));
        match current {
            Some(odoo) if odoo.child == child.child => {}
            Some(odoo) => commands.push(ChildCommand::Update(
                odoo.odoo_id,
                Box::new(child_values(&child.child, geo)),
            )),
            None => commands.push(ChildCommand::Create(Box::new(child_values(
                &child.child,
                geo,
            )))),
        }
    }

    let claimed: HashSet<i64> = claims.iter().flatten().copied().collect();
    let linked_before: HashSet<i64> = previous.values().copied().collect();
    for odoo in existing {
        if linked_before.contains(&odoo.odoo_id) && !claimed.contains(&odoo.odoo_id) {
            commands.push(ChildCommand::Update(
                odoo.odoo_id,
                Box::new(PartnerValues {
                    active: Some(false),
                    ..PartnerValues::default()
                }),
            ));
        }
    }

    commands
}

/// One address link to store: Magento address id, Odoo partner id, fingerprint.
pub(crate) type AddressTarget = (u64, i64, String);

/// Returns the address links of a customer after its partner was written: the default
/// billing address to the partner itself, every other address to its claimed child.
/// Addresses without a counterpart (for example when Odoo rejected a child) get none.
pub(crate) fn address_targets(
    mapped: &MappedCustomer,
    partner_id: i64,
    children: &[OdooChild],
    previous: &HashMap<u64, i64>,
    fresh: &[i64],
) -> Vec<AddressTarget> {
    let mut targets = Vec::new();

    if let Some(billing) = mapped.billing_address_id {
        targets.push((billing, partner_id, fingerprint_of(&mapped.form.address)));
    }

    let claims = claim_children(&mapped.children, children, previous, fresh);
    for (claim, child) in claims.into_iter().zip(&mapped.children) {
        if let (Some(odoo_id), Some(address_id)) = (claim, child.magento_address_id) {
            targets.push((address_id, odoo_id, fingerprint_of(&child.child)));
        }
    }

    targets
}

/// Returns the address links to store for the targets, ordered by Magento address id.
pub(crate) fn address_links(targets: &[AddressTarget]) -> Vec<AddressLink> {
    let now = Utc::now();

    let mut links: Vec<AddressLink> = targets
        .iter()
        .map(
            |(magento_address_id, odoo_partner_id, fingerprint)| AddressLink {
                magento_address_id: *magento_address_id,
                odoo_partner_id: *odoo_partner_id,
                fingerprint: fingerprint.clone(),
                updated_at: now,
            },
        )
        .collect();
    links.sort_by_key(|link| link.magento_address_id);
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{AddressForm, ChildForm, ChildRole, CustomerForm};

    fn child(name: &str, city: &str) -> ChildForm {
        ChildForm {
            role: ChildRole::Other,
            name: name.into(),
            phone: None,
            address: AddressForm {
                city: Some(city.into()),
                ..AddressForm::default()
            },
        }
    }

    fn magento(id: u64, form: ChildForm) -> MagentoChild {
        MagentoChild {
            magento_address_id: Some(id),
            child: form,
        }
    }

    fn odoo(id: i64, form: ChildForm) -> OdooChild {
        OdooChild {
            odoo_id: id,
            child: form,
        }
    }

    fn mapped(children: Vec<MagentoChild>) -> MappedCustomer {
        MappedCustomer {
            form: CustomerForm {
                name: "Ana Lima".into(),
                title: None,
                email: "ana@example.test".into(),
                phone: None,
                vat: None,
                company: None,
                address: AddressForm::default(),
                children: children.iter().map(|c| c.child.clone()).collect(),
            },
            billing_address_id: Some(1),
            children,
        }
    }

    #[test]
    fn claim_prefers_link_then_content() {
        let wanted = [
            magento(2, child("A", "Lyon")),
            magento(3, child("B", "Nice")),
        ];
        let existing = [odoo(20, child("A", "Paris")), odoo(30, child("B", "Nice"))];
        let previous = HashMap::from([(2, 20)]);

        let claims = claim_children(&wanted, &existing, &previous, &[]);

        assert_eq!(claims, [Some(20), Some(30)]);
    }

    #[test]
    fn claim_fresh_children_in_order() {
        let wanted = [
            magento(2, child("A", "Lyon")),
            magento(3, child("B", "Nice")),
        ];
        let existing = [odoo(41, child("A", "?")), odoo(42, child("B", "?"))];

        let claims = claim_children(&wanted, &existing, &HashMap::new(), &[41, 42]);

        assert_eq!(claims, [Some(41), Some(42)]);
    }

    #[test]
    fn commands_skip_unchanged_and_archive_gone() {
        let customer = mapped(vec![
            magento(2, child("A", "Lyon")),
            magento(4, child("C", "Metz")),
        ]);
        let existing = [
            odoo(20, child("A", "Lyon")),
            odoo(30, child("B", "Nice")),
            odoo(50, child("Odoo only", "Caen")),
        ];
        let previous = HashMap::from([(2, 20), (3, 30)]);

        let commands = child_commands(&customer, &existing, &previous, &OdooGeo::default());

        let wire = serde_json::to_value(&commands).expect("serializable");
        assert_eq!(wire.as_array().map(Vec::len), Some(2));
        assert_eq!(wire[0][0], 0);
        assert_eq!(wire[0][2]["name"], "C");
        assert_eq!(wire[1], serde_json::json!([1, 30, {"active": false}]));
    }

    #[test]
    fn targets_link_billing_to_partner() {
        let customer = mapped(vec![magento(2, child("A", "Lyon"))]);
        let children = [odoo(20, child("A", "Lyon"))];

        let targets = address_targets(&customer, 7, &children, &HashMap::new(), &[]);

        let pairs: Vec<(u64, i64)> = targets.iter().map(|(a, p, _)| (*a, *p)).collect();
        assert_eq!(pairs, [(1, 7), (2, 20)]);
    }
}
