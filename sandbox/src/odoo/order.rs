//! `order` specifications ("write_date asc, id desc") and record sorting.

use std::cmp::Ordering;

use serde_json::Value;

use super::errors::OdooError;
use super::fields::{FieldDef, FieldType};
use super::models::{self, Model};
use super::state::Database;

#[derive(Debug, Clone)]
pub struct OrderTerm {
    pub field: FieldDef,
    pub descending: bool,
}

/// Parses a comma-separated order; each term is a field name, optionally
/// followed by `asc` or `desc` (any case).
pub fn parse(model: &dyn Model, db: &Database, text: &str) -> Result<Vec<OrderTerm>, OdooError> {
    let invalid = || {
        OdooError::ValueError(format!(
            "Invalid \"order\" specified ({text}). A valid \"order\" specification is a comma-separated list \
             of valid field names (optionally followed by asc/desc for the direction)"
        ))
    };

    let mut terms = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let words: Vec<&str> = part.split_whitespace().collect();
        let field = model.field(db.version(), words[0]).ok_or_else(invalid)?;
        let descending = match words.get(1).map(|word| word.to_ascii_lowercase()) {
            None => false,
            Some(direction) if direction == "asc" => false,
            Some(direction) if direction == "desc" => true,
            Some(_) => return Err(invalid()),
        };
        terms.push(OrderTerm { field, descending });
    }
    Ok(terms)
}

/// Sorts ids by the terms, then by id ascending so that ties are stable.
pub fn sort(db: &Database, model: &dyn Model, ids: &mut Vec<i64>, terms: &[OrderTerm]) {
    let mut keyed: Vec<(Vec<Value>, i64)> = ids
        .iter()
        .map(|id| {
            let keys = terms
                .iter()
                .map(|term| sort_key(db, model, *id, &term.field))
                .collect();
            (keys, *id)
        })
        .collect();

    keyed.sort_by(|(a, a_id), (b, b_id)| {
        for (index, term) in terms.iter().enumerate() {
            let ordering = compare(&a[index], &b[index], term.descending);
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        a_id.cmp(b_id)
    });

    *ids = keyed.into_iter().map(|(_, id)| id).collect();
}

/// Many2one fields sort by the target's display name.
// NOTE: Odoo sorts a many2one by the comodel's own `_order`; the display
// name is the same for the models here except res.country.state (code).
fn sort_key(db: &Database, model: &dyn Model, id: i64, field: &FieldDef) -> Value {
    let Some(record) = db.get(model.name(), id) else {
        return Value::Null;
    };
    let value = models::stored_value(db, model, id, record, field);
    match (field.kind, value.as_i64()) {
        (FieldType::Many2one(comodel), Some(target)) => match models::get(comodel, db.version()) {
            Some(comodel) => Value::String(models::display_name(db, comodel, target)),
            None => value,
        },
        _ => value,
    }
}

/// PostgreSQL places NULL last in ascending order and first in descending.
/// Text compares case-insensitively first, close to an en_US collation.
fn compare(a: &Value, b: &Value, descending: bool) -> Ordering {
    let ordering = match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x
            .to_lowercase()
            .cmp(&y.to_lowercase())
            .then_with(|| x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    };
    if descending {
        ordering.reverse()
    } else {
        ordering
    }
}
