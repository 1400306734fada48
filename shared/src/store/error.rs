//! Errors of the DynamoDB store: one variant per domain outcome a caller may
//! act on, plus [`StoreError::Dynamo`] that keeps the SDK error as its source.

use aws_sdk_dynamodb::error::SdkError;

use crate::config::InvalidConfig;

use super::jobs::JobStatus;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("environment variable TABLE_NAME is not set; set it to the name of the DynamoDB table")]
    MissingTableName,

    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },

    #[error("instance {instance_id} already exists; update it instead or choose another id")]
    InstanceExists { instance_id: String },

    #[error(
        "Magento customer {magento_customer_id} of instance {instance_id} is already linked to Odoo partner {odoo_partner_id}; delete that link first"
    )]
    LinkExists {
        instance_id: String,
        magento_customer_id: u64,
        odoo_partner_id: i64,
    },

    #[error(
        "the link of Magento customer {magento_customer_id} of instance {instance_id}, with its {addresses} address links, takes {bytes} bytes, over DynamoDB's item limit of 409,600 bytes; delete the addresses this customer no longer uses in Magento, then pull it again"
    )]
    LinkTooLarge {
        instance_id: String,
        magento_customer_id: u64,
        addresses: usize,
        bytes: usize,
    },

    #[error(
        "the sync lease of instance {instance_id} is held by {owner} until {expires_at}; wait for that run to finish"
    )]
    LeaseHeld {
        instance_id: String,
        owner: String,
        expires_at: chrono::DateTime<chrono::Utc>,
    },

    #[error(
        "the sync lease of instance {instance_id} is not held by {owner}; it expired and another run took it, so stop this run"
    )]
    LeaseNotHeld { instance_id: String, owner: String },

    #[error(
        "idempotency key {key} was already used with a different request body; use a new key for a new request"
    )]
    IdempotencyConflict { key: String },

    #[error("a request with idempotency key {key} is still in progress; retry after it completes")]
    IdempotencyInProgress { key: String },

    #[error("job {job_id} is already {status}; a finished job cannot change")]
    JobFinished { job_id: String, status: JobStatus },

    #[error("invalid pagination cursor; pass the next_cursor value of the previous page unchanged")]
    InvalidCursor,

    #[error("invalid instance configuration: {0}")]
    InvalidConfig(#[from] InvalidConfig),

    #[error("failed to map a {entity} item to or from DynamoDB attributes")]
    Mapping {
        entity: &'static str,
        #[source]
        source: serde_dynamo::Error,
    },

    #[error("DynamoDB {operation} failed")]
    Dynamo {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// Wraps an SDK error, keeping it as the source so logs show the whole chain.
    pub(crate) fn dynamo<E, R>(operation: &'static str, error: SdkError<E, R>) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        Self::Dynamo {
            operation,
            source: Box::new(error),
        }
    }

    /// Builds the catch-all error for a failure that is not an SDK error, such
    /// as items left unprocessed after every retry.
    pub(crate) fn dynamo_message(operation: &'static str, message: String) -> Self {
        Self::Dynamo {
            operation,
            source: message.into(),
        }
    }

    pub(crate) fn not_found(entity: &'static str, key: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            key: key.into(),
        }
    }
}

/// Returns true when the SDK error is a failed `ConditionExpression`.
pub(crate) fn is_condition_failed<E, R>(error: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}
