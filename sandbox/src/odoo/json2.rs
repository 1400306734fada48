//! `POST /json/2/<model>/<method>` (Odoo 19): a bearer API key, a JSON
//! object of named arguments with the reserved `ids` and `context` keys, a
//! bare JSON result, and errors as HTTP statuses.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::auth::{self, User};
use super::context::Context;
use super::errors::{OdooError, werkzeug_body};
use super::methods::{self, parse_ids};
use super::orm::{self, Call};
use super::server::{AppState, log_call};

pub async fn handle(
    State(state): State<AppState>,
    Path((model, method)): Path<(String, String)>,
    verb: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let key = format!("{model}.{method}");
    state.stats.record(&key);

    let response = match run(&state, &model, &method, &verb, &headers, &body) {
        Ok(result) => Json(result).into_response(),
        Err(response) => *response,
    };
    log_call("json2", &key, response.status().as_str(), started);
    response
}

fn run(
    state: &AppState,
    model: &str,
    method: &str,
    verb: &Method,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Value, Box<Response>> {
    if !state.version.has_json2() {
        return Err(Box::new(not_found_html()));
    }
    check_database(state, headers)?;
    if verb != Method::POST {
        let mut response = werkzeug_error(
            "MethodNotAllowed",
            "The method is not allowed for the requested URL.",
            StatusCode::METHOD_NOT_ALLOWED,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return Err(Box::new(response));
    }
    check_content_type(headers)?;
    let user = authenticate(state, headers)?;

    let parsed: Value = serde_json::from_slice(body)
        .map_err(|error| {
            werkzeug_error(
                "BadRequest",
                &format!("could not parse the body as json: {error}"),
                StatusCode::BAD_REQUEST,
            )
        })
        .map_err(Box::new)?;
    let Value::Object(mut named) = parsed else {
        return Err(Box::new(werkzeug_error(
            "BadRequest",
            "could not parse the body, a JSON object was expected",
            StatusCode::BAD_REQUEST,
        )));
    };

    let mut db = state.lock();
    let (found, signature) = orm::resolve(&db, model, method).map_err(rejected)?;

    let ids = named.remove("ids");
    if signature.model_api && ids.is_some() {
        return Err(Box::new(odoo_error(OdooError::Signature(format!(
            "cannot call {model}.{method} with ids"
        )))));
    }
    let ids = match ids {
        Some(ids) => parse_ids(&ids).map_err(rejected)?,
        None => Vec::new(),
    };
    let context = match named.remove("context") {
        Some(Value::Object(values)) => values,
        _ => Map::new(),
    };

    let bound = methods::bind(model, &signature, &[], &named).map_err(rejected)?;
    let call = Call {
        model: found,
        method: signature.name,
        ids,
        args: bound,
        context: Context::new(user.uid, context),
    };
    orm::execute(&mut db, &call).map_err(rejected)
}

/// Finds the user of the bearer key, or builds the 401 response with
/// `WWW-Authenticate: bearer`.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<User, Box<Response>> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let Some((scheme, key)) = authorization.and_then(|value| value.trim().split_once(' ')) else {
        return Err(Box::new(unauthorized(
            "User not authenticated, use an API Key with a Bearer Authorization header.",
        )));
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Box::new(unauthorized(
            "User not authenticated, use an API Key with a Bearer Authorization header.",
        )));
    }

    let db = state.lock();
    auth::user_for_key(&db.users, key.trim())
        .cloned()
        .ok_or_else(|| Box::new(unauthorized("Invalid apikey")))
}

/// Checks `X-Odoo-Database`. A single-database server ignores a missing
/// header, but a name it does not serve finds no database (HTML 404).
pub fn check_database(state: &AppState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(requested) = headers
        .get("x-odoo-database")
        .and_then(|value| value.to_str().ok())
    else {
        return Ok(());
    };
    if requested == state.lock().config.name {
        return Ok(());
    }
    Err(Box::new(not_found_html()))
}

fn check_content_type(headers: &HeaderMap) -> Result<(), Box<Response>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") {
        return Ok(());
    }
    Err(Box::new(werkzeug_error(
        "UnsupportedMediaType",
        &format!("Unsupported Media Type: {content_type:?}, expected application/json"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )))
}

fn unauthorized(message: &str) -> Response {
    let mut response = werkzeug_error("Unauthorized", message, StatusCode::UNAUTHORIZED);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("bearer"));
    response
}

fn werkzeug_error(class: &str, message: &str, status: StatusCode) -> Response {
    (status, Json(werkzeug_body(class, message, status.as_u16()))).into_response()
}

fn rejected(error: OdooError) -> Box<Response> {
    Box::new(odoo_error(error))
}

fn odoo_error(error: OdooError) -> Response {
    (error.json2_status(), Json(error.json2_body())).into_response()
}

/// Builds the HTML 404 that Odoo sends when no database or route matches.
pub fn not_found_html() -> Response {
    let page = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n\
                <p>The requested URL was not found on the server.</p>\n";
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}
