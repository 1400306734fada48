//! The entries of the `messages` list that `load` returns. Which keys an
//! entry has depends on where Odoo built it (odoo/models.py, `load` and
//! `_convert_records`):
//! - an unknown `.id`: `rows`, `record`, `type`, `field` (".id"), `message`;
//! - a cell the converter rejected: the same with the field name as `field`,
//!   plus `field_name` (the field's label) and usually `moreinfo`;
//! - a row that create or write rejected: `rows`, `record`, `type`,
//!   `message`, and no `field`;
//! - the "too many errors" notice: only `type` and `message`.

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// A problem that a converter found in one cell, before the row is known.
#[derive(Debug, Clone, PartialEq)]
pub struct CellIssue {
    pub severity: Severity,
    pub text: String,
    pub moreinfo: Option<Value>,
    /// Whether the entry gets `field_name`: Odoo adds it only for exceptions
    /// built with a second argument, as `_format_import_error` does.
    pub labelled: bool,
}

impl CellIssue {
    pub fn error(text: String, moreinfo: Option<Value>) -> Self {
        Self {
            severity: Severity::Error,
            text,
            moreinfo,
            labelled: true,
        }
    }

    /// Builds an error that Odoo raises as a bare `ValueError(message)`.
    pub fn unlabelled(text: String) -> Self {
        Self {
            severity: Severity::Error,
            text,
            moreinfo: None,
            labelled: false,
        }
    }

    /// Builds a warning that Odoo raises as a bare `ImportWarning(message)`.
    pub fn unlabelled_warning(text: String) -> Self {
        Self {
            severity: Severity::Warning,
            text,
            moreinfo: None,
            labelled: false,
        }
    }
}

/// One entry of `messages`. Equality matters: Odoo adds the batch error in
/// front only when no equal entry is already listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Index of the row in `data`. It fills `rows.from`, `rows.to` and
    /// `record`, which are equal because the sandbox has no one2many columns.
    pub row: Option<usize>,
    pub severity: Severity,
    pub field: Option<String>,
    pub text: String,
    pub moreinfo: Option<Value>,
    pub field_label: Option<String>,
}

impl Message {
    pub fn unknown_id(row: usize, id: i64) -> Self {
        Self {
            row: Some(row),
            severity: Severity::Error,
            field: Some(".id".to_string()),
            text: format!("Unknown database identifier '{id}'"),
            moreinfo: None,
            field_label: None,
        }
    }

    pub fn cell(row: usize, field: &str, label: &str, issue: CellIssue) -> Self {
        Self {
            row: Some(row),
            severity: issue.severity,
            field: Some(field.to_string()),
            text: issue.text,
            moreinfo: issue.moreinfo,
            field_label: issue.labelled.then(|| label.to_string()),
        }
    }

    pub fn row_error(row: usize, text: String, moreinfo: Option<Value>) -> Self {
        Self {
            row: Some(row),
            severity: Severity::Error,
            field: None,
            text,
            moreinfo,
            field_label: None,
        }
    }

    pub fn too_many_errors() -> Self {
        Self {
            row: None,
            severity: Severity::Warning,
            field: None,
            text: "Found more than 10 errors and more than one error per 10 records, interrupted to avoid showing too many errors.".to_string(),
            moreinfo: None,
            field_label: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn to_json(&self) -> Value {
        let mut entry = Map::new();
        if let Some(row) = self.row {
            entry.insert("rows".into(), json!({"from": row, "to": row}));
            entry.insert("record".into(), json!(row));
        }
        entry.insert("type".into(), json!(self.severity.as_str()));
        if let Some(field) = &self.field {
            entry.insert("field".into(), json!(field));
        }
        entry.insert("message".into(), json!(self.text));
        if let Some(moreinfo) = &self.moreinfo {
            entry.insert("moreinfo".into(), moreinfo.clone());
        }
        if let Some(label) = &self.field_label {
            entry.insert("field_name".into(), json!(label));
        }
        Value::Object(entry)
    }
}
