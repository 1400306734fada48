//! `PUT /instances/{instance_id}/customers/{magento_id}`: pushes the linked Odoo
//! partner's data to the Magento customer.

mod input;

#[cfg(test)]
mod tests;

use functions_common::clients::ClientCache;
use functions_common::outcome::result_response;
use functions_common::response::method_not_allowed;
use functions_common::status::partner_rejected;
use functions_common::{
    ApiError, Metrics, parse_path_parameter, path_parameter, respond, with_path_parameters,
};
use http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::json;
use shared::secrets::SecretsStore;
use shared::store::Store;
use shared::sync::{CustomerResult, SyncError, update_in_magento};

/// The routes of this function in template.yaml, for events without `pathParameters`.
const ROUTES: [&str; 1] = ["/instances/{instance_id}/customers/{magento_id}"];

/// The clients that every request uses, built once per cold start.
pub struct App {
    pub store: Store,
    pub secrets: SecretsStore,
    pub clients: ClientCache,
    pub metrics: Metrics,
}

impl App {
    /// Handles one request. Every failure becomes an error response, so this never
    /// returns `Err` to the runtime.
    pub async fn handle(
        &self,
        request: Request,
    ) -> Result<Response<Body>, std::convert::Infallible> {
        let request = with_path_parameters(request, &ROUTES);
        Ok(respond(self.update(&request).await))
    }

    async fn update(&self, request: &Request) -> Result<Response<Body>, ApiError> {
        if request.method() != Method::PUT {
            return Err(method_not_allowed(request.method(), request.uri().path()));
        }
        let instance_id = path_parameter(request, "instance_id")?;
        let magento_id: u64 = parse_path_parameter(request, "magento_id", "a positive integer")?;
        let body = input::parse_body(request)?;

        let clients = self
            .clients
            .get(&self.store, &self.secrets, &instance_id)
            .await?;
        let odoo_partner_id = self
            .linked_partner(&instance_id, magento_id, body.odoo_partner_id)
            .await?;

        let context = clients.sync_context(&self.store);
        let outcome = update_in_magento(&context, odoo_partner_id)
            .await
            .map_err(|error| match error {
                // The request is valid, so data that Magento would reject is Odoo's to fix.
                SyncError::Invalid(errors) => partner_rejected(odoo_partner_id, &errors),
                other => other.into(),
            })?;

        let result = CustomerResult {
            magento_customer_id: Some(magento_id),
            outcome,
            conflict: None,
        };
        result_response(&self.metrics, &instance_id, &result, StatusCode::OK)
    }

    /// Returns the Odoo partner linked to the customer: 404 when it has none, 409 when
    /// the caller expects another partner.
    async fn linked_partner(
        &self,
        instance_id: &str,
        magento_id: u64,
        expected: Option<i64>,
    ) -> Result<i64, ApiError> {
        let link = self.store.get_link(instance_id, magento_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Magento customer {magento_id} of instance {instance_id} is not linked; pull it first"
            ))
        })?;

        match expected {
            Some(expected) if expected != link.odoo_partner_id => Err(ApiError::conflict(format!(
                "Magento customer {magento_id} is linked to Odoo partner {}, not {expected}; send that id or no body",
                link.odoo_partner_id
            ))
            .with_details(json!({
                "magento_id": magento_id,
                "odoo_partner_id": link.odoo_partner_id,
            }))),
            _ => Ok(link.odoo_partner_id),
        }
    }
}
