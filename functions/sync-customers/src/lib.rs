//! The sync function: starts bulk pulls over HTTP, reports their progress, runs their
//! slices and runs the scheduled incremental pull.
//!
//! One invocation has at most 15 minutes, so a bulk pull runs in slices. Each slice
//! stops before the invocation's deadline and invokes this function again,
//! asynchronously, with the job id and the cursor to resume from.

mod deadline;
mod event;
mod http;
mod invoker;
mod job_view;
mod run;
mod scheduled;

#[cfg(test)]
mod tests;

use std::time::{Duration, SystemTime};

use functions_common::clients::ClientCache;
use functions_common::{Metrics, respond, with_path_parameters};
use lambda_http::Body;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use lambda_http::lambda_runtime::{Error, LambdaEvent};
use serde_json::{Value, json};
use shared::secrets::SecretsStore;
use shared::store::Store;

pub use event::{Continuation, Incoming, classify};
pub use invoker::SelfInvoker;

/// The clients that every event uses, built once per cold start.
pub struct App {
    pub store: Store,
    pub secrets: SecretsStore,
    pub clients: ClientCache,
    pub invoker: SelfInvoker,
    pub metrics: Metrics,
}

impl App {
    /// Handles one event of any kind. Failures of HTTP requests become error responses.
    /// A failed slice, or a scheduled event whose instances cannot be listed, is logged
    /// and returned as `Err`, so Lambda's asynchronous retry runs it again.
    pub async fn dispatch(&self, event: LambdaEvent<Value>) -> Result<Value, Error> {
        let (payload, context) = event.into_parts();

        match classify(payload) {
            Incoming::Http(request) => {
                let request = with_path_parameters((*request).into(), &http::ROUTES);
                let response = respond(http::route(self, &request).await);
                Ok(serde_json::to_value(api_gateway_response(response))?)
            }
            Incoming::Continue(continuation) => {
                let deadline = slice_deadline(context.deadline());
                run::run_slice(self, &continuation, deadline).await?;
                Ok(json!({ "job_id": continuation.job_id }))
            }
            Incoming::Scheduled => {
                let deadline = slice_deadline(context.deadline());
                let summary = scheduled::run_scheduled(self, deadline).await?;
                Ok(summary)
            }
            Incoming::Unknown(reason) => {
                // Returned as Ok: a retry of an unreadable event would fail the same way.
                tracing::error!(reason = %reason, "ignored an event of unknown shape");
                Ok(json!({ "error": reason }))
            }
        }
    }
}

/// Time kept back from the invocation deadline to store the last page's links and
/// the checkpoint, and to invoke the continuation.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(60);

/// Returns the time at which a slice must stop.
fn slice_deadline(invocation_deadline: SystemTime) -> std::time::Instant {
    let remaining = deadline::remaining_time(invocation_deadline, SystemTime::now());
    std::time::Instant::now() + remaining.saturating_sub(DEADLINE_MARGIN)
}

/// Converts an HTTP response into the shape API Gateway HTTP APIs expect.
pub fn api_gateway_response(response: lambda_http::Response<Body>) -> ApiGatewayV2httpResponse {
    let (parts, body) = response.into_parts();
    let mut converted = ApiGatewayV2httpResponse::default();
    converted.status_code = i64::from(parts.status.as_u16());
    converted.headers = parts.headers;
    converted.body = match body {
        Body::Empty => None,
        other => Some(other),
    };
    converted.is_base64_encoded = false;
    converted
}
