//! Running the slices of a bulk pull and the scheduled pull.

use std::time::Instant;

use functions_common::ApiError;
use serde_json::{Value, json};
use shared::store::JobStatus;

use crate::App;
use crate::event::Continuation;

/// Runs one slice of a bulk pull and, when customers remain, invokes the next slice.
pub async fn run_slice(
    app: &App,
    continuation: &Continuation,
    deadline: Instant,
) -> Result<(), ApiError> {
    let next_cursor = pull_until(app, continuation, deadline).await;

    match next_cursor {
        Ok(Some(cursor)) => {
            let next = Continuation::new(
                &continuation.instance_id,
                &continuation.job_id,
                Some(cursor),
            );
            app.invoker.continue_job(&next).await
        }
        Ok(None) => {
            tracing::info!(instance_id = %continuation.instance_id, job_id = %continuation.job_id, "bulk pull finished");
            Ok(())
        }
        Err(error) => {
            tracing::error!(job_id = %continuation.job_id, error = %error, "bulk pull slice failed");
            Err(error)
        }
    }
}

/// Pulls pages from `continuation.cursor` until the customers run out or the deadline
/// comes; returns the cursor to resume from, `None` when the job finished.
async fn pull_until(
    app: &App,
    continuation: &Continuation,
    _deadline: Instant,
) -> Result<Option<String>, ApiError> {
    // TODO: call the bulk pull use case of shared::sync once it lands; until then the
    // job is marked failed so that it does not block the next start.
    app.store
        .set_job_status(&continuation.job_id, JobStatus::Failed)
        .await?;
    Err(ApiError::new(
        functions_common::ErrorCode::Internal,
        "the bulk pull is not available in this build",
    ))
}

/// Runs the incremental pull of every instance whose pull interval has elapsed.
pub async fn run_scheduled(app: &App, _deadline: Instant) -> Result<Value, ApiError> {
    // TODO: call the scheduled pull use case of shared::sync once it lands.
    let instances = app.store.list_instances().await?;
    tracing::warn!(
        instances = instances.len(),
        "scheduled pull is not available in this build"
    );
    Ok(json!({ "instances": instances.len(), "pulled": 0 }))
}
