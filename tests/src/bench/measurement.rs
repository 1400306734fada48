//! One scenario's figures at one size, as the report and the targets use them.

use super::counters::CallBreakdown;
use super::scenario::{Scenario, ScenarioResult};

/// A scenario run at one size: the child's result, or why there is none.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Customers in the Magento sandbox.
    pub size: u64,
    pub scenario: Scenario,
    pub outcome: Result<Measured, String>,
    /// The run's calls by operation, also for a run that did not finish.
    pub breakdown: Option<CallBreakdown>,
}

/// The figures of a scenario that finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub result: ScenarioResult,
    /// Requests that went through the DynamoDB latency proxy during the run.
    pub dynamodb_calls: u64,
    /// Those of them that got a 5xx response and were sent again by the SDK.
    pub dynamodb_server_errors: u64,
}

impl Measured {
    /// Returns Magento, Odoo and DynamoDB calls per customer, in that order.
    pub fn calls_per_customer(&self) -> [f64; 3] {
        [
            self.per_customer(self.result.magento_calls),
            self.per_customer(self.result.odoo_calls),
            self.per_customer(self.dynamodb_calls),
        ]
    }

    /// Returns all remote calls per customer.
    pub fn total_calls_per_customer(&self) -> f64 {
        self.calls_per_customer().iter().sum()
    }

    /// Returns the peak RSS in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.result.peak_rss_kib as f64 / 1024.0
    }

    fn per_customer(&self, calls: u64) -> f64 {
        if self.result.customers == 0 {
            return 0.0;
        }
        calls as f64 / self.result.customers as f64
    }
}

/// Finds the finished run of `scenario` at `size`.
pub fn find(measurements: &[Measurement], size: u64, scenario: Scenario) -> Option<&Measured> {
    measurements
        .iter()
        .find(|m| m.size == size && m.scenario == scenario)
        .and_then(|m| m.outcome.as_ref().ok())
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// Builds a finished measurement with the given figures.
    pub fn measured(
        scenario: Scenario,
        customers: u64,
        wall_secs: f64,
        calls: [u64; 3],
        peak_rss_kib: u64,
    ) -> Measured {
        Measured {
            result: ScenarioResult {
                scenario,
                customers,
                wall_secs,
                magento_calls: calls[0],
                odoo_calls: calls[1],
                peak_rss_kib,
                created: 0,
                linked: 0,
                skipped: 0,
                failed: 0,
                complete: true,
                note: None,
            },
            dynamodb_calls: calls[2],
            dynamodb_server_errors: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::measured;
    use super::*;

    #[test]
    fn calls_per_customer_by_system() {
        let run = measured(Scenario::Bulk, 200, 1.0, [2, 4, 16], 1024);

        assert_eq!(run.calls_per_customer(), [0.01, 0.02, 0.08]);
        assert!((run.total_calls_per_customer() - 0.11).abs() < 1e-9);
        assert_eq!(run.peak_rss_mib(), 1.0);
    }

    #[test]
    fn calls_per_customer_without_customers() {
        let run = measured(Scenario::Bulk, 0, 1.0, [2, 4, 16], 1024);

        assert_eq!(run.total_calls_per_customer(), 0.0);
    }
}
