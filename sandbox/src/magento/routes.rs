//! Request routing for `/rest[/<store_code>]/V1/...`, done by hand because Magento
//! matches the route before it checks the ACL and converts path parameters, and
//! rejects every unmatched path or method with one message.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::{self, Caller};
use super::errors::ApiError;
use super::oauth::OAuthRequest;
use super::state::{AppState, STORES, Store, store_by_code};
use super::{addresses, customers, directory, search};

/// A matched route with its path parameter.
#[derive(Debug)]
enum Route {
    Search,
    SelfService,
    GetAddress(String),
    GetCustomer(String),
    CreateCustomer,
    UpdateCustomer(String),
    DeleteCustomer(String),
    ListCountries,
    GetCountry(String),
    AdminToken,
}

/// Matches a route, returning it with its counter pattern and the ACL resource it needs.
fn match_route(
    method: &Method,
    segments: &[&str],
) -> Option<(Route, &'static str, Option<&'static str>)> {
    const CUSTOMER: Option<&str> = Some("Magento_Customer::customer");
    const MANAGE: Option<&str> = Some("Magento_Customer::manage");

    let matched = match (method.as_str(), segments) {
        ("GET", ["customers", "search"]) => (Route::Search, "GET /V1/customers/search", CUSTOMER),
        ("GET", ["customers", "me"]) => (Route::SelfService, "GET /V1/customers/me", Some("self")),
        ("PUT", ["customers", "me"]) => (Route::SelfService, "PUT /V1/customers/me", Some("self")),
        ("GET", ["customers", "addresses", id]) => (
            Route::GetAddress(id.to_string()),
            "GET /V1/customers/addresses/:addressId",
            MANAGE,
        ),
        ("GET", ["customers", id]) => (
            Route::GetCustomer(id.to_string()),
            "GET /V1/customers/:customerId",
            CUSTOMER,
        ),
        ("POST", ["customers"]) => (Route::CreateCustomer, "POST /V1/customers", None),
        ("PUT", ["customers", id]) => (
            Route::UpdateCustomer(id.to_string()),
            "PUT /V1/customers/:id",
            MANAGE,
        ),
        ("DELETE", ["customers", id]) => (
            Route::DeleteCustomer(id.to_string()),
            "DELETE /V1/customers/:customerId",
            MANAGE,
        ),
        ("GET", ["directory", "countries"]) => {
            (Route::ListCountries, "GET /V1/directory/countries", None)
        }
        ("GET", ["directory", "countries", id]) => (
            Route::GetCountry(id.to_string()),
            "GET /V1/directory/countries/:countryId",
            None,
        ),
        ("POST", ["integration", "admin", "token"]) => {
            (Route::AdminToken, "POST /V1/integration/admin/token", None)
        }
        _ => return None,
    };
    Some(matched)
}

/// Splits `/rest[/<store>]/V1/<rest>` into the store and the segments after `V1`.
/// `all` maps to the default store view for writes, as the admin scope would.
fn split_path(path: &str) -> Result<(Store, bool, Vec<&str>), ApiError> {
    let rest = path.strip_prefix("/rest/").ok_or_else(ApiError::no_route)?;
    let mut segments: Vec<&str> = rest.split('/').collect();
    if segments.last() == Some(&"") {
        segments.pop();
    }

    let (store_code, after) = match segments.as_slice() {
        ["V1", after @ ..] => ("default", after.to_vec()),
        [code, "V1", after @ ..] => (*code, after.to_vec()),
        _ => return Err(ApiError::no_route()),
    };

    if store_code == "all" {
        return Ok((STORES[0], true, after));
    }
    let store = store_by_code(store_code).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "The store that was requested wasn't found. Verify the store and try again.",
            None,
        )
    })?;
    Ok((store, false, after))
}

fn parse_id(text: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::wrong_type(text, "int", None))
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    {
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::bad_request(
                "Server cannot understand Content-Type HTTP header media type %1",
                Some(json!([media_type])),
            ));
        }
    }

    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(ApiError::decoding()),
    }
}

/// Handles every `/rest/...` request.
pub async fn dispatch(
    State(state): State<Arc<AppState>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match route_request(&state, &method, &uri, &headers, &body) {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.into_response(),
    }
}

fn route_request(
    state: &AppState,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Value, ApiError> {
    let (store, all_stores, segments) = split_path(uri.path())?;
    let (route, pattern, resource) =
        match_route(method, &segments).ok_or_else(ApiError::no_route)?;
    state.stats.record(pattern);

    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    let origin = format!("http://{host}");
    let oauth_request = OAuthRequest {
        method: method.as_str(),
        origin: &origin,
        path: uri.path(),
        query: uri.query().unwrap_or_default(),
    };
    let caller = auth::identify(state, headers, oauth_request)?;

    if let Some(resource) = resource
        && (caller == Caller::Guest || resource == "self")
    {
        return Err(ApiError::not_authorized(resource));
    }
    if all_stores && method == Method::GET {
        return Err(ApiError::bad_request(
            "Cannot perform GET operation with store code 'all'",
            None,
        ));
    }

    match route {
        Route::Search => search::search(state, uri.query().unwrap_or_default()),
        Route::SelfService => Err(ApiError::not_authorized("self")),
        Route::GetAddress(id) => addresses::get_address(state, parse_id(&id)?),
        Route::GetCustomer(id) => customers::get(state, parse_id(&id)?),
        Route::CreateCustomer => {
            customers::create(state, caller, store, &parse_body(headers, body)?)
        }
        Route::UpdateCustomer(id) => {
            let id = parse_id(&id)?;
            customers::update(state, id, &parse_body(headers, body)?)
        }
        Route::DeleteCustomer(id) => customers::delete(state, parse_id(&id)?),
        Route::ListCountries => Ok(directory::list_countries(state)),
        Route::GetCountry(id) => directory::get_country(state, &id),
        Route::AdminToken => auth::admin_token(state, &parse_body(headers, body)?),
    }
}
