//! The `context` dict of a call and the keys the sandbox reads from it.

use chrono::Utc;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default)]
pub struct Context {
    pub values: Map<String, Value>,
    pub uid: i64,
}

impl Context {
    pub fn new(uid: i64, values: Map<String, Value>) -> Self {
        Self { values, uid }
    }

    /// `active_test` defaults to true: archived records are hidden.
    pub fn active_test(&self) -> bool {
        !matches!(self.values.get("active_test"), Some(Value::Bool(false)))
    }

    pub fn no_vat_validation(&self) -> bool {
        self.values.get("no_vat_validation").is_some_and(truthy)
    }

    pub fn lang(&self) -> Option<&str> {
        self.values.get("lang").and_then(Value::as_str)
    }
}

/// Python truthiness of a JSON value.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_f64().is_some_and(|n| n != 0.0),
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

/// The current UTC time in Odoo's datetime format, "YYYY-MM-DD HH:MM:SS".
pub fn now() -> String {
    Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}
