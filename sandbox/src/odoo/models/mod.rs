//! The models the sandbox serves and the registry that finds them by name.
//! Each model declares its fields and computed values; the generic methods
//! (search, read, ...) live in `orm`, the partner write rules in `partner`.

pub mod country;
mod country_data;
pub mod partner;
pub mod partner_import;
pub mod partner_write;
pub mod title;
pub mod users;

use serde_json::Value;

use super::fields::{FieldDef, MAGIC_FIELDS};
use super::state::{Database, Record};
use super::version::OdooVersion;

pub trait Model: Sync {
    fn name(&self) -> &'static str;

    /// Returns the human name used in messages, e.g. "Contact" for res.partner.
    fn description(&self) -> &'static str;

    /// Returns the model's own fields for every version. `has_field` filters
    /// them per version.
    fn own_fields(&self) -> &'static [FieldDef];

    fn has_field(&self, _version: OdooVersion, _name: &str) -> bool {
        true
    }

    fn default_order(&self) -> &'static str;

    /// Fields that `name_search` matches, in the order they are tried.
    fn name_search_fields(&self) -> &'static [&'static str] {
        &["name"]
    }

    fn display_name(&self, _db: &Database, _id: i64, record: &Record) -> String {
        record
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// Computes the value of a field with `stored: false`, in stored form.
    fn computed(&self, _db: &Database, _id: i64, _record: &Record, _field: &str) -> Value {
        Value::Null
    }

    fn field(&self, version: OdooVersion, name: &str) -> Option<FieldDef> {
        MAGIC_FIELDS
            .iter()
            .chain(self.own_fields())
            .find(|field| field.name == name)
            .filter(|field| self.has_field(version, field.name))
            .copied()
    }

    fn fields(&self, version: OdooVersion) -> Vec<FieldDef> {
        MAGIC_FIELDS
            .iter()
            .chain(self.own_fields())
            .filter(|field| self.has_field(version, field.name))
            .copied()
            .collect()
    }
}

/// Finds a model by its technical name; `res.partner.title` is absent in 19.
pub fn get(name: &str, version: OdooVersion) -> Option<&'static dyn Model> {
    match name {
        "res.partner" => Some(&partner::Partner),
        "res.country" => Some(&country::Country),
        "res.country.state" => Some(&country::CountryState),
        "res.partner.title" if version.has_mobile_and_title() => Some(&title::PartnerTitle),
        "res.users" => Some(&users::Users),
        _ => None,
    }
}

/// Returns a field's value in stored form: many2one as the bare id, x2many as an id
/// list, `Null` when unset.
pub fn stored_value(
    db: &Database,
    model: &dyn Model,
    id: i64,
    record: &Record,
    field: &FieldDef,
) -> Value {
    match field.name {
        "id" => Value::from(id),
        "display_name" => {
            let name = model.display_name(db, id, record);
            if name.is_empty() {
                Value::Null
            } else {
                Value::String(name)
            }
        }
        _ if field.stored => record.get(field.name).cloned().unwrap_or(Value::Null),
        _ => model.computed(db, id, record, field.name),
    }
}

/// Ids a relational field points to: zero or one for a many2one, the list
/// for an x2many.
pub fn related_ids(
    db: &Database,
    model: &dyn Model,
    id: i64,
    record: &Record,
    field: &FieldDef,
) -> Vec<i64> {
    match stored_value(db, model, id, record, field) {
        Value::Number(number) => number.as_i64().into_iter().collect(),
        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
        _ => Vec::new(),
    }
}

/// Returns the display name of record `id`, or an empty string if it does
/// not exist.
pub fn display_name(db: &Database, model: &dyn Model, id: i64) -> String {
    db.get(model.name(), id)
        .map(|record| model.display_name(db, id, record))
        .unwrap_or_default()
}
