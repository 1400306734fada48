//! Asynchronous self-invocation that continues a bulk pull in a fresh invocation.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use functions_common::error::error_chain;
use functions_common::{ApiError, ErrorCode, RemoteSystem, timed};

use crate::event::Continuation;

/// Invokes this function with `InvocationType::Event`.
///
/// The endpoint comes from the SDK configuration, which honours
/// `AWS_ENDPOINT_URL_LAMBDA`, e.g. the local endpoint of `cargo lambda watch`.
pub struct SelfInvoker {
    pub client: aws_sdk_lambda::Client,
    /// From `AWS_LAMBDA_FUNCTION_NAME`, which Lambda sets.
    pub function_name: String,
}

impl SelfInvoker {
    pub async fn continue_job(&self, continuation: &Continuation) -> Result<(), ApiError> {
        let payload = serde_json::to_vec(continuation).map_err(|error| {
            ApiError::internal("failed to encode the continuation event", &error)
        })?;

        let invoked = timed(
            RemoteSystem::Lambda,
            "invoke_self",
            self.client
                .invoke()
                .function_name(&self.function_name)
                .invocation_type(InvocationType::Event)
                .payload(Blob::new(payload))
                .send(),
        )
        .await;

        match invoked {
            Ok(_) => {
                tracing::info!(
                    instance_id = %continuation.instance_id,
                    job_id = %continuation.job_id,
                    "continuation invoked"
                );
                Ok(())
            }
            Err(error) => {
                let chain = error_chain(&error);
                tracing::error!(job_id = %continuation.job_id, error = %chain, "failed to invoke the continuation");
                let code = if chain.contains("TooManyRequestsException")
                    || chain.contains("dispatch failure")
                {
                    ErrorCode::UpstreamUnavailable
                } else {
                    ErrorCode::UpstreamError
                };
                Err(ApiError::new(
                    code,
                    format!(
                        "failed to start job {} in the background; retry later",
                        continuation.job_id
                    ),
                ))
            }
        }
    }
}
