//! The `fields` argument of `load`: one column path per cell, such as
//! `name`, `.id` or `country_id/.id`.

use serde_json::Value;

use crate::odoo::errors::OdooError;
use crate::odoo::fields::{FieldDef, FieldType};
use crate::odoo::models::{self, Model};
use crate::odoo::version::OdooVersion;

/// The reference a many2one column uses to name its target record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `country_id/.id`: the database id.
    DbId,
    /// `country_id`: a name that `name_search` with `=` finds.
    Name,
    /// `country_id/code`: a field of the target, which Odoo rejects per row.
    Subfield(String),
}

#[derive(Debug, Clone)]
pub enum Column {
    /// `.id`: the database id of the record the row updates.
    DbId,
    /// A field without relation; the cell is its value.
    Plain(FieldDef),
    Many2one {
        field: FieldDef,
        comodel: &'static str,
        reference: Reference,
    },
}

/// Parses the column paths. An unknown field is a fault, not a message:
/// 17 looks the name up in a dict (KeyError) before reading any row, 18 and
/// 19 check it in `_extract_records` (ValueError), also before any row.
pub fn parse(
    version: OdooVersion,
    model: &dyn Model,
    fields: &Value,
) -> Result<Vec<Column>, OdooError> {
    let names = fields.as_array().ok_or_else(|| {
        OdooError::TypeError(format!(
            "load expects 'fields' to be a list of column names, got {fields}"
        ))
    })?;

    names
        .iter()
        .map(|name| {
            let name = name.as_str().ok_or_else(|| {
                OdooError::TypeError(format!(
                    "load expects every column name to be a string, got {name}"
                ))
            })?;
            parse_one(version, model, name)
        })
        .collect()
}

fn parse_one(version: OdooVersion, model: &dyn Model, name: &str) -> Result<Column, OdooError> {
    let path = split_path(name);
    let head = path[0].as_str();

    match head {
        ".id" => return Ok(Column::DbId),
        "id" => return Err(not_emulated(name, "external ids (the 'id' column)")),
        _ => {}
    }

    let field = model
        .field(version, head)
        .ok_or_else(|| unknown_field(version, head))?;

    match field.kind {
        FieldType::Many2one(comodel) => {
            let reference = match path.get(1).map(String::as_str) {
                None => Reference::Name,
                Some(".id") => Reference::DbId,
                Some("id") => return Err(not_emulated(name, "external ids ('/id' subfields)")),
                Some(subfield) => {
                    let on_target = models::get(comodel, version)
                        .is_some_and(|target| target.field(version, subfield).is_some());
                    // 17's first pass looks every path part up on the loaded
                    // model itself, so `country_id/code` fails there on `code`.
                    let on_model = model.field(version, subfield).is_some();
                    if !on_target || (version.major() < 18 && !on_model) {
                        return Err(unknown_field(version, subfield));
                    }
                    Reference::Subfield(subfield.to_string())
                }
            };
            Ok(Column::Many2one {
                field,
                comodel,
                reference,
            })
        }
        FieldType::One2many(..) => Err(not_emulated(name, "one2many columns")),
        FieldType::Properties => Err(not_emulated(name, "properties columns")),
        _ => Ok(Column::Plain(field)),
    }
}

/// Splits a column path on `/` after `fix_import_export_id_paths` (odoo/models.py),
/// which turns `country_id.id` into `country_id/.id` and `country_id:id`
/// into `country_id/id`.
fn split_path(name: &str) -> Vec<String> {
    let mut fixed = String::with_capacity(name.len() + 2);
    let mut previous: Option<char> = None;
    let mut rest = name;

    while let Some(next) = rest.chars().next() {
        let after_name_char = previous.is_some_and(|c| c != '/');
        if after_name_char && rest.starts_with(".id") {
            fixed.push_str("/.id");
            rest = &rest[3..];
            previous = Some('d');
            continue;
        }
        if after_name_char && rest.starts_with(":id") {
            fixed.push_str("/id");
            rest = &rest[3..];
            previous = Some('d');
            continue;
        }
        fixed.push(next);
        previous = Some(next);
        rest = &rest[next.len_utf8()..];
    }
    fixed.split('/').map(str::to_string).collect()
}

fn unknown_field(version: OdooVersion, name: &str) -> OdooError {
    if version.major() < 18 {
        OdooError::KeyError(format!("'{name}'"))
    } else {
        OdooError::ValueError(format!("Invalid field name '{name}'"))
    }
}

/// Builds the error for a column kind that real Odoo imports but the sandbox does not.
fn not_emulated(column: &str, feature: &str) -> OdooError {
    OdooError::ValueError(format!(
        "The sandbox does not emulate {feature} in load (column '{column}'); \
         use '.id' and '<many2one>/.id' columns"
    ))
}

#[cfg(test)]
mod tests {
    use super::split_path;

    #[test]
    fn split_path_fixes_id_suffixes() {
        assert_eq!(split_path("country_id/.id"), ["country_id", ".id"]);
        assert_eq!(split_path("country_id.id"), ["country_id", ".id"]);
        assert_eq!(split_path("country_id:id"), ["country_id", "id"]);
        assert_eq!(split_path(".id"), [".id"]);
        assert_eq!(split_path("name"), ["name"]);
    }
}
