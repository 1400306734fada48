//! Magento's REST error body: an unsubstituted message template plus `parameters`,
//! with `errors[]` when an input exception groups several messages.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// Message of an input exception that groups two or more errors.
pub const GROUPED_MESSAGE: &str = "One or more input exceptions have occurred.";
pub const REQUIRED_FIELD: &str = "\"%fieldName\" is required. Enter and try again.";
pub const INVALID_FIELD_VALUE: &str =
    "Invalid value of \"%value\" provided for the %fieldName field.";
pub const NOT_AUTHORIZED: &str = "The consumer isn't authorized to access %resources.";
pub const NO_SUCH_ENTITY: &str = "No such entity with %fieldName = %fieldValue";

/// One message with its placeholders' values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorMessage {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
}

impl ErrorMessage {
    pub fn new(message: impl Into<String>, parameters: Option<Value>) -> Self {
        ErrorMessage {
            message: message.into(),
            parameters,
        }
    }
}

/// An error response of the emulated API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: ErrorMessage,
    /// Grouped input errors; only sent when there are two or more.
    pub errors: Vec<ErrorMessage>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>, parameters: Option<Value>) -> Self {
        ApiError {
            status,
            message: ErrorMessage::new(message, parameters),
            errors: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>, parameters: Option<Value>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, parameters)
    }

    /// Builds an input exception from its messages: one message becomes the error
    /// itself, several are grouped under `errors`.
    pub fn input(mut messages: Vec<ErrorMessage>) -> Self {
        if messages.len() == 1 {
            let only = messages.remove(0);
            return ApiError {
                status: StatusCode::BAD_REQUEST,
                message: only,
                errors: Vec::new(),
            };
        }
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: ErrorMessage::new(GROUPED_MESSAGE, None),
            errors: messages,
        }
    }

    pub fn required(field: &str) -> Self {
        Self::bad_request(REQUIRED_FIELD, Some(json!({ "fieldName": field })))
    }

    pub fn not_authorized(resources: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            NOT_AUTHORIZED,
            Some(json!({ "resources": resources })),
        )
    }

    pub fn no_such_entity(field: &str, value: u64) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            NO_SUCH_ENTITY,
            Some(json!({ "fieldName": field, "fieldValue": value })),
        )
    }

    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request does not match any route.",
            None,
        )
    }

    pub fn decoding() -> Self {
        Self::bad_request("Decoding error.", None)
    }

    /// Builds the error for a value that does not convert to the declared scalar type;
    /// inside an object the field name prefixes the message.
    pub fn wrong_type(value: &str, expected: &str, field: Option<&str>) -> Self {
        let detail = format!(
            "The \"{value}\" value's type is invalid. The \"{expected}\" type was expected. Verify and try again."
        );
        let message = match field {
            Some(field) => format!("Error occurred during \"{field}\" processing. {detail}"),
            None => detail,
        };
        Self::bad_request(message, None)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::to_value(&self.message).unwrap_or_else(|_| json!({}));

        if !self.errors.is_empty()
            && let Some(object) = body.as_object_mut()
        {
            let errors = serde_json::to_value(&self.errors).unwrap_or_else(|_| json!([]));
            object.insert("errors".to_string(), errors);
        }
        (self.status, Json(body)).into_response()
    }
}
