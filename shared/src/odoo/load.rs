//! Writing many existing partners, each with its own values, through Odoo's import
//! method `load(fields, data)`.
//!
//! `write` sets the same values on every id it gets, so a batch of partners with
//! different values would cost one `write` each. `load` takes one row per record: a row
//! with a database id (column `.id`) updates that record, a row without one creates a
//! record. Every value travels as text, in Odoo's import format, and an empty cell
//! clears the field. So all rows of one call must carry the same columns, and the
//! partners are sent in one call per set of columns (usually three: partners, address
//! children to update, address children to create). Rows that create records go in
//! calls without the `.id` column, because Odoo 17 fails on an empty `.id` cell.
//!
//! `load` finds a record by `.id` among active records only, so the calls run with
//! `active_test` off: a partner archived in Odoo is still updated, not taken for a
//! new record.
//!
//! `load` does not raise on a bad row: it returns the messages and rolls the call back.
//! [`Client::write_many`] reports that as [`WriteMany::Rejected`], and the caller falls
//! back to one `write` per partner, which isolates the bad record.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::call::Call;
use super::client::Client;
use super::error::Error;
use super::model::{ChildCommand, PartnerValues};
use super::partners::WriteOptions;

const MODEL: &str = "res.partner";

/// The fields that `load` addresses by database id, through a `<field>/.id` column.
const MANY2ONE: [&str; 4] = ["state_id", "country_id", "parent_id", "title"];

/// The result of [`Client::write_many`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteMany {
    /// Every partner and child command was written.
    Written,
    /// Odoo rejected a row, so the call that held it changed nothing. Calls sent before
    /// it stay written. The text joins Odoo's messages.
    Rejected(String),
    /// A child command other than create or update, which `load` cannot express. Nothing
    /// was sent.
    Unsupported,
}

/// One record to send: its database id (none to create it) and its columns.
type Row = (Option<i64>, BTreeMap<String, String>);

impl Client {
    /// Writes each partner's values, and its `child_ids` create and update commands, in
    /// one `load` call per set of columns. See the module documentation.
    pub async fn write_many(
        &self,
        writes: &[(i64, PartnerValues)],
        options: WriteOptions,
    ) -> Result<WriteMany, Error> {
        let Some(rows) = rows(writes)? else {
            return Ok(WriteMany::Unsupported);
        };

        let mut context = options.context();
        context.insert("active_test".to_owned(), Value::Bool(false));

        for (columns, group) in group_by_columns(rows) {
            let updates = group.iter().any(|(id, _)| id.is_some());
            let mut fields: Vec<String> = Vec::with_capacity(columns.len() + 1);
            if updates {
                fields.push(".id".to_owned());
            }
            fields.extend(columns.iter().cloned());

            let data: Vec<Vec<String>> = group
                .into_iter()
                .map(|(id, mut cells)| {
                    let mut row: Vec<String> = id.map(|id| id.to_string()).into_iter().collect();
                    row.extend(
                        columns
                            .iter()
                            .map(|column| cells.remove(column).unwrap_or_default()),
                    );
                    row
                })
                .collect();

            let call = Call::new(MODEL, "load")
                .arg("fields", json!(fields))
                .encoded_arg("data", &data)
                .map_err(|error| Error::InvalidResponse {
                    target: "res.partner.load".to_owned(),
                    detail: format!("cannot encode the rows: {error}"),
                })?
                .context(context.clone());
            let rows = data.len();
            drop(data);
            let response = self.execute(&call).await?;

            if let Some(rejection) = rejection(&response, rows)? {
                return Ok(WriteMany::Rejected(rejection));
            }
        }

        Ok(WriteMany::Written)
    }
}

/// Flattens the partners and their child commands into rows, parents first. Returns
/// `None` when a command cannot be a row.
fn rows(writes: &[(i64, PartnerValues)]) -> Result<Option<Vec<Row>>, Error> {
    let mut rows = Vec::with_capacity(writes.len() * 2);

    for (partner_id, values) in writes {
        rows.push((Some(*partner_id), cells(values)?));

        for command in &values.child_ids {
            match command {
                ChildCommand::Update(child_id, child) => {
                    rows.push((Some(*child_id), cells(child)?))
                }
                ChildCommand::Create(child) => {
                    let mut child_cells = cells(child)?;
                    child_cells.insert("parent_id/.id".to_owned(), partner_id.to_string());
                    rows.push((None, child_cells));
                }
                ChildCommand::Delete(_) | ChildCommand::Unlink(_) | ChildCommand::Link(_) => {
                    return Ok(None);
                }
            }
        }
    }

    Ok(Some(rows))
}

/// Returns the import-format cells of one record's values, without `child_ids`.
fn cells(values: &PartnerValues) -> Result<BTreeMap<String, String>, Error> {
    let encoded = serde_json::to_value(PartnerValues {
        child_ids: Vec::new(),
        ..values.clone()
    })
    .map_err(|error| Error::InvalidResponse {
        target: "res.partner.load".to_owned(),
        detail: format!("cannot encode the partner values: {error}"),
    })?;
    let Value::Object(fields) = encoded else {
        return Ok(BTreeMap::new());
    };

    Ok(fields
        .into_iter()
        .map(|(field, value)| {
            let column = match MANY2ONE.contains(&field.as_str()) {
                true => format!("{field}/.id"),
                false => field,
            };
            (column, cell(value))
        })
        .collect())
}

/// Formats one value as `load` reads it: false as an empty cell (which clears the
/// field), booleans as `1` and `0`, numbers and text as they are.
fn cell(value: Value) -> String {
    match value {
        Value::Bool(false) | Value::Null => String::new(),
        Value::Bool(true) => "1".to_owned(),
        Value::String(text) => text,
        other => other.to_string(),
    }
}

/// Groups the rows by their set of columns, and updates apart from creates, keeping
/// the order of first appearance, so parents are written before the children created
/// under them.
fn group_by_columns(rows: Vec<Row>) -> Vec<(Vec<String>, Vec<Row>)> {
    let mut groups: Vec<(bool, Vec<String>, Vec<Row>)> = Vec::new();

    for row in rows {
        let update = row.0.is_some();
        let columns: Vec<String> = row.1.keys().cloned().collect();
        match groups
            .iter_mut()
            .find(|(kind, existing, _)| *kind == update && *existing == columns)
        {
            Some((_, _, group)) => group.push(row),
            None => groups.push((update, columns, vec![row])),
        }
    }
    groups
        .into_iter()
        .map(|(_, columns, group)| (columns, group))
        .collect()
}

/// Parses the `load` response `{"ids": [...] | false, "messages": [...]}`. Returns the
/// joined error messages when Odoo rolled the call back.
fn rejection(response: &Value, expected: usize) -> Result<Option<String>, Error> {
    let invalid = |detail: String| Error::InvalidResponse {
        target: "res.partner.load".to_owned(),
        detail,
    };
    let Some(result) = response.as_object() else {
        return Err(invalid(format!(
            "expected an object with ids and messages, got {response}"
        )));
    };

    match result.get("ids") {
        Some(Value::Array(ids)) if ids.len() == expected => Ok(None),
        Some(Value::Array(ids)) => Err(invalid(format!(
            "sent {expected} rows but got {} ids back",
            ids.len()
        ))),
        Some(Value::Bool(false)) => Ok(Some(messages(result))),
        other => Err(invalid(format!(
            "expected ids as a list or false, got {other:?}"
        ))),
    }
}

/// Joins the messages of a rejected `load`, each with its row. When a create or write
/// error fails the call, Odoo repeats its text under the first row, so a text is listed
/// once, with the last row that carries it.
fn messages(result: &Map<String, Value>) -> String {
    let mut listed: Vec<(String, Option<i64>)> = Vec::new();
    let entries = result
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();

    for message in entries {
        let text = message
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        let row = message.get("record").and_then(Value::as_i64);
        match listed.iter_mut().find(|(existing, _)| existing == text) {
            Some(entry) => entry.1 = row,
            None => listed.push((text.to_owned(), row)),
        }
    }

    if listed.is_empty() {
        return "Odoo rejected the import without a message".to_owned();
    }
    listed
        .into_iter()
        .map(|(text, row)| match row {
            Some(row) => format!("row {row}: {text}"),
            None => text,
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::AddressType;

    fn partner(name: &str) -> PartnerValues {
        PartnerValues {
            name: Some(Some(name.to_owned())),
            vat: Some(None),
            country_id: Some(Some(233)),
            ..PartnerValues::default()
        }
    }

    #[test]
    fn rows_put_parents_first_and_children_under_them() {
        let child = PartnerValues {
            street: Some(Some("1 Main St".to_owned())),
            address_type: Some(AddressType::Delivery),
            ..PartnerValues::default()
        };
        let mut first = partner("Ana Lima");
        first.child_ids = vec![
            ChildCommand::Update(11, Box::new(child.clone())),
            ChildCommand::Create(Box::new(child)),
        ];

        let rows = rows(&[(10, first), (20, partner("Bo Chen"))])
            .expect("encodable")
            .expect("supported");
        let groups = group_by_columns(rows);

        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].0, vec!["country_id/.id", "name", "vat"]);
        assert_eq!(groups[0].1.len(), 2);
        assert_eq!(groups[0].1[0].1["country_id/.id"], "233");
        assert_eq!(
            groups[0].1[0].1["vat"], "",
            "a cleared field is an empty cell"
        );
        assert_eq!(groups[1].1[0].0, Some(11));
        assert_eq!(groups[2].1[0].0, None);
        assert_eq!(groups[2].1[0].1["parent_id/.id"], "10");
        assert_eq!(groups[2].1[0].1["type"], "delivery");
    }

    #[test]
    fn rows_reject_detaching_commands() {
        let mut values = partner("Ana Lima");
        values.child_ids = vec![ChildCommand::Unlink(11)];

        assert_eq!(rows(&[(10, values)]).expect("encodable"), None);
    }

    #[test]
    fn rejection_reads_rolled_back_call() {
        let response = json!({"ids": false, "nextrow": 0, "messages": [
            {"type": "error", "message": "The VAT number is not valid", "record": 0},
            {"type": "error", "message": "The VAT number is not valid", "record": 1}
        ]});

        assert_eq!(
            rejection(&response, 2).expect("valid shape"),
            Some("row 1: The VAT number is not valid".to_owned())
        );
        assert_eq!(
            rejection(&json!({"ids": [4, 5], "messages": []}), 2).expect("valid"),
            None
        );
        assert!(rejection(&json!({"ids": [4]}), 2).is_err());
    }
}
