//! One remote method call, described once and encoded by either protocol.

use serde_json::{Map, Value};

/// A method call on an Odoo model.
///
/// `args` are the method's leading parameters: JSON-RPC sends them by position
/// (Odoo 17's `create` only accepts its `vals_list` that way) and JSON-2 by
/// name. `kwargs` are sent by name on both protocols.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub model: &'static str,
    pub method: &'static str,
    /// Record ids for methods that work on records (`read`, `write`); `None`
    /// for model methods (`search_read`, `create`).
    pub ids: Option<Vec<i64>>,
    pub args: Vec<(&'static str, Value)>,
    pub kwargs: Map<String, Value>,
    pub context: Map<String, Value>,
}

impl Call {
    pub fn new(model: &'static str, method: &'static str) -> Self {
        Self {
            model,
            method,
            ids: None,
            args: Vec::new(),
            kwargs: Map::new(),
            context: Map::new(),
        }
    }

    pub fn ids(mut self, ids: &[i64]) -> Self {
        self.ids = Some(ids.to_vec());
        self
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn kwarg(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.kwargs.insert(name.to_owned(), value.into());
        self
    }

    pub fn context(mut self, context: Map<String, Value>) -> Self {
        self.context.extend(context);
        self
    }

    /// Returns the `args` list of `execute_kw`: the ids first, then the
    /// positional arguments.
    pub fn positional(&self) -> Value {
        let ids = self.ids.iter().map(|ids| Value::from(ids.clone()));
        let args = self.args.iter().map(|(_, value)| value.clone());

        Value::Array(ids.chain(args).collect())
    }

    /// Returns the `kwargs` object of `execute_kw`, with the context inside.
    pub fn keyword(&self) -> Value {
        let mut kwargs = self.kwargs.clone();

        if !self.context.is_empty() {
            kwargs.insert("context".to_owned(), Value::Object(self.context.clone()));
        }

        Value::Object(kwargs)
    }

    /// Returns the JSON-2 request body, where every argument is named.
    pub fn named(&self) -> Value {
        let mut body = self.kwargs.clone();

        for (name, value) in &self.args {
            body.insert((*name).to_owned(), value.clone());
        }
        if let Some(ids) = &self.ids {
            body.insert("ids".to_owned(), Value::from(ids.clone()));
        }
        if !self.context.is_empty() {
            body.insert("context".to_owned(), Value::Object(self.context.clone()));
        }

        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write_call() -> Call {
        let mut context = Map::new();
        context.insert("active_test".to_owned(), Value::Bool(false));

        Call::new("res.partner", "write")
            .ids(&[4, 5])
            .arg("vals", json!({"name": "Ana"}))
            .kwarg("limit", 1)
            .context(context)
    }

    #[test]
    fn positional_puts_ids_first() {
        assert_eq!(write_call().positional(), json!([[4, 5], {"name": "Ana"}]));
    }

    #[test]
    fn keyword_carries_context() {
        assert_eq!(
            write_call().keyword(),
            json!({"limit": 1, "context": {"active_test": false}})
        );
    }

    #[test]
    fn named_body_for_json2() {
        assert_eq!(
            write_call().named(),
            json!({
                "ids": [4, 5],
                "vals": {"name": "Ana"},
                "limit": 1,
                "context": {"active_test": false}
            })
        );
    }

    #[test]
    fn empty_context_is_left_out() {
        let call = Call::new("res.partner", "fields_get");

        assert_eq!(call.keyword(), json!({}));
        assert_eq!(call.named(), json!({}));
        assert_eq!(call.positional(), json!([]));
    }
}
