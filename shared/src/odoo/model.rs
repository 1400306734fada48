//! The `res.partner` records that the sync reads from and writes to Odoo.
//!
//! [`Partner`] is the read shape (what `read`/`search_read` return) and
//! [`PartnerValues`] the write shape (the `vals` of `create`/`write`). They
//! differ on purpose: a read many2one is `[id, "name"]`, a written one a bare
//! id, and a write sends only the fields it changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use super::value::Many2One;
use super::value::{false_as_none, false_or_datetime, none_as_false};

/// The `type` selection of `res.partner` (Odoo 17, 18 and 19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressType {
    Contact,
    Invoice,
    Delivery,
    Other,
}

impl AddressType {
    /// Returns the selection key that Odoo stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Invoice => "invoice",
            Self::Delivery => "delivery",
            Self::Other => "other",
        }
    }
}

/// A `res.partner` record as read from Odoo. Fields that Odoo returns as
/// `false` are `None`. Fields left out of the read are `None` too, such as
/// `mobile` and `title`, which Odoo 19 no longer has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub id: i64,
    #[serde(default, deserialize_with = "false_as_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub email: Option<String>,
    /// Computed by Odoo's mail addon from `email`, so it is read-only.
    #[serde(default, deserialize_with = "false_as_none")]
    pub email_normalized: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub phone: Option<String>,
    /// Odoo 17 and 18 only.
    #[serde(default, deserialize_with = "false_as_none")]
    pub mobile: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub vat: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub street: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub street2: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub zip: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub state_id: Option<Many2One>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub country_id: Option<Many2One>,
    #[serde(default, deserialize_with = "false_as_none")]
    pub company_name: Option<String>,
    #[serde(default)]
    pub is_company: bool,
    #[serde(default, deserialize_with = "false_as_none")]
    pub parent_id: Option<Many2One>,
    #[serde(rename = "type", default, deserialize_with = "false_as_none")]
    pub address_type: Option<AddressType>,
    /// Odoo 17 and 18 only (`res.partner.title`).
    #[serde(default, deserialize_with = "false_as_none")]
    pub title: Option<Many2One>,
    #[serde(default = "active_by_default")]
    pub active: bool,
    /// Ids of the active child partners (contacts and addresses).
    #[serde(default)]
    pub child_ids: Vec<i64>,
    #[serde(default, deserialize_with = "false_or_datetime")]
    pub write_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "false_or_datetime")]
    pub create_date: Option<DateTime<Utc>>,
}

fn active_by_default() -> bool {
    true
}

/// A partner read together with its child partners (its addresses and
/// contacts), in the order of the parent's `child_ids`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerWithChildren {
    pub partner: Partner,
    pub children: Vec<Partner>,
}

/// The values of a `create` or `write` on `res.partner`.
///
/// Each field is three-state: `None` leaves it out of the request (unchanged
/// on write, the server default on create), `Some(None)` clears it (sends
/// `false`), and `Some(Some(v))` sets it. Many2one fields take the bare id.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PartnerValues {
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub name: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub email: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub phone: Option<Option<String>>,
    /// Odoo 17 and 18 only: Odoo 19 rejects the whole call with a ValueError
    /// when this field is sent.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub mobile: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub vat: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub street: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub street2: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub city: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub zip: Option<Option<String>>,
    /// `res.country.state` id.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub state_id: Option<Option<i64>>,
    /// `res.country` id.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub country_id: Option<Option<i64>>,
    /// Ignored by Odoo, which clears it, whenever `parent_id` is set.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub company_name: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_company: Option<bool>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub parent_id: Option<Option<i64>>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub address_type: Option<AddressType>,
    /// `res.partner.title` id; Odoo 17 and 18 only.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "none_as_false"
    )]
    pub title: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Commands applied to the child partners, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub child_ids: Vec<ChildCommand>,
}

/// One x2many command on `child_ids`, serialized as Odoo's command list.
#[derive(Debug, Clone, PartialEq)]
pub enum ChildCommand {
    /// `[0, 0, vals]`: create a child with these values.
    Create(Box<PartnerValues>),
    /// `[1, id, vals]`: write these values on an existing child.
    Update(i64, Box<PartnerValues>),
    /// `[2, id]`: delete the child record.
    Delete(i64),
    /// `[3, id]`: detach the child without deleting it.
    Unlink(i64),
    /// `[4, id]`: attach an existing partner as a child.
    Link(i64),
}

impl Serialize for ChildCommand {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Create(values) => (0, 0, values).serialize(serializer),
            Self::Update(id, values) => (1, id, values).serialize(serializer),
            Self::Delete(id) => (2, id).serialize(serializer),
            Self::Unlink(id) => (3, id).serialize(serializer),
            Self::Link(id) => (4, id).serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partner_reads_false_as_none() {
        let wire = json!({
            "id": 7, "name": "Ana Lima", "email": false, "email_normalized": false,
            "phone": false, "vat": false, "street": false, "street2": false,
            "city": false, "zip": false, "state_id": false, "country_id": false,
            "company_name": false, "is_company": false, "parent_id": false,
            "type": "contact", "active": true, "child_ids": [],
            "write_date": "2024-05-01 13:45:00", "create_date": false
        });

        let partner: Partner = serde_json::from_value(wire).expect("valid partner");

        assert_eq!(partner.name.as_deref(), Some("Ana Lima"));
        assert_eq!(partner.email, None);
        assert_eq!(partner.country_id, None);
        assert_eq!(partner.mobile, None);
        assert_eq!(partner.title, None);
        assert_eq!(partner.address_type, Some(AddressType::Contact));
        assert_eq!(partner.create_date, None);
        assert_eq!(
            partner.write_date.map(|date| date.to_rfc3339()),
            Some("2024-05-01T13:45:00+00:00".to_owned())
        );
    }

    #[test]
    fn partner_reads_many2one_pairs() {
        let wire = json!({
            "id": 8, "country_id": [21, "Belgium"], "state_id": [5, "California (US)"],
            "parent_id": 3, "child_ids": [9, 10], "active": false
        });

        let partner: Partner = serde_json::from_value(wire).expect("valid partner");

        assert_eq!(
            partner.country_id,
            Some(Many2One {
                id: 21,
                name: "Belgium".to_owned()
            })
        );
        assert_eq!(partner.state_id.map(|state| state.id), Some(5));
        assert_eq!(partner.parent_id.map(|parent| parent.id), Some(3));
        assert_eq!(partner.child_ids, vec![9, 10]);
        assert!(!partner.active);
    }

    #[test]
    fn partner_rejects_bad_datetime() {
        let wire = json!({"id": 1, "write_date": "yesterday"});

        let error = serde_json::from_value::<Partner>(wire).expect_err("bad date");

        assert!(
            error
                .to_string()
                .contains("invalid Odoo datetime \"yesterday\"")
        );
    }

    #[test]
    fn values_send_only_set_fields() {
        let values = PartnerValues {
            name: Some(Some("Ana".to_owned())),
            phone: Some(None),
            country_id: Some(Some(21)),
            address_type: Some(AddressType::Invoice),
            ..PartnerValues::default()
        };

        let wire = serde_json::to_value(&values).expect("serializable");

        assert_eq!(
            wire,
            json!({"name": "Ana", "phone": false, "country_id": 21, "type": "invoice"})
        );
    }

    #[test]
    fn values_serialize_child_commands() {
        let child = PartnerValues {
            name: Some(Some("Billing".to_owned())),
            ..PartnerValues::default()
        };
        let values = PartnerValues {
            child_ids: vec![
                ChildCommand::Create(Box::new(child.clone())),
                ChildCommand::Update(4, Box::new(child)),
                ChildCommand::Delete(5),
                ChildCommand::Unlink(6),
                ChildCommand::Link(7),
            ],
            ..PartnerValues::default()
        };

        let wire = serde_json::to_value(&values).expect("serializable");

        assert_eq!(
            wire,
            json!({"child_ids": [
                [0, 0, {"name": "Billing"}],
                [1, 4, {"name": "Billing"}],
                [2, 5], [3, 6], [4, 7]
            ]})
        );
    }
}
