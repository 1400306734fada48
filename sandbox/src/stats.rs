//! Request counters that tests and benchmarks read through `GET /_sandbox/stats`.
//!
//! The caller chooses the key: the Magento sandbox uses the method plus the route
//! pattern (`GET /V1/customers/search`), the Odoo sandbox `<model>.<method>`
//! (`res.partner.search_read`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

/// Per-key request counts, shared between handlers.
#[derive(Debug, Default)]
pub struct Stats {
    counts: Mutex<StatsSnapshot>,
}

/// The counts as `GET /_sandbox/stats` returns them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Sum of all route counts.
    pub total: u64,
    pub routes: BTreeMap<String, u64>,
    /// Requests that an injected fault responded to; they reach no route, so no key counts them.
    pub faults_injected: u64,
}

impl Stats {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Counts one request under `key`.
    pub fn record(&self, key: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);

        counts.total += 1;
        *counts.routes.entry(key.to_string()).or_insert(0) += 1;
    }

    /// Counts one request that an injected fault responded to.
    pub fn record_fault(&self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.faults_injected += 1;
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn reset(&self) {
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner) = StatsSnapshot::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_counts_per_key() {
        let stats = Stats::new();

        stats.record("GET /V1/customers/search");
        stats.record("GET /V1/customers/search");
        stats.record("res.partner.search_read");

        let snapshot = stats.snapshot();
        assert_eq!(snapshot.total, 3);
        assert_eq!(snapshot.routes.get("GET /V1/customers/search"), Some(&2));
        assert_eq!(snapshot.routes.get("res.partner.search_read"), Some(&1));
    }

    #[test]
    fn reset_clears_counts() {
        let stats = Stats::new();
        stats.record("common.authenticate");
        stats.record_fault();

        stats.reset();

        assert_eq!(stats.snapshot(), StatsSnapshot::default());
    }
}
