//! Path and query string parameters, with errors that name the parameter.

use std::str::FromStr;

use lambda_http::{Request, RequestExt};

use crate::error::ApiError;

/// Returns a path parameter that API Gateway extracted from the route template.
///
/// A missing parameter means the route and the template disagree, which the caller
/// cannot fix, but it is still returned as a 400 naming the parameter instead of a panic.
pub fn path_parameter(request: &Request, name: &str) -> Result<String, ApiError> {
    let value = request
        .path_parameters_ref()
        .and_then(|parameters| parameters.first(name))
        .map(str::trim)
        .unwrap_or_default();

    if value.is_empty() {
        return Err(ApiError::invalid_field(
            name,
            format!("path parameter {name} is missing"),
        ));
    }
    Ok(value.to_owned())
}

/// Parses a path parameter, e.g. a numeric Magento customer id.
pub fn parse_path_parameter<T: FromStr>(
    request: &Request,
    name: &str,
    expected: &str,
) -> Result<T, ApiError> {
    let raw = path_parameter(request, name)?;
    raw.parse().map_err(|_| {
        ApiError::invalid_field(
            name,
            format!("path parameter {name} must be {expected}, got {raw:?}"),
        )
    })
}

/// Returns a query string parameter, `None` when absent or empty.
pub fn query_parameter(request: &Request, name: &str) -> Option<String> {
    request
        .query_string_parameters_ref()
        .and_then(|parameters| parameters.first(name))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// Parses an optional query string parameter.
pub fn parse_query_parameter<T: FromStr>(
    request: &Request,
    name: &str,
    expected: &str,
) -> Result<Option<T>, ApiError> {
    let Some(raw) = query_parameter(request, name) else {
        return Ok(None);
    };
    raw.parse().map(Some).map_err(|_| {
        ApiError::invalid_field(
            name,
            format!("query parameter {name} must be {expected}, got {raw:?}"),
        )
    })
}

/// Returns a header as text, `None` when absent, empty or not visible ASCII.
pub fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;
    use std::collections::HashMap;

    fn request_with_path(name: &str, value: &str) -> Request {
        Request::new(Body::Empty)
            .with_path_parameters(HashMap::from([(name.to_owned(), value.to_owned())]))
    }

    #[test]
    fn path_parameter_present() {
        let request = request_with_path("instance_id", "shop-1");

        assert_eq!(
            path_parameter(&request, "instance_id").ok().as_deref(),
            Some("shop-1")
        );
    }

    #[test]
    fn path_parameter_missing() {
        let error = path_parameter(&Request::new(Body::Empty), "instance_id").expect_err("missing");

        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(error.field.as_deref(), Some("instance_id"));
        assert_eq!(error.message, "path parameter instance_id is missing");
    }

    #[test]
    fn path_parameter_not_a_number() {
        let request = request_with_path("magento_id", "abc");

        let error = parse_path_parameter::<u64>(&request, "magento_id", "a positive integer")
            .expect_err("not a number");

        assert_eq!(error.field.as_deref(), Some("magento_id"));
        assert_eq!(
            error.message,
            "path parameter magento_id must be a positive integer, got \"abc\""
        );
    }

    #[test]
    fn query_parameter_parsed() {
        let request = Request::new(Body::Empty)
            .with_query_string_parameters(HashMap::from([("limit".to_owned(), "25".to_owned())]));

        let limit = parse_query_parameter::<u32>(&request, "limit", "an integer").expect("valid");

        assert_eq!(limit, Some(25));
        assert_eq!(query_parameter(&request, "email"), None);
    }
}
