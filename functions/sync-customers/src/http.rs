//! The HTTP routes: start a bulk pull, read a job's progress.

use chrono::Utc;
use functions_common::response::method_not_allowed;
use functions_common::{ApiError, json_response, path_parameter};
use http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use shared::store::{JobKind, JobStatus, StoreError};

use crate::App;
use crate::event::Continuation;
use crate::job_view::JobView;

/// A queued job younger than this blocks a new start, because its first slice may not
/// have taken the instance lease yet. An older queued job lost its invocation.
const QUEUED_GRACE: chrono::Duration = chrono::Duration::minutes(5);

/// The routes of these handlers in template.yaml, for events without `pathParameters`.
pub const ROUTES: [&str; 2] = [
    "/instances/{instance_id}/sync",
    "/instances/{instance_id}/sync/{job_id}",
];

pub async fn route(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let has_job = request
        .path_parameters_ref()
        .is_some_and(|parameters| parameters.first("job_id").is_some());

    match (request.method(), has_job) {
        (&Method::POST, false) => start(app, request).await,
        (&Method::GET, true) => progress(app, request).await,
        (method, _) => Err(method_not_allowed(method, request.uri().path())),
    }
}

async fn start(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let instance_id = path_parameter(request, "instance_id")?;
    app.store.get_instance(&instance_id).await?;
    reject_running(app, &instance_id).await?;

    let job = app.store.create_job(&instance_id, JobKind::Bulk).await?;
    let continuation = Continuation::new(&instance_id, &job.job_id, None);
    if let Err(error) = app.invoker.continue_job(&continuation).await {
        // A job that never starts must not block the next start.
        let marked = app
            .store
            .set_job_status(&job.job_id, JobStatus::Failed)
            .await;
        if let Err(mark_error) = marked {
            tracing::error!(job_id = %job.job_id, error = %mark_error, "failed to mark the unstarted job as failed");
        }
        return Err(error);
    }

    tracing::info!(instance_id = %instance_id, job_id = %job.job_id, "bulk pull queued");
    let mut response = json_response(StatusCode::ACCEPTED, &JobView::new(&job, Utc::now()));
    let location = format!("/instances/{instance_id}/sync/{}", job.job_id);
    if let Ok(value) = http::HeaderValue::from_str(&location) {
        response.headers_mut().insert(http::header::LOCATION, value);
    }
    Ok(response)
}

/// Returns 409 while a run holds the instance lease or a recent job is queued.
async fn reject_running(app: &App, instance_id: &str) -> Result<(), ApiError> {
    let now = Utc::now();

    let lease = app.store.get_lease(instance_id).await?;
    if let Some(lease) = lease.filter(|lease| lease.expires_at > now) {
        return Err(StoreError::LeaseHeld {
            instance_id: lease.instance_id,
            owner: lease.owner,
            expires_at: lease.expires_at,
        }
        .into());
    }

    let recent = app.store.list_jobs(instance_id, 10).await?;
    let queued = recent
        .iter()
        .find(|job| job.status == JobStatus::Queued && now - job.created_at < QUEUED_GRACE);
    if let Some(job) = queued {
        return Err(ApiError::conflict(format!(
            "job {} of instance {instance_id} is queued; wait for it to finish or poll its progress",
            job.job_id
        ))
        .with_details(serde_json::json!({ "job_id": job.job_id })));
    }
    Ok(())
}

async fn progress(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let instance_id = path_parameter(request, "instance_id")?;
    let job_id = path_parameter(request, "job_id")?;

    let job = app.store.get_job(&job_id).await?;
    // A job id of another instance gets the same 404 as an unknown one.
    if job.instance_id != instance_id {
        return Err(ApiError::not_found(format!(
            "job {job_id} of instance {instance_id} not found"
        )));
    }

    Ok(json_response(
        StatusCode::OK,
        &JobView::new(&job, Utc::now()),
    ))
}
