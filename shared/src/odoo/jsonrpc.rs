//! JSON-RPC transport (`POST /jsonrpc`), used on Odoo 17 and 18.
//!
//! Errors arrive with HTTP 200 in an `error` object whose `data.name` is the
//! Python exception. Its `code` is 200 or 0 depending on the build, so it is ignored.

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::call::Call;
use super::client::{Client, Target};
use super::error::{Error, Fault};

const PROTOCOL: &str = "jsonrpc";

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<RpcError>,
}

#[derive(Deserialize)]
struct RpcError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    data: Option<RpcErrorData>,
}

#[derive(Deserialize)]
struct RpcErrorData {
    #[serde(default)]
    name: String,
    #[serde(default)]
    message: String,
}

/// Calls `object.execute_kw` for `call` as user `uid`.
pub(crate) async fn execute_kw(
    client: &Client,
    uid: i64,
    call: &Call,
    attempt: u32,
) -> Result<Value, Error> {
    let config = client.config();
    // A tuple is encoded as a JSON list. It borrows the call's arguments, which may be
    // large, instead of copying them into a JSON tree.
    let args = (
        &config.database,
        uid,
        config.api_key.expose_secret(),
        call.model,
        call.method,
        call.positional(),
        call.keyword(),
    );

    let target = Target {
        protocol: PROTOCOL,
        model: call.model,
        method: call.method,
        attempt,
    };

    send(client, target, "object", "execute_kw", args).await
}

/// Calls `common.authenticate` and returns the uid. Odoo returns `false`
/// rather than an error when the login, database or key is wrong.
pub(crate) async fn authenticate(client: &Client, attempt: u32) -> Result<i64, Error> {
    let config = client.config();
    let args = json!([
        config.database,
        config.login,
        config.api_key.expose_secret(),
        {}
    ]);

    let target = Target {
        protocol: PROTOCOL,
        model: "common",
        method: "authenticate",
        attempt,
    };

    let result = send(client, target, "common", "authenticate", args).await?;

    match result {
        Value::Number(number) if number.as_i64().is_some_and(|uid| uid > 0) => {
            Ok(number.as_i64().unwrap_or_default())
        }
        Value::Bool(false) => Err(Error::AccessDenied {
            login: config.login.clone(),
            database: config.database.clone(),
            message: "authentication failed (common.authenticate returned false)".to_owned(),
        }),
        other => Err(Error::InvalidResponse {
            target: target.label(),
            detail: format!("expected a uid or false, got {other}"),
        }),
    }
}

/// Calls `common.version` and returns its result.
pub(crate) async fn server_version(client: &Client, attempt: u32) -> Result<Value, Error> {
    let target = Target {
        protocol: PROTOCOL,
        model: "common",
        method: "version",
        attempt,
    };

    send(client, target, "common", "version", json!([])).await
}

/// The body of a JSON-RPC request.
#[derive(Serialize)]
struct Request<'a, A> {
    jsonrpc: &'static str,
    method: &'static str,
    id: u64,
    params: Params<'a, A>,
}

/// The `params` of a JSON-RPC request: the service, its method and the arguments.
#[derive(Serialize)]
struct Params<'a, A> {
    service: &'a str,
    method: &'a str,
    args: A,
}

async fn send(
    client: &Client,
    target: Target<'_>,
    service: &str,
    method: &str,
    args: impl Serialize,
) -> Result<Value, Error> {
    let url = client.url("jsonrpc")?;
    let body = Request {
        jsonrpc: "2.0",
        method: "call",
        id: client.next_request_id(),
        params: Params {
            service,
            method,
            args,
        },
    };

    let response = client
        .send(target, || client.http().post(url).json(&body))
        .await?;
    if response.status != 200 {
        return Err(response.status_error(target));
    }

    let envelope: Envelope = response.json(target)?;

    match envelope.error {
        Some(error) => Err(fault_error(client, target, response.status, error)),
        // Odoo leaves `result` out when the method returned None.
        None => Ok(envelope.result.unwrap_or(Value::Null)),
    }
}

fn fault_error(client: &Client, target: Target<'_>, status: u16, error: RpcError) -> Error {
    let data = error.data.unwrap_or(RpcErrorData {
        name: String::new(),
        message: String::new(),
    });
    let message = if data.message.is_empty() {
        error.message
    } else {
        data.message
    };

    let fault = Fault {
        name: data.name,
        message,
        model: target.model.to_owned(),
        method: target.method.to_owned(),
        status,
    };

    let config = client.config();
    Error::from_fault(fault, &config.login, &config.database)
}
