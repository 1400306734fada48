//! The HTTP side: shared state, the router with both transports, the fault
//! layer and control routes, and the per-call log line.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::routing::{any, get, post};
use axum::{Json, Router, middleware};
use serde_json::json;

use super::state::Database;
use super::version::OdooVersion;
use super::{doc, json2, jsonrpc};
use crate::faults::{self, FaultState};
use crate::stats::Stats;

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Mutex<Database>>,
    pub stats: Arc<Stats>,
    pub version: OdooVersion,
}

impl AppState {
    /// Locks the database; a panic elsewhere never leaves it half-written
    /// because calls roll back on error, so a poisoned lock is still usable.
    pub fn lock(&self) -> MutexGuard<'_, Database> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub fn router(state: AppState, faults: FaultState) -> Router {
    let api = Router::new()
        .route("/jsonrpc", post(jsonrpc::handle))
        .route("/json/2/{model}/{method}", any(json2::handle))
        .route("/doc-bearer/{file}", get(doc::handle))
        .route("/web/version", get(web_version))
        .with_state(state)
        .layer(middleware::from_fn_with_state(
            faults.clone(),
            faults::inject,
        ));

    api.merge(faults::control_routes(faults))
}

async fn web_version(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<serde_json::Value> {
    Json(json!({"version_info": state.version.version_info(), "version": state.version.serie()}))
}

/// Logs one line per API call. The arguments are not logged, so neither are
/// API keys.
pub fn log_call(transport: &str, call: &str, status: &str, started: Instant) {
    let (model, method) = call.rsplit_once('.').unwrap_or(("", call));
    tracing::info!(
        transport,
        model,
        method,
        status,
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "odoo call"
    );
}
