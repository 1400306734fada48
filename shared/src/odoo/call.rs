//! One remote method call, described once and encoded by either protocol.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;
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
    pub args: Vec<(&'static str, Arg)>,
    pub kwargs: Map<String, Value>,
    pub context: Map<String, Value>,
}

/// The value of a positional argument.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Value(Value),
    /// Already encoded: the JSON text of a large argument, such as a page of partner
    /// values. A call may wait for one of the client's connection permits, and JSON text
    /// takes less memory than the same data as a [`Value`] tree.
    Encoded(Box<RawValue>),
}

impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Encoded(text) => text.serialize(serializer),
        }
    }
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
        self.args.push((name, Arg::Value(value.into())));
        self
    }

    /// Adds an argument encoded to JSON text now (see [`Arg::Encoded`]).
    pub fn encoded_arg(
        mut self,
        name: &'static str,
        value: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
        let text = serde_json::value::to_raw_value(value)?;

        self.args.push((name, Arg::Encoded(text)));
        Ok(self)
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
    /// positional arguments. The list borrows the call's values.
    pub fn positional(&self) -> Positional<'_> {
        Positional(self)
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

/// The positional arguments of a [`Call`] for JSON-RPC: the ids, when the method works
/// on records, then the arguments in order.
pub(crate) struct Positional<'a>(&'a Call);

impl Serialize for Positional<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let call = self.0;
        let mut list = serializer.serialize_seq(None)?;

        if let Some(ids) = &call.ids {
            list.serialize_element(ids)?;
        }
        for (_, value) in &call.args {
            list.serialize_element(value)?;
        }

        list.end()
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
        assert_eq!(
            serde_json::to_value(write_call().positional()).ok(),
            Some(json!([[4, 5], {"name": "Ana"}]))
        );
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
    fn encoded_argument_is_sent_as_given() {
        let values = json!([{"name": "Ana", "child_ids": [[0, 0, {"type": "delivery"}]]}]);
        let plain = Call::new("res.partner", "create").arg("vals_list", values.clone());
        let encoded = Call::new("res.partner", "create")
            .encoded_arg("vals_list", &values)
            .expect("encodable");

        assert!(matches!(encoded.args[0].1, Arg::Encoded(_)));
        assert_eq!(
            serde_json::to_string(&encoded.named()).ok(),
            serde_json::to_string(&plain.named()).ok()
        );
        assert_eq!(
            serde_json::to_value(encoded.positional()).ok(),
            Some(json!([values]))
        );
    }

    #[test]
    fn empty_context_is_left_out() {
        let call = Call::new("res.partner", "fields_get");

        assert_eq!(call.keyword(), json!({}));
        assert_eq!(serde_json::to_value(call.named()).ok(), Some(json!({})));
        assert_eq!(
            serde_json::to_value(call.positional()).ok(),
            Some(json!([]))
        );
    }
}
