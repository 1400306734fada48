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
/// Writes JSON lines when `AWS_LAMBDA_LOG_FORMAT` is `JSON`, as `lambda_runtime`'s
/// default subscriber does, and each line then carries the `requestId` of the runtime's
/// invoke span. The level comes from env `LOG_LEVEL`, else `AWS_LAMBDA_LOG_LEVEL`, else
/// `RUST_LOG`, else INFO. The metrics layer has no level filter, so remote calls are
/// counted even when their spans are not logged.
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

/// The environment variables that set the level of the log lines, in order of precedence.
///
/// `LOG_LEVEL` comes first because template.yaml keeps Lambda's own application log
/// filter (`AWS_LAMBDA_LOG_LEVEL`) at TRACE. Lambda counts a JSON line without a `level`
/// key as INFO, so a stricter filter there would drop the EMF metric lines.
const LEVEL_VARIABLES: [&str; 3] = ["LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"];

/// Returns the level of the first variable of [`LEVEL_VARIABLES`] that contains a
/// level name (`TRACE` to `ERROR`, `FATAL` or `OFF`, in any case), else INFO.
/// `variable` reads one variable.
fn configured_level(variable: impl Fn(&str) -> Option<String>) -> LevelFilter {
    LEVEL_VARIABLES
        .iter()
        .filter_map(|name| variable(name))
        .find_map(|value| parse_level(&value))
        .unwrap_or(LevelFilter::INFO)
}

/// Parses a level name. Lambda's FATAL, which `tracing` lacks, is read as ERROR.
fn parse_level(value: &str) -> Option<LevelFilter> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("fatal") {
        return Some(LevelFilter::ERROR);
    }
    value.parse().ok()
}

fn level_filter() -> EnvFilter {
    let level = configured_level(|name| std::env::var(name).ok());

    EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(variables: &[(&str, &str)]) -> LevelFilter {
        configured_level(|name| {
            variables
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn log_level_overrides_lambda_level() {
        let configured = level(&[("LOG_LEVEL", "warn"), ("AWS_LAMBDA_LOG_LEVEL", "TRACE")]);

        assert_eq!(configured, LevelFilter::WARN);
    }

    #[test]
    fn lambda_level_used_without_log_level() {
        assert_eq!(
            level(&[("AWS_LAMBDA_LOG_LEVEL", "DEBUG")]),
            LevelFilter::DEBUG
        );
        assert_eq!(
            level(&[("AWS_LAMBDA_LOG_LEVEL", "FATAL")]),
            LevelFilter::ERROR
        );
    }

    #[test]
    fn directives_fall_back_to_info() {
        // RUST_LOG directives are applied by EnvFilter itself, on top of this level.
        assert_eq!(
            level(&[("RUST_LOG", "info,shared=debug")]),
            LevelFilter::INFO
        );
        assert_eq!(level(&[]), LevelFilter::INFO);
        assert_eq!(
            level(&[("LOG_LEVEL", "loud"), ("RUST_LOG", "debug")]),
            LevelFilter::DEBUG
        );
    }
}
