//! Storing the converted rows: the `flush` closure of `load` and
//! `_load_records` (odoo/models.py, 17.0 to 19.0).
//!
//! All rows are first stored as one batch: rows with an id are written one
//! by one in row order, then the other rows are created together. When the
//! batch fails, each row is tried again on its own so that every failing
//! row gets a message. If the batch failed with a UserError, that error is
//! also listed first, but with the first row's position, whichever row
//! raised it; Odoo skips it only when an equal entry is already listed.

use serde_json::json;

use crate::odoo::context::Context;
use crate::odoo::errors::OdooError;
use crate::odoo::models::{partner_import, partner_write};
use crate::odoo::state::Database;
use crate::odoo::version::OdooVersion;

use super::message::Message;
use super::row::Row;

/// Odoo stops retrying rows one by one past this many failures when they
/// are also more than one row in ten.
const MAX_ROW_ERRORS: usize = 10;

/// Stores `rows` and returns the ids in row order; failures become messages.
pub fn flush(
    db: &mut Database,
    context: &Context,
    rows: &[Row],
    messages: &mut Vec<Message>,
) -> Vec<i64> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };

    let all: Vec<&Row> = rows.iter().collect();
    let before = db.savepoint();
    let batch_error = match load_records(db, context, &all) {
        Ok(ids) => return ids,
        Err(error) => {
            db.rollback_to(before);
            error
        }
    };
    let batch_message = batch_error
        .is_user_error()
        .then(|| Message::row_error(first.index, batch_error.to_string(), None));

    let mut ids = Vec::new();
    let mut errors = 0;
    for (position, row) in rows.iter().enumerate() {
        let before = db.savepoint();
        match load_records(db, context, &[row]) {
            Ok(row_ids) => ids.extend(row_ids),
            Err(error) => {
                db.rollback_to(before);
                messages.push(row_message(db.version(), row.index, &error));
                errors += 1;
            }
        }

        let tried = position + 1;
        if errors >= MAX_ROW_ERRORS && errors * 10 >= tried {
            messages.push(Message::too_many_errors());
            break;
        }
    }

    if let Some(batch_message) = batch_message.filter(|_| errors > 0) {
        if !messages.contains(&batch_message) {
            messages.insert(0, batch_message);
        }
    }
    ids
}

/// Writes the rows that have an id, then creates the others in one
/// `_load_records_create` call; returns the ids in row order.
fn load_records(
    db: &mut Database,
    context: &Context,
    rows: &[&Row],
) -> Result<Vec<i64>, OdooError> {
    let mut ids: Vec<Option<i64>> = rows.iter().map(|row| row.id).collect();

    for row in rows {
        if let Some(id) = row.id {
            partner_write::write(db, context, &[id], &row.values)?;
        }
    }

    let new_rows: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].id.is_none()).collect();
    let vals_list: Vec<_> = new_rows.iter().map(|i| rows[*i].values.clone()).collect();
    let created = partner_import::create(db, context, &vals_list)?;
    for (position, id) in new_rows.into_iter().zip(created) {
        ids[position] = Some(id);
    }

    Ok(ids.into_iter().flatten().collect())
}

/// Builds the message for a row that create or write rejected. A UserError
/// keeps its text. A CHECK constraint gives the constraint's message, which
/// 17 and 18 quote (`convert_pgerror_constraint`) and 19 does not
/// (`_sql_error_to_message`). Anything else is an "unknown error".
// NOTE: the 19 wording is read from odoo/orm/models.py after the 19.0
// refactoring, not run against a live 19 server.
fn row_message(version: OdooVersion, row: usize, error: &OdooError) -> Message {
    if error.is_user_error() {
        return Message::row_error(row, error.to_string(), None);
    }
    if let OdooError::CheckViolation { message } = error {
        let text = if version.major() < 19 {
            format!("'{message}'")
        } else {
            message.clone()
        };
        return Message::row_error(row, text, None);
    }

    let class = error.rpc_name().trim_start_matches("builtins.");
    Message::row_error(
        row,
        format!("Unknown error during import: <class '{class}'>: {error}"),
        Some(json!("Resolve other errors first")),
    )
}
