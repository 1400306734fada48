//! `GET /doc-bearer/<model>.json`: the model description that odoo-client-lib
//! reads in json2 mode to map positional arguments to names. It reads
//! `methods.<name>.parameters` (in order) and `methods.<name>.api`, where
//! "model" marks methods that take no ids.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use super::json2::{authenticate, check_database, not_found_html};
use super::methods;
use super::models;
use super::server::AppState;

/// A JSON object that keeps its keys in insertion order, because clients
/// bind positional arguments in the order of `parameters`.
struct Ordered(Vec<(&'static str, Value)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct MethodDoc {
    api: Vec<&'static str>,
    parameters: Ordered,
}

#[derive(serde::Serialize)]
struct ModelDoc {
    model: String,
    name: &'static str,
    fields: Value,
    methods: std::collections::BTreeMap<&'static str, MethodDoc>,
}

pub async fn handle(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !state.version.has_json2() {
        return not_found_html();
    }
    if let Err(response) = check_database(&state, &headers) {
        return *response;
    }
    if let Err(response) = authenticate(&state, &headers) {
        return *response;
    }

    let Some(model_name) = file.strip_suffix(".json") else {
        return not_found_html();
    };
    let Some(model) = models::get(model_name, state.version) else {
        return not_found_html();
    };

    let fields: serde_json::Map<String, Value> = model
        .fields(state.version)
        .iter()
        .map(|field| (field.name.to_string(), field.describe(None)))
        .collect();

    let methods = methods::signatures(model_name, state.version)
        .into_iter()
        .map(|signature| {
            let parameters = signature
                .params
                .iter()
                .map(|param| (param.name, json!({"required": param.required})))
                .collect();
            let api = if signature.model_api {
                vec!["model"]
            } else {
                Vec::new()
            };
            (
                signature.name,
                MethodDoc {
                    api,
                    parameters: Ordered(parameters),
                },
            )
        })
        .collect();

    Json(ModelDoc {
        model: model_name.to_string(),
        name: model.description(),
        fields: Value::Object(fields),
        methods,
    })
    .into_response()
}
