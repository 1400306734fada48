//! One remote method call, described once and encoded by either protocol.

use serde::ser::{Serialize, SerializeMap, Serializer};
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

    /// Returns the JSON-2 request body, where every argument is named. The body
    /// borrows the call's values, so a large call is not copied before it is encoded.
    pub fn named(&self) -> NamedBody<'_> {
        NamedBody(self)
    }
}

/// The JSON-2 body of a [`Call`]: the keyword arguments, the named arguments, the ids
/// and the context, in one object. An argument overrides a keyword argument of the
/// same name, and the ids and the context override both.
pub(crate) struct NamedBody<'a>(&'a Call);

impl Serialize for NamedBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let call = self.0;
        let reserved = |name: &str| {
            (name == "ids" && call.ids.is_some()) || (name == "context" && !call.context.is_empty())
        };
        let mut map = serializer.serialize_map(None)?;

        for (name, value) in &call.kwargs {
            let overridden = call.args.iter().any(|(arg, _)| *arg == name.as_str());
            if !overridden && !reserved(name) {
                map.serialize_entry(name, value)?;
            }
        }
        for (name, value) in &call.args {
            if !reserved(name) {
                map.serialize_entry(name, value)?;
            }
        }
        if let Some(ids) = &call.ids {
            map.serialize_entry("ids", ids)?;
        }
        if !call.context.is_empty() {
            map.serialize_entry("context", &call.context)?;
        }

        map.end()
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
            serde_json::to_value(write_call().named()).ok(),
            Some(json!({
                "ids": [4, 5],
                "vals": {"name": "Ana"},
                "limit": 1,
                "context": {"active_test": false}
            }))
        );
    }

    #[test]
    fn named_body_lets_arguments_override() {
        let call = Call::new("res.partner", "read")
            .kwarg("fields", json!(["name"]))
            .arg("fields", json!(["email"]))
            .kwarg("ids", json!([9]))
            .ids(&[1]);

        let text = serde_json::to_string(&call.named()).unwrap_or_default();

        assert_eq!(text, r#"{"fields":["email"],"ids":[1]}"#);
    }

    #[test]
    fn empty_context_is_left_out() {
        let call = Call::new("res.partner", "fields_get");

        assert_eq!(call.keyword(), json!({}));
        assert_eq!(serde_json::to_value(call.named()).ok(), Some(json!({})));
        assert_eq!(call.positional(), json!([]));
    }
}
