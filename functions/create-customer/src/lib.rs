//! `POST /instances/{instance_id}/customers`: creates a Magento customer from an Odoo
//! partner or from form fields, and links the two.
//!
//! With an `Idempotency-Key` header, a retry with the same body returns the first
//! response and never creates a second customer. The same key with another body gets
//! a 409.

mod create;
mod form_body;
mod form_errors;
mod input;

#[cfg(test)]
mod tests;

use functions_common::body::body_bytes;
use functions_common::clients::ClientCache;
use functions_common::idempotency::{idempotency_key, run_idempotent};
use functions_common::response::method_not_allowed;
use functions_common::{
    ApiError, MAX_BODY_BYTES, Metrics, path_parameter, respond, with_path_parameters,
};
use http::Method;
use lambda_http::{Body, Request, Response};
use shared::secrets::SecretsStore;
use shared::store::Store;

/// The routes of this function in template.yaml, for events without `pathParameters`.
const ROUTES: [&str; 1] = ["/instances/{instance_id}/customers"];

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
        Ok(respond(self.create(&request).await))
    }

    async fn create(&self, request: &Request) -> Result<Response<Body>, ApiError> {
        if request.method() != Method::POST {
            return Err(method_not_allowed(request.method(), request.uri().path()));
        }
        let instance_id = path_parameter(request, "instance_id")?;
        let key = idempotency_key(request)?;

        // Parsed before the key is claimed, so a malformed body never uses up a key.
        let parsed = input::parse_create_request(request)?;
        let body = body_bytes(request, MAX_BODY_BYTES)?;

        run_idempotent(&self.store, &instance_id, key.as_deref(), body, || {
            create::create_customer(self, &instance_id, parsed)
        })
        .await
    }
}
