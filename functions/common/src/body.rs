//! JSON request bodies: a size limit, then typed parsing that names the invalid field.

use lambda_http::{Body, Request};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// The largest body any route accepts. A customer form with addresses fits in a few
/// kilobytes, so anything near this size is a client bug or abuse.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Returns the raw body bytes, or a 413 when they exceed `max_bytes`.
///
/// API Gateway has already decoded a base64 body by the time `lambda_http` builds the
/// request, so the length here is the decoded length.
pub fn body_bytes(request: &Request, max_bytes: usize) -> Result<&[u8], ApiError> {
    let bytes: &[u8] = match request.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };

    if bytes.len() > max_bytes {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "request body is {} bytes, larger than the limit of {max_bytes} bytes",
                bytes.len()
            ),
        )
        .with_details(serde_json::json!({ "limit_bytes": max_bytes })));
    }

    Ok(bytes)
}

/// Parses the body as JSON into `T`, with the default size limit.
pub fn parse_json<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    parse_json_limited(request, MAX_BODY_BYTES)
}

/// Parses the body as JSON into `T`.
///
/// Errors: 413 above `max_bytes`; 400 `invalid_json` for a missing body or a syntax
/// error; 400 `invalid_field` naming the JSON path when a field is missing, unknown or
/// of the wrong type.
pub fn parse_json_limited<T: DeserializeOwned>(
    request: &Request,
    max_bytes: usize,
) -> Result<T, ApiError> {
    let bytes = body_bytes(request, max_bytes)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            ErrorCode::InvalidJson,
            "request body is empty; send a JSON object",
        ));
    }

    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(field_error)?;

    // Trailing text after the JSON value is a syntax error, not a field error.
    deserializer.end().map_err(|error| syntax_error(&error))?;
    Ok(value)
}

/// Deserializes an already parsed JSON value into `T`, with the same named-field errors
/// as [`parse_json_limited`]. For bodies whose shape is chosen by one of their keys.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(field_error)
}

fn field_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return syntax_error(inner);
    }

    let message = strip_position(&inner.to_string());
    let field = named_field(&message)
        .map(|name| join_path(&path, name))
        .unwrap_or(path);

    ApiError::invalid_field(field.clone(), format!("invalid field {field}: {message}"))
}

fn syntax_error(error: &serde_json::Error) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidJson,
        format!(
            "request body is not valid JSON: {} at line {} column {}",
            strip_position(&error.to_string()),
            error.line(),
            error.column()
        ),
    )
}

/// serde reports a missing or unknown field at its parent's path, with the name only in
/// the message (``missing field `email` ``), so the name is taken from there.
fn named_field(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    rest.split('`').next()
}

fn join_path(parent: &str, name: &str) -> String {
    // An unknown field's path already ends with its name; a missing field's does not.
    if parent == name || parent.ends_with(&format!(".{name}")) {
        parent.to_owned()
    } else if parent == "." || parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// serde_json appends " at line L column C"; callers get the position separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Form {
        email: String,
        address: Option<Address>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Address {
        postcode: String,
    }

    fn request(body: &str) -> Request {
        Request::new(Body::Text(body.to_owned()))
    }

    #[test]
    fn parse_valid_body() {
        let form: Form = parse_json(&request(r#"{"email": "a@example.com"}"#)).expect("valid");

        assert_eq!(form.email, "a@example.com");
    }

    #[test]
    fn parse_missing_field_names_it() {
        let error = parse_json::<Form>(&request("{}")).expect_err("missing email");

        assert_eq!(error.code, ErrorCode::InvalidField);
        assert_eq!(error.field.as_deref(), Some("email"));
        assert_eq!(error.message, "invalid field email: missing field `email`");
    }

    #[test]
    fn parse_wrong_type_names_nested_path() {
        let body = r#"{"email": "a@example.com", "address": {"postcode": 12}}"#;

        let error = parse_json::<Form>(&request(body)).expect_err("postcode is a number");

        assert_eq!(error.field.as_deref(), Some("address.postcode"));
        assert_eq!(
            error.message,
            "invalid field address.postcode: invalid type: integer `12`, expected a string"
        );
    }

    #[test]
    fn parse_unknown_field_names_it() {
        let body = r#"{"email": "a@example.com", "emial": "b"}"#;

        let error = parse_json::<Form>(&request(body)).expect_err("unknown field");

        assert_eq!(error.field.as_deref(), Some("emial"));
    }

    #[test]
    fn parse_malformed_json() {
        let error = parse_json::<Form>(&request(r#"{"email": "#)).expect_err("truncated");

        assert_eq!(error.code, ErrorCode::InvalidJson);
        assert_eq!(error.status().as_u16(), 400);
        assert!(error.message.starts_with("request body is not valid JSON"));
        assert!(error.field.is_none());
    }

    #[test]
    fn parse_trailing_text_is_malformed() {
        let error =
            parse_json::<Form>(&request(r#"{"email": "a@example.com"} x"#)).expect_err("trailing");

        assert_eq!(error.code, ErrorCode::InvalidJson);
    }

    #[test]
    fn value_with_missing_field_names_it() {
        let error = from_json_value::<Form>(serde_json::json!({})).expect_err("missing email");

        assert_eq!(error.field.as_deref(), Some("email"));
    }

    #[test]
    fn parse_empty_body() {
        let error = parse_json::<Form>(&Request::new(Body::Empty)).expect_err("empty");

        assert_eq!(error.code, ErrorCode::InvalidJson);
        assert_eq!(error.message, "request body is empty; send a JSON object");
    }

    #[test]
    fn parse_oversized_body() {
        let body = format!(r#"{{"email": "{}"}}"#, "a".repeat(100));

        let error = parse_json_limited::<Form>(&request(&body), 64).expect_err("too large");

        assert_eq!(error.status().as_u16(), 413);
        assert_eq!(
            error.message,
            "request body is 113 bytes, larger than the limit of 64 bytes"
        );
    }
}
