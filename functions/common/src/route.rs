//! Path parameters for events that carry only the raw path.
//!
//! API Gateway HTTP APIs match the route template and send `pathParameters`. A Lambda
//! function URL sends only the raw path, and so does `cargo lambda watch`, which
//! emulates one (cargo-lambda 1.9 strips its `/lambda-url/<function>` prefix first,
//! but a caller may still send it). Matching the raw path against the function's
//! route templates gives handlers the same parameters in every case.

use std::collections::HashMap;

use lambda_http::{Request, RequestExt};

/// The prefix of `cargo lambda watch` function URLs: `/lambda-url/<function>/...`.
const FUNCTION_URL_PREFIX: &str = "lambda-url";

/// Returns `request` with path parameters taken from its path when it has none.
///
/// `templates` are the function's routes as in template.yaml, such as
/// `/instances/{instance_id}`. A path that matches no template leaves the request
/// unchanged, so the handler answers it as it would answer an unknown route.
pub fn with_path_parameters(request: Request, templates: &[&str]) -> Request {
    let has_parameters = request
        .path_parameters_ref()
        .is_some_and(|parameters| parameters.iter().next().is_some());
    if has_parameters {
        return request;
    }

    let path = request.uri().path().to_owned();
    match templates
        .iter()
        .find_map(|template| match_template(template, &path))
    {
        Some(parameters) if !parameters.is_empty() => request.with_path_parameters(parameters),
        _ => request,
    }
}

/// Returns the parameters of `path` when it matches `template`, segment by segment.
fn match_template(template: &str, path: &str) -> Option<HashMap<String, String>> {
    let template: Vec<&str> = segments(template).collect();
    let mut path: Vec<&str> = segments(path).collect();
    if path.first() == Some(&FUNCTION_URL_PREFIX) && path.len() >= 2 {
        path.drain(..2);
    }
    if template.len() != path.len() {
        return None;
    }

    let mut parameters = HashMap::new();
    for (expected, actual) in template.iter().zip(&path) {
        match expected
            .strip_prefix('{')
            .and_then(|name| name.strip_suffix('}'))
        {
            Some(name) => {
                parameters.insert(name.to_owned(), (*actual).to_owned());
            }
            None if expected == actual => {}
            None => return None,
        }
    }
    Some(parameters)
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    const ROUTES: [&str; 2] = [
        "/instances/{instance_id}/customers",
        "/instances/{instance_id}/customers/{magento_id}",
    ];

    fn request(path: &str) -> Request {
        let mut request = Request::new(Body::Empty);
        *request.uri_mut() = path.parse().expect("a valid test path");
        request
    }

    fn parameter(request: &Request, name: &str) -> Option<String> {
        request
            .path_parameters_ref()
            .and_then(|parameters| parameters.first(name))
            .map(str::to_owned)
    }

    #[test]
    fn route_parameters_from_raw_path() {
        let request = with_path_parameters(request("/instances/shop-1/customers/42"), &ROUTES);

        assert_eq!(
            parameter(&request, "instance_id").as_deref(),
            Some("shop-1")
        );
        assert_eq!(parameter(&request, "magento_id").as_deref(), Some("42"));
    }

    #[test]
    fn route_parameters_after_watch_prefix() {
        let request = with_path_parameters(
            request("/lambda-url/customers/instances/shop-1/customers"),
            &ROUTES,
        );

        assert_eq!(
            parameter(&request, "instance_id").as_deref(),
            Some("shop-1")
        );
        assert_eq!(parameter(&request, "magento_id"), None);
    }

    #[test]
    fn route_parameters_keep_gateway_values() {
        let gateway = request("/instances/shop-1/customers/42").with_path_parameters(
            HashMap::from([("instance_id".to_owned(), "from-gateway".to_owned())]),
        );

        let request = with_path_parameters(gateway, &ROUTES);

        assert_eq!(
            parameter(&request, "instance_id").as_deref(),
            Some("from-gateway")
        );
    }

    #[test]
    fn route_parameters_unknown_path() {
        let request = with_path_parameters(request("/instances/shop-1/orders/42"), &ROUTES);

        assert_eq!(parameter(&request, "instance_id"), None);
    }
}
