//! CloudWatch Embedded Metric Format (EMF): metrics written as JSON log lines.
//!
//! CloudWatch Logs turns each line that carries an `_aws.CloudWatchMetrics` directive
//! into metric data points, so the functions need no PutMetricData calls and no extra
//! IAM permission. Specification:
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>.
//!
//! Metrics, all with the dimension `Function` (the Lambda function name):
//! - `CustomerOutcomes` (Count) by `Outcome`: created, linked, updated, unchanged,
//!   skipped, failed;
//! - `RemoteCalls` (Count) and `RemoteCallLatency` (Milliseconds) by `System`: magento,
//!   odoo, dynamodb, secretsmanager, lambda. Each line also carries `Operation` and
//!   `Success` as plain properties for CloudWatch Logs Insights queries.
//!
//! Each line also has a top-level RFC 3339 `timestamp`, the time of `_aws.Timestamp`,
//! because Lambda adds one to a JSON log line that has none when the function's log
//! format is JSON.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

/// The namespace used when `METRICS_NAMESPACE` is not set.
pub const DEFAULT_NAMESPACE: &str = "MagentoOdooConnector";

/// The result of syncing one customer, as counted in `CustomerOutcomes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Created,
    Linked,
    Updated,
    Unchanged,
    Skipped,
    Failed,
}

impl OutcomeKind {
    pub const ALL: [OutcomeKind; 6] = [
        OutcomeKind::Created,
        OutcomeKind::Linked,
        OutcomeKind::Updated,
        OutcomeKind::Unchanged,
        OutcomeKind::Skipped,
        OutcomeKind::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Created => "created",
            OutcomeKind::Linked => "linked",
            OutcomeKind::Updated => "updated",
            OutcomeKind::Unchanged => "unchanged",
            OutcomeKind::Skipped => "skipped",
            OutcomeKind::Failed => "failed",
        }
    }
}

/// A remote system whose calls are counted and timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteSystem {
    Magento,
    Odoo,
    Dynamodb,
    SecretsManager,
    Lambda,
}

impl RemoteSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            RemoteSystem::Magento => "magento",
            RemoteSystem::Odoo => "odoo",
            RemoteSystem::Dynamodb => "dynamodb",
            RemoteSystem::SecretsManager => "secretsmanager",
            RemoteSystem::Lambda => "lambda",
        }
    }

    /// Parses the `remote_system` span field; unknown names are not timed.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "magento" => Some(RemoteSystem::Magento),
            "odoo" => Some(RemoteSystem::Odoo),
            "dynamodb" => Some(RemoteSystem::Dynamodb),
            "secretsmanager" => Some(RemoteSystem::SecretsManager),
            "lambda" => Some(RemoteSystem::Lambda),
            _ => None,
        }
    }
}

/// The destination of metric lines: standard output in Lambda, memory in tests.
#[derive(Debug, Clone, Default)]
enum Sink {
    #[default]
    Stdout,
    Memory(Arc<Mutex<Vec<Value>>>),
}

/// Writes EMF lines for one function. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Metrics {
    namespace: String,
    function: String,
    sink: Sink,
}

impl Metrics {
    /// Reads the namespace from `METRICS_NAMESPACE` and the function name from
    /// `AWS_LAMBDA_FUNCTION_NAME`, falling back to `fallback_function` outside Lambda.
    pub fn from_env(fallback_function: &str) -> Self {
        let namespace = std::env::var("METRICS_NAMESPACE")
            .ok()
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
        let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME")
            .ok()
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| fallback_function.to_owned());

        Self {
            namespace,
            function,
            sink: Sink::Stdout,
        }
    }

    /// Builds metrics that keep every document in memory, for tests to inspect.
    pub fn in_memory(function: &str) -> (Self, Arc<Mutex<Vec<Value>>>) {
        let documents = Arc::new(Mutex::new(Vec::new()));
        let metrics = Self {
            namespace: DEFAULT_NAMESPACE.to_owned(),
            function: function.to_owned(),
            sink: Sink::Memory(Arc::clone(&documents)),
        };
        (metrics, documents)
    }

    /// Counts `count` customers with the given outcome. A zero count writes nothing.
    pub fn outcome(&self, outcome: OutcomeKind, count: u64) {
        if count == 0 {
            return;
        }
        self.write(self.outcome_document(outcome, count, now_millis()));
    }

    /// Counts one remote call and records its latency.
    pub fn remote_call(
        &self,
        system: RemoteSystem,
        operation: &str,
        latency: Duration,
        success: bool,
    ) {
        self.write(self.remote_call_document(system, operation, latency, success, now_millis()));
    }

    fn outcome_document(&self, outcome: OutcomeKind, count: u64, timestamp: i64) -> Value {
        json!({
            "_aws": {
                "Timestamp": timestamp,
                "CloudWatchMetrics": [{
                    "Namespace": self.namespace,
                    "Dimensions": [["Function", "Outcome"]],
                    "Metrics": [{"Name": "CustomerOutcomes", "Unit": "Count"}]
                }]
            },
            "timestamp": rfc3339(timestamp),
            "Function": self.function,
            "Outcome": outcome.as_str(),
            "CustomerOutcomes": count
        })
    }

    fn remote_call_document(
        &self,
        system: RemoteSystem,
        operation: &str,
        latency: Duration,
        success: bool,
        timestamp: i64,
    ) -> Value {
        let latency_ms = latency.as_secs_f64() * 1000.0;
        json!({
            "_aws": {
                "Timestamp": timestamp,
                "CloudWatchMetrics": [{
                    "Namespace": self.namespace,
                    "Dimensions": [["Function", "System"]],
                    "Metrics": [
                        {"Name": "RemoteCalls", "Unit": "Count"},
                        {"Name": "RemoteCallLatency", "Unit": "Milliseconds"}
                    ]
                }]
            },
            "timestamp": rfc3339(timestamp),
            "Function": self.function,
            "System": system.as_str(),
            "Operation": operation,
            "Success": success,
            "RemoteCalls": 1,
            "RemoteCallLatency": (latency_ms * 1000.0).round() / 1000.0
        })
    }

    fn write(&self, document: Value) {
        match &self.sink {
            Sink::Stdout => {
                // One write per line, so lines from concurrent tasks never interleave.
                let line = format!("{document}\n");
                let _ignored = std::io::stdout().lock().write_all(line.as_bytes());
            }
            Sink::Memory(documents) => {
                if let Ok(mut documents) = documents.lock() {
                    documents.push(document);
                }
            }
        }
    }
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Formats milliseconds since the Unix epoch as RFC 3339 in UTC, e.g.
/// `2023-11-14T22:13:20.000Z`.
fn rfc3339(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Metrics {
        Metrics {
            namespace: "Test".to_owned(),
            function: "sync-customers".to_owned(),
            sink: Sink::Stdout,
        }
    }

    #[test]
    fn outcome_document_shape() {
        let document = metrics().outcome_document(OutcomeKind::Linked, 3, 1_700_000_000_000);

        assert_eq!(
            document,
            json!({
                "_aws": {
                    "Timestamp": 1_700_000_000_000_i64,
                    "CloudWatchMetrics": [{
                        "Namespace": "Test",
                        "Dimensions": [["Function", "Outcome"]],
                        "Metrics": [{"Name": "CustomerOutcomes", "Unit": "Count"}]
                    }]
                },
                "timestamp": "2023-11-14T22:13:20.000Z",
                "Function": "sync-customers",
                "Outcome": "linked",
                "CustomerOutcomes": 3
            })
        );
    }

    #[test]
    fn remote_call_document_shape() {
        let document = metrics().remote_call_document(
            RemoteSystem::Odoo,
            "find_by_emails",
            Duration::from_micros(12_345),
            false,
            5,
        );

        assert_eq!(document["System"], "odoo");
        assert_eq!(document["Operation"], "find_by_emails");
        assert_eq!(document["Success"], false);
        assert_eq!(document["RemoteCalls"], 1);
        assert_eq!(document["RemoteCallLatency"], 12.345);
        assert_eq!(
            document["_aws"]["CloudWatchMetrics"][0]["Metrics"][1],
            json!({"Name": "RemoteCallLatency", "Unit": "Milliseconds"})
        );
    }

    #[test]
    fn every_metric_has_a_top_level_value() {
        let metrics = metrics();
        let documents = [
            metrics.outcome_document(OutcomeKind::Failed, 1, 0),
            metrics.remote_call_document(RemoteSystem::Magento, "get", Duration::ZERO, true, 0),
        ];

        for document in documents {
            let directive = &document["_aws"]["CloudWatchMetrics"][0];
            for metric in directive["Metrics"].as_array().expect("metrics list") {
                let name = metric["Name"].as_str().expect("metric name");
                assert!(document.get(name).is_some(), "no value for {name}");
            }
            for dimension in directive["Dimensions"][0]
                .as_array()
                .expect("dimension set")
            {
                let name = dimension.as_str().expect("dimension name");
                assert!(document[name].is_string(), "no value for dimension {name}");
            }
        }
    }

    #[test]
    fn memory_sink_skips_zero_counts() {
        let (metrics, documents) = Metrics::in_memory("create-customer");

        metrics.outcome(OutcomeKind::Created, 0);
        metrics.outcome(OutcomeKind::Created, 1);

        let documents = documents.lock().expect("lock");
        assert_eq!(documents.len(), 1);
        assert_eq!(documents[0]["Outcome"], "created");
    }
}
