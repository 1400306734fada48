//! The one JSON error shape that every function returns.
//!
//! Body: `{"error": {"code": "...", "message": "...", "field": "...", "details": {...}}}`,
//! where `field` and `details` appear only when they are set. The HTTP status follows
//! from the [`ErrorCode`], so a code never travels with a mismatched status.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;
use serde_json::Value;

/// Machine-readable error codes, serialised in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON, or is missing where one is required.
    InvalidJson,
    /// A body field, path parameter, query parameter or header has an invalid value.
    InvalidField,
    /// The instance, customer or job does not exist.
    NotFound,
    /// The route exists but not for this HTTP method.
    MethodNotAllowed,
    /// The request conflicts with the current state (link exists, email taken, job running).
    Conflict,
    /// The `Idempotency-Key` was already used with another body, or its first request is
    /// still running.
    IdempotencyKeyReused,
    /// The body is larger than the function accepts.
    PayloadTooLarge,
    /// Magento or Odoo rejected the data (the message is theirs), or a customer link is
    /// too large to store.
    Rejected,
    /// Magento, Odoo or an AWS service returned an error or an unreadable response.
    UpstreamError,
    /// Magento, Odoo or an AWS service is unavailable or throttling.
    UpstreamUnavailable,
    /// Magento, Odoo or an AWS service did not respond in time.
    UpstreamTimeout,
    /// A bug or a misconfiguration of this function; the log has the details.
    Internal,
}

impl ErrorCode {
    /// Returns the HTTP status that always goes with this code.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidJson | ErrorCode::InvalidField => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict | ErrorCode::IdempotencyKeyReused => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Rejected => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::UpstreamError => StatusCode::BAD_GATEWAY,
            ErrorCode::UpstreamUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error returned to the caller as a JSON response.
///
/// The message is shown to the caller as is, so it must never contain a secret, a
/// stack trace or `Debug` output of a library error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: &'a ApiError,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            details: None,
        }
    }

    /// Builds a 400 for an invalid value of the named field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidField, message).with_field(field)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// Builds a 500 whose message hides the cause. The cause, with its whole source chain,
    /// goes to the log so that the request id links the response to the details.
    pub fn internal(context: &str, error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error_chain(error), "{context}");
        Self::new(
            ErrorCode::Internal,
            format!("{context}; the function log has the details under this request id"),
        )
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// Builds the HTTP response: status from the code and the JSON error body.
    pub fn to_response(&self) -> Response<Body> {
        let body = serde_json::to_string(&ErrorEnvelope { error: self }).unwrap_or_else(|_| {
            r#"{"error":{"code":"internal","message":"failed to encode the error"}}"#.to_owned()
        });

        let mut response = Response::new(Body::Text(body));
        *response.status_mut() = self.status();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status().as_u16(), self.message)
    }
}

impl std::error::Error for ApiError {}

/// Joins an error and its sources with ": ", the way `anyhow` prints `{:#}`.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_json(response: &Response<Body>) -> Value {
        serde_json::from_slice(response.body().as_ref()).expect("error body is JSON")
    }

    #[test]
    fn response_has_code_message_and_field() {
        let response = ApiError::invalid_field("email", "email must contain @").to_response();

        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()[http::header::CONTENT_TYPE],
            "application/json"
        );
        assert_eq!(
            body_json(&response),
            serde_json::json!({"error": {
                "code": "invalid_field",
                "message": "email must contain @",
                "field": "email"
            }})
        );
    }

    #[test]
    fn response_omits_empty_field_and_details() {
        let response = ApiError::not_found("instance shop-1 not found").to_response();

        let body = body_json(&response);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(body["error"].get("field").is_none());
        assert!(body["error"].get("details").is_none());
    }

    #[test]
    fn codes_map_to_statuses() {
        let cases = [
            (ErrorCode::InvalidJson, 400),
            (ErrorCode::InvalidField, 400),
            (ErrorCode::NotFound, 404),
            (ErrorCode::MethodNotAllowed, 405),
            (ErrorCode::Conflict, 409),
            (ErrorCode::IdempotencyKeyReused, 409),
            (ErrorCode::PayloadTooLarge, 413),
            (ErrorCode::Rejected, 422),
            (ErrorCode::UpstreamError, 502),
            (ErrorCode::UpstreamUnavailable, 503),
            (ErrorCode::UpstreamTimeout, 504),
            (ErrorCode::Internal, 500),
        ];

        for (code, status) in cases {
            assert_eq!(code.status().as_u16(), status, "{code:?}");
        }
    }

    #[test]
    fn internal_hides_the_cause() {
        let cause = std::io::Error::other("password=hunter2 rejected");

        let error = ApiError::internal("failed to load the instance", &cause);

        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!error.message.contains("hunter2"));
        assert!(error.message.starts_with("failed to load the instance"));
    }

    #[test]
    fn chain_joins_sources() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer failed")]
        struct Outer(#[source] std::io::Error);

        let error = Outer(std::io::Error::other("inner cause"));

        assert_eq!(error_chain(&error), "outer failed: inner cause");
    }
}
