//! `res.country` and `res.country.state`, read-only reference data.

use serde_json::Value;

use crate::odoo::fields::{FieldDef, FieldType};
use crate::odoo::state::{Database, Record};

use super::Model;
use super::country_data::COUNTRIES;
use crate::regions;

pub struct Country;
pub struct CountryState;

const COUNTRY_FIELDS: &[FieldDef] = &[
    FieldDef::new("name", FieldType::Char, "Country Name").required(),
    FieldDef::new("code", FieldType::Char, "Country Code").required(),
    FieldDef::new(
        "state_ids",
        FieldType::One2many("res.country.state", "country_id"),
        "States",
    )
    .computed(),
];

const STATE_FIELDS: &[FieldDef] = &[
    FieldDef::new("name", FieldType::Char, "State Name").required(),
    FieldDef::new("code", FieldType::Char, "State Code").required(),
    FieldDef::new("country_id", FieldType::Many2one("res.country"), "Country").required(),
];

impl Model for Country {
    fn name(&self) -> &'static str {
        "res.country"
    }

    fn description(&self) -> &'static str {
        "Country"
    }

    fn own_fields(&self) -> &'static [FieldDef] {
        COUNTRY_FIELDS
    }

    fn default_order(&self) -> &'static str {
        "name"
    }

    fn name_search_fields(&self) -> &'static [&'static str] {
        &["code", "name"]
    }

    fn computed(&self, db: &Database, id: i64, _record: &Record, field: &str) -> Value {
        if field != "state_ids" {
            return Value::Null;
        }
        let ids: Vec<Value> = db
            .ids("res.country.state")
            .into_iter()
            .filter(|state| {
                db.get("res.country.state", *state)
                    .and_then(|record| record.get("country_id"))
                    .and_then(Value::as_i64)
                    == Some(id)
            })
            .map(Value::from)
            .collect();
        Value::Array(ids)
    }
}

impl Model for CountryState {
    fn name(&self) -> &'static str {
        "res.country.state"
    }

    fn description(&self) -> &'static str {
        "Country state"
    }

    fn own_fields(&self) -> &'static [FieldDef] {
        STATE_FIELDS
    }

    fn default_order(&self) -> &'static str {
        "code"
    }

    /// `name_search` tries the exact code before the name.
    fn name_search_fields(&self) -> &'static [&'static str] {
        &["code", "name"]
    }

    /// "California (US)".
    fn display_name(&self, db: &Database, _id: i64, record: &Record) -> String {
        let name = record
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let country_code = record
            .get("country_id")
            .and_then(Value::as_i64)
            .and_then(|country| db.get("res.country", country))
            .and_then(|country| country.get("code"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("{name} ({country_code})")
    }
}

/// Loads every country (ids 1.. in code order) and the states of US, CA, IN.
pub fn seed(db: &mut Database) {
    for (index, (code, name)) in COUNTRIES.iter().enumerate() {
        let mut record = Record::new();
        record.insert("code", (*code).into());
        record.insert("name", (*name).into());
        db.insert_with_id("res.country", index as i64 + 1, record);
    }

    // States come from the Magento region lists so that codes match. Magento
    // repeats the armed-forces code AE, while Odoo keeps (country, code)
    // unique, so only the first AE row is kept.
    let mut next_id = 1;
    for country_code in ["US", "CA", "IN"] {
        let mut seen = std::collections::HashSet::new();
        for region in regions::regions_of(country_code) {
            if !seen.insert(region.code) {
                continue;
            }
            let mut record = Record::new();
            record.insert("code", region.code.into());
            record.insert("name", region.name.into());
            if let Some(country) = country_id(country_code) {
                record.insert("country_id", country.into());
            }
            db.insert_with_id("res.country.state", next_id, record);
            next_id += 1;
        }
    }
}

/// Returns the id that `seed` gives the country with ISO code `code`.
pub fn country_id(code: &str) -> Option<i64> {
    COUNTRIES
        .binary_search_by(|(candidate, _)| candidate.cmp(&code))
        .ok()
        .map(|index| index as i64 + 1)
}

/// Returns the ISO code of country `id`, for the VAT prefix rules.
pub fn country_code(db: &Database, id: i64) -> Option<String> {
    db.get("res.country", id)?
        .get("code")?
        .as_str()
        .map(str::to_string)
}

/// Finds the state of `country` with code `code` (case-sensitive, as stored).
pub fn state_id(db: &Database, country: i64, code: &str) -> Option<i64> {
    db.ids("res.country.state").into_iter().find(|id| {
        db.get("res.country.state", *id).is_some_and(|record| {
            record.get("country_id").and_then(Value::as_i64) == Some(country)
                && record.get("code").and_then(Value::as_str) == Some(code)
        })
    })
}
