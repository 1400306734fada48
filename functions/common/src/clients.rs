//! Magento and Odoo clients for one instance, built from its stored configuration and
//! its credentials in Secrets Manager.
//!
//! A client keeps its connection pool, admin token and directory cache, so clients are
//! cached per instance for the life of the execution environment. A configuration
//! updated through the instances API is picked up when its `updated_at` changes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use shared::config::{InstanceConfig, OdooProtocol};
use shared::magento;
use shared::odoo;
use shared::retry::RetryPolicy;
use shared::secrets::SecretsStore;
use shared::store::Store;

use crate::emf::RemoteSystem;
use crate::error::{ApiError, ErrorCode};
use crate::remote_call::timed;

/// Per-request limits of the remote clients.
#[derive(Debug, Clone)]
pub struct ClientLimits {
    /// Limit of one HTTP exchange with Magento or Odoo, retries excluded.
    pub request_timeout: Duration,
    /// Retries of timeouts, connection errors, 429 and 502-504.
    pub retry: RetryPolicy,
}

impl ClientLimits {
    /// Limits for functions behind API Gateway, which ends every request after 30 s:
    /// a call and its retries stay well inside that.
    pub fn http() -> Self {
        Self {
            request_timeout: Duration::from_secs(10),
            retry: RetryPolicy::new(
                3,
                Duration::from_millis(100),
                Duration::from_secs(1),
                Duration::from_secs(5),
            ),
        }
    }

    /// Limits for the asynchronous bulk and scheduled pulls, which can wait longer.
    pub fn background() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

/// An instance's configuration with its two clients.
#[derive(Clone)]
pub struct InstanceClients {
    pub config: InstanceConfig,
    pub magento: magento::Client,
    pub odoo: odoo::Client,
}

impl InstanceClients {
    /// Builds the context that the sync use cases take.
    pub fn sync_context(&self, store: &Store) -> shared::sync::SyncContext {
        shared::sync::SyncContext::new(
            self.config.clone(),
            self.magento.clone(),
            self.odoo.clone(),
            store.clone(),
        )
    }
}

/// Builds and caches [`InstanceClients`].
pub struct ClientCache {
    limits: ClientLimits,
    cached: Mutex<HashMap<String, (DateTime<Utc>, InstanceClients)>>,
}

impl ClientCache {
    pub fn new(limits: ClientLimits) -> Self {
        Self {
            limits,
            cached: Mutex::new(HashMap::new()),
        }
    }

    /// Returns the clients of an instance: 404 for an unknown instance, 502 when its
    /// credentials are missing or its settings cannot build a client.
    pub async fn get(
        &self,
        store: &Store,
        secrets: &SecretsStore,
        instance_id: &str,
    ) -> Result<InstanceClients, ApiError> {
        let config = store.get_instance(instance_id).await?;

        self.for_instance(secrets, config).await
    }

    /// Returns the clients of an instance whose configuration is already loaded: 502
    /// when its credentials are missing or its settings cannot build a client.
    pub async fn for_instance(
        &self,
        secrets: &SecretsStore,
        config: InstanceConfig,
    ) -> Result<InstanceClients, ApiError> {
        if let Some(clients) = self.cached(&config.id, config.updated_at) {
            return Ok(clients);
        }

        let magento_credentials = timed(
            RemoteSystem::SecretsManager,
            "get_magento",
            secrets.get_magento(&config.magento_secret_ref),
        )
        .await?;
        let odoo_credentials = timed(
            RemoteSystem::SecretsManager,
            "get_odoo",
            secrets.get_odoo(&config.odoo_secret_ref),
        )
        .await?;

        let credentials =
            magento::Credentials::try_from((magento_credentials, config.magento_auth))?;
        let magento = magento::Client::new(magento_config(&config, credentials, &self.limits))?;
        let odoo = odoo::Client::new(odoo_config(
            &config,
            odoo_credentials.api_key,
            &self.limits,
        )?)?;

        let clients = InstanceClients {
            config,
            magento,
            odoo,
        };
        if let Ok(mut cached) = self.cached.lock() {
            cached.insert(
                clients.config.id.clone(),
                (clients.config.updated_at, clients.clone()),
            );
        }
        Ok(clients)
    }

    fn cached(&self, instance_id: &str, updated_at: DateTime<Utc>) -> Option<InstanceClients> {
        let cached = self.cached.lock().ok()?;
        let (cached_at, clients) = cached.get(instance_id)?;
        (*cached_at == updated_at).then(|| clients.clone())
    }
}

fn magento_config(
    config: &InstanceConfig,
    credentials: magento::Credentials,
    limits: &ClientLimits,
) -> magento::ClientConfig {
    let mut client_config = magento::ClientConfig::new(&config.magento_base_url, credentials);
    client_config.instance_id = config.id.clone();
    client_config.store_code = Some(config.magento_store_code.clone());
    client_config.website_id = u64::from(config.magento_website_id);
    client_config.request_timeout = limits.request_timeout;
    client_config.retry = limits.retry.clone();
    client_config
}

fn odoo_config(
    config: &InstanceConfig,
    api_key: SecretString,
    limits: &ClientLimits,
) -> Result<odoo::ClientConfig, ApiError> {
    let base_url = url::Url::parse(&config.odoo_url).map_err(|error| {
        ApiError::new(
            ErrorCode::UpstreamError,
            format!(
                "odoo_url {:?} of instance {} is not a URL ({error}); update the instance",
                config.odoo_url, config.id
            ),
        )
    })?;

    let mut client_config =
        odoo::ClientConfig::new(base_url, &config.odoo_database, &config.odoo_login, api_key);
    client_config.protocol = match config.odoo_protocol {
        OdooProtocol::Auto => odoo::Protocol::Auto,
        OdooProtocol::Json2 => odoo::Protocol::Json2,
        OdooProtocol::Jsonrpc => odoo::Protocol::JsonRpc,
    };
    client_config.request_timeout = limits.request_timeout;
    client_config.retry = limits.retry.clone();
    Ok(client_config)
}
