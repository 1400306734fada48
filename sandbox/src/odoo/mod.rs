//! An emulator of the Odoo external API (17, 18 and 19) for the models a
//! customer connector uses: `res.partner`, `res.country`,
//! `res.country.state`, `res.partner.title` and `res.users`.
//!
//! It speaks JSON-RPC (`POST /jsonrpc`) on every version and JSON-2
//! (`POST /json/2/<model>/<method>`) on 19, keeps its data in memory, and
//! reproduces Odoo's error names, messages and status codes. Each call runs
//! as one transaction: an error leaves the data as it was. Fault injection
//! and call counters come from the shared `faults` and `stats` modules.

mod auth;
mod context;
mod doc;
mod domain;
mod email;
pub mod errors;
mod fields;
mod json2;
mod jsonrpc;
mod load;
mod methods;
mod models;
mod order;
mod orm;
pub mod seed;
mod server;
mod state;
mod vat;
pub mod version;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::faults::{FaultSettings, FaultState, Faults};
use crate::stats::Stats;
pub use version::OdooVersion;

/// Start settings of an Odoo sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub version: OdooVersion,
    pub database: String,
    /// Number of seed partner slots; see [`seed`] for what each slot holds.
    pub partners: u64,
    /// Seed of the partners, the API keys and the fault rolls.
    pub seed: u64,
    /// Check VAT numbers on create and write, as with base_vat installed.
    pub base_vat: bool,
    pub faults: FaultSettings,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            version: OdooVersion::default(),
            database: "sandbox".to_string(),
            partners: 0,
            seed: 1,
            base_vat: false,
            faults: FaultSettings::default(),
        }
    }
}

/// A running sandbox; dropping it stops the server.
pub struct Running {
    pub base_url: String,
    pub address: SocketAddr,
    pub database: String,
    pub login: String,
    pub uid: i64,
    pub api_key: String,
    pub version: OdooVersion,
    /// A second user, whose key must not work with the administrator's uid.
    pub demo_login: String,
    pub demo_uid: i64,
    pub demo_api_key: String,
    pub stats: Arc<Stats>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("base_url", &self.base_url)
            .field("database", &self.database)
            .field("login", &self.login)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Seeds the database, binds the port and serves until the `Running` is
/// dropped.
pub async fn spawn(options: Options) -> anyhow::Result<Running> {
    let mut db = state::Database::new(state::DatabaseConfig {
        name: options.database.clone(),
        version: options.version,
        base_vat: options.base_vat,
    });
    seed::load(&mut db, options.seed, options.partners).map_err(|error| {
        anyhow::anyhow!("seeding {} partner slots failed: {error}", options.partners)
    })?;

    let admin = db
        .users
        .iter()
        .find(|user| user.uid == seed::ADMIN_UID)
        .cloned()
        .context("admin user missing")?;
    let demo = db
        .users
        .iter()
        .find(|user| user.uid == seed::DEMO_UID)
        .cloned()
        .context("demo user missing")?;

    let stats = Stats::new();
    let faults = Faults::new(options.faults.clone(), Some(options.seed))
        .context("invalid fault settings")?;
    let app = server::AppState {
        db: Arc::new(Mutex::new(db)),
        stats: stats.clone(),
        version: options.version,
    };
    let router = server::router(
        app,
        FaultState {
            faults,
            stats: stats.clone(),
        },
    );

    let listener = TcpListener::bind((options.host, options.port))
        .await
        .with_context(|| {
            format!(
                "binding {}:{} failed; pick another --port",
                options.host, options.port
            )
        })?;
    let address = listener
        .local_addr()
        .context("reading the bound address failed")?;

    let (shutdown, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let stop = async {
            let _ = stopped.await;
        };
        if let Err(error) = crate::server::serve(listener, router, stop).await {
            tracing::error!(%error, "odoo sandbox server stopped with an error");
        }
    });

    Ok(Running {
        base_url: format!("http://{address}"),
        address,
        database: options.database,
        login: admin.login,
        uid: admin.uid,
        api_key: admin.api_key,
        version: options.version,
        demo_login: demo.login,
        demo_uid: demo.uid,
        demo_api_key: demo.api_key,
        stats,
        shutdown: Some(shutdown),
    })
}
