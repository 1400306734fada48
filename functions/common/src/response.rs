//! JSON success responses.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::error::{ApiError, ErrorCode};

/// Builds a JSON response. A value that fails to serialise is a bug, returned as a 500.
pub fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_string(value) {
        Ok(text) => {
            let mut response = Response::new(Body::Text(text));
            *response.status_mut() = status;
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(error) => {
            ApiError::internal("failed to encode the response body", &error).to_response()
        }
    }
}

/// Turns a handler result into the response the runtime returns.
///
/// Every `ApiError`, including bad input, becomes an `Ok` response: an `Err` would reach
/// the Lambda runtime, which then sends API Gateway a bare 502 without a body.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    match result {
        Ok(response) => response,
        Err(error) => {
            log_error(&error);
            error.to_response()
        }
    }
}

/// Logs one line per error response: warnings for caller mistakes, errors for the rest.
fn log_error(error: &ApiError) {
    let status = error.status().as_u16();
    match error.code {
        ErrorCode::Internal
        | ErrorCode::UpstreamError
        | ErrorCode::UpstreamUnavailable
        | ErrorCode::UpstreamTimeout => {
            tracing::error!(status, code = ?error.code, message = %error.message, "request failed");
        }
        _ => {
            tracing::warn!(status, code = ?error.code, message = %error.message, field = ?error.field, "request rejected");
        }
    }
}

/// Builds the 405 error for a method that the route does not serve.
pub fn method_not_allowed(method: &http::Method, path: &str) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{method} is not supported on {path}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_response_sets_status_and_type() {
        let response = json_response(StatusCode::CREATED, &serde_json::json!({"id": 7}));

        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(
            response.headers()[http::header::CONTENT_TYPE],
            "application/json"
        );
        assert_eq!(response.body().as_ref(), br#"{"id":7}"#);
    }

    #[test]
    fn respond_turns_error_into_response() {
        let response = respond(Err(ApiError::conflict("customer 5 is already linked")));

        assert_eq!(response.status(), StatusCode::CONFLICT);
    }
}
