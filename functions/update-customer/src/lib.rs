//! `PUT /instances/{instance_id}/customers/{magento_id}`: pushes the linked Odoo
//! partner's data to the Magento customer.

#[cfg(test)]
mod tests;

use functions_common::body::{body_bytes, from_json_value};
use functions_common::clients::ClientCache;
use functions_common::response::method_not_allowed;
use functions_common::{
    ApiError, ErrorCode, MAX_BODY_BYTES, Metrics, RemoteSystem, parse_json, parse_path_parameter,
    path_parameter, respond, timed, with_path_parameters,
};
use http::Method;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use shared::secrets::SecretsStore;
use shared::store::Store;

/// The routes of this function in template.yaml, for events without `pathParameters`.
const ROUTES: [&str; 1] = ["/instances/{instance_id}/customers/{magento_id}"];

/// The clients that every request uses, built once per cold start.
pub struct App {
    pub store: Store,
    pub secrets: SecretsStore,
    pub clients: ClientCache,
    pub metrics: Metrics,
}

/// The optional body: the partner to push instead of the linked one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    odoo_partner_id: Option<i64>,
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
        let body = parse_body(request)?;

        let clients = self
            .clients
            .get(&self.store, &self.secrets, &instance_id)
            .await?;
        let link = timed(
            RemoteSystem::Dynamodb,
            "get_link",
            self.store.get_link(&instance_id, magento_id),
        )
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Magento customer {magento_id} of instance {instance_id} is not linked; pull it first"
            ))
        })?;
        let odoo_partner_id = body.odoo_partner_id.unwrap_or(link.odoo_partner_id);
        let _context = clients.sync_context(&self.store);

        // TODO: call the "Update in Magento" use case of shared::sync when it lands and
        // return `result_response(&self.metrics, &instance_id, &result, StatusCode::OK)`.
        tracing::error!(
            %instance_id,
            magento_id,
            odoo_partner_id,
            "Update in Magento is not available in this build"
        );
        Err(ApiError::new(
            ErrorCode::Internal,
            "updating customers is not available in this build of the connector",
        ))
    }
}

/// Parses the optional body; an empty body pushes the linked partner.
fn parse_body(request: &Request) -> Result<UpdateBody, ApiError> {
    let bytes = body_bytes(request, MAX_BODY_BYTES)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(UpdateBody::default());
    }

    let value: serde_json::Value = parse_json(request)?;
    let body: UpdateBody = from_json_value(value)?;
    if let Some(id) = body.odoo_partner_id
        && id < 1
    {
        return Err(ApiError::invalid_field(
            "odoo_partner_id",
            format!("odoo_partner_id must be a positive integer, got {id}"),
        ));
    }
    Ok(body)
}
