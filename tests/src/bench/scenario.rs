//! The three scenarios and the result line that a scenario child prints.

use serde::{Deserialize, Serialize};

/// One way of moving customers from Magento to Odoo, measured in its own process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// The connector's bulk pull (`shared::sync`), from an empty link state.
    Bulk,
    /// One customer at a time, as queue-job connectors sync, over a fixed sample.
    Baseline,
    /// Keyset paging through Magento with nothing else: the floor for the bulk pull.
    FetchOnly,
}

impl Scenario {
    /// Returns the name used on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bulk => "bulk",
            Self::Baseline => "baseline",
            Self::FetchOnly => "fetch-only",
        }
    }
}

/// The JSON line a scenario child prints on stdout when it finishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub scenario: Scenario,
    /// Customers the scenario went through (the sample size for the baseline).
    pub customers: u64,
    /// Time from the first remote call to the last, client setup excluded.
    pub wall_secs: f64,
    /// HTTP requests to Magento, from the client's `calls()`.
    pub magento_calls: u64,
    /// HTTP requests to Odoo, from the client's `calls()`.
    pub odoo_calls: u64,
    /// Peak resident set size of the child process (`VmHWM`) in KiB.
    pub peak_rss_kib: u64,
    /// Odoo partners created for Magento customers.
    pub created: u64,
    /// Magento customers linked to an Odoo partner that already existed.
    pub linked: u64,
    /// Customers of another website, which the instance does not sync.
    pub skipped: u64,
    /// Customers that the scenario could not sync, with the reason logged.
    pub failed: u64,
    /// Whether the scenario went through every customer it set out to. A bulk
    /// pull stopped at its time limit is not complete.
    pub complete: bool,
    /// What the numbers leave out or how they were bounded, e.g. the sample size.
    pub note: Option<String>,
}

impl ScenarioResult {
    /// Returns customers per second, 0 when no time passed.
    pub fn throughput(&self) -> f64 {
        if self.wall_secs > 0.0 {
            self.customers as f64 / self.wall_secs
        } else {
            0.0
        }
    }
}
