//! The one error type of the Odoo client.

use std::time::Duration;

/// An exception raised by the Odoo server, as reported in the JSON-RPC
/// `error.data` object or the JSON-2 error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Module-qualified exception name, e.g. `odoo.exceptions.ValidationError`.
    pub name: String,
    /// The message Odoo shows to the user.
    pub message: String,
    pub model: String,
    pub method: String,
    /// HTTP status of the response: always 200 for JSON-RPC, meaningful for JSON-2.
    pub status: u16,
}

/// Errors of the Odoo client. Server exceptions are mapped by their
/// exception name, never by the JSON-RPC `code` (200 on 17 and 18, 0 on 19).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The login or the API key was rejected: a configuration error, never retried.
    #[error(
        "Odoo denied access for login {login:?} on database {database:?}: {message}. \
         Check the login, the database name and the API key of this instance"
    )]
    AccessDenied {
        login: String,
        database: String,
        message: String,
    },

    #[error("Odoo raised AccessError in {}.{}: {}", .0.model, .0.method, .0.message)]
    AccessError(Fault),

    #[error("Odoo raised ValidationError in {}.{}: {}", .0.model, .0.method, .0.message)]
    ValidationError(Fault),

    #[error("Odoo raised UserError in {}.{}: {}", .0.model, .0.method, .0.message)]
    UserError(Fault),

    #[error("Odoo raised MissingError in {}.{}: {}", .0.model, .0.method, .0.message)]
    MissingError(Fault),

    #[error("Odoo raised ValueError in {}.{}: {}", .0.model, .0.method, .0.message)]
    ValueError(Fault),

    /// Any other server exception (AttributeError, werkzeug NotFound, ...).
    #[error("Odoo raised {} in {}.{}: {}", .0.name, .0.model, .0.method, .0.message)]
    Server(Fault),

    /// An HTTP status without an Odoo error body, e.g. a 503 from a proxy.
    #[error("Odoo answered HTTP {status} to {target}: {body}")]
    Status {
        status: u16,
        target: String,
        /// Start of the response body, for the log.
        body: String,
        /// The wait requested by a `Retry-After` header, in whole seconds.
        retry_after: Option<Duration>,
    },

    /// The request failed before a response arrived (connection refused, timeout).
    #[error("request to Odoo {target} failed: {source}")]
    Transport {
        target: String,
        #[source]
        source: reqwest::Error,
    },

    /// The response did not have the expected shape.
    #[error("invalid response from Odoo {target}: {detail}")]
    InvalidResponse { target: String, detail: String },

    /// The server version could not be read or is not supported.
    #[error("unsupported Odoo server at {base_url}: {detail}")]
    UnsupportedServer { base_url: String, detail: String },

    /// The client configuration is unusable (e.g. a base URL that cannot be joined).
    #[error("invalid Odoo client configuration: {0}")]
    InvalidConfig(String),
}

/// HTTP statuses that mean "try again later" rather than "this request is wrong".
const RETRYABLE_STATUSES: [u16; 4] = [429, 502, 503, 504];

impl Error {
    /// Builds the variant that matches an Odoo exception name such as
    /// `odoo.exceptions.MissingError` or `builtins.ValueError`.
    pub(crate) fn from_fault(fault: Fault, login: &str, database: &str) -> Self {
        let class = fault.name.rsplit('.').next().unwrap_or_default();

        match class {
            "AccessDenied" => Self::AccessDenied {
                login: login.to_owned(),
                database: database.to_owned(),
                message: fault.message,
            },
            "AccessError" => Self::AccessError(fault),
            "ValidationError" => Self::ValidationError(fault),
            "UserError" => Self::UserError(fault),
            "MissingError" => Self::MissingError(fault),
            "ValueError" => Self::ValueError(fault),
            _ => Self::Server(fault),
        }
    }

    /// Returns true for failures that a later attempt may not hit: timeouts,
    /// connection errors and the statuses 429, 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => RETRYABLE_STATUSES.contains(status),
            Self::Transport { source, .. } => {
                source.is_timeout() || source.is_connect() || source.is_request()
            }
            _ => false,
        }
    }

    /// Returns the wait that the server requested with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Returns true when the instance configuration must change before any
    /// call can succeed (bad credentials, unreachable or unsupported server).
    pub fn is_configuration_error(&self) -> bool {
        matches!(
            self,
            Self::AccessDenied { .. } | Self::UnsupportedServer { .. } | Self::InvalidConfig(_)
        )
    }

    /// Returns the server exception, for every variant raised by Odoo itself.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Self::AccessError(fault)
            | Self::ValidationError(fault)
            | Self::UserError(fault)
            | Self::MissingError(fault)
            | Self::ValueError(fault)
            | Self::Server(fault) => Some(fault),
            _ => None,
        }
    }
}

impl crate::retry::Retryable for Error {
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        Error::retry_after(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(name: &str) -> Fault {
        Fault {
            name: name.to_owned(),
            message: "Contacts require a name".to_owned(),
            model: "res.partner".to_owned(),
            method: "create".to_owned(),
            status: 200,
        }
    }

    #[test]
    fn from_fault_maps_by_class_name() {
        let cases = [
            ("odoo.exceptions.AccessError", "AccessError"),
            ("odoo.exceptions.ValidationError", "ValidationError"),
            ("odoo.exceptions.UserError", "UserError"),
            ("odoo.exceptions.MissingError", "MissingError"),
            ("builtins.ValueError", "ValueError"),
            ("builtins.AttributeError", "Server"),
        ];

        for (name, expected) in cases {
            let error = Error::from_fault(fault(name), "admin", "db");
            let variant = format!("{error:?}");

            assert!(variant.starts_with(expected), "{name} became {variant}");
            assert_eq!(error.fault().map(|f| f.name.as_str()), Some(name));
        }
    }

    #[test]
    fn access_denied_names_login_and_database() {
        let error = Error::from_fault(fault("odoo.exceptions.AccessDenied"), "admin", "prod");

        assert!(error.is_configuration_error());
        assert!(!error.is_retryable());
        assert_eq!(
            error.to_string(),
            "Odoo denied access for login \"admin\" on database \"prod\": Contacts require a name. \
             Check the login, the database name and the API key of this instance"
        );
    }

    #[test]
    fn status_retryable_only_when_transient() {
        let status = |status| Error::Status {
            status,
            target: "json2 res.partner.create".to_owned(),
            body: String::new(),
            retry_after: Some(Duration::from_secs(3)),
        };

        for transient in [429, 502, 503, 504] {
            assert!(status(transient).is_retryable(), "{transient}");
        }
        for permanent in [400, 404, 500] {
            assert!(!status(permanent).is_retryable(), "{permanent}");
        }
        assert_eq!(status(429).retry_after(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn server_faults_are_not_retryable() {
        let error = Error::from_fault(fault("odoo.exceptions.ValidationError"), "admin", "db");

        assert!(!error.is_retryable());
        assert!(!error.is_configuration_error());
        assert_eq!(
            error.to_string(),
            "Odoo raised ValidationError in res.partner.create: Contacts require a name"
        );
    }
}
