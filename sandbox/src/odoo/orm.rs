//! The generic model methods (search, read, create, ...) over the in-memory
//! database, run as one all-or-nothing transaction per call.

use serde_json::{Map, Value, json};

use super::context::Context;
use super::domain::{self, Domain, Leaf, Operator};
use super::errors::OdooError;
use super::fields::{FieldDef, FieldType};
use super::load;
use super::methods::{self, Signature};
use super::models::{self, Model, partner_write};
use super::order;
use super::state::{Database, PARTNER};

/// A resolved call: model and method exist, arguments are bound by name.
pub struct Call {
    pub model: &'static dyn Model,
    pub method: &'static str,
    pub ids: Vec<i64>,
    pub args: Map<String, Value>,
    pub context: Context,
}

/// Finds the model and method, rejecting private and unknown methods.
pub fn resolve(
    db: &Database,
    model: &str,
    method: &str,
) -> Result<(&'static dyn Model, Signature), OdooError> {
    let version = db.version();
    let found =
        models::get(model, version).ok_or_else(|| OdooError::UnknownModel(model.to_string()))?;

    if method.starts_with('_') {
        return Err(OdooError::AccessError(format!(
            "Private methods (such as '{model}.{method}') cannot be called remotely."
        )));
    }

    let signature =
        methods::find(model, method, version).ok_or_else(|| OdooError::UnknownMethod {
            model: model.to_string(),
            method: method.to_string(),
        })?;
    Ok((found, signature))
}

/// Runs the call; on error every change it made is rolled back.
pub fn execute(db: &mut Database, call: &Call) -> Result<Value, OdooError> {
    db.commit();
    let result = dispatch(db, call);
    match &result {
        Ok(_) => db.commit(),
        Err(_) => db.rollback(),
    }
    result
}

fn dispatch(db: &mut Database, call: &Call) -> Result<Value, OdooError> {
    let model = call.model;
    let args = &call.args;
    let arg = |name: &str| args.get(name).unwrap_or(&Value::Null);

    match call.method {
        "search" => {
            let ids = search(
                db,
                model,
                arg("domain"),
                &call.context,
                arg("offset"),
                arg("limit"),
                arg("order"),
            )?;
            Ok(json!(ids))
        }
        "search_read" => {
            let ids = search(
                db,
                model,
                arg("domain"),
                &call.context,
                arg("offset"),
                arg("limit"),
                arg("order"),
            )?;
            read(db, model, &ids, arg("fields"), &Value::Null).map(Value::Array)
        }
        "search_count" => {
            let ids = search(
                db,
                model,
                arg("domain"),
                &call.context,
                &Value::Null,
                arg("limit"),
                &Value::Null,
            )?;
            Ok(json!(ids.len()))
        }
        "read" => read(db, model, &call.ids, arg("fields"), arg("load")).map(Value::Array),
        "name_search" => name_search(db, model, call),
        "fields_get" => fields_get(db, model, arg("allfields"), arg("attributes")),
        "context_get" => Ok(json!({
            "lang": call.context.lang().unwrap_or("en_US"),
            "tz": "Europe/Brussels",
            "uid": call.context.uid,
        })),
        "create" => {
            ensure_writable(model)?;
            let vals_list = vals_list(arg("vals_list"))?;
            partner_write::create(db, &call.context, &vals_list).map(|ids| json!(ids))
        }
        "write" => {
            ensure_writable(model)?;
            let vals = arg("vals").as_object().ok_or_else(|| {
                OdooError::ValueError(format!(
                    "write expects a dict of values, got {}",
                    arg("vals")
                ))
            })?;
            partner_write::write(db, &call.context, &call.ids, vals).map(|()| Value::Bool(true))
        }
        "load" => {
            ensure_writable(model)?;
            load::load(db, model, &call.context, arg("fields"), arg("data"))
        }
        "unlink" => {
            ensure_writable(model)?;
            partner_write::unlink(db, &call.ids).map(|()| Value::Bool(true))
        }
        other => Err(OdooError::UnknownMethod {
            model: model.name().to_string(),
            method: other.to_string(),
        }),
    }
}

// NOTE: only res.partner accepts writes; Odoo lets an administrator edit
// countries, states and titles, which a customer connector never does.
fn ensure_writable(model: &dyn Model) -> Result<(), OdooError> {
    if model.name() == PARTNER {
        return Ok(());
    }
    Err(OdooError::AccessError(format!(
        "You are not allowed to modify '{}' ({}) records in this sandbox.",
        model.description(),
        model.name()
    )))
}

fn vals_list(value: &Value) -> Result<Vec<Map<String, Value>>, OdooError> {
    let invalid = || {
        OdooError::ValueError(format!(
            "create expects a dict or a list of dicts, got {value}"
        ))
    };
    match value {
        Value::Object(vals) => Ok(vec![vals.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_object().cloned().ok_or_else(invalid))
            .collect(),
        _ => Err(invalid()),
    }
}

fn optional_usize(value: &Value, name: &str) -> Result<Option<usize>, OdooError> {
    match value {
        Value::Null | Value::Bool(false) => Ok(None),
        Value::Number(number) => number
            .as_u64()
            .map(|n| Some(n as usize))
            .ok_or_else(|| OdooError::ValueError(format!("Invalid {name}: {value}"))),
        _ => Err(OdooError::TypeError(format!(
            "Invalid {name}: {value}, expected an integer"
        ))),
    }
}

/// Returns the ids matching `domain_raw`, ordered, offset and limited.
pub fn search(
    db: &Database,
    model: &dyn Model,
    domain_raw: &Value,
    context: &Context,
    offset: &Value,
    limit: &Value,
    order_raw: &Value,
) -> Result<Vec<i64>, OdooError> {
    let mut domain = domain::compile(db, model, domain_raw)?;

    let mentions_active = domain_raw.as_array().is_some_and(|items| {
        items
            .iter()
            .any(|item| item.get(0).and_then(Value::as_str) == Some("active"))
    });
    if context.active_test() && !mentions_active {
        if let Some(active) = model.field(db.version(), "active") {
            let leaf = Domain::Leaf(Leaf {
                path: vec![active],
                op: Operator::Eq,
                value: Value::Bool(true),
            });
            domain = Domain::And(vec![leaf, domain]);
        }
    }

    let candidates = index_candidates(db, model, &domain).unwrap_or_else(|| db.ids(model.name()));
    let mut ids: Vec<i64> = candidates
        .into_iter()
        .filter(|id| {
            db.get(model.name(), *id)
                .is_some_and(|record| domain::matches(db, model, *id, record, &domain))
        })
        .collect();

    let order_text = match order_raw {
        Value::String(text) if !text.trim().is_empty() => text.as_str(),
        _ => model.default_order(),
    };
    let terms = order::parse(model, db, order_text)?;
    order::sort(db, model, &mut ids, &terms);

    let offset = optional_usize(offset, "offset")?.unwrap_or(0);
    let limit = optional_usize(limit, "limit")?;
    let paged = ids.into_iter().skip(offset);
    Ok(match limit {
        Some(limit) => paged.take(limit).collect(),
        None => paged.collect(),
    })
}

/// Partner ids from the `email_normalized` or `id` index when an AND-level
/// leaf allows it, so a search for 300 emails never scans 100,000 records.
fn index_candidates(db: &Database, model: &dyn Model, domain: &Domain) -> Option<Vec<i64>> {
    let leaves: Vec<&Leaf> = match domain {
        Domain::Leaf(leaf) => vec![leaf],
        Domain::And(parts) => parts
            .iter()
            .flat_map(|part| match part {
                Domain::Leaf(leaf) => vec![leaf],
                Domain::And(inner) => inner
                    .iter()
                    .filter_map(|d| {
                        if let Domain::Leaf(l) = d {
                            Some(l)
                        } else {
                            None
                        }
                    })
                    .collect(),
                _ => vec![],
            })
            .collect(),
        _ => return None,
    };

    for leaf in leaves {
        if leaf.path.len() != 1 || !matches!(leaf.op, Operator::Eq | Operator::In) {
            continue;
        }
        let values: Vec<&Value> = match &leaf.value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        match leaf.path[0].name {
            "email_normalized"
                if model.name() == PARTNER && values.iter().all(|v| v.is_string()) =>
            {
                let mut ids: Vec<i64> = values
                    .iter()
                    .filter_map(|v| v.as_str())
                    .filter_map(|email| db.partners_by_email(email))
                    .flatten()
                    .copied()
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                return Some(ids);
            }
            "id" if values.iter().all(|v| v.is_i64()) => {
                let mut ids: Vec<i64> = values.iter().filter_map(|v| v.as_i64()).collect();
                ids.sort_unstable();
                ids.dedup();
                return Some(ids);
            }
            _ => {}
        }
    }
    None
}

/// Reads records in the order of `ids`; ids that do not exist are left out.
pub fn read(
    db: &Database,
    model: &dyn Model,
    ids: &[i64],
    fields_raw: &Value,
    load: &Value,
) -> Result<Vec<Value>, OdooError> {
    let version = db.version();
    let fields: Vec<FieldDef> = match fields_raw {
        Value::Array(names) if !names.is_empty() => names
            .iter()
            .map(|name| {
                let name = name.as_str().unwrap_or_default();
                model.field(version, name).ok_or_else(|| {
                    OdooError::ValueError(format!(
                        "Invalid field '{name}' on model '{}'",
                        model.name()
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        _ => model.fields(version),
    };
    let classic = matches!(load, Value::Null) || load.as_str() == Some("_classic_read");

    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        if !seen.insert(*id) {
            continue;
        }
        let Some(record) = db.get(model.name(), *id) else {
            continue;
        };

        let mut row = Map::new();
        row.insert("id".into(), json!(id));
        for field in &fields {
            let stored = models::stored_value(db, model, *id, record, field);
            row.insert(
                field.name.to_string(),
                read_format(db, field, stored, classic),
            );
        }
        rows.push(Value::Object(row));
    }
    Ok(rows)
}

/// Converts a stored value to the read format: many2one `[id, display_name]`, x2many id lists, `false`
/// for any empty value (never null or ""), 0 for an empty integer.
fn read_format(db: &Database, field: &FieldDef, stored: Value, classic: bool) -> Value {
    match (field.kind, stored) {
        (FieldType::Integer, Value::Null) => json!(0),
        (FieldType::Boolean, Value::Null) => json!(false),
        (FieldType::One2many(..), Value::Null) => json!([]),
        (FieldType::Properties, _) => json!([]),
        (_, Value::Null) => json!(false),
        (_, Value::String(text)) if text.is_empty() => json!(false),
        (FieldType::Many2one(comodel), Value::Number(id)) if classic => {
            let name = match (id.as_i64(), models::get(comodel, db.version())) {
                (Some(target), Some(comodel)) => models::display_name(db, comodel, target),
                _ => String::new(),
            };
            json!([id, name])
        }
        (_, value) => value,
    }
}

fn name_search(db: &Database, model: &dyn Model, call: &Call) -> Result<Value, OdooError> {
    let domain_param = db.version().name_search_domain_param();
    let name = call
        .args
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let extra = call
        .args
        .get(domain_param)
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    let operator = call
        .args
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or("ilike");
    let limit = optional_usize(call.args.get("limit").unwrap_or(&json!(100)), "limit")?;

    let found = name_search_ids(db, model, name, &extra, operator, limit, &call.context)?;
    let pairs: Vec<Value> = found
        .into_iter()
        .map(|id| json!([id, models::display_name(db, model, id)]))
        .collect();
    Ok(Value::Array(pairs))
}

/// Returns the ids `name_search` finds for `name` within the `extra`
/// domain, at most `limit` of them.
pub fn name_search_ids(
    db: &Database,
    model: &dyn Model,
    name: &str,
    extra: &Value,
    operator: &str,
    limit: Option<usize>,
    context: &Context,
) -> Result<Vec<i64>, OdooError> {
    let extra_items = extra.as_array().cloned().unwrap_or_default();
    let mut found: Vec<i64> = Vec::new();

    let search_fields: Vec<&str> = if name.is_empty() {
        vec![]
    } else {
        model.name_search_fields().to_vec()
    };
    if search_fields.is_empty() {
        found = search(
            db,
            model,
            extra,
            context,
            &Value::Null,
            &json!(limit),
            &Value::Null,
        )?;
    }

    // Exact code first for states and countries, as their name_search does.
    for field in search_fields {
        if limit.is_some_and(|limit| found.len() >= limit) {
            break;
        }
        let op = if field == "code" { "=" } else { operator };
        let value = if field == "code" && model.name() == "res.country" {
            name.to_uppercase()
        } else {
            name.to_string()
        };
        let mut domain = extra_items.clone();
        domain.push(json!([field, op, value]));
        for id in search(
            db,
            model,
            &Value::Array(domain),
            context,
            &Value::Null,
            &Value::Null,
            &Value::Null,
        )? {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }

    if let Some(limit) = limit {
        found.truncate(limit);
    }
    Ok(found)
}

fn fields_get(
    db: &Database,
    model: &dyn Model,
    allfields: &Value,
    attributes: &Value,
) -> Result<Value, OdooError> {
    let wanted: Option<Vec<String>> =
        allfields
            .as_array()
            .filter(|names| !names.is_empty())
            .map(|names| {
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            });
    let attributes: Option<Vec<String>> = attributes.as_array().map(|names| {
        names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    });

    let mut result = Map::new();
    for field in model.fields(db.version()) {
        if wanted
            .as_ref()
            .is_some_and(|names| !names.iter().any(|name| name == field.name))
        {
            continue;
        }
        result.insert(
            field.name.to_string(),
            field.describe(attributes.as_deref()),
        );
    }
    Ok(Value::Object(result))
}
