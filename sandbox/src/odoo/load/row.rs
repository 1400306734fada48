//! One row of `data`, from its cells to the values `write` or `create`
//! receives, as `_extract_records` and `_convert_records` build them
//! (odoo/models.py, 17.0 to 19.0).

use serde_json::{Map, Value};

use crate::odoo::context::Context;
use crate::odoo::errors::OdooError;
use crate::odoo::fields::FieldDef;
use crate::odoo::models::Model;
use crate::odoo::state::Database;

use super::columns::{Column, Reference};
use super::convert::{self, Converted, Many2oneCells, is_visible, python_int};
use super::message::Message;

/// A converted row, ready for `_load_records`.
#[derive(Debug)]
pub struct Row {
    /// Position in `data`, reported as `record` and `rows` in messages.
    pub index: usize,
    /// The record to update: set when `.id` names one that the search finds.
    pub id: Option<i64>,
    pub values: Map<String, Value>,
}

/// One field of the row with its cells, in the order Odoo converts them.
enum Entry<'a> {
    Plain { field: &'a FieldDef, cell: &'a str },
    Many2one(Many2oneCells<'a>),
}

impl Entry<'_> {
    fn field(&self) -> &FieldDef {
        match self {
            Self::Plain { field, .. } => field,
            Self::Many2one(target) => target.field,
        }
    }
}

/// Reads `data` as a list of rows of `width` text cells. Odoo expects text;
/// `null` and `false` count as empty cells and integers as their digits.
// NOTE: real Odoo zips a short row with `fields`, so the missing columns are
// left out, or the call fails on a missing relational cell. The sandbox
// rejects rows whose length differs from `fields` instead.
pub fn read_table(data: &Value, width: usize) -> Result<Vec<Vec<String>>, OdooError> {
    let rows = data.as_array().ok_or_else(|| {
        OdooError::TypeError(format!(
            "load expects 'data' to be a list of rows, got {data}"
        ))
    })?;

    let mut table = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let cells = row.as_array().ok_or_else(|| {
            OdooError::TypeError(format!(
                "load expects row {index} of 'data' to be a list of cells, got {row}"
            ))
        })?;
        if cells.len() != width {
            return Err(OdooError::ValueError(format!(
                "row {index} of 'data' has {} cells but 'fields' names {width} columns; \
                 send one cell per column",
                cells.len()
            )));
        }
        table.push(
            cells
                .iter()
                .map(|cell| cell_text(cell, index))
                .collect::<Result<_, _>>()?,
        );
    }
    Ok(table)
}

fn cell_text(cell: &Value, row: usize) -> Result<String, OdooError> {
    match cell {
        Value::String(text) => Ok(text.clone()),
        Value::Null | Value::Bool(false) => Ok(String::new()),
        Value::Number(number) if number.is_i64() || number.is_u64() => Ok(number.to_string()),
        other => Err(OdooError::TypeError(format!(
            "load expects text cells, got {other} in row {row}; send the value as a string"
        ))),
    }
}

/// Converts one row. Problems with a cell or an unknown `.id` become
/// messages. An `.id` that is not an integer is a fault, because the
/// PostgreSQL error of Odoo's id search escapes `load`.
pub fn prepare(
    db: &Database,
    context: &Context,
    model: &dyn Model,
    columns: &[Column],
    index: usize,
    cells: &[String],
    messages: &mut Vec<Message>,
) -> Result<Row, OdooError> {
    let id = target_id(db, context, model, columns, index, cells, messages)?;

    let mut values = Map::new();
    for entry in entries(columns, cells) {
        let field = entry.field();
        let converted: Converted = match &entry {
            Entry::Plain { cell: "", .. } => Ok((Value::Bool(false), Vec::new())),
            Entry::Plain { field, cell } => convert::plain(field, cell),
            Entry::Many2one(target) if target.cells.iter().all(|(_, cell)| cell.is_empty()) => {
                Ok((Value::Bool(false), Vec::new()))
            }
            Entry::Many2one(target) => convert::many2one(db, context, target),
        };

        match converted {
            Ok((value, warnings)) => {
                values.insert(field.name.to_string(), value);
                for warning in warnings {
                    messages.push(Message::cell(index, field.name, field.string, warning));
                }
            }
            Err(issue) => messages.push(Message::cell(index, field.name, field.string, issue)),
        }
    }

    Ok(Row { index, id, values })
}

/// Resolves the `.id` cell. 18 and 19 treat an empty cell as "create". 17
/// tests only that the column exists, so `int('')` fails and the id search
/// runs with `''`, which PostgreSQL rejects.
// NOTE: the 17 behaviour is read from odoo/models.py of a 17.0 checkout
// (`if '.id' in record`), not run against a live 17 server.
fn target_id(
    db: &Database,
    context: &Context,
    model: &dyn Model,
    columns: &[Column],
    index: usize,
    cells: &[String],
    messages: &mut Vec<Message>,
) -> Result<Option<i64>, OdooError> {
    let Some(cell) = columns
        .iter()
        .zip(cells)
        .filter(|(column, _)| matches!(column, Column::DbId))
        .map(|(_, cell)| cell.as_str())
        .next_back()
    else {
        return Ok(None);
    };
    if cell.is_empty() && db.version().major() >= 18 {
        return Ok(None);
    }

    let Some(id) = python_int(cell) else {
        return Err(OdooError::InvalidTextRepresentation(format!(
            "invalid input syntax for type integer: \"{cell}\""
        )));
    };
    if is_visible(db, context, model.name(), id) {
        return Ok(Some(id));
    }
    messages.push(Message::unknown_id(index, id));
    Ok(None)
}

/// Lists the row's fields in Odoo's record-dict order: fields without
/// relation first, then many2one fields, each at its first column with the
/// last cell given for it.
fn entries<'a>(columns: &'a [Column], cells: &'a [String]) -> Vec<Entry<'a>> {
    let mut plain: Vec<Entry<'a>> = Vec::new();
    let mut relational: Vec<Entry<'a>> = Vec::new();

    for (column, cell) in columns.iter().zip(cells) {
        match column {
            Column::DbId => {}
            Column::Plain(field) => {
                let entry = Entry::Plain { field, cell };
                match plain.iter_mut().find(|e| e.field().name == field.name) {
                    Some(existing) => *existing = entry,
                    None => plain.push(entry),
                }
            }
            Column::Many2one {
                field,
                comodel,
                reference,
            } => {
                let existing = relational.iter_mut().find_map(|e| match e {
                    Entry::Many2one(target) if target.field.name == field.name => Some(target),
                    _ => None,
                });
                match existing {
                    Some(target) => push_cell(&mut target.cells, reference, cell),
                    None => relational.push(Entry::Many2one(Many2oneCells {
                        field,
                        comodel,
                        cells: vec![(reference, cell.as_str())],
                    })),
                }
            }
        }
    }

    plain.extend(relational);
    plain
}

/// Adds a column's cell to a many2one's subrecord, where a repeated
/// reference keeps its place and takes the later cell.
fn push_cell<'a>(
    cells: &mut Vec<(&'a Reference, &'a str)>,
    reference: &'a Reference,
    cell: &'a str,
) {
    match cells
        .iter_mut()
        .find(|(existing, _)| *existing == reference)
    {
        Some(slot) => slot.1 = cell,
        None => cells.push((reference, cell)),
    }
}
