//! The list and form routes.

use functions_common::params::parse_query_parameter;
use functions_common::response::method_not_allowed;
use functions_common::{
    ApiError, json_response, parse_path_parameter, path_parameter, query_parameter,
};
use http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use shared::store::{DEFAULT_PAGE_SIZE, LinkFilter, MAX_PAGE_SIZE, MatchMode, SearchField};

use crate::App;
use crate::view::{CustomerDetail, CustomerSummary};

pub async fn route(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let has_customer = request
        .path_parameters_ref()
        .is_some_and(|parameters| parameters.first("magento_id").is_some());

    match (request.method(), has_customer) {
        (&Method::GET, false) => list(app, request).await,
        (&Method::GET, true) => get(app, request).await,
        (method, _) => Err(method_not_allowed(method, request.uri().path())),
    }
}

async fn list(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let instance_id = path_parameter(request, "instance_id")?;
    let limit = page_size(request)?;
    let filter = link_filter(request)?;
    let cursor = query_parameter(request, "cursor");

    // An unknown instance is a 404, not an empty page.
    app.store.get_instance(&instance_id).await?;
    let page = app
        .store
        .list_links(&instance_id, filter.as_ref(), limit, cursor.as_deref())
        .await?;

    let customers: Vec<CustomerSummary> = page.links.iter().map(CustomerSummary::from).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "customers": customers, "next_cursor": page.next_cursor }),
    ))
}

async fn get(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let instance_id = path_parameter(request, "instance_id")?;
    let magento_id: u64 = parse_path_parameter(request, "magento_id", "a positive integer")?;

    app.store.get_instance(&instance_id).await?;
    let link = app.store.get_link(&instance_id, magento_id)
    .await?
    .ok_or_else(|| {
        ApiError::not_found(format!(
            "Magento customer {magento_id} of instance {instance_id} is not linked; pull it first"
        ))
    })?;

    Ok(json_response(StatusCode::OK, &CustomerDetail::from(&link)))
}

fn page_size(request: &Request) -> Result<u32, ApiError> {
    let limit: u32 =
        parse_query_parameter(request, "limit", "an integer")?.unwrap_or(DEFAULT_PAGE_SIZE);

    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}"),
        ));
    }
    Ok(limit)
}

/// Email filters match the start of the address, name filters any part of the name.
fn link_filter(request: &Request) -> Result<Option<LinkFilter>, ApiError> {
    let email = query_parameter(request, "email");
    let name = query_parameter(request, "name");

    match (email, name) {
        (Some(_), Some(_)) => Err(ApiError::invalid_field(
            "name",
            "filter by email or by name, not both in one request",
        )),
        (Some(text), None) => Ok(Some(LinkFilter {
            field: SearchField::Email,
            mode: MatchMode::Prefix,
            text,
        })),
        (None, Some(text)) => Ok(Some(LinkFilter {
            field: SearchField::Name,
            mode: MatchMode::Substring,
            text,
        })),
        (None, None) => Ok(None),
    }
}
