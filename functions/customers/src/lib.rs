//! The customers API: the list view of an instance's linked customers and the form
//! view of one customer, both read from the table without calls to Magento or Odoo.

mod routes;
mod view;

#[cfg(test)]
mod tests;

use functions_common::{Metrics, respond, with_path_parameters};
use lambda_http::{Body, Request, Response};
use shared::store::Store;

/// The routes of this function in template.yaml, for events without `pathParameters`.
const ROUTES: [&str; 2] = [
    "/instances/{instance_id}/customers",
    "/instances/{instance_id}/customers/{magento_id}",
];

/// The clients that every request uses, built once per cold start.
pub struct App {
    pub store: Store,
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
