//! Counting and timing remote calls through tracing spans.
//!
//! Any span with a `remote_system` field (`magento`, `odoo`, `secretsmanager`,
//! `lambda`) is a remote call. [`RemoteCallMetrics`] times it from
//! creation to close and writes one EMF line with the span's `operation` and `success`
//! fields. `success` may be recorded later, and a span that never records it counts as
//! a success.
//! Library code only has to open such spans; it needs no dependency on this crate.
//! [`timed`] opens one around a future and logs one line per call.
//!
//! The Magento and Odoo clients of `shared` instead log one event per HTTP exchange
//! with a `latency_ms` field, and so does the DynamoDB client of [`crate::dynamodb`].
//! The layer counts those events by their target (`shared::magento::*`,
//! `shared::odoo::*`, [`DYNAMODB_TARGET`]), so each retry counts as a call. DynamoDB
//! calls are counted only there, so code must not wrap a store call in [`timed`].

use std::future::Future;
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Instrument, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::dynamodb::DYNAMODB_TARGET;
use crate::emf::{Metrics, RemoteSystem};

/// Runs one remote call inside a `remote_call` span and logs its outcome and latency.
pub async fn timed<T, E, F>(system: RemoteSystem, operation: &'static str, call: F) -> Result<T, E>
where
    F: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let span = tracing::info_span!(
        "remote_call",
        remote_system = system.as_str(),
        operation,
        success = tracing::field::Empty
    );
    let started = Instant::now();

    let result = call.instrument(span.clone()).await;

    let latency_ms = started.elapsed().as_millis() as u64;
    span.record("success", result.is_ok());
    match &result {
        Ok(_) => tracing::info!(
            parent: &span,
            remote_system = system.as_str(),
            operation,
            latency_ms,
            "remote call succeeded"
        ),
        Err(error) => tracing::warn!(
            parent: &span,
            remote_system = system.as_str(),
            operation,
            latency_ms,
            error = %error,
            "remote call failed"
        ),
    }
    result
}

/// A tracing layer that writes an EMF line when a remote-call span closes.
pub struct RemoteCallMetrics {
    metrics: Metrics,
}

impl RemoteCallMetrics {
    pub fn new(metrics: Metrics) -> Self {
        Self { metrics }
    }
}

struct Timing {
    system: RemoteSystem,
    operation: String,
    success: bool,
    started: Instant,
}

#[derive(Default)]
struct CallFields {
    system: Option<String>,
    operation: Option<String>,
    success: Option<bool>,
}

impl Visit for CallFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "remote_system" => self.system = Some(value.to_owned()),
            "operation" => self.operation = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "success" {
            self.success = Some(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        // `%value` fields arrive here; strip the quotes that Debug of a str adds.
        let text = format!("{value:?}").trim_matches('"').to_owned();
        self.record_str(field, &text);
    }
}

/// The fields of a client's per-exchange log event.
#[derive(Default)]
struct ExchangeFields {
    /// Milliseconds, whole for Magento and Odoo and fractional for DynamoDB.
    latency_ms: Option<f64>,
    status: Option<u64>,
    error: bool,
    route: Option<String>,
    model: Option<String>,
    method: Option<String>,
    operation: Option<String>,
}

impl Visit for ExchangeFields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "latency_ms" => self.latency_ms = Some(value as f64),
            "status" => self.status = Some(value),
            _ => {}
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "latency_ms" && value.is_finite() && value >= 0.0 {
            self.latency_ms = Some(value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "route" => self.route = Some(value.to_owned()),
            "model" => self.model = Some(value.to_owned()),
            "method" => self.method = Some(value.to_owned()),
            "operation" => self.operation = Some(value.to_owned()),
            "error" => self.error = true,
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "error" => self.error = true,
            "method" | "route" | "model" | "operation" => {
                let text = format!("{value:?}").trim_matches('"').to_owned();
                self.record_str(field, &text);
            }
            _ => {}
        }
    }
}

impl ExchangeFields {
    fn operation(&self, system: RemoteSystem) -> String {
        match system {
            RemoteSystem::Odoo => format!(
                "{}.{}",
                self.model.as_deref().unwrap_or("?"),
                self.method.as_deref().unwrap_or("?")
            ),
            RemoteSystem::Dynamodb => self.operation.clone().unwrap_or_else(|| "?".to_owned()),
            _ => self.route.clone().unwrap_or_else(|| "?".to_owned()),
        }
    }

    fn success(&self) -> bool {
        !self.error
            && self
                .status
                .is_some_and(|status| (200..300).contains(&status))
    }
}

fn client_system(target: &str) -> Option<RemoteSystem> {
    if target.starts_with("shared::magento") {
        Some(RemoteSystem::Magento)
    } else if target.starts_with("shared::odoo") {
        Some(RemoteSystem::Odoo)
    } else if target == DYNAMODB_TARGET {
        Some(RemoteSystem::Dynamodb)
    } else {
        None
    }
}

impl<S> Layer<S> for RemoteCallMetrics
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let Some(system) = client_system(event.metadata().target()) else {
            return;
        };
        let mut fields = ExchangeFields::default();
        event.record(&mut fields);

        if let Some(latency_ms) = fields.latency_ms {
            self.metrics.remote_call(
                system,
                &fields.operation(system),
                std::time::Duration::from_secs_f64(latency_ms / 1000.0),
                fields.success(),
            );
        }
    }

    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        let mut fields = CallFields::default();
        attributes.record(&mut fields);

        let Some(system) = fields.system.as_deref().and_then(RemoteSystem::parse) else {
            return;
        };
        let Some(span) = context.span(id) else {
            return;
        };
        span.extensions_mut().insert(Timing {
            system,
            operation: fields.operation.unwrap_or_else(|| span.name().to_owned()),
            success: fields.success.unwrap_or(true),
            started: Instant::now(),
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, context: Context<'_, S>) {
        let Some(span) = context.span(id) else {
            return;
        };
        let mut fields = CallFields::default();
        values.record(&mut fields);

        if let Some(timing) = span.extensions_mut().get_mut::<Timing>()
            && let Some(success) = fields.success
        {
            timing.success = success;
        }
    }

    fn on_close(&self, id: Id, context: Context<'_, S>) {
        let Some(span) = context.span(&id) else {
            return;
        };
        if let Some(timing) = span.extensions_mut().remove::<Timing>() {
            self.metrics.remote_call(
                timing.system,
                &timing.operation,
                timing.started.elapsed(),
                timing.success,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[tokio::test]
    async fn timed_call_writes_one_metric() {
        let (metrics, documents) = Metrics::in_memory("instances");
        let subscriber = tracing_subscriber::registry().with(RemoteCallMetrics::new(metrics));
        let _guard = tracing::subscriber::set_default(subscriber);

        let result: Result<u32, String> =
            timed(RemoteSystem::SecretsManager, "get_magento", async {
                Err("throttled".to_owned())
            })
            .await;

        let documents = documents.lock().expect("lock");
        assert_eq!(result, Err("throttled".to_owned()));
        assert_eq!(documents.len(), 1);
        assert_eq!(documents[0]["System"], "secretsmanager");
        assert_eq!(documents[0]["Operation"], "get_magento");
        assert_eq!(documents[0]["Success"], false);
    }

    #[test]
    fn client_exchange_event_is_counted() {
        let (metrics, documents) = Metrics::in_memory("pull-customer");
        let subscriber = tracing_subscriber::registry().with(RemoteCallMetrics::new(metrics));
        let _guard = tracing::subscriber::set_default(subscriber);

        tracing::info!(target: "shared::magento::client", route = "/V1/customers/:id", status = 200_u64, latency_ms = 12_u64, "Magento call");
        tracing::warn!(target: "shared::odoo::client", model = "res.partner", method = "create", latency_ms = 30_u64, error = "timed out", "Odoo call got no response");
        tracing::info!(target: "functions_common::dynamodb", operation = "GetItem", status = 200_u64, latency_ms = 1.25_f64, "DynamoDB call");
        tracing::warn!(target: "functions_common::dynamodb", operation = "PutItem", latency_ms = 2.0_f64, error = "connector error", "DynamoDB call failed");
        tracing::info!(target: "shared::store::links", latency_ms = 3_u64, "not a client exchange");

        let documents = documents.lock().expect("lock");
        assert_eq!(documents.len(), 4);
        assert_eq!(documents[0]["System"], "magento");
        assert_eq!(documents[0]["Operation"], "/V1/customers/:id");
        assert_eq!(documents[0]["Success"], true);
        assert_eq!(documents[0]["RemoteCallLatency"], 12.0);
        assert_eq!(documents[1]["System"], "odoo");
        assert_eq!(documents[1]["Operation"], "res.partner.create");
        assert_eq!(documents[1]["Success"], false);
        assert_eq!(documents[2]["System"], "dynamodb");
        assert_eq!(documents[2]["Operation"], "GetItem");
        assert_eq!(documents[2]["Success"], true);
        assert_eq!(documents[2]["RemoteCallLatency"], 1.25);
        assert_eq!(documents[3]["Operation"], "PutItem");
        assert_eq!(documents[3]["Success"], false);
    }

    #[test]
    fn library_span_is_timed() {
        let (metrics, documents) = Metrics::in_memory("pull-customer");
        let subscriber = tracing_subscriber::registry().with(RemoteCallMetrics::new(metrics));
        let _guard = tracing::subscriber::set_default(subscriber);

        let span = tracing::debug_span!(
            "magento.request",
            remote_system = "magento",
            operation = "GET /V1/customers/{id}"
        );
        drop(span);
        let plain = tracing::info_span!("not_remote");
        drop(plain);

        let documents = documents.lock().expect("lock");
        assert_eq!(documents.len(), 1);
        assert_eq!(documents[0]["System"], "magento");
        assert_eq!(documents[0]["Operation"], "GET /V1/customers/{id}");
        assert_eq!(documents[0]["Success"], true);
    }
}
