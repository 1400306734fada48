//! The DynamoDB client of a function, which logs and counts every request it sends.
//!
//! The store in `shared` sends its requests through one `aws_sdk_dynamodb::Client`, so
//! an SDK interceptor on that client sees every DynamoDB request of every use case
//! without any change to the store. For each attempt, retries included, the
//! interceptor logs one event with target [`DYNAMODB_TARGET`] and the fields
//! `operation` (e.g. `GetItem`), `status`, `latency_ms` and, when no response arrived,
//! `error`. [`RemoteCallMetrics`](crate::remote_call::RemoteCallMetrics) turns each
//! of these events into one EMF remote call of system `dynamodb`.

use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use shared::store::{Store, StoreError, TABLE_NAME_ENV};

use crate::error::error_chain;

/// The tracing target of the per-request events.
pub const DYNAMODB_TARGET: &str = "functions_common::dynamodb";

/// The header that names the operation in DynamoDB's JSON protocol, e.g.
/// `DynamoDB_20120810.GetItem`.
const TARGET_HEADER: &str = "x-amz-target";

/// Builds the DynamoDB client from the SDK configuration, with [`RequestLog`] added.
pub fn dynamodb_client(sdk_config: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::config::Builder::from(sdk_config)
        .interceptor(RequestLog)
        .build();

    aws_sdk_dynamodb::Client::from_conf(config)
}

/// Builds the store on the table named by env `TABLE_NAME`, through [`dynamodb_client`].
/// Fails with [`StoreError::MissingTableName`] when the variable is unset or empty.
pub fn store_from_env(sdk_config: &aws_config::SdkConfig) -> Result<Store, StoreError> {
    let table = std::env::var(TABLE_NAME_ENV)
        .ok()
        .filter(|name| !name.is_empty())
        .ok_or(StoreError::MissingTableName)?;

    Ok(Store::new(dynamodb_client(sdk_config), table))
}

/// An SDK interceptor that logs one event per DynamoDB request attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLog;

/// The operation and start time of the attempt in flight, kept in the attempt's
/// configuration bag.
#[derive(Debug, Clone)]
struct AttemptStart {
    operation: String,
    started: Instant,
}

impl Storable for AttemptStart {
    type Storer = StoreReplace<Self>;
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "RequestLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let target = context.request().headers().get(TARGET_HEADER);

        cfg.interceptor_state().store_put(AttemptStart {
            operation: operation_name(target).to_owned(),
            started: Instant::now(),
        });
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        // An attempt that failed before transmit (e.g. signing) sent nothing.
        let Some(attempt) = cfg.load::<AttemptStart>().cloned() else {
            return Ok(());
        };
        cfg.interceptor_state().unset::<AttemptStart>();

        let latency_ms = attempt.started.elapsed().as_secs_f64() * 1000.0;
        let operation = attempt.operation.as_str();

        match (context.response(), context.output_or_error()) {
            (Some(response), _) => tracing::info!(
                target: DYNAMODB_TARGET,
                operation,
                status = response.status().as_u16(),
                latency_ms,
                "DynamoDB call"
            ),
            (None, Some(Err(error))) => tracing::warn!(
                target: DYNAMODB_TARGET,
                operation,
                latency_ms,
                error = %error_chain(error),
                "DynamoDB call failed"
            ),
            (None, _) => tracing::warn!(
                target: DYNAMODB_TARGET,
                operation,
                latency_ms,
                error = "no response",
                "DynamoDB call failed"
            ),
        }
        Ok(())
    }
}

/// Returns the operation of an `X-Amz-Target` value, or `?` without one.
fn operation_name(target: Option<&str>) -> &str {
    target
        .and_then(|value| value.rsplit_once('.'))
        .map_or("?", |(_, operation)| operation)
}

#[cfg(test)]
mod tests {
    use aws_config::retry::RetryConfig;
    use aws_config::{BehaviorVersion, Region};
    use aws_sdk_dynamodb::config::Credentials;
    use aws_sdk_dynamodb::types::AttributeValue;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;
    use crate::emf::Metrics;
    use crate::remote_call::RemoteCallMetrics;

    #[tokio::test]
    async fn each_failed_attempt_counted() {
        let (metrics, documents) = Metrics::in_memory("instances");
        let subscriber = tracing_subscriber::registry().with(RemoteCallMetrics::new(metrics));
        let _guard = tracing::subscriber::set_default(subscriber);
        // A port that was free a moment ago, so every connection is refused.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port");
        let sdk_config = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(format!("http://{closed}"))
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .load()
            .await;

        let result = dynamodb_client(&sdk_config)
            .get_item()
            .table_name("connector-test")
            .key("pk", AttributeValue::S("instance#main-store".to_owned()))
            .send()
            .await;

        let documents = documents.lock().expect("lock");
        assert!(result.is_err());
        assert_eq!(documents.len(), 2);
        for document in documents.iter() {
            assert_eq!(document["System"], "dynamodb");
            assert_eq!(document["Operation"], "GetItem");
            assert_eq!(document["Success"], false);
        }
    }

    #[test]
    fn operation_from_target_header() {
        assert_eq!(
            operation_name(Some("DynamoDB_20120810.TransactWriteItems")),
            "TransactWriteItems"
        );
        assert_eq!(operation_name(Some("GetItem")), "?");
        assert_eq!(operation_name(None), "?");
    }
}
