//! The clients and settings that every sync use case of one instance needs.

use std::sync::Arc;

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
