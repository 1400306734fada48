//! Odoo's exceptions as the external API reports them, and how each transport
//! renders them: JSON-RPC as an error envelope at HTTP 200, JSON-2 as a status
//! code with the same `{name, message, arguments, context, debug}` object.

use axum::http::StatusCode;
use serde_json::{Value, json};

/// One server-side exception. The variant picks the Python class name that
/// clients branch on (`data.name`), the payload is the message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OdooError {
    #[error("{0}")]
    AccessDenied(String),
    #[error("{0}")]
    AccessError(String),
    #[error("{0}")]
    UserError(String),
    #[error("{0}")]
    ValidationError(String),
    #[error("{0}")]
    MissingError(String),
    /// A PostgreSQL CHECK constraint failed (SQLSTATE 23514). The RPC layer
    /// reports it as a ValidationError with Odoo's prefix; `load` reports the
    /// constraint's own message instead.
    #[error("The operation cannot be completed: {message}")]
    CheckViolation { message: String },
    #[error("{0}")]
    ValueError(String),
    #[error("{0}")]
    TypeError(String),
    #[error("{0}")]
    AttributeError(String),
    /// Python's KeyError; its message is the repr of the missing key.
    #[error("{0}")]
    KeyError(String),
    /// PostgreSQL rejected a text value for a typed column (SQLSTATE 22P02).
    // NOTE: PostgreSQL follows the first line with the failing SQL and a
    // caret ("LINE 1: ..."); the sandbox sends the first line only.
    #[error("{0}")]
    InvalidTextRepresentation(String),
    /// A model name that the registry does not hold.
    #[error("Object {0} doesn't exist")]
    UnknownModel(String),
    /// A public method name that the model does not have.
    #[error("The method '{method}' does not exist on the model '{model}'")]
    UnknownMethod { model: String, method: String },
    /// Arguments that do not bind to the method's signature.
    #[error("{0}")]
    Signature(String),
    /// A service method that does not exist, e.g. `common.nope`.
    #[error("{0}")]
    NameError(String),
    /// A database name other than the one served.
    #[error("FATAL:  database \"{0}\" does not exist")]
    DatabaseNotFound(String),
}

impl OdooError {
    pub fn access_denied() -> Self {
        Self::AccessDenied("Access Denied".to_string())
    }

    /// Returns whether the Python class derives from `odoo.exceptions.UserError`,
    /// as AccessDenied, AccessError, MissingError and ValidationError do.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Self::AccessDenied(_)
                | Self::AccessError(_)
                | Self::UserError(_)
                | Self::ValidationError(_)
                | Self::MissingError(_)
                | Self::UnknownModel(_)
        )
    }

    /// Returns the module-qualified class name sent as `data.name` over JSON-RPC.
    pub fn rpc_name(&self) -> &'static str {
        match self {
            Self::AccessDenied(_) => "odoo.exceptions.AccessDenied",
            Self::AccessError(_) => "odoo.exceptions.AccessError",
            Self::UserError(_) | Self::UnknownModel(_) => "odoo.exceptions.UserError",
            Self::ValidationError(_) | Self::CheckViolation { .. } => {
                "odoo.exceptions.ValidationError"
            }
            Self::MissingError(_) => "odoo.exceptions.MissingError",
            Self::ValueError(_) => "builtins.ValueError",
            Self::TypeError(_) | Self::Signature(_) => "builtins.TypeError",
            Self::AttributeError(_) | Self::UnknownMethod { .. } => "builtins.AttributeError",
            Self::KeyError(_) => "builtins.KeyError",
            Self::InvalidTextRepresentation(_) => "psycopg2.errors.InvalidTextRepresentation",
            Self::NameError(_) => "builtins.NameError",
            Self::DatabaseNotFound(_) => "psycopg2.OperationalError",
        }
    }

    /// Returns the JSON-2 status: UserError and its subclasses 422 (MissingError
    /// 404), access problems 403, anything else 500.
    pub fn json2_status(&self) -> StatusCode {
        match self {
            Self::AccessDenied(_) | Self::AccessError(_) => StatusCode::FORBIDDEN,
            Self::UserError(_)
            | Self::ValidationError(_)
            | Self::CheckViolation { .. }
            | Self::Signature(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::MissingError(_)
            | Self::UnknownModel(_)
            | Self::UnknownMethod { .. }
            | Self::DatabaseNotFound(_) => StatusCode::NOT_FOUND,
            Self::ValueError(_)
            | Self::TypeError(_)
            | Self::AttributeError(_)
            | Self::KeyError(_)
            | Self::InvalidTextRepresentation(_)
            | Self::NameError(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Builds the JSON-2 error object. Routing problems are werkzeug HTTP exceptions
    /// there, with `[description, status]` as arguments.
    pub fn json2_body(&self) -> Value {
        let status = self.json2_status().as_u16();
        match self {
            Self::UnknownModel(model) => werkzeug_body(
                "NotFound",
                &format!("the model '{model}' does not exist"),
                status,
            ),
            Self::UnknownMethod { model, method } => werkzeug_body(
                "NotFound",
                &format!("The method '{model}.{method}' does not exist"),
                status,
            ),
            Self::Signature(message) => werkzeug_body("UnprocessableEntity", message, status),
            other => exception_body(other.rpc_name(), &other.to_string()),
        }
    }

    /// Builds the `data` member of a JSON-RPC error envelope.
    pub fn rpc_data(&self) -> Value {
        exception_body(self.rpc_name(), &self.to_string())
    }
}

/// Builds the body of a werkzeug HTTP exception on JSON-2, e.g. `Unauthorized`.
pub fn werkzeug_body(class: &str, description: &str, status: u16) -> Value {
    json!({
        "name": format!("werkzeug.exceptions.{class}"),
        "message": description,
        "arguments": [description, status],
        "context": {},
        "debug": format!("Traceback (most recent call last):\nwerkzeug.exceptions.{class}: {status}: {description}\n"),
    })
}

fn exception_body(name: &str, message: &str) -> Value {
    json!({
        "name": name,
        "message": message,
        "arguments": [message],
        "context": {},
        "debug": format!("Traceback (most recent call last):\n{name}: {message}\n"),
    })
}
