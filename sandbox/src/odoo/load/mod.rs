//! `load(fields, data)`, the import method of every Odoo model, for
//! `res.partner`. Each row updates the record its `.id` cell names or
//! creates a record, with values converted from text.
//!
//! The call returns `{"ids", "messages", "nextrow"}` even when rows fail:
//! problems with rows are messages, not faults. When any message is an
//! error, every change of the call is undone and `ids` is `false`; warnings
//! alone keep the changes. Malformed arguments, an unknown column and an
//! `.id` that is not an integer are faults, as in Odoo.
//!
//! Sources read: `load`, `_extract_records`, `_convert_records` and
//! `_load_records` in odoo/models.py (17.0, 18.0) and odoo/orm/models.py
//! (after the 19.0 split), `ir.fields.converter` in
//! odoo/addons/base/models/ir_fields.py, and `_load_records_create` in
//! odoo/addons/base/models/res_partner.py.

mod columns;
mod convert;
mod flush;
mod message;
mod row;

use serde_json::{Value, json};

use super::context::Context;
use super::errors::OdooError;
use super::models::Model;
use super::state::Database;
use message::Message;

/// Runs `load` on `model`. The caller makes sure the model is writable.
pub fn load(
    db: &mut Database,
    model: &dyn Model,
    context: &Context,
    fields: &Value,
    data: &Value,
) -> Result<Value, OdooError> {
    let columns = columns::parse(db.version(), model, fields)?;
    let table = row::read_table(data, columns.len())?;
    let limit = import_limit(context)?;

    let start = db.savepoint();
    let mut messages: Vec<Message> = Vec::new();
    let mut rows = Vec::new();
    for (index, cells) in table.iter().enumerate().take(limit.unwrap_or(usize::MAX)) {
        rows.push(row::prepare(
            db,
            context,
            model,
            &columns,
            index,
            cells,
            &mut messages,
        )?);
    }

    let ids = flush::flush(db, context, &rows, &mut messages);
    let failed = messages.iter().any(Message::is_error);
    if failed {
        db.rollback_to(start);
    }

    Ok(json!({
        "ids": if failed { json!(false) } else { json!(ids) },
        "messages": messages.iter().map(Message::to_json).collect::<Vec<_>>(),
        "nextrow": next_row(rows.len(), limit),
    }))
}

/// Reads `_import_limit` from the context: the number of rows to import
/// in this call, all of them when absent. A negative limit imports none.
// NOTE: Python compares any number with the row index; the sandbox accepts
// integers only.
fn import_limit(context: &Context) -> Result<Option<usize>, OdooError> {
    match context.values.get("_import_limit") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) if number.is_i64() => {
            let limit = number.as_i64().unwrap_or_default();
            Ok(Some(usize::try_from(limit).unwrap_or(0)))
        }
        Some(other) => Err(OdooError::TypeError(format!(
            "invalid _import_limit {other} in the context: expected an integer number of rows"
        ))),
    }
}

/// Returns the index of the first row not imported when `_import_limit`
/// cut the data, else 0.
fn next_row(imported: usize, limit: Option<usize>) -> usize {
    match limit {
        Some(limit) if imported > 0 && imported >= limit => imported,
        _ => 0,
    }
}
