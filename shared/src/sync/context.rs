//! The clients and settings that every sync use case of one instance needs.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::config::InstanceConfig;
use crate::magento;
use crate::odoo;
use crate::store::Store;

/// One instance's configuration with its Magento client, Odoo client and the store.
/// Cloning is cheap: the clients and the store share their connections and caches.
#[derive(Debug, Clone)]
pub struct SyncContext {
    pub instance: Arc<InstanceConfig>,
    pub magento: magento::Client,
    pub odoo: odoo::Client,
    pub store: Store,
    /// Magento prefixes whose Odoo title could not be created (the user lacks the
    /// right), so later pages do not request them again.
    refused_titles: Arc<Mutex<HashSet<String>>>,
}

/// HTTP requests sent to each remote system by one context's clients, retries
/// included. DynamoDB requests are not counted here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RemoteCalls {
    pub magento: u64,
    pub odoo: u64,
}

impl RemoteCalls {
    /// Returns the calls made since `earlier`, a reading taken from the same clients.
    pub fn since(self, earlier: RemoteCalls) -> RemoteCalls {
        RemoteCalls {
            magento: self.magento.saturating_sub(earlier.magento),
            odoo: self.odoo.saturating_sub(earlier.odoo),
        }
    }
}

impl SyncContext {
    pub fn new(
        instance: InstanceConfig,
        magento: magento::Client,
        odoo: odoo::Client,
        store: Store,
    ) -> Self {
        Self {
            instance: Arc::new(instance),
            magento,
            odoo,
            store,
            refused_titles: Arc::default(),
        }
    }

    /// Builds a context for the same instance and store with other clients, e.g. for a
    /// second concurrent run.
    pub fn with_clients(&self, magento: magento::Client, odoo: odoo::Client) -> Self {
        Self {
            instance: Arc::clone(&self.instance),
            magento,
            odoo,
            store: self.store.clone(),
            refused_titles: Arc::default(),
        }
    }

    /// Tells whether creating the Odoo title for `prefix` was refused before.
    pub(crate) fn is_title_refused(&self, prefix: &str) -> bool {
        self.refused_titles
            .lock()
            .map(|refused| refused.contains(prefix))
            .unwrap_or(false)
    }

    /// Remembers that creating the Odoo title for `prefix` was refused.
    pub(crate) fn refuse_title(&self, prefix: &str) {
        if let Ok(mut refused) = self.refused_titles.lock() {
            refused.insert(prefix.to_owned());
        }
    }

    pub fn instance_id(&self) -> &str {
        &self.instance.id
    }

    /// Returns the requests sent so far by the Magento and Odoo clients.
    pub fn calls(&self) -> RemoteCalls {
        RemoteCalls {
            magento: self.magento.calls(),
            odoo: self.odoo.calls(),
        }
    }
}
