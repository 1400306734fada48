//! Method signatures and argument binding. JSON-RPC passes positional
//! arguments plus keyword arguments, JSON-2 only named ones; both are bound
//! to parameter names here so that one implementation serves both. The same
//! table feeds the `/doc-bearer/<model>.json` introspection.

use serde_json::{Map, Value};

use super::errors::OdooError;
use super::version::OdooVersion;

#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub required: bool,
}

const fn required(name: &'static str) -> Param {
    Param {
        name,
        required: true,
    }
}

const fn optional(name: &'static str) -> Param {
    Param {
        name,
        required: false,
    }
}

/// A public method: `model_api` methods (`@api.model`) take no ids.
#[derive(Debug, Clone)]
pub struct Signature {
    pub name: &'static str,
    pub model_api: bool,
    pub params: Vec<Param>,
}

/// Lists the methods that every model in the sandbox accepts.
pub fn signatures(model: &str, version: OdooVersion) -> Vec<Signature> {
    let model_method = |name, params: Vec<Param>| Signature {
        name,
        model_api: true,
        params,
    };
    let record_method = |name, params: Vec<Param>| Signature {
        name,
        model_api: false,
        params,
    };

    let mut list = vec![
        model_method(
            "search",
            vec![
                required("domain"),
                optional("offset"),
                optional("limit"),
                optional("order"),
            ],
        ),
        model_method(
            "search_read",
            vec![
                optional("domain"),
                optional("fields"),
                optional("offset"),
                optional("limit"),
                optional("order"),
            ],
        ),
        model_method("search_count", vec![required("domain"), optional("limit")]),
        record_method("read", vec![optional("fields"), optional("load")]),
        model_method("create", vec![required("vals_list")]),
        model_method("load", vec![required("fields"), required("data")]),
        record_method("write", vec![required("vals")]),
        record_method("unlink", vec![]),
        model_method(
            "name_search",
            vec![
                optional("name"),
                optional(version.name_search_domain_param()),
                optional("operator"),
                optional("limit"),
            ],
        ),
        model_method(
            "fields_get",
            vec![optional("allfields"), optional("attributes")],
        ),
    ];
    if model == "res.users" {
        list.push(model_method("context_get", vec![]));
    }
    list
}

pub fn find(model: &str, method: &str, version: OdooVersion) -> Option<Signature> {
    signatures(model, version)
        .into_iter()
        .find(|signature| signature.name == method)
}

/// Binds positional then keyword arguments to parameter names, with the
/// errors Python's call machinery raises.
pub fn bind(
    model: &str,
    signature: &Signature,
    positional: &[Value],
    keywords: &Map<String, Value>,
) -> Result<Map<String, Value>, OdooError> {
    let qualified = format!("{model}.{}()", signature.name);

    if positional.len() > signature.params.len() {
        return Err(OdooError::Signature(format!(
            "{qualified} takes {} positional arguments but {} were given",
            signature.params.len(),
            positional.len()
        )));
    }

    let mut bound = Map::new();
    for (param, value) in signature.params.iter().zip(positional) {
        bound.insert(param.name.to_string(), value.clone());
    }

    for (name, value) in keywords {
        if !signature.params.iter().any(|param| param.name == name) {
            return Err(OdooError::Signature(format!(
                "{qualified} got an unexpected keyword argument '{name}'"
            )));
        }
        if bound.contains_key(name) {
            return Err(OdooError::Signature(format!(
                "{qualified} got multiple values for argument '{name}'"
            )));
        }
        bound.insert(name.clone(), value.clone());
    }

    if let Some(missing) = signature
        .params
        .iter()
        .find(|param| param.required && !bound.contains_key(param.name))
    {
        return Err(OdooError::Signature(format!(
            "missing a required argument: '{}'",
            missing.name
        )));
    }
    Ok(bound)
}

/// Reads an id list from `ids`: one id or a list of ids.
pub fn parse_ids(value: &Value) -> Result<Vec<i64>, OdooError> {
    match value {
        Value::Number(_) => value
            .as_i64()
            .map(|id| vec![id])
            .ok_or_else(|| OdooError::TypeError(format!("Invalid record id: {value}"))),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_i64()
                    .ok_or_else(|| OdooError::TypeError(format!("Invalid record id: {item}")))
            })
            .collect(),
        Value::Null | Value::Bool(false) => Ok(Vec::new()),
        other => Err(OdooError::TypeError(format!("Invalid record ids: {other}"))),
    }
}
