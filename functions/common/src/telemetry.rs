//! Tracing setup for a Lambda cold start.

use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

use crate::emf::Metrics;
use crate::remote_call::RemoteCallMetrics;

/// Installs the global tracing subscriber: log lines on standard output plus the
/// remote-call metrics layer.
///
/// Follows Lambda's advanced logging controls, as `lambda_runtime`'s default subscriber
/// does: JSON lines when `AWS_LAMBDA_LOG_FORMAT` is `JSON` (each line then carries the
/// `requestId` of the runtime's invoke span), the level from `AWS_LAMBDA_LOG_LEVEL`,
/// else `RUST_LOG`, else INFO. The metrics layer has no level filter, so remote calls
/// are counted even when their spans are not logged.
pub fn init_tracing(metrics: Metrics) {
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT")
        .map(|format| format.eq_ignore_ascii_case("json"))
        .unwrap_or(false);

    let json_layer = json.then(|| {
        fmt::layer()
            .json()
            .with_target(false)
            .with_current_span(true)
            .with_span_list(false)
            .with_filter(level_filter())
    });
    let text_layer = (!json).then(|| {
        fmt::layer()
            .with_target(false)
            .without_time()
            .with_filter(level_filter())
    });

    let installed = tracing_subscriber::registry()
        .with(json_layer)
        .with(text_layer)
        .with(RemoteCallMetrics::new(metrics))
        .try_init();
    if let Err(error) = installed {
        // Only a second call in the same process gets here; the first subscriber stays.
        tracing::warn!(%error, "tracing subscriber already installed");
    }
}

fn level_filter() -> EnvFilter {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|level| level.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);

    EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy()
}
