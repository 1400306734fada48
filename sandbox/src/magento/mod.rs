//! An emulator of the Magento 2.4 customer REST API, faithful to Magento's status
//! codes, message templates and quirks so that a connector that passes against it
//! also works against a real store.
//!
//! `spawn` runs it in-process on 127.0.0.1 with a free port, and the
//! `magento-sandbox` binary runs it by hand. Besides `/rest/...` it serves
//! `/_sandbox/config`, `/_sandbox/faults`, `/_sandbox/stats` and `/_sandbox/outbox`.

mod addresses;
mod auth;
pub mod config;
mod customers;
mod directory;
mod errors;
mod input;
pub mod oauth;
mod routes;
mod search;
mod seed;
mod serialization;
pub mod state;
mod validation;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use config::{Settings, ShareScope};
pub use state::IntegrationCredentials;

use crate::faults::{self, FaultSettings, FaultState, Faults};
use crate::stats::Stats;
use state::{AppState, AuthState, Customers};

/// Start options; every field has a default (no customers, seed 1, stock settings).
#[derive(Clone, Debug)]
pub struct Options {
    /// Number of customers to seed, with ids 1..=customers.
    pub customers: u64,
    /// Seed of the generated customers.
    pub seed: u64,
    /// Seed of the fault RNG; `None` draws one from the OS.
    pub fault_seed: Option<u64>,
    pub settings: Settings,
    pub faults: FaultSettings,
    pub admin_username: String,
    /// `None` generates a random password, reported in `Running`.
    pub admin_password: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            customers: 0,
            seed: 1,
            fault_seed: Some(1),
            settings: Settings::default(),
            faults: FaultSettings::default(),
            admin_username: "admin".to_string(),
            admin_password: None,
        }
    }
}

/// The ready line's fields: what a client needs to connect.
#[derive(Clone, Serialize)]
pub struct ReadyLine {
    /// `http://host:port`, without `/rest`.
    pub base_url: String,
    pub admin_username: String,
    pub admin_password: String,
    pub integration: IntegrationCredentials,
}

/// A running sandbox; dropping it stops the server.
pub struct Running {
    pub base_url: String,
    pub admin_username: String,
    pub admin_password: String,
    pub integration: IntegrationCredentials,
    pub local_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Running")
            .field("base_url", &self.base_url)
            .field("admin_username", &self.admin_username)
            .field("admin_password", &"<redacted>")
            .field("integration", &self.integration)
            .finish()
    }
}

impl Running {
    pub fn ready_line(&self) -> ReadyLine {
        ReadyLine {
            base_url: self.base_url.clone(),
            admin_username: self.admin_username.clone(),
            admin_password: self.admin_password.clone(),
            integration: self.integration.clone(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may already be gone, in which case there is nothing to stop.
            let _ = shutdown.send(());
        }
    }
}

/// Starts a sandbox on 127.0.0.1 with a free port.
pub async fn spawn(options: Options) -> anyhow::Result<Running> {
    start(options, SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Starts a sandbox on `address`; port 0 picks a free port.
pub async fn start(options: Options, address: SocketAddr) -> anyhow::Result<Running> {
    options
        .settings
        .validate()
        .context("invalid sandbox settings")?;
    let faults = Faults::new(options.faults.clone(), options.fault_seed)
        .context("invalid fault settings")?;
    let stats = Stats::new();

    let started = Instant::now();
    let mut customers = Customers::new();
    seed::seed_customers(&mut customers, options.seed, options.customers);
    tracing::info!(
        count = options.customers,
        seed = options.seed,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "customers seeded"
    );

    let admin_password = options
        .admin_password
        .clone()
        .unwrap_or_else(|| format!("Sb-{}", auth::random_secret(16)));
    let integration = IntegrationCredentials {
        consumer_key: auth::random_secret(32),
        consumer_secret: auth::random_secret(32),
        access_token: auth::random_secret(32),
        access_token_secret: auth::random_secret(32),
    };
    let state = Arc::new(AppState {
        customers: RwLock::new(customers),
        settings: RwLock::new(options.settings.clone()),
        auth: Mutex::new(AuthState::default()),
        outbox: Mutex::new(Vec::new()),
        admin_username: options.admin_username.clone(),
        admin_password: admin_password.clone(),
        integration: integration.clone(),
        faults: faults.clone(),
        stats: stats.clone(),
    });

    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address} failed"))?;
    let local_addr = listener
        .local_addr()
        .context("reading the bound address failed")?;

    let (shutdown, shutdown_signal) = oneshot::channel::<()>();
    let app = router(state, FaultState { faults, stats });
    tokio::spawn(async move {
        let stopped = async {
            // An error means the `Running` handle was dropped, which also means stop.
            let _ = shutdown_signal.await;
        };
        if let Err(error) = crate::server::serve(listener, app, stopped).await {
            tracing::error!(%error, "magento sandbox server stopped with an error");
        }
    });

    Ok(Running {
        base_url: format!("http://{local_addr}"),
        admin_username: options.admin_username,
        admin_password,
        integration,
        local_addr,
        shutdown: Some(shutdown),
    })
}

fn router(state: Arc<AppState>, fault_state: FaultState) -> Router {
    let api = Router::new()
        .route("/rest/{*path}", any(routes::dispatch))
        .route("/_sandbox/config", get(get_config).put(put_config))
        .route("/_sandbox/outbox", get(get_outbox))
        .fallback(unmatched)
        .with_state(state);

    api.merge(faults::control_routes(fault_state.clone()))
        .layer(middleware::from_fn_with_state(fault_state, faults::inject))
        .layer(middleware::from_fn(log_request))
}

async fn unmatched() -> Response {
    errors::ApiError::no_route().into_response()
}

/// Logs method, path, status and latency; never headers, so tokens stay out of logs.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();

    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), latency_ms = started.elapsed().as_millis() as u64, "request");
    response
}

async fn get_config(State(state): State<Arc<AppState>>) -> Json<Settings> {
    Json(state.settings())
}

async fn put_config(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let parsed: Result<Settings, String> =
        serde_json::from_slice(&body).map_err(|error| error.to_string());
    let checked = parsed.and_then(|settings| {
        settings
            .validate()
            .map(|()| settings)
            .map_err(|error| error.to_string())
    });

    match checked {
        Ok(settings) => {
            *state
                .settings
                .write()
                .unwrap_or_else(PoisonError::into_inner) = settings.clone();
            Json(settings).into_response()
        }
        Err(message) => {
            tracing::warn!(%message, "rejected sandbox settings");
            let body =
                serde_json::json!({ "message": format!("invalid sandbox settings: {message}") });
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
    }
}

async fn get_outbox(State(state): State<Arc<AppState>>) -> Json<Vec<state::OutboxEmail>> {
    Json(state.outbox())
}
