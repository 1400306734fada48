//! Cell conversion as `ir.fields.converter` does it
//! (odoo/addons/base/models/ir_fields.py): from the text of a non-empty cell
//! to the value `write` or `create` receives. An empty cell never reaches
//! these functions, because `load` turns it into `False` first.
//!
//! A converter returns the value with its warnings, or the issue that keeps
//! the field out of the row. An issue's text already names the field by its
//! label, as Odoo's `%(field)s` substitution does.
//!
//! Two forms of the file were read: the 17.0 one, and the one whose
//! converters take a `savepoint`, which 19's `load` calls.

use serde_json::{Value, json};

use crate::odoo::context::Context;
use crate::odoo::errors::OdooError;
use crate::odoo::fields::{FieldDef, FieldType};
use crate::odoo::models;
use crate::odoo::orm;
use crate::odoo::state::Database;
use crate::odoo::version::OdooVersion;

use super::columns::Reference;
use super::message::CellIssue;

pub type Converted = Result<(Value, Vec<CellIssue>), CellIssue>;

/// Converts a cell of a field without relation.
pub fn plain(field: &FieldDef, cell: &str) -> Converted {
    match field.kind {
        FieldType::Boolean => Ok(boolean(field, cell)),
        FieldType::Selection(options) => selection(field, options, cell),
        FieldType::Integer => integer(field, cell),
        _ => Ok((Value::String(cell.to_string()), Vec::new())),
    }
}

/// Words that `_str_to_boolean` reads as true or false, whatever the case.
// NOTE: Odoo also accepts the translations of true/yes/false/no in every
// installed language, but the sandbox accepts only the English words.
const TRUE_WORDS: [&str; 3] = ["1", "true", "yes"];
const FALSE_WORDS: [&str; 4] = ["", "0", "false", "no"];

fn is_false_word(cell: &str) -> bool {
    FALSE_WORDS.contains(&cell.to_lowercase().as_str())
}

/// Converts a boolean cell. An unknown word still sets `True`, but Odoo
/// reports it with a ValueError instance, and `_convert_records` logs
/// anything that is not a Warning as an error, so the call is rolled back.
fn boolean(field: &FieldDef, cell: &str) -> (Value, Vec<CellIssue>) {
    let lower = cell.to_lowercase();
    if TRUE_WORDS.contains(&lower.as_str()) {
        return (Value::Bool(true), Vec::new());
    }
    if is_false_word(cell) {
        return (Value::Bool(false), Vec::new());
    }

    let issue = CellIssue::error(
        format!(
            "Unknown value '{cell}' for boolean field '{}'",
            field.string
        ),
        Some(json!("Use '1' for yes and '0' for no")),
    );
    (Value::Bool(true), vec![issue])
}

/// Matches the technical value or the label, ignoring case.
// NOTE: Odoo also matches the translations of the labels, but the sandbox
// does not.
fn selection(field: &FieldDef, options: &[(&str, &str)], cell: &str) -> Converted {
    let lower = cell.to_lowercase();
    let found = options
        .iter()
        .find(|(key, label)| key.to_lowercase() == lower || label.to_lowercase() == lower);
    if let Some((key, _)) = found {
        return Ok((Value::from(*key), Vec::new()));
    }

    let labels: Vec<&str> = options.iter().map(|(_, label)| *label).collect();
    Err(CellIssue::error(
        format!(
            "Value '{cell}' not found in selection field '{}'",
            field.string
        ),
        Some(json!(labels)),
    ))
}

fn integer(field: &FieldDef, cell: &str) -> Converted {
    match python_int(cell) {
        Some(number) => Ok((Value::from(number), Vec::new())),
        None => Err(CellIssue::error(
            format!(
                "'{cell}' does not seem to be an integer for field '{}'",
                field.string
            ),
            None,
        )),
    }
}

/// Parses text as Python's `int()` does for the values a client sends:
/// surrounding whitespace and a sign are allowed.
pub fn python_int(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// The cells of one many2one field in one row: every column of the field
/// with its cell, empty cells included.
pub struct Many2oneCells<'a> {
    pub field: &'a FieldDef,
    pub comodel: &'static str,
    pub cells: Vec<(&'a Reference, &'a str)>,
}

/// Resolves a many2one as `_str_to_many2one` and `db_id_for` do.
pub fn many2one(db: &Database, context: &Context, target: &Many2oneCells) -> Converted {
    let label = target.field.string;
    let indirect = || {
        CellIssue::unlabelled(
            "Can not create Many-To-One records indirectly, import the field separately"
                .to_string(),
        )
    };

    if target
        .cells
        .iter()
        .any(|(reference, _)| matches!(reference, Reference::Subfield(_)))
    {
        return Err(indirect());
    }
    let [(reference, value)] = target.cells.as_slice() else {
        return Err(CellIssue::unlabelled(format!(
            "Ambiguous specification for field '{label}', only provide one of name, external id or database id"
        )));
    };

    match reference {
        Reference::DbId => by_database_id(db, context, target, value),
        Reference::Name => by_name(db, context, target, value),
        Reference::Subfield(_) => Err(indirect()),
    }
}

fn by_database_id(
    db: &Database,
    context: &Context,
    target: &Many2oneCells,
    value: &str,
) -> Converted {
    let label = target.field.string;
    if is_false_word(value) {
        return Ok((Value::Bool(false), Vec::new()));
    }

    let action = possible_values(db.version(), target.comodel, true);
    let Some(id) = python_int(value) else {
        return Err(CellIssue::error(
            format!("Invalid database id '{value}' for the field '{label}'"),
            Some(action),
        ));
    };

    // 17 and 18 search the id, so `active_test` hides archived targets; the
    // 19 converter uses `browse(id).exists()`, which finds them.
    let found = if db.version().major() >= 19 {
        db.exists(target.comodel, id)
    } else {
        is_visible(db, context, target.comodel, id)
    };
    if !found {
        return Err(CellIssue::error(
            format!("No matching record found for database id '{value}' in field '{label}'"),
            Some(action),
        ));
    }
    Ok((Value::from(id), Vec::new()))
}

fn by_name(db: &Database, context: &Context, target: &Many2oneCells, value: &str) -> Converted {
    let label = target.field.string;
    let action = possible_values(db.version(), target.comodel, false);
    let not_found = || {
        CellIssue::error(
            format!("No matching record found for name '{value}' in field '{label}'"),
            Some(action.clone()),
        )
    };

    let Some(comodel) = models::get(target.comodel, db.version()) else {
        return Err(not_found());
    };
    let ids = orm::name_search_ids(db, comodel, value, &json!([]), "=", Some(100), context)
        .map_err(|error| name_search_failed(value, label, &error))?;

    let Some(first) = ids.first() else {
        return Err(not_found());
    };
    let mut warnings = Vec::new();
    if ids.len() > 1 {
        let text = if db.version().major() >= 19 {
            format!(
                "Found multiple matches for value \"{value}\" in field \"{label}\" ({} matches)",
                ids.len()
            )
        } else {
            format!(
                "Found multiple matches for value '{value}' in field '{label}' ({} matches)",
                ids.len()
            )
        };
        warnings.push(CellIssue::unlabelled_warning(text));
    }
    Ok((Value::from(*first), warnings))
}

fn name_search_failed(value: &str, label: &str, error: &OdooError) -> CellIssue {
    CellIssue::error(
        format!("Searching '{value}' for field '{label}' failed: {error}"),
        None,
    )
}

/// Returns whether `search([('id', '=', id)])` finds the record: with
/// `active_test` on (the default), an archived record is not found.
pub fn is_visible(db: &Database, context: &Context, model_name: &str, id: i64) -> bool {
    let Some(record) = db.get(model_name, id) else {
        return false;
    };
    let has_active = models::get(model_name, db.version())
        .is_some_and(|model| model.field(db.version(), "active").is_some());
    if !has_active || !context.active_test() {
        return true;
    }
    record.get("active").and_then(Value::as_bool) != Some(false)
}

/// Builds the "Possible Values" window action that Odoo puts in `moreinfo`.
// NOTE: 18 is emulated with the 17 converters (its `load` passes no
// savepoint) but with 19's 'list,form', after 18.0 renamed tree views.
fn possible_values(version: OdooVersion, comodel: &str, by_id: bool) -> Value {
    let view_mode = if version.major() < 18 {
        "tree,form"
    } else {
        "list,form"
    };
    let mut action = json!({
        "name": "Possible Values",
        "type": "ir.actions.act_window",
        "target": "new",
        "view_mode": view_mode,
        "views": [[false, "list"], [false, "form"]],
        "context": {"create": false},
        "help": "See all possible values",
    });
    if by_id {
        action["res_model"] = json!("ir.model.data");
        action["domain"] = json!([["model", "=", comodel]]);
    } else {
        action["res_model"] = json!(comodel);
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIVE: FieldDef = FieldDef::new("active", FieldType::Boolean, "Active");

    #[test]
    fn boolean_words() {
        assert_eq!(boolean(&ACTIVE, "Yes").0, Value::Bool(true));
        assert_eq!(boolean(&ACTIVE, "FALSE").0, Value::Bool(false));
        assert_eq!(boolean(&ACTIVE, "0").0, Value::Bool(false));

        let (value, issues) = boolean(&ACTIVE, "maybe");
        assert_eq!(value, Value::Bool(true));
        assert_eq!(
            issues[0].text,
            "Unknown value 'maybe' for boolean field 'Active'"
        );
    }

    #[test]
    fn python_int_cases() {
        assert_eq!(python_int(" 12 "), Some(12));
        assert_eq!(python_int("+7"), Some(7));
        assert_eq!(python_int("12.0"), None);
        assert_eq!(python_int(""), None);
    }
}
