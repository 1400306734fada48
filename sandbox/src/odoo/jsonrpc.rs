//! `POST /jsonrpc`: the `common`, `object` and `db` services in Odoo's
//! JSON-RPC envelope. Errors travel at HTTP 200 inside the envelope; only a
//! body that is not JSON or has no `params` object gets an HTTP 400.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth;
use super::context::Context;
use super::errors::OdooError;
use super::methods::{self, parse_ids};
use super::orm::{self, Call};
use super::server::{AppState, log_call};

pub async fn handle(State(state): State<AppState>, body: Bytes) -> Response {
    let started = Instant::now();

    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "Invalid JSON data").into_response();
    };
    let Some(params) = request.get("params").and_then(Value::as_object) else {
        return (StatusCode::BAD_REQUEST, "Invalid JSON-RPC data").into_response();
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);

    let service = params
        .get("service")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let method = params
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let empty = Vec::new();
    let args = params
        .get("args")
        .and_then(Value::as_array)
        .unwrap_or(&empty);

    let (key, outcome) = dispatch(&state, service, method, args);
    state.stats.record(&key);

    let version = state.version;
    let (status_text, envelope) = match outcome {
        Ok(Value::Null) => ("ok".to_string(), json!({"jsonrpc": "2.0", "id": id})),
        Ok(result) => (
            "ok".to_string(),
            json!({"jsonrpc": "2.0", "id": id, "result": result}),
        ),
        Err(error) => (
            error.rpc_name().to_string(),
            json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": {"code": version.rpc_error_code(), "message": "Odoo Server Error", "data": error.rpc_data()},
            }),
        ),
    };
    log_call("jsonrpc", &key, &status_text, started);
    Json(envelope).into_response()
}

/// Returns the stats key (`common.login`, `res.partner.write`) and the result.
fn dispatch(
    state: &AppState,
    service: &str,
    method: &str,
    args: &[Value],
) -> (String, Result<Value, OdooError>) {
    match service {
        "common" => (format!("common.{method}"), common(state, method, args)),
        "db" => (format!("db.{method}"), db_service(state, method)),
        "object" => object(state, method, args),
        other => (
            format!("{other}.{method}"),
            Err(OdooError::NameError(format!("Unknown service '{other}'"))),
        ),
    }
}

fn arg_str(args: &[Value], index: usize) -> &str {
    args.get(index).and_then(Value::as_str).unwrap_or_default()
}

fn common(state: &AppState, method: &str, args: &[Value]) -> Result<Value, OdooError> {
    match method {
        "version" => Ok(json!({
            "server_version": state.version.serie(),
            "server_version_info": state.version.version_info(),
            "server_serie": state.version.serie(),
            "protocol_version": 1,
        })),
        "login" | "authenticate" => {
            let db = state.lock();
            if arg_str(args, 0) != db.config.name {
                return Err(OdooError::DatabaseNotFound(arg_str(args, 0).to_string()));
            }
            let uid = auth::authenticate(&db.users, arg_str(args, 1), arg_str(args, 2));
            Ok(uid.map(Value::from).unwrap_or(Value::Bool(false)))
        }
        other => Err(OdooError::NameError(format!(
            "Method not available {other}"
        ))),
    }
}

fn db_service(state: &AppState, method: &str) -> Result<Value, OdooError> {
    match method {
        "list" => Ok(json!([state.lock().config.name])),
        "server_version" => Ok(json!(state.version.serie())),
        other => Err(OdooError::NameError(format!(
            "Method not available {other}"
        ))),
    }
}

/// `execute_kw(db, uid, key, model, method, args, kwargs?)` and
/// `execute(db, uid, key, model, method, *args)`.
fn object(state: &AppState, method: &str, args: &[Value]) -> (String, Result<Value, OdooError>) {
    let model = arg_str(args, 3).to_string();
    let model_method = arg_str(args, 4).to_string();
    let key = if model.is_empty() {
        format!("object.{method}")
    } else {
        format!("{model}.{model_method}")
    };

    let (positional, keywords) = match method {
        "execute_kw" => (
            args.get(5)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            args.get(6)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        ),
        "execute" => (
            args.get(5..).map(<[Value]>::to_vec).unwrap_or_default(),
            Map::new(),
        ),
        other => {
            return (
                key,
                Err(OdooError::NameError(format!(
                    "Method not available {other}"
                ))),
            );
        }
    };

    let mut db = state.lock();
    let outcome = (|| {
        if arg_str(args, 0) != db.config.name {
            return Err(OdooError::DatabaseNotFound(arg_str(args, 0).to_string()));
        }
        let uid = args
            .get(1)
            .and_then(Value::as_i64)
            .ok_or_else(OdooError::access_denied)?;
        auth::check_uid(&db.users, uid, arg_str(args, 2))?;

        let (found, signature) = orm::resolve(&db, &model, &model_method)?;
        let mut keywords = keywords;
        let context = match keywords.remove("context") {
            Some(Value::Object(values)) => values,
            _ => Map::new(),
        };

        let (ids, rest) = if signature.model_api {
            (Vec::new(), positional.as_slice())
        } else {
            let ids = positional.first().ok_or_else(|| {
                OdooError::TypeError(format!(
                    "{model}.{model_method}() is missing the record ids argument"
                ))
            })?;
            (parse_ids(ids)?, &positional[1..])
        };
        let bound = methods::bind(&model, &signature, rest, &keywords)?;
        let single_create =
            signature.name == "create" && bound.get("vals_list").is_some_and(Value::is_object);

        let call = Call {
            model: found,
            method: signature.name,
            ids,
            args: bound,
            context: Context::new(uid, context),
        };
        let result = orm::execute(&mut db, &call)?;

        // RPC returns an int when create got one dict.
        if single_create {
            return Ok(result.get(0).cloned().unwrap_or(Value::Bool(false)));
        }
        Ok(result)
    })();
    (key, outcome)
}
