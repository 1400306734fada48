//! The one place that maps library errors to HTTP statuses.
//!
//! Each `From` conversion decides the status and the caller-facing message for one
//! library error type. Client mistakes and upstream refusals keep their message, which
//! the library writes without secrets. Internal failures are logged with their whole
//! source chain and returned with a generic message.

use serde_json::json;
use shared::config::InvalidConfig;
use shared::magento::{Error as MagentoError, ErrorKind as MagentoErrorKind};
use shared::mapping::ValidationErrors;
use shared::odoo::Error as OdooError;
use shared::secrets::{CredentialsMismatch, SecretsError};
use shared::store::StoreError;
use shared::sync::SyncError;

use crate::error::{ApiError, ErrorCode, error_chain};
use crate::idempotency::IDEMPOTENCY_KEY_HEADER;

impl From<InvalidConfig> for ApiError {
    fn from(error: InvalidConfig) -> Self {
        ApiError::invalid_field(error.field, error.to_string())
    }
}

impl From<ValidationErrors> for ApiError {
    /// The first invalid field is named in `field`; `details.errors` lists them all.
    fn from(errors: ValidationErrors) -> Self {
        let message = errors.to_string();
        let all = error_list(&errors);

        let mut api_error =
            ApiError::new(ErrorCode::InvalidField, message).with_details(json!({ "errors": all }));
        if let Some(first) = errors.0.first() {
            api_error = api_error.with_field(first.field.clone());
        }
        api_error
    }
}

/// Builds the 422 for an Odoo partner whose data Magento would reject. The request was
/// valid, so the fix is in Odoo, and `details.errors` lists each Magento field with its fix.
pub fn partner_rejected(odoo_partner_id: i64, errors: &ValidationErrors) -> ApiError {
    let message = format!(
        "Magento would reject Odoo partner {odoo_partner_id}, so nothing was written: {errors}; fix the partner in Odoo and retry"
    );

    ApiError::new(ErrorCode::Rejected, message).with_details(json!({
        "odoo_partner_id": odoo_partner_id,
        "errors": error_list(errors),
    }))
}

fn error_list(errors: &ValidationErrors) -> Vec<serde_json::Value> {
    errors
        .0
        .iter()
        .map(|error| json!({ "field": error.field, "message": error.message }))
        .collect()
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let message = error.to_string();
        match error {
            StoreError::NotFound { .. } => ApiError::not_found(message),
            StoreError::InstanceExists { instance_id } => ApiError::conflict(message)
                .with_field("id")
                .with_details(json!({ "instance_id": instance_id })),
            StoreError::LinkExists {
                instance_id,
                magento_customer_id,
                odoo_partner_id,
            } => ApiError::conflict(message).with_details(json!({
                "instance_id": instance_id,
                "magento_id": magento_customer_id,
                "odoo_partner_id": odoo_partner_id,
            })),
            StoreError::LinkTooLarge {
                instance_id,
                magento_customer_id,
                ..
            } => ApiError::new(ErrorCode::Rejected, message).with_details(json!({
                "instance_id": instance_id,
                "magento_id": magento_customer_id,
            })),
            StoreError::LeaseHeld {
                instance_id,
                expires_at,
                ..
            } => ApiError::conflict(message).with_details(json!({
                "instance_id": instance_id,
                "lease_expires_at": expires_at,
            })),
            StoreError::LeaseNotHeld { .. } | StoreError::JobFinished { .. } => {
                ApiError::conflict(message)
            }
            StoreError::IdempotencyConflict { .. } | StoreError::IdempotencyInProgress { .. } => {
                ApiError::new(ErrorCode::IdempotencyKeyReused, message)
                    .with_field(IDEMPOTENCY_KEY_HEADER)
            }
            StoreError::InvalidCursor => ApiError::invalid_field("cursor", message),
            StoreError::InvalidConfig(invalid) => ApiError::from(invalid),
            StoreError::MissingTableName | StoreError::Mapping { .. } => {
                ApiError::internal("failed to read or write the DynamoDB table", &error)
            }
            StoreError::Dynamo { .. } => aws_failure("DynamoDB", &error),
        }
    }
}

impl From<SecretsError> for ApiError {
    fn from(error: SecretsError) -> Self {
        match error {
            // The instance exists but its credentials are gone or unreadable; the message
            // tells the operator to store them again.
            SecretsError::NotFound { .. } | SecretsError::InvalidValue { .. } => {
                ApiError::new(ErrorCode::UpstreamError, error.to_string())
            }
            SecretsError::Aws { .. } => aws_failure("Secrets Manager", &error),
        }
    }
}

impl From<CredentialsMismatch> for ApiError {
    /// Maps to 502, as a missing secret does, because the instance cannot authenticate
    /// until an operator fixes its settings or its secret.
    fn from(error: CredentialsMismatch) -> Self {
        ApiError::new(ErrorCode::UpstreamError, error.to_string())
    }
}

impl From<OdooError> for ApiError {
    fn from(error: OdooError) -> Self {
        let message = error.to_string();
        match &error {
            OdooError::MissingError(_) => ApiError::not_found(message),
            OdooError::AccessError(_)
            | OdooError::ValidationError(_)
            | OdooError::UserError(_)
            | OdooError::ValueError(_) => ApiError::new(ErrorCode::Rejected, message),
            OdooError::Status { status, target, .. } => {
                // The body is kept for the log only: a proxy error page is no use to a caller.
                tracing::warn!(error = %message, "Odoo returned an HTTP error");
                ApiError::new(
                    upstream_status_code(*status),
                    format!("Odoo returned HTTP {status} for {target}; retry later"),
                )
            }
            OdooError::Transport { source, .. } => {
                let code = if source.is_timeout() {
                    ErrorCode::UpstreamTimeout
                } else if source.is_connect() {
                    ErrorCode::UpstreamUnavailable
                } else {
                    ErrorCode::UpstreamError
                };
                ApiError::new(code, error_chain(&error))
            }
            OdooError::AccessDenied { .. }
            | OdooError::Server(_)
            | OdooError::InvalidResponse { .. }
            | OdooError::UnsupportedServer { .. }
            | OdooError::InvalidConfig(_) => ApiError::new(ErrorCode::UpstreamError, message),
        }
    }
}

impl From<MagentoError> for ApiError {
    fn from(error: MagentoError) -> Self {
        // The Magento error's text names the call, Magento's message and a hint, and
        // never contains a secret, so callers get it unchanged.
        let message = error.to_string();
        let code = match error.kind() {
            MagentoErrorKind::NotFound => ErrorCode::NotFound,
            MagentoErrorKind::Validation => ErrorCode::Rejected,
            MagentoErrorKind::DuplicateEmail => ErrorCode::Conflict,
            MagentoErrorKind::RateLimited | MagentoErrorKind::Connection => {
                ErrorCode::UpstreamUnavailable
            }
            MagentoErrorKind::Unavailable => error
                .status()
                .map_or(ErrorCode::UpstreamUnavailable, upstream_status_code),
            MagentoErrorKind::Timeout => ErrorCode::UpstreamTimeout,
            MagentoErrorKind::Auth
            | MagentoErrorKind::Configuration
            | MagentoErrorKind::Server
            | MagentoErrorKind::Decode
            | MagentoErrorKind::Protocol => ErrorCode::UpstreamError,
        };
        ApiError::new(code, message)
    }
}

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Magento(error) => error.into(),
            SyncError::Odoo(error) => error.into(),
            SyncError::Store(error) => error.into(),
            SyncError::Invalid(errors) => errors.into(),
            SyncError::PartnerNotFound { .. } => ApiError::not_found(error.to_string()),
            SyncError::NotLinked { .. } => ApiError::not_found(error.to_string()),
            SyncError::Busy {
                ref instance_id, ..
            } => {
                let details = json!({ "instance_id": instance_id });
                ApiError::conflict(error.to_string()).with_details(details)
            }
            SyncError::Password(_) | SyncError::TaskFailed { .. } => {
                ApiError::internal("the sync stopped on an internal failure", &error)
            }
        }
    }
}

/// Maps the HTTP status of a failed upstream response to the status returned to the caller.
pub fn upstream_status_code(status: u16) -> ErrorCode {
    match status {
        429 | 503 => ErrorCode::UpstreamUnavailable,
        504 => ErrorCode::UpstreamTimeout,
        _ => ErrorCode::UpstreamError,
    }
}

/// Classifies a failed AWS SDK call from the text of its error chain: throttling and
/// connection failures are 503, timeouts 504, anything else 502.
///
/// NOTE: the store and secrets errors box the SDK error, so its type is lost and the
/// match is on the `Display` texts of `aws-smithy-runtime-api` 1.9 (`SdkError`) and
/// on AWS error codes.
fn aws_failure(service: &str, error: &(dyn std::error::Error + 'static)) -> ApiError {
    let chain = error_chain(error);
    tracing::error!(error = %chain, "{service} call failed");

    let throttled = [
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
    ]
    .iter()
    .any(|code| chain.contains(code));

    let code = if chain.contains("request has timed out") {
        ErrorCode::UpstreamTimeout
    } else if throttled || chain.contains("dispatch failure") {
        ErrorCode::UpstreamUnavailable
    } else {
        ErrorCode::UpstreamError
    };

    ApiError::new(code, format!("{service} request failed; retry later"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::odoo::Fault;

    fn fault(name: &str, message: &str) -> Fault {
        Fault {
            name: name.to_owned(),
            message: message.to_owned(),
            model: "res.partner".to_owned(),
            method: "create".to_owned(),
            status: 200,
        }
    }

    #[test]
    fn store_not_found_is_404() {
        let error = ApiError::from(StoreError::NotFound {
            entity: "instance",
            key: "shop-9".to_owned(),
        });

        assert_eq!(error.status().as_u16(), 404);
        assert_eq!(error.message, "instance shop-9 not found");
    }

    #[test]
    fn store_link_exists_is_409() {
        let error = ApiError::from(StoreError::LinkExists {
            instance_id: "shop-1".to_owned(),
            magento_customer_id: 5,
            odoo_partner_id: 42,
        });

        assert_eq!(error.status().as_u16(), 409);
        assert_eq!(
            error.details,
            Some(json!({"instance_id": "shop-1", "magento_id": 5, "odoo_partner_id": 42}))
        );
    }

    #[test]
    fn store_link_too_large_is_422() {
        let error = ApiError::from(StoreError::LinkTooLarge {
            instance_id: "shop-1".to_owned(),
            magento_customer_id: 5,
            addresses: 4_000,
            bytes: 470_000,
        });

        assert_eq!(error.status().as_u16(), 422);
        assert!(
            error.message.contains("4000 address links"),
            "{}",
            error.message
        );
        assert_eq!(
            error.details,
            Some(json!({"instance_id": "shop-1", "magento_id": 5}))
        );
    }

    #[test]
    fn store_idempotency_conflict_names_header() {
        let error = ApiError::from(StoreError::IdempotencyConflict {
            key: "k1".to_owned(),
        });

        assert_eq!(error.code, ErrorCode::IdempotencyKeyReused);
        assert_eq!(error.field.as_deref(), Some("Idempotency-Key"));
    }

    #[test]
    fn store_invalid_cursor_is_400() {
        let error = ApiError::from(StoreError::InvalidCursor);

        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(error.field.as_deref(), Some("cursor"));
    }

    #[test]
    fn store_throttling_is_503() {
        let error = ApiError::from(StoreError::Dynamo {
            operation: "PutItem",
            source: "service error: ThrottlingException: Rate of requests exceeds the allowed throughput".into(),
        });

        assert_eq!(error.status().as_u16(), 503);
        assert_eq!(error.message, "DynamoDB request failed; retry later");
    }

    #[test]
    fn store_timeout_is_504() {
        let error = ApiError::from(StoreError::Dynamo {
            operation: "GetItem",
            source: "request has timed out".into(),
        });

        assert_eq!(error.status().as_u16(), 504);
    }

    #[test]
    fn store_other_failure_is_502() {
        let error = ApiError::from(StoreError::Dynamo {
            operation: "GetItem",
            source: "service error: ResourceNotFoundException: table missing".into(),
        });

        assert_eq!(error.status().as_u16(), 502);
    }

    #[test]
    fn odoo_validation_is_422_with_message() {
        let error = ApiError::from(OdooError::ValidationError(fault(
            "odoo.exceptions.ValidationError",
            "The VAT number is invalid",
        )));

        assert_eq!(error.status().as_u16(), 422);
        assert!(error.message.ends_with("The VAT number is invalid"));
    }

    #[test]
    fn odoo_missing_record_is_404() {
        let error = ApiError::from(OdooError::MissingError(fault(
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.",
        )));

        assert_eq!(error.status().as_u16(), 404);
    }

    #[test]
    fn odoo_http_statuses() {
        let cases = [(429, 503), (503, 503), (504, 504), (500, 502), (502, 502)];

        for (upstream, expected) in cases {
            let error = ApiError::from(OdooError::Status {
                status: upstream,
                target: "/json/2/res.partner/search_read".to_owned(),
                body: "<html>proxy error</html>".to_owned(),
                retry_after: None,
            });

            assert_eq!(error.status().as_u16(), expected, "Odoo HTTP {upstream}");
            assert!(!error.message.contains("proxy error"));
        }
    }

    #[test]
    fn validation_errors_name_first_field() {
        let errors = ValidationErrors(vec![
            shared::mapping::FieldError {
                field: "email".to_owned(),
                message: "must be an address Magento accepts".to_owned(),
            },
            shared::mapping::FieldError {
                field: "firstname".to_owned(),
                message: "must not be empty".to_owned(),
            },
        ]);

        let error = ApiError::from(errors);

        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(error.field.as_deref(), Some("email"));
        assert_eq!(
            error
                .details
                .as_ref()
                .map(|details| details["errors"].as_array().map(Vec::len)),
            Some(Some(2))
        );
    }

    #[test]
    fn partner_rejected_is_422() {
        let errors = ValidationErrors(vec![shared::mapping::FieldError {
            field: "email".to_owned(),
            message: "is required by Magento; enter a value".to_owned(),
        }]);

        let error = partner_rejected(7, &errors);

        assert_eq!(error.status().as_u16(), 422);
        assert_eq!(
            error.message,
            "Magento would reject Odoo partner 7, so nothing was written: invalid customer: email: is required by Magento; enter a value; fix the partner in Odoo and retry"
        );
        assert_eq!(error.field, None);
        assert_eq!(
            error.details,
            Some(json!({"odoo_partner_id": 7, "errors": [
                {"field": "email", "message": "is required by Magento; enter a value"}
            ]}))
        );
    }

    #[test]
    fn sync_partner_not_found_is_404() {
        let error = ApiError::from(SyncError::PartnerNotFound {
            odoo_partner_id: 77,
        });

        assert_eq!(error.status().as_u16(), 404);
        assert_eq!(
            error.message,
            "Odoo partner 77 not found; check the id or pull the customer again"
        );
    }

    #[test]
    fn sync_not_linked_is_404() {
        let error = ApiError::from(SyncError::NotLinked {
            instance_id: "shop-1".to_owned(),
            odoo_partner_id: 77,
        });

        assert_eq!(error.status().as_u16(), 404);
        assert_eq!(
            error.message,
            "Odoo partner 77 is not linked to a Magento customer of instance shop-1; create it in Magento first"
        );
    }

    #[test]
    fn credentials_mismatch_is_502() {
        let error = ApiError::from(CredentialsMismatch {
            configured: "bearer",
            stored: "oauth",
            expected: "bearer",
        });

        assert_eq!(error.status().as_u16(), 502);
        assert!(error.message.starts_with("magento_auth is bearer"));
    }

    #[test]
    fn sync_busy_is_409() {
        let error = ApiError::from(SyncError::Busy {
            instance_id: "shop-1".to_owned(),
            source: StoreError::LeaseNotHeld {
                instance_id: "shop-1".to_owned(),
                owner: "run-1".to_owned(),
            },
        });

        assert_eq!(error.status().as_u16(), 409);
    }

    #[test]
    fn invalid_config_names_field() {
        let error = ApiError::from(StoreError::InvalidConfig(InvalidConfig {
            field: "street_lines",
            message: "must be between 1 and 4".to_owned(),
        }));

        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(error.field.as_deref(), Some("street_lines"));
    }
}
