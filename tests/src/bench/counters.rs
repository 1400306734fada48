//! Request counters of the whole stack, read before and after a scenario to
//! break its calls down by operation: DynamoDB from the latency proxy, Odoo and
//! Magento from the sandboxes' `GET /_sandbox/stats`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use sandbox::stats::StatsSnapshot;

use crate::latency_proxy::{LatencyProxy, OperationStats};

/// A reading of every counter at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackCounters {
    pub dynamodb_requests: u64,
    pub dynamodb_server_errors: u64,
    pub dynamodb: BTreeMap<String, OperationStats>,
    pub odoo: BTreeMap<String, u64>,
    pub magento: BTreeMap<String, u64>,
}

/// The calls of one scenario by operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallBreakdown {
    /// DynamoDB requests and moto's time per operation, the added delay excluded.
    pub dynamodb: BTreeMap<String, OperationStats>,
    /// Odoo requests per `<model>.<method>`.
    pub odoo: BTreeMap<String, u64>,
    /// Magento requests per method and route.
    pub magento: BTreeMap<String, u64>,
}

impl StackCounters {
    /// Reads the proxy's counters and both sandboxes' stats.
    pub async fn read(
        proxy: &LatencyProxy,
        http: &reqwest::Client,
        odoo_base_url: &str,
        magento_base_url: &str,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            dynamodb_requests: proxy.requests(),
            dynamodb_server_errors: proxy.server_errors(),
            dynamodb: proxy.operations(),
            odoo: sandbox_stats(http, odoo_base_url).await?.routes,
            magento: sandbox_stats(http, magento_base_url).await?.routes,
        })
    }

    /// Returns what changed since `before`, a reading of the same stack.
    pub fn since(&self, before: &StackCounters) -> CallBreakdown {
        let dynamodb = self
            .dynamodb
            .iter()
            .map(|(operation, stats)| {
                let earlier = before.dynamodb.get(operation).copied().unwrap_or_default();
                let delta = OperationStats {
                    requests: stats.requests.saturating_sub(earlier.requests),
                    upstream_time: stats.upstream_time.saturating_sub(earlier.upstream_time),
                };
                (operation.clone(), delta)
            })
            .filter(|(_, stats)| stats.requests > 0)
            .collect();

        CallBreakdown {
            dynamodb,
            odoo: count_delta(&self.odoo, &before.odoo),
            magento: count_delta(&self.magento, &before.magento),
        }
    }
}

impl CallBreakdown {
    /// Renders one line per system, e.g. `DynamoDB: BatchWriteItem 40 (moto 3.0 ms each)`.
    pub fn lines(&self) -> Vec<String> {
        let dynamodb: Vec<String> = self
            .dynamodb
            .iter()
            .map(|(operation, stats)| {
                format!(
                    "{operation} {} (moto {} each)",
                    stats.requests,
                    format_duration(average(stats))
                )
            })
            .collect();
        let odoo: Vec<String> = self
            .odoo
            .iter()
            .map(|(method, count)| format!("{method} {count}"))
            .collect();
        let magento: Vec<String> = self
            .magento
            .iter()
            .map(|(route, count)| format!("{route} {count}"))
            .collect();

        [("DynamoDB", dynamodb), ("Odoo", odoo), ("Magento", magento)]
            .into_iter()
            .filter(|(_, parts)| !parts.is_empty())
            .map(|(system, parts)| format!("{system}: {}", parts.join(", ")))
            .collect()
    }
}

async fn sandbox_stats(http: &reqwest::Client, base_url: &str) -> anyhow::Result<StatsSnapshot> {
    let url = format!("{}/_sandbox/stats", base_url.trim_end_matches('/'));

    http.get(&url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| format!("failed to read the sandbox counters at {url}"))?
        .json()
        .await
        .with_context(|| format!("{url} did not return the sandbox counters JSON"))
}

fn count_delta(
    after: &BTreeMap<String, u64>,
    before: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(key, count)| {
            (
                key.clone(),
                count.saturating_sub(before.get(key).copied().unwrap_or(0)),
            )
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

fn average(stats: &OperationStats) -> Duration {
    match u32::try_from(stats.requests) {
        Ok(requests) if requests > 0 => stats.upstream_time / requests,
        _ => Duration::ZERO,
    }
}

fn format_duration(duration: Duration) -> String {
    if duration >= Duration::from_secs(1) {
        format!("{:.1} s", duration.as_secs_f64())
    } else {
        format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(requests: u64, millis: u64) -> OperationStats {
        OperationStats {
            requests,
            upstream_time: Duration::from_millis(millis),
        }
    }

    #[test]
    fn breakdown_subtracts_earlier_reading() {
        let before = StackCounters {
            dynamodb: BTreeMap::from([("BatchWriteItem".to_owned(), stats(2, 10))]),
            odoo: BTreeMap::from([("res.partner.create".to_owned(), 1)]),
            ..StackCounters::default()
        };
        let after = StackCounters {
            dynamodb: BTreeMap::from([
                ("BatchWriteItem".to_owned(), stats(6, 30)),
                ("TransactWriteItems".to_owned(), stats(2, 3_000)),
            ]),
            odoo: BTreeMap::from([
                ("res.partner.create".to_owned(), 1),
                ("res.partner.search_read".to_owned(), 4),
            ]),
            ..StackCounters::default()
        };

        let breakdown = after.since(&before);

        assert_eq!(
            breakdown.lines(),
            vec![
                "DynamoDB: BatchWriteItem 4 (moto 5.0 ms each), TransactWriteItems 2 (moto 1.5 s each)",
                "Odoo: res.partner.search_read 4",
            ]
        );
    }

    #[test]
    fn breakdown_empty_without_calls() {
        let reading = StackCounters::default();

        assert!(reading.since(&reading).lines().is_empty());
    }
}
