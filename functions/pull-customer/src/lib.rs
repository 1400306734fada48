//! `POST /instances/{instance_id}/customers/{magento_id}/pull`: pulls one Magento
//! customer into Odoo, linking it to a partner with the same email or creating one.

#[cfg(test)]
mod tests;

use functions_common::clients::ClientCache;
use functions_common::outcome::result_response;
use functions_common::response::method_not_allowed;
use functions_common::{
    ApiError, Metrics, parse_path_parameter, path_parameter, respond, with_path_parameters,
};
use http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use shared::secrets::SecretsStore;
use shared::store::Store;
use shared::sync::pull_customer;

/// The routes of this function in template.yaml, for events without `pathParameters`.
const ROUTES: [&str; 1] = ["/instances/{instance_id}/customers/{magento_id}/pull"];

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
        Ok(respond(self.pull(&request).await))
    }

    async fn pull(&self, request: &Request) -> Result<Response<Body>, ApiError> {
        if request.method() != Method::POST {
            return Err(method_not_allowed(request.method(), request.uri().path()));
        }
        let instance_id = path_parameter(request, "instance_id")?;
        let magento_id: u64 = parse_path_parameter(request, "magento_id", "a positive integer")?;

        let clients = self
            .clients
            .get(&self.store, &self.secrets, &instance_id)
            .await?;
        let context = clients.sync_context(&self.store);
        let result = pull_customer(&context, magento_id).await?;

        result_response(&self.metrics, &instance_id, &result, StatusCode::OK)
    }
}
