//! Partner creation by `load`: `res.partner._load_records_create` in
//! odoo/addons/base/models/res_partner.py (17.0 to 19.0). It creates every
//! row first without the parent sync, then copies from the parents in one
//! pass, which differs from `create` in three ways:
//! - a child does not take its parent's language;
//! - a contact child gets only the parent's non-empty address fields, even
//!   when the parent has no address at all, where `create` copies all six
//!   fields (empty ones too) and only from a parent that has an address;
//! - a company whose first contacts arrive in the same call has more than
//!   one child when the address push-up runs, so it is not pushed up.

use serde_json::{Map, Value};

use crate::odoo::context::{Context, truthy};
use crate::odoo::errors::OdooError;
use crate::odoo::state::{Database, PARTNER};

use super::partner::{ADDRESS_FIELDS, COMMERCIAL_FIELDS, commercial_partner};
use super::partner_write::{self, create_without_parent_sync, push_first_contact_address};

/// The partners that take the same values: `(commercial partner, address
/// parent)` and the ids of the new partners of that pair.
type SyncGroup = ((Option<i64>, Option<i64>), Vec<i64>);

/// Creates one partner per dict and returns their ids in order.
pub fn create(
    db: &mut Database,
    context: &Context,
    vals_list: &[Map<String, Value>],
) -> Result<Vec<i64>, OdooError> {
    let mut ids = Vec::with_capacity(vals_list.len());
    for vals in vals_list {
        ids.push(create_without_parent_sync(db, context, vals)?);
    }

    for ((commercial, address_parent), children) in sync_groups(db, &ids, vals_list) {
        let vals = parent_values(db, commercial, address_parent);
        if !vals.is_empty() {
            partner_write::write(db, context, &children, &vals)?;
        }
    }

    for id in &ids {
        push_first_contact_address(db, context, *id)?;
    }
    Ok(ids)
}

/// Groups the new partners by where their values come from, in order of
/// first appearance as Odoo's dict does.
fn sync_groups(db: &Database, ids: &[i64], vals_list: &[Map<String, Value>]) -> Vec<SyncGroup> {
    let mut groups: Vec<SyncGroup> = Vec::new();
    for (id, vals) in ids.iter().zip(vals_list) {
        let Some(record) = db.get(PARTNER, *id) else {
            continue;
        };

        let commercial = commercial_partner(db, *id);
        let parent_given = vals.get("parent_id").is_some_and(truthy);
        let commercial = (parent_given && commercial != *id).then_some(commercial);

        let parent = record.get("parent_id").and_then(Value::as_i64);
        let is_contact = record.get("type").and_then(Value::as_str) == Some("contact");
        let address_parent = parent.filter(|_| is_contact);

        let key = (commercial, address_parent);
        match groups.iter_mut().find(|(existing, _)| *existing == key) {
            Some((_, members)) => members.push(*id),
            None => groups.push((key, vec![*id])),
        }
    }
    groups
}

/// Builds the values a group receives: every commercial field of the
/// commercial partner, and the parent's address fields that are set.
fn parent_values(
    db: &Database,
    commercial: Option<i64>,
    address_parent: Option<i64>,
) -> Map<String, Value> {
    let mut vals = Map::new();

    if let Some(source) = commercial.and_then(|id| db.get(PARTNER, id)) {
        for field in COMMERCIAL_FIELDS {
            let value = source.get(field).cloned().unwrap_or(Value::Bool(false));
            vals.insert(field.to_string(), value);
        }
    }

    if let Some(parent) = address_parent.and_then(|id| db.get(PARTNER, id)) {
        for field in ADDRESS_FIELDS {
            if let Some(value) = parent.get(field).filter(|value| truthy(value)) {
                vals.insert(field.to_string(), value.clone());
            }
        }
    }
    vals
}
