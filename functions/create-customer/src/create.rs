//! The "Create in Magento" use case behind the handler.

use functions_common::{ApiError, ErrorCode};
use lambda_http::{Body, Response};

use crate::App;
use crate::input::CreateRequest;

/// Creates the customer in Magento and links it, then builds the 201 response.
pub async fn create_customer(
    app: &App,
    instance_id: &str,
    request: CreateRequest,
) -> Result<Response<Body>, ApiError> {
    // Loaded first so that an unknown instance is a 404 and missing credentials a 502.
    let clients = app
        .clients
        .get(&app.store, &app.secrets, instance_id)
        .await?;
    let _context = clients.sync_context(&app.store);

    // TODO: call the "Create in Magento" use case of shared::sync when it lands and
    // return `result_response(&app.metrics, instance_id, &result, StatusCode::CREATED)`.
    tracing::error!(
        instance_id,
        ?request,
        "Create in Magento is not available in this build"
    );
    Err(ApiError::new(
        ErrorCode::Internal,
        "creating customers is not available in this build of the connector",
    ))
}
