//! The rules that create, write and unlink apply to `res.partner`: value
//! conversion, defaults, parent/child synchronisation, the SQL and Python
//! constraints, and `child_ids` commands.

use serde_json::{Map, Value};

use crate::odoo::context::{Context, now, truthy};
use crate::odoo::email;
use crate::odoo::errors::OdooError;
use crate::odoo::fields::{FieldDef, FieldType};
use crate::odoo::state::{Database, PARTNER, Record};
use crate::odoo::vat;

use super::country::country_code;
use super::partner::{
    ADDRESS_FIELDS, COMMERCIAL_FIELDS, Partner, active_children, commercial_partner,
};
use super::{Model, get};

/// Fields that create/write drop silently, as Odoo drops its log-access
/// columns.
const IGNORED_ON_WRITE: [&str; 5] = [
    "id",
    "create_date",
    "write_date",
    "display_name",
    "complete_name",
];

/// When a new partner takes values from its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParentSync {
    /// `create`: the parent's language, commercial fields and address are
    /// copied as the partner is created.
    OnCreate,
    /// `load`: `create` runs with `_partners_skip_fields_sync`, and
    /// `partner_import` copies from the parents once all rows exist.
    Deferred,
}

/// Creates one partner per dict, in order; all of them or none.
pub fn create(
    db: &mut Database,
    context: &Context,
    vals_list: &[Map<String, Value>],
) -> Result<Vec<i64>, OdooError> {
    vals_list
        .iter()
        .map(|vals| create_one(db, context, vals, None, ParentSync::OnCreate))
        .collect()
}

/// Creates one partner as `create` does under `_partners_skip_fields_sync`:
/// no language, commercial fields or address from the parent, and no
/// address pushed up to the parent. `partner_import` does those steps.
pub fn create_without_parent_sync(
    db: &mut Database,
    context: &Context,
    vals: &Map<String, Value>,
) -> Result<i64, OdooError> {
    create_one(db, context, vals, None, ParentSync::Deferred)
}

fn create_one(
    db: &mut Database,
    context: &Context,
    vals: &Map<String, Value>,
    parent: Option<i64>,
    sync: ParentSync,
) -> Result<i64, OdooError> {
    let mut record = Record::new();
    record.insert("active", Value::Bool(true));
    record.insert("type", Value::from("contact"));
    record.insert("is_company", Value::Bool(false));
    if let Some(parent) = parent {
        record.insert("parent_id", Value::from(parent));
    }

    let commands = apply_vals(db, &mut record, vals)?;
    default_lang(db, context, &mut record, vals, sync);
    if sync == ParentSync::OnCreate {
        sync_from_parent(
            db,
            &mut record,
            parent.is_some() || vals.contains_key("parent_id"),
        );
    }
    record.insert("email_normalized", email_normalized(&record));
    let stamp = Value::from(now());
    record.insert("create_date", stamp.clone());
    record.insert("write_date", stamp);

    let id = db.insert(PARTNER, record);
    check_constraints(db, context, id)?;
    run_child_commands(db, context, id, commands)?;
    if sync == ParentSync::OnCreate {
        push_first_contact_address(db, context, id)?;
    }
    Ok(id)
}

/// Writes `vals` on every id; MissingError if any id does not exist.
pub fn write(
    db: &mut Database,
    context: &Context,
    ids: &[i64],
    vals: &Map<String, Value>,
) -> Result<(), OdooError> {
    if let Some(missing) = ids.iter().find(|id| !db.exists(PARTNER, **id)) {
        return Err(missing_error(*missing, context.uid));
    }
    for id in ids {
        write_one(db, context, *id, vals)?;
    }
    Ok(())
}

fn write_one(
    db: &mut Database,
    context: &Context,
    id: i64,
    vals: &Map<String, Value>,
) -> Result<(), OdooError> {
    let Some(mut record) = db.get(PARTNER, id).cloned() else {
        return Err(missing_error(id, context.uid));
    };

    let commands = apply_vals(db, &mut record, vals)?;
    let parent_changed = vals.contains_key("parent_id");
    if parent_changed || vals.get("type").and_then(Value::as_str) == Some("contact") {
        sync_from_parent(db, &mut record, parent_changed);
    }
    record.insert("email_normalized", email_normalized(&record));
    record.insert("write_date", Value::from(now()));

    db.replace(PARTNER, id, record);
    check_constraints(db, context, id)?;
    run_child_commands(db, context, id, commands)?;
    sync_children(db, context, id, vals)
}

/// Deletes the existing ids; unknown ids are ignored, so unlink is
/// idempotent. Children lose their parent (`ondelete='set null'`).
pub fn unlink(db: &mut Database, ids: &[i64]) -> Result<(), OdooError> {
    for id in ids {
        for child in db.children_of(*id) {
            if let Some(mut record) = db.get(PARTNER, child).cloned() {
                record.remove("parent_id");
                db.replace(PARTNER, child, record);
            }
        }
        db.remove(PARTNER, *id);
    }
    Ok(())
}

pub fn missing_error(id: i64, uid: i64) -> OdooError {
    OdooError::MissingError(format!(
        "Record does not exist or has been deleted.\n(Record: res.partner({id},), User: {uid})"
    ))
}

/// Converts and stores each value; returns the `child_ids` commands, which
/// run once the record has an id.
fn apply_vals(
    db: &Database,
    record: &mut Record,
    vals: &Map<String, Value>,
) -> Result<Vec<Value>, OdooError> {
    let version = db.version();
    let mut commands = Vec::new();

    for (name, value) in vals {
        if IGNORED_ON_WRITE.contains(&name.as_str()) {
            continue;
        }
        let field = Partner
            .field(version, name)
            .ok_or_else(|| OdooError::ValueError(version.invalid_field_message(name, PARTNER)))?;

        match field.name {
            "child_ids" => commands.extend(command_list(value)?),
            "company_type" => {
                let kind = convert(&field, value)?;
                record.insert("is_company", Value::Bool(kind.as_str() == Some("company")));
            }
            _ => match convert(&field, value)? {
                Value::Null => {
                    record.remove(field.name);
                }
                converted => {
                    record.insert(field.name, converted);
                }
            },
        }
    }

    if record.contains_key("parent_id") {
        record.remove("company_name");
    }
    Ok(commands)
}

fn wrong_value(field: &FieldDef, value: &Value) -> OdooError {
    OdooError::ValueError(format!(
        "Wrong value for {PARTNER}.{}: {}",
        field.name,
        python_repr(value)
    ))
}

fn python_repr(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{text}'"),
        other => other.to_string(),
    }
}

/// Converts a create/write value to stored form; `Null` means unset. Empty
/// strings are stored as unset so that reads return `false`.
fn convert(field: &FieldDef, value: &Value) -> Result<Value, OdooError> {
    if matches!(value, Value::Null | Value::Bool(false)) && field.kind != FieldType::Boolean {
        return Ok(Value::Null);
    }

    match field.kind {
        FieldType::Char | FieldType::Html => match value {
            Value::String(text) if text.is_empty() => Ok(Value::Null),
            Value::String(_) => Ok(value.clone()),
            Value::Number(number) => Ok(Value::String(number.to_string())),
            _ => Err(wrong_value(field, value)),
        },
        FieldType::Boolean => Ok(Value::Bool(truthy(value))),
        FieldType::Integer => value
            .as_i64()
            .map(Value::from)
            .ok_or_else(|| wrong_value(field, value)),
        FieldType::Selection(options) => match value.as_str() {
            Some(code) if options.iter().any(|(key, _)| *key == code) => Ok(value.clone()),
            _ => Err(wrong_value(field, value)),
        },
        FieldType::Many2one(_) => value
            .as_i64()
            .map(Value::from)
            .ok_or_else(|| wrong_value(field, value)),
        FieldType::Datetime | FieldType::Properties | FieldType::One2many(..) => Ok(value.clone()),
    }
}

fn command_list(value: &Value) -> Result<Vec<Value>, OdooError> {
    match value {
        Value::Array(items) => Ok(items.clone()),
        Value::Null | Value::Bool(false) => Ok(Vec::new()),
        other => Err(OdooError::ValueError(format!(
            "Wrong value for {PARTNER}.child_ids: {other}"
        ))),
    }
}

/// Sets the language of a new partner that has none in `vals`: the parent's
/// (only on `create`), else the context language, else en_US.
fn default_lang(
    db: &Database,
    context: &Context,
    record: &mut Record,
    vals: &Map<String, Value>,
    sync: ParentSync,
) {
    if vals.contains_key("lang") {
        return;
    }
    let parent_lang = record
        .get("parent_id")
        .and_then(Value::as_i64)
        .filter(|_| sync == ParentSync::OnCreate)
        .and_then(|parent| db.get(PARTNER, parent))
        .and_then(|parent| parent.get("lang"))
        .cloned();
    let lang = parent_lang.unwrap_or_else(|| Value::from(context.lang().unwrap_or("en_US")));
    record.insert("lang", lang);
}

/// Copies the commercial fields from the commercial partner and, for a
/// contact-type child, the parent's address when the parent has one.
fn sync_from_parent(db: &Database, record: &mut Record, parent_changed: bool) {
    let Some(parent) = record.get("parent_id").and_then(Value::as_i64) else {
        return;
    };
    let Some(parent_record) = db.get(PARTNER, parent) else {
        return;
    };

    if parent_changed {
        let commercial = commercial_partner(db, parent);
        if let Some(commercial_record) = db.get(PARTNER, commercial) {
            for field in COMMERCIAL_FIELDS {
                copy_field(commercial_record, record, field);
            }
        }
    }

    let is_contact = record.get("type").and_then(Value::as_str) == Some("contact");
    if is_contact && has_address(parent_record) {
        for field in ADDRESS_FIELDS {
            copy_field(parent_record, record, field);
        }
    }
}

fn copy_field(from: &Record, to: &mut Record, field: &'static str) {
    match from.get(field) {
        Some(value) => to.insert(field, value.clone()),
        None => to.remove(field),
    };
}

fn has_address(record: &Record) -> bool {
    ADDRESS_FIELDS
        .iter()
        .any(|field| record.get(field).is_some_and(truthy))
}

fn email_normalized(record: &Record) -> Value {
    record
        .get("email")
        .and_then(Value::as_str)
        .and_then(email::normalize)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

/// Spreads changed address fields to contact-type children and changed
/// commercial fields to every contact, recursively through `write`.
fn sync_children(
    db: &mut Database,
    context: &Context,
    id: i64,
    vals: &Map<String, Value>,
) -> Result<(), OdooError> {
    let Some(record) = db.get(PARTNER, id).cloned() else {
        return Ok(());
    };
    let is_commercial = commercial_partner(db, id) == id;

    for child in db.children_of(id) {
        let Some(child_record) = db.get(PARTNER, child) else {
            continue;
        };
        let mut child_vals = Map::new();

        let child_is_contact = child_record.get("type").and_then(Value::as_str) == Some("contact");
        if child_is_contact {
            for field in ADDRESS_FIELDS
                .iter()
                .filter(|field| vals.contains_key(**field))
            {
                child_vals.insert(
                    field.to_string(),
                    record.get(*field).cloned().unwrap_or(Value::Bool(false)),
                );
            }
        }

        let child_is_company = child_record
            .get("is_company")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if is_commercial && !child_is_company {
            for field in COMMERCIAL_FIELDS
                .iter()
                .filter(|field| vals.contains_key(**field))
            {
                child_vals.insert(
                    field.to_string(),
                    record.get(*field).cloned().unwrap_or(Value::Bool(false)),
                );
            }
        }

        if !child_vals.is_empty() {
            write_one(db, context, child, &child_vals)?;
        }
    }
    Ok(())
}

/// Copies the address of a company's first contact up to the company when
/// the company has no address yet.
pub fn push_first_contact_address(
    db: &mut Database,
    context: &Context,
    id: i64,
) -> Result<(), OdooError> {
    let Some(record) = db.get(PARTNER, id) else {
        return Ok(());
    };
    let Some(parent) = record.get("parent_id").and_then(Value::as_i64) else {
        return Ok(());
    };
    let Some(parent_record) = db.get(PARTNER, parent) else {
        return Ok(());
    };

    let parent_is_company = parent_record
        .get("is_company")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let parent_is_top = !parent_record.contains_key("parent_id");
    let only_child = active_children(db, parent).len() == 1;
    if !(parent_is_company || parent_is_top)
        || !only_child
        || !has_address(record)
        || has_address(parent_record)
    {
        return Ok(());
    }

    let mut address = Map::new();
    for field in ADDRESS_FIELDS {
        address.insert(
            field.to_string(),
            record.get(field).cloned().unwrap_or(Value::Bool(false)),
        );
    }
    write_one(db, context, parent, &address)
}

/// Runs `child_ids` commands: 0 create, 1 update, 2 delete, 3 detach,
/// 4 attach, 5 detach all, 6 replace.
fn run_child_commands(
    db: &mut Database,
    context: &Context,
    id: i64,
    commands: Vec<Value>,
) -> Result<(), OdooError> {
    for command in commands {
        let invalid = || {
            OdooError::ValueError(format!(
                "Invalid x2many command for {PARTNER}.child_ids: {command}"
            ))
        };
        let parts = command.as_array().ok_or_else(invalid)?;
        let code = parts.first().and_then(Value::as_i64).ok_or_else(invalid)?;
        let target = parts.get(1).and_then(Value::as_i64);
        let payload = parts.get(2);

        match code {
            0 => {
                let vals = payload.and_then(Value::as_object).ok_or_else(invalid)?;
                create_one(db, context, vals, Some(id), ParentSync::OnCreate)?;
            }
            1 => {
                let vals = payload.and_then(Value::as_object).ok_or_else(invalid)?;
                write(db, context, &[target.ok_or_else(invalid)?], vals)?;
            }
            2 => unlink(db, &[target.ok_or_else(invalid)?])?,
            3 => set_parent(db, context, target.ok_or_else(invalid)?, None)?,
            4 => set_parent(db, context, target.ok_or_else(invalid)?, Some(id))?,
            5 => {
                for child in db.children_of(id) {
                    set_parent(db, context, child, None)?;
                }
            }
            6 => {
                let wanted: Vec<i64> = payload
                    .and_then(Value::as_array)
                    .ok_or_else(invalid)?
                    .iter()
                    .filter_map(Value::as_i64)
                    .collect();
                for child in db
                    .children_of(id)
                    .into_iter()
                    .filter(|child| !wanted.contains(child))
                {
                    set_parent(db, context, child, None)?;
                }
                for child in wanted {
                    set_parent(db, context, child, Some(id))?;
                }
            }
            _ => return Err(invalid()),
        }
    }
    Ok(())
}

fn set_parent(
    db: &mut Database,
    context: &Context,
    child: i64,
    parent: Option<i64>,
) -> Result<(), OdooError> {
    let mut vals = Map::new();
    vals.insert(
        "parent_id".into(),
        parent.map(Value::from).unwrap_or(Value::Bool(false)),
    );
    write(db, context, &[child], &vals)
}

/// Runs the checks Odoo runs at flush: SQL CHECK and foreign keys, the parent
/// cycle, and base_vat's `check_vat`.
fn check_constraints(db: &Database, context: &Context, id: i64) -> Result<(), OdooError> {
    let Some(record) = db.get(PARTNER, id) else {
        return Ok(());
    };

    let is_contact = record.get("type").and_then(Value::as_str) == Some("contact");
    if is_contact && !record.contains_key("name") {
        return Err(OdooError::CheckViolation {
            message: "Contacts require a name".to_string(),
        });
    }

    check_foreign_keys(db, record)?;
    check_no_cycle(db, id)?;

    if db.config.base_vat && !context.no_vat_validation() {
        check_vat(db, id, record)?;
    }
    Ok(())
}

fn check_foreign_keys(db: &Database, record: &Record) -> Result<(), OdooError> {
    let version = db.version();
    for field in Partner.fields(version) {
        let FieldType::Many2one(comodel) = field.kind else {
            continue;
        };
        let Some(target) = record.get(field.name).and_then(Value::as_i64) else {
            continue;
        };
        let exists = get(comodel, version).is_some() && db.exists(comodel, target);
        if !exists {
            return Err(OdooError::ValidationError(format!(
                "The operation cannot be completed: another model requires the record being deleted. \
                 If possible, archive it instead.\n\nModel: Contact (res.partner)\nConstraint: res_partner_{}_fkey\n",
                field.name
            )));
        }
    }
    Ok(())
}

fn check_no_cycle(db: &Database, id: i64) -> Result<(), OdooError> {
    let mut current = db
        .get(PARTNER, id)
        .and_then(|r| r.get("parent_id"))
        .and_then(Value::as_i64);
    let mut steps = 0;
    while let Some(parent) = current {
        steps += 1;
        if parent == id || steps > 10_000 {
            return Err(OdooError::ValidationError(
                "You cannot create recursive Partner hierarchies.".to_string(),
            ));
        }
        current = db
            .get(PARTNER, parent)
            .and_then(|r| r.get("parent_id"))
            .and_then(Value::as_i64);
    }
    Ok(())
}

/// Skipped for an empty or one-character VAT (such as "/"); otherwise the
/// number must be valid for its prefix or the commercial partner's country.
fn check_vat(db: &Database, id: i64, record: &Record) -> Result<(), OdooError> {
    let Some(number) = record.get("vat").and_then(Value::as_str) else {
        return Ok(());
    };
    if number.chars().count() <= 1 {
        return Ok(());
    }

    let commercial = commercial_partner(db, id);
    let country = db
        .get(PARTNER, commercial)
        .and_then(|r| r.get("country_id"))
        .and_then(Value::as_i64)
        .and_then(|country| country_code(db, country));
    let exists = |code: &str| super::country::country_id(code).is_some();

    if vat::check(number, country.as_deref(), exists) {
        return Ok(());
    }

    let name = record
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let prefix_country = number
        .get(..2)
        .filter(|p| p.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    let format_country = prefix_country.filter(|code| exists(code)).or(country);
    Err(OdooError::ValidationError(format!(
        "The VAT number [{number}] for partner [{name}] does not seem to be valid. \nNote: the expected format is {}",
        vat::expected_format(format_country.as_deref())
    )))
}
