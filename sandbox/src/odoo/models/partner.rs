//! `res.partner`: its fields per version and the computed values (display
//! name, children, company type). The write rules are in `partner_write`.

use serde_json::Value;

use crate::odoo::fields::{FieldDef, FieldType, INSTALLED_LANGS};
use crate::odoo::state::{Database, PARTNER, Record};
use crate::odoo::version::OdooVersion;

use super::Model;

pub struct Partner;

pub const PARTNER_TYPES: &[(&str, &str)] = &[
    ("contact", "Contact"),
    ("invoice", "Invoice Address"),
    ("delivery", "Delivery Address"),
    ("other", "Other Address"),
];

const COMPANY_TYPES: &[(&str, &str)] = &[("person", "Individual"), ("company", "Company")];

/// Fields a contact-type child copies from its parent.
pub const ADDRESS_FIELDS: [&str; 6] =
    ["street", "street2", "zip", "city", "state_id", "country_id"];

/// Fields copied from the commercial partner to all its contacts.
pub const COMMERCIAL_FIELDS: [&str; 1] = ["vat"];

const FIELDS: &[FieldDef] = &[
    FieldDef::new("name", FieldType::Char, "Name"),
    FieldDef::new("complete_name", FieldType::Char, "Complete Name").computed(),
    FieldDef::new("email", FieldType::Char, "Email"),
    FieldDef::new("email_normalized", FieldType::Char, "Normalized Email").readonly(),
    FieldDef::new("phone", FieldType::Char, "Phone"),
    FieldDef::new("mobile", FieldType::Char, "Mobile"),
    FieldDef::new("vat", FieldType::Char, "Tax ID"),
    FieldDef::new("street", FieldType::Char, "Street"),
    FieldDef::new("street2", FieldType::Char, "Street2"),
    FieldDef::new("city", FieldType::Char, "City"),
    FieldDef::new("zip", FieldType::Char, "Zip"),
    FieldDef::new(
        "state_id",
        FieldType::Many2one("res.country.state"),
        "State",
    ),
    FieldDef::new("country_id", FieldType::Many2one("res.country"), "Country"),
    FieldDef::new("company_name", FieldType::Char, "Company Name"),
    FieldDef::new("is_company", FieldType::Boolean, "Is a Company"),
    FieldDef::new(
        "company_type",
        FieldType::Selection(COMPANY_TYPES),
        "Company Type",
    )
    .computed_writable(),
    FieldDef::new(
        "parent_id",
        FieldType::Many2one("res.partner"),
        "Related Company",
    ),
    FieldDef::new(
        "child_ids",
        FieldType::One2many("res.partner", "parent_id"),
        "Contact",
    )
    .computed_writable(),
    FieldDef::new("type", FieldType::Selection(PARTNER_TYPES), "Address Type"),
    FieldDef::new("title", FieldType::Many2one("res.partner.title"), "Title"),
    FieldDef::new("lang", FieldType::Selection(INSTALLED_LANGS), "Language"),
    FieldDef::new("active", FieldType::Boolean, "Active"),
    FieldDef::new("ref", FieldType::Char, "Reference"),
    FieldDef::new("comment", FieldType::Html, "Notes"),
    FieldDef::new("properties", FieldType::Properties, "Properties"),
];

impl Model for Partner {
    fn name(&self) -> &'static str {
        PARTNER
    }

    fn description(&self) -> &'static str {
        "Contact"
    }

    fn own_fields(&self) -> &'static [FieldDef] {
        FIELDS
    }

    fn has_field(&self, version: OdooVersion, name: &str) -> bool {
        match name {
            "mobile" | "title" => version.has_mobile_and_title(),
            "properties" => version.major() >= 19,
            _ => true,
        }
    }

    fn default_order(&self) -> &'static str {
        "complete_name ASC, id DESC"
    }

    fn name_search_fields(&self) -> &'static [&'static str] {
        &["complete_name", "email", "ref", "vat"]
    }

    fn display_name(&self, db: &Database, _id: i64, record: &Record) -> String {
        complete_name(db, record)
    }

    fn computed(&self, db: &Database, id: i64, record: &Record, field: &str) -> Value {
        match field {
            "complete_name" => {
                let name = complete_name(db, record);
                if name.is_empty() {
                    Value::Null
                } else {
                    Value::String(name)
                }
            }
            "company_type" => {
                let company = record
                    .get("is_company")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                Value::from(if company { "company" } else { "person" })
            }
            "child_ids" => Value::Array(
                active_children(db, id)
                    .into_iter()
                    .map(Value::from)
                    .collect(),
            ),
            _ => Value::Null,
        }
    }
}

fn text<'a>(record: &'a Record, field: &str) -> Option<&'a str> {
    record
        .get(field)
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
}

/// Returns the active contacts of a partner, because `child_ids` hides
/// archived ones.
pub fn active_children(db: &Database, id: i64) -> Vec<i64> {
    db.children_of(id)
        .into_iter()
        .filter(|child| {
            db.get(PARTNER, *child)
                .and_then(|record| record.get("active"))
                .and_then(Value::as_bool)
                .unwrap_or(true)
        })
        .collect()
}

/// Returns the nearest ancestor-or-self that is a company or has no parent.
pub fn commercial_partner(db: &Database, id: i64) -> i64 {
    let mut current = id;
    for _ in 0..64 {
        let Some(record) = db.get(PARTNER, current) else {
            break;
        };
        let is_company = record
            .get("is_company")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match record.get("parent_id").and_then(Value::as_i64) {
            Some(parent) if !is_company => current = parent,
            _ => break,
        }
    }
    current
}

/// "Company, Person" for contacts of a company; an unnamed address child
/// shows its type ("Company, Invoice Address").
fn complete_name(db: &Database, record: &Record) -> String {
    let mut name = text(record, "name").unwrap_or_default().to_string();
    let parent = record.get("parent_id").and_then(Value::as_i64);
    let company_name = text(record, "company_name");

    if parent.is_none() && company_name.is_none() {
        return name;
    }

    let kind = text(record, "type").unwrap_or("contact");
    if name.is_empty() && kind != "contact" {
        name = PARTNER_TYPES
            .iter()
            .find(|(code, _)| *code == kind)
            .map(|(_, label)| label.to_string())
            .unwrap_or_default();
    }

    if record
        .get("is_company")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        return name;
    }

    let company = parent
        .map(|parent| commercial_partner(db, parent))
        .and_then(|commercial| db.get(PARTNER, commercial))
        .filter(|commercial| {
            commercial
                .get("is_company")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
        .and_then(|commercial| text(commercial, "name"))
        .or(company_name)
        .or_else(|| {
            parent
                .and_then(|p| db.get(PARTNER, p))
                .and_then(|p| text(p, "name"))
        });

    match company {
        Some(company) => format!("{company}, {name}"),
        None => name,
    }
}
