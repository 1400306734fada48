//! The "Create in Magento" use case behind the handler, and its responses.

use functions_common::outcome::result_response;
use functions_common::status::partner_rejected;
use functions_common::{ApiError, OutcomeKind};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::json;
use shared::sync::{CreateSource, CustomerResult, Outcome, SyncError};

use crate::App;
use crate::form_errors::form_errors;
use crate::input::ParsedCreate;

/// Creates the customer in Magento and links it, then builds the 201 response.
///
/// A duplicate email in the instance's website is a 409 whose `details.magento_id` is the
/// existing customer, so the caller can pull and link that one instead.
pub async fn create_customer(
    app: &App,
    instance_id: &str,
    parsed: ParsedCreate,
) -> Result<Response<Body>, ApiError> {
    let ParsedCreate {
        request,
        phone_field,
    } = parsed;

    // Loaded first so that an unknown instance is a 404 and missing credentials a 502.
    let clients = app
        .clients
        .get(&app.store, &app.secrets, instance_id)
        .await?;
    let context = clients.sync_context(&app.store);

    let outcome = shared::sync::create_in_magento(&context, &request)
        .await
        .map_err(|error| use_case_error(error, &request.source, phone_field))?;

    if let Outcome::Skipped { reason } = &outcome {
        app.metrics.outcome(OutcomeKind::Skipped, 1);
        return Err(skipped(app, instance_id, &request.source, reason).await);
    }

    let result = CustomerResult {
        magento_customer_id: None,
        outcome,
        conflict: None,
    };
    result_response(&app.metrics, instance_id, &result, StatusCode::CREATED)
}

/// Maps a failed use case. Invalid form fields are the caller's to fix (400), while
/// invalid data of an Odoo partner must be fixed in Odoo (422). `phone_field` is the body
/// key that carried the address telephone.
fn use_case_error(error: SyncError, source: &CreateSource, phone_field: &str) -> ApiError {
    match (error, source) {
        (SyncError::Invalid(errors), CreateSource::Form(_)) => {
            form_errors(errors, phone_field).into()
        }
        (SyncError::Invalid(errors), CreateSource::Partner { odoo_partner_id }) => {
            partner_rejected(*odoo_partner_id, &errors)
        }
        (other, _) => other.into(),
    }
}

/// Builds the 409 for a customer the use case did not link. For a partner that is already
/// linked, `details` names its Magento customer.
async fn skipped(app: &App, instance_id: &str, source: &CreateSource, reason: &str) -> ApiError {
    tracing::warn!(instance_id, reason, "customer not created");
    let conflict = ApiError::conflict(reason);

    let CreateSource::Partner { odoo_partner_id } = source else {
        return conflict;
    };
    let link = app
        .store
        .get_link_by_partner(instance_id, *odoo_partner_id)
        .await;

    match link {
        Ok(Some(link)) => conflict.with_details(json!({
            "magento_id": link.magento_customer_id,
            "odoo_partner_id": link.odoo_partner_id,
        })),
        Ok(None) => conflict,
        Err(error) => {
            // The 409 is returned without the details, and the read failure is logged.
            tracing::warn!(instance_id, odoo_partner_id, error = %error, "failed to read the existing link for the 409 details");
            conflict
        }
    }
}
