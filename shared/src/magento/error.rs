//! The error type of the Magento client and the rules that classify a failed
//! HTTP exchange into it.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::retry::Retryable;

/// Category of an [`Error`], for callers to branch on instead of the message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 404 for an entity (`No such entity with ...`).
    NotFound,
    /// 400 for input Magento rejected (missing field, invalid value, ...).
    Validation,
    /// 400 `A customer with the same email address already exists ...`.
    DuplicateEmail,
    /// 401 for wrong credentials or an invalid OAuth signature.
    Auth,
    /// The instance settings cannot work as they are: a refused bearer token,
    /// two-factor authentication on the admin account, an unknown route or a
    /// missing permission. The message names the setting to change.
    Configuration,
    /// 429 from Magento or a layer in front of it.
    RateLimited,
    /// 502, 503 or 504.
    Unavailable,
    /// Any other 5xx, e.g. Magento's masked `Internal Error. ... Report ID`.
    Server,
    /// No response within the configured request timeout.
    Timeout,
    /// The connection could not be made or broke before a response.
    Connection,
    /// A response body that is not the JSON this client expects.
    Decode,
    /// A response that breaks an invariant the client relies on.
    Protocol,
}

/// A failed Magento call: what was called, how it failed and Magento's own
/// message with its placeholders filled in. It never contains a secret.
#[derive(Debug)]
pub struct Error(Box<Details>);

/// The fields of an [`Error`], boxed to keep `Result<T, Error>` small.
#[derive(Debug)]
struct Details {
    kind: ErrorKind,
    status: Option<u16>,
    operation: String,
    message: String,
    errors: Vec<String>,
    hint: Option<String>,
    retryable: bool,
    retry_after: Option<Duration>,
    source: Option<reqwest::Error>,
}

impl Error {
    /// Builds an error for a failure with no HTTP status (timeout, connection,
    /// invalid settings). `operation` is e.g. `GET /V1/customers/:id`.
    pub(crate) fn new(kind: ErrorKind, operation: &str, message: impl Into<String>) -> Self {
        let retryable = matches!(
            kind,
            ErrorKind::RateLimited
                | ErrorKind::Unavailable
                | ErrorKind::Timeout
                | ErrorKind::Connection
        );
        Self(Box::new(Details {
            kind,
            status: None,
            operation: operation.to_owned(),
            message: message.into(),
            errors: Vec::new(),
            hint: None,
            retryable,
            retry_after: None,
            source: None,
        }))
    }

    /// Classifies a non-2xx response. `body` is the raw response body.
    pub(crate) fn from_response(
        operation: &str,
        status: u16,
        retry_after: Option<Duration>,
        body: &str,
    ) -> Self {
        let parsed = serde_json::from_str::<ErrorBody>(body).ok();

        let (message, errors) = match &parsed {
            Some(body) => (
                fill_placeholders(&body.message, body.parameters.as_ref()),
                body.errors
                    .iter()
                    .map(|item| fill_placeholders(&item.message, item.parameters.as_ref()))
                    .collect(),
            ),
            None => (summarize_body(body), Vec::new()),
        };
        let template = parsed
            .as_ref()
            .map(|body| body.message.as_str())
            .unwrap_or("");

        let mut error = Self::new(classify(status, template), operation, message);
        error.0.status = Some(status);
        error.0.errors = errors;
        error.0.retry_after = retry_after;
        if let Some(hint) = configuration_hint(status, template) {
            return error.into_configuration(hint);
        }
        error.0.hint = credentials_hint(template).map(str::to_owned);
        error
    }

    pub(crate) fn with_source(mut self, source: reqwest::Error) -> Self {
        self.0.source = Some(source);
        self
    }

    /// Turns the error into a configuration error with `hint` as the fix.
    pub(crate) fn into_configuration(mut self, hint: impl Into<String>) -> Self {
        self.0.kind = ErrorKind::Configuration;
        self.0.hint = Some(hint.into());
        self.0.retryable = false;
        self
    }

    /// Marks the error as not retryable, for requests that must not be sent
    /// twice when the first one may have been processed.
    pub(crate) fn not_retryable(mut self) -> Self {
        self.0.retryable = false;
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Returns the HTTP status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// Returns Magento's message with `%1`/`%name` placeholders filled in.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Returns the individual messages of a grouped input error, placeholders filled in.
    pub fn errors(&self) -> &[String] {
        &self.0.errors
    }

    /// Returns the setting to change, for configuration errors.
    pub fn hint(&self) -> Option<&str> {
        self.0.hint.as_deref()
    }

    /// Returns the method and route that failed, e.g. `GET /V1/customers/:id`.
    pub fn operation(&self) -> &str {
        &self.0.operation
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Magento {} failed", self.0.operation)?;
        if let Some(status) = self.0.status {
            write!(f, " with HTTP {status}")?;
        }
        write!(f, ": {}", self.0.message)?;

        if !self.0.errors.is_empty() {
            write!(f, " ({})", self.0.errors.join("; "))?;
        }
        if let Some(hint) = &self.0.hint {
            let separator = if self.0.message.ends_with('.') {
                " "
            } else {
                ". "
            };
            write!(f, "{separator}{hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl Retryable for Error {
    fn is_retryable(&self) -> bool {
        self.0.retryable
    }

    fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }
}

/// Magento's error body: a message template, its parameters and, for grouped
/// input errors, the individual errors.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    parameters: Option<Value>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Debug, Deserialize)]
struct ErrorItem {
    #[serde(default)]
    message: String,
    #[serde(default)]
    parameters: Option<Value>,
}

pub(crate) const DUPLICATE_EMAIL: &str =
    "A customer with the same email address already exists in an associated website.";
const TWO_FACTOR: &str = "Please use the 2fa provider-specific endpoints to obtain a token.";
const NO_ROUTE: &str = "Request does not match any route.";

fn classify(status: u16, template: &str) -> ErrorKind {
    match status {
        400 if template == DUPLICATE_EMAIL => ErrorKind::DuplicateEmail,
        400 | 422 => ErrorKind::Validation,
        401 | 403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        429 => ErrorKind::RateLimited,
        502..=504 => ErrorKind::Unavailable,
        _ if status >= 500 => ErrorKind::Server,
        _ => ErrorKind::Validation,
    }
}

/// Returns what to change for responses that no retry can fix because the
/// instance is set up wrongly. The client replaces the hint for 401 refusals,
/// where the fix depends on the credentials in use.
fn configuration_hint(status: u16, template: &str) -> Option<String> {
    if template == TWO_FACTOR {
        return Some(TWO_FACTOR_HINT.to_owned());
    }
    if status == 404 && template == NO_ROUTE {
        return Some(
            "Check the instance's base URL (without /rest) and store code: Magento has no such REST route"
                .to_owned(),
        );
    }
    None
}

/// Returns what to check when Magento rejected the credentials themselves.
fn credentials_hint(template: &str) -> Option<&'static str> {
    match template {
        SIGNATURE_INVALID => Some(
            "Check the integration's consumer secret and access token secret, and that the \
             base URL matches the store's configured URL",
        ),
        SIGN_IN_FAILED => Some(
            "Check the admin username and password. Magento locks the account for 30 minutes \
             after 6 failed sign-ins",
        ),
        _ => None,
    }
}

const SIGNATURE_INVALID: &str = "The signature is invalid. Verify and try again.";
const SIGN_IN_FAILED: &str = "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";

const TWO_FACTOR_HINT: &str = "Magento two-factor authentication rejects admin tokens for REST calls: \
     switch the instance to OAuth 1.0a integration credentials \
     (System > Extensions > Integrations), or exempt the API user from 2FA";

/// Returns whether the error is Magento's 401 ACL refusal (`The consumer isn't
/// authorized to access %resources.`). A refused or expired bearer token gets
/// it too, because Magento then runs the call as a guest.
pub(crate) fn is_not_authorized(error: &Error) -> bool {
    error.0.status == Some(401) && error.0.message.starts_with("The consumer isn't authorized")
}

/// Replaces `%1`-style placeholders from an array and `%name` placeholders
/// from an object. Longer names go first so `%10` is not read as `%1`.
pub(crate) fn fill_placeholders(template: &str, parameters: Option<&Value>) -> String {
    let mut pairs: Vec<(String, String)> = match parameters {
        Some(Value::Array(values)) => values
            .iter()
            .enumerate()
            .map(|(index, value)| (format!("%{}", index + 1), scalar_text(value)))
            .collect(),
        Some(Value::Object(values)) => values
            .iter()
            .map(|(name, value)| (format!("%{name}"), scalar_text(value)))
            .collect(),
        _ => Vec::new(),
    };
    pairs.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));

    let mut message = template.to_owned();
    for (placeholder, value) in pairs {
        message = message.replace(&placeholder, &value);
    }
    message
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Shortens a non-JSON body (a proxy's HTML page, say) for the error message.
fn summarize_body(body: &str) -> String {
    const MAX_CHARS: usize = 200;

    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "empty response body".to_owned();
    }
    let mut summary: String = trimmed.chars().take(MAX_CHARS).collect();
    if trimmed.chars().count() > MAX_CHARS {
        summary.push_str("...");
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_from_object() {
        let parameters = json!({"fieldName": "customerId", "fieldValue": 7});

        let message = fill_placeholders(
            "No such entity with %fieldName = %fieldValue",
            Some(&parameters),
        );

        assert_eq!(message, "No such entity with customerId = 7");
    }

    #[test]
    fn placeholders_from_array() {
        let parameters = json!([8, "x", 3, 4, 5, 6, 7, 8, 9, "ten"]);

        let message = fill_placeholders("need %1 and %10", Some(&parameters));

        assert_eq!(message, "need 8 and ten");
    }

    #[test]
    fn grouped_errors_are_filled() {
        let body = json!({
            "message": "One or more input exceptions have occurred.",
            "errors": [
                {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "city"}},
                {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "telephone"}}
            ]
        });

        let error = Error::from_response("POST /V1/customers", 400, None, &body.to_string());

        assert_eq!(error.kind(), ErrorKind::Validation);
        assert_eq!(
            error.errors(),
            [
                "\"city\" is required. Enter and try again.",
                "\"telephone\" is required. Enter and try again."
            ]
        );
        assert!(!error.is_retryable());
    }

    #[test]
    fn duplicate_email_kind() {
        let body = json!({"message": DUPLICATE_EMAIL});

        let error = Error::from_response("POST /V1/customers", 400, None, &body.to_string());

        assert_eq!(error.kind(), ErrorKind::DuplicateEmail);
        assert_eq!(
            error.to_string(),
            format!("Magento POST /V1/customers failed with HTTP 400: {DUPLICATE_EMAIL}")
        );
    }

    #[test]
    fn status_kinds_and_retry() {
        let cases = [
            (404, ErrorKind::NotFound, false),
            (401, ErrorKind::Auth, false),
            (429, ErrorKind::RateLimited, true),
            (500, ErrorKind::Server, false),
            (502, ErrorKind::Unavailable, true),
            (503, ErrorKind::Unavailable, true),
            (504, ErrorKind::Unavailable, true),
        ];

        for (status, kind, retryable) in cases {
            let error = Error::from_response("GET /V1/x", status, None, "{\"message\":\"m\"}");
            assert_eq!(error.kind(), kind, "status {status}");
            assert_eq!(error.is_retryable(), retryable, "status {status}");
        }
    }

    #[test]
    fn two_factor_is_configuration() {
        let body = json!({"message": TWO_FACTOR, "parameters": {"active_providers": ["google"]}});

        let error = Error::from_response(
            "POST /V1/integration/admin/token",
            401,
            None,
            &body.to_string(),
        );

        assert_eq!(error.kind(), ErrorKind::Configuration);
        assert!(!error.is_retryable());
        assert!(
            error
                .to_string()
                .contains("OAuth 1.0a integration credentials")
        );
    }

    #[test]
    fn html_body_is_summarized() {
        let body = format!("<html>{}</html>", "x".repeat(500));

        let error = Error::from_response("GET /V1/x", 502, Some(Duration::from_secs(3)), &body);

        assert_eq!(error.message().chars().count(), 203);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
    }
}
