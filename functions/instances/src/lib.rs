//! The instances API: create, list, read, update and delete instance configurations.
//!
//! Credentials sent on create or update go to Secrets Manager under
//! `magento-odoo/<instance_id>/{magento,odoo}`. The table keeps only the secret
//! references, and responses only report that credentials are stored.

mod input;
mod routes;
mod view;

#[cfg(test)]
mod tests;

use functions_common::{Metrics, respond, with_path_parameters};
use lambda_http::{Body, Request, Response};
use shared::secrets::SecretsStore;
use shared::store::Store;

/// The routes of this function in template.yaml, for events without `pathParameters`.
const ROUTES: [&str; 2] = ["/instances", "/instances/{instance_id}"];

/// The clients that every request uses, built once per cold start.
pub struct App {
    pub store: Store,
    pub secrets: SecretsStore,
    pub metrics: Metrics,
}

impl App {
    /// Routes one request. Every failure becomes an error response, so this never
    /// returns `Err` to the runtime.
    pub async fn handle(
        &self,
        request: Request,
    ) -> Result<Response<Body>, std::convert::Infallible> {
        let request = with_path_parameters(request, &ROUTES);
        Ok(respond(routes::route(self, &request).await))
    }
}
