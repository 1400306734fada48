//! One function per route of the instances API.

use chrono::Utc;
use functions_common::response::method_not_allowed;
use functions_common::{ApiError, RemoteSystem, json_response, parse_json, timed};
use http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use shared::config::{InstanceConfig, MagentoAuthKind};
use shared::secrets::SecretsError;
use shared::store::StoreError;

use crate::App;
use crate::input::InstanceBody;
use crate::view::InstanceView;

const ID_RULE: &str = "1 to 64 characters among a-z, A-Z, 0-9, '-' and '_', e.g. main-store";

pub async fn route(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let instance_id = request
        .path_parameters_ref()
        .and_then(|parameters| parameters.first("instance_id"))
        .map(str::to_owned);

    match (request.method(), instance_id) {
        (&Method::POST, None) => create(app, request).await,
        (&Method::GET, None) => list(app).await,
        (&Method::GET, Some(id)) => get(app, &id).await,
        (&Method::PUT, Some(id)) => update(app, request, &id).await,
        (&Method::DELETE, Some(id)) => delete(app, &id).await,
        (method, _) => Err(method_not_allowed(method, request.uri().path())),
    }
}

async fn create(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let body: InstanceBody = parse_json(request)?;
    let Some(id) = body.id.clone() else {
        return Err(ApiError::invalid_field(
            "id",
            format!("id is missing; choose {ID_RULE}"),
        ));
    };
    let now = Utc::now();
    let mut config = body.to_config(&id, now, now)?;

    let (Some(magento), Some(odoo)) = (body.magento_credentials(), body.odoo_credentials()) else {
        return Err(ApiError::invalid_field(
            "credentials",
            "credentials.magento and credentials.odoo.api_key are required to create an instance",
        ));
    };

    // Checked before the secrets are written, so a duplicate create cannot replace the
    // credentials of the existing instance.
    match app.store.get_instance(&id).await {
        Ok(_) => return Err(StoreError::InstanceExists { instance_id: id }.into()),
        Err(StoreError::NotFound { .. }) => {}
        Err(error) => return Err(error.into()),
    }

    config.magento_secret_ref = timed(
        RemoteSystem::SecretsManager,
        "put_magento",
        app.secrets.put_magento(&id, magento),
    )
    .await?;
    config.odoo_secret_ref = timed(
        RemoteSystem::SecretsManager,
        "put_odoo",
        app.secrets.put_odoo(&id, &odoo),
    )
    .await?;
    app.store.create_instance(&config).await?;

    tracing::info!(instance_id = %id, "instance created");
    let mut response = json_response(StatusCode::CREATED, &InstanceView::from(&config));
    if let Ok(location) = http::HeaderValue::from_str(&format!("/instances/{id}")) {
        response
            .headers_mut()
            .insert(http::header::LOCATION, location);
    }
    Ok(response)
}

async fn list(app: &App) -> Result<Response<Body>, ApiError> {
    let instances = app.store.list_instances().await?;

    let views: Vec<InstanceView> = instances.iter().map(InstanceView::from).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "instances": views }),
    ))
}

async fn get(app: &App, id: &str) -> Result<Response<Body>, ApiError> {
    let config = app.store.get_instance(id).await?;

    Ok(json_response(StatusCode::OK, &InstanceView::from(&config)))
}

async fn update(app: &App, request: &Request, id: &str) -> Result<Response<Body>, ApiError> {
    let body: InstanceBody = parse_json(request)?;
    if let Some(body_id) = &body.id
        && body_id != id
    {
        return Err(ApiError::invalid_field(
            "id",
            format!(
                "id {body_id:?} in the body differs from {id:?} in the path; an instance id cannot change"
            ),
        ));
    }

    let existing = app.store.get_instance(id).await?;
    let mut config = body.to_config(id, existing.created_at, Utc::now())?;
    require_new_credentials(&existing, &config, &body)?;

    config.magento_secret_ref = match body.magento_credentials() {
        Some(magento) => {
            timed(
                RemoteSystem::SecretsManager,
                "put_magento",
                app.secrets.put_magento(id, magento),
            )
            .await?
        }
        None => existing.magento_secret_ref.clone(),
    };
    config.odoo_secret_ref = match body.odoo_credentials() {
        Some(odoo) => {
            timed(
                RemoteSystem::SecretsManager,
                "put_odoo",
                app.secrets.put_odoo(id, &odoo),
            )
            .await?
        }
        None => existing.odoo_secret_ref.clone(),
    };
    app.store.update_instance(&config).await?;

    tracing::info!(instance_id = %id, "instance updated");
    Ok(json_response(StatusCode::OK, &InstanceView::from(&config)))
}

/// Stored credentials stop matching when the authentication kind or the Odoo login
/// changes, so new ones must come with such a change.
fn require_new_credentials(
    existing: &InstanceConfig,
    config: &InstanceConfig,
    body: &InstanceBody,
) -> Result<(), ApiError> {
    if auth_family(existing.magento_auth) != auth_family(config.magento_auth)
        && body.magento_credentials().is_none()
    {
        return Err(ApiError::invalid_field(
            "credentials.magento",
            "credentials.magento is required when magento_auth changes to another kind of credentials",
        ));
    }

    if existing.odoo_login != config.odoo_login && body.odoo_credentials().is_none() {
        return Err(ApiError::invalid_field(
            "credentials.odoo",
            "credentials.odoo.api_key is required when odoo_login changes",
        ));
    }
    Ok(())
}

/// Both OAuth signature methods use the same four tokens.
fn auth_family(kind: MagentoAuthKind) -> &'static str {
    match kind {
        MagentoAuthKind::OauthHmacSha256 | MagentoAuthKind::OauthHmacSha1 => "oauth",
        MagentoAuthKind::Bearer => "bearer",
        MagentoAuthKind::AdminPassword => "admin",
    }
}

async fn delete(app: &App, id: &str) -> Result<Response<Body>, ApiError> {
    app.store.delete_instance(id).await?;

    let magento = timed(
        RemoteSystem::SecretsManager,
        "delete_magento",
        app.secrets.delete_magento(id),
    )
    .await;
    ignore_missing_secret(magento)?;
    let odoo = timed(
        RemoteSystem::SecretsManager,
        "delete_odoo",
        app.secrets.delete_odoo(id),
    )
    .await;
    ignore_missing_secret(odoo)?;

    tracing::info!(instance_id = %id, "instance deleted");
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

/// Treats a secret that is already gone as deleted.
fn ignore_missing_secret(result: Result<(), SecretsError>) -> Result<(), ApiError> {
    match result {
        Ok(()) | Err(SecretsError::NotFound { .. }) => Ok(()),
        Err(error) => Err(error.into()),
    }
}
