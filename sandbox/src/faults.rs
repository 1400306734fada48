//! Fault injection shared by both sandboxes: latency, 503 and 429 responses, dropped
//! connections and slow bodies, set at start by flags or at run time through
//! `PUT /_sandbox/faults`.
//!
//! Every request outside `/_sandbox/` first takes the next entry of the `next`
//! queue when there is one. Otherwise one uniform roll in [0, 1) picks a drop, a
//! 503, a 429 or a normal response by the configured rates. Latency applies to every
//! request, faulted or not. With a seed the rolls repeat from run to run.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::server::ConnectionHandle;
use crate::stats::Stats;

/// Size of the pieces a slow body is sent in, with `slow_body_ms` between them.
pub const SLOW_BODY_CHUNK_BYTES: usize = 4096;

/// Prefix of the control routes, which are never faulted.
pub const CONTROL_PREFIX: &str = "/_sandbox/";

/// The fault settings, as `GET /_sandbox/faults` returns them and `PUT` replaces them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSettings {
    /// Added delay before every response, in milliseconds.
    pub latency_ms: u64,
    /// Extra random delay of 0..=jitter milliseconds.
    pub latency_jitter_ms: u64,
    /// Probability in [0, 1] of a 503 response.
    pub rate_503: f64,
    /// Probability in [0, 1] of a 429 response.
    pub rate_429: f64,
    /// `Retry-After` value in seconds sent with random 429 responses.
    pub retry_after_secs: u64,
    /// Probability in [0, 1] of closing the connection without a response.
    pub rate_drop: f64,
    /// Delay between body chunks of normal responses, in milliseconds.
    pub slow_body_ms: u64,
    /// Forced outcomes for the next requests, applied in order before random ones.
    pub next: VecDeque<ForcedOutcome>,
}

impl Default for FaultSettings {
    fn default() -> Self {
        FaultSettings {
            latency_ms: 0,
            latency_jitter_ms: 0,
            rate_503: 0.0,
            rate_429: 0.0,
            retry_after_secs: 1,
            rate_drop: 0.0,
            slow_body_ms: 0,
            next: VecDeque::new(),
        }
    }
}

/// One forced outcome: `{"status": 503}`, `{"status": 429, "retry_after_secs": 2}`
/// or `{"drop": true}`. `{"drop": false}` lets one request through unharmed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ForcedOutcome {
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_secs: Option<u64>,
    },
    Drop {
        drop: bool,
    },
}

/// Invalid fault settings, reported to the caller of `PUT /_sandbox/faults`.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FaultSettingsError {
    #[error("{field} is {value}, but a rate must be between 0 and 1")]
    RateOutOfRange { field: &'static str, value: f64 },
    #[error("rate_drop + rate_503 + rate_429 is {0}, but the rates must add up to at most 1")]
    RatesAboveOne(f64),
    #[error("next[{index}] has status {status}; use an error status between 400 and 599")]
    StatusNotError { index: usize, status: u16 },
}

impl FaultSettings {
    /// Checks that the rates are probabilities and forced statuses are errors.
    pub fn validate(&self) -> Result<(), FaultSettingsError> {
        let rates = [
            ("rate_503", self.rate_503),
            ("rate_429", self.rate_429),
            ("rate_drop", self.rate_drop),
        ];
        for (field, value) in rates {
            if !(0.0..=1.0).contains(&value) {
                return Err(FaultSettingsError::RateOutOfRange { field, value });
            }
        }

        let sum = self.rate_503 + self.rate_429 + self.rate_drop;
        if sum > 1.0 {
            return Err(FaultSettingsError::RatesAboveOne(sum));
        }

        for (index, outcome) in self.next.iter().enumerate() {
            if let ForcedOutcome::Status { status, .. } = outcome
                && !(400..=599).contains(status)
            {
                return Err(FaultSettingsError::StatusNotError {
                    index,
                    status: *status,
                });
            }
        }
        Ok(())
    }
}

/// Start flags for the fault settings, shared by both sandbox binaries.
#[derive(Clone, Debug, clap::Args)]
pub struct FaultArgs {
    /// Delay added before every API response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Extra random delay of up to this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_jitter_ms: u64,
    /// Probability (0 to 1) of responding with 503 Service Unavailable.
    #[arg(long, default_value_t = 0.0)]
    pub rate_503: f64,
    /// Probability (0 to 1) of responding with 429 Too Many Requests.
    #[arg(long, default_value_t = 0.0)]
    pub rate_429: f64,
    /// Retry-After value sent with 429 responses, in seconds.
    #[arg(long, default_value_t = 1)]
    pub retry_after_secs: u64,
    /// Probability (0 to 1) of closing the connection without a response.
    #[arg(long, default_value_t = 0.0)]
    pub rate_drop: f64,
    /// Delay between 4 KiB body chunks, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub slow_body_ms: u64,
}

impl From<FaultArgs> for FaultSettings {
    fn from(args: FaultArgs) -> Self {
        FaultSettings {
            latency_ms: args.latency_ms,
            latency_jitter_ms: args.latency_jitter_ms,
            rate_503: args.rate_503,
            rate_429: args.rate_429,
            retry_after_secs: args.retry_after_secs,
            rate_drop: args.rate_drop,
            slow_body_ms: args.slow_body_ms,
            next: VecDeque::new(),
        }
    }
}

/// The fate of one request.
#[derive(Debug, PartialEq)]
enum Outcome {
    Pass,
    Status {
        status: u16,
        retry_after_secs: Option<u64>,
    },
    Drop,
}

/// Live fault settings plus the RNG that rolls them.
#[derive(Debug)]
pub struct Faults {
    settings: Mutex<FaultSettings>,
    rng: Mutex<ChaCha8Rng>,
}

/// The state of the fault middleware and of the control routes.
#[derive(Clone, Debug)]
pub struct FaultState {
    pub faults: Arc<Faults>,
    pub stats: Arc<Stats>,
}

impl Faults {
    /// Creates the fault state; `seed` makes the random outcomes repeatable.
    pub fn new(
        settings: FaultSettings,
        seed: Option<u64>,
    ) -> Result<Arc<Self>, FaultSettingsError> {
        settings.validate()?;

        let rng = match seed {
            Some(seed) => ChaCha8Rng::seed_from_u64(seed),
            None => ChaCha8Rng::from_os_rng(),
        };
        Ok(Arc::new(Faults {
            settings: Mutex::new(settings),
            rng: Mutex::new(rng),
        }))
    }

    pub fn settings(&self) -> FaultSettings {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn replace(&self, settings: FaultSettings) -> Result<(), FaultSettingsError> {
        settings.validate()?;
        *self.settings.lock().unwrap_or_else(PoisonError::into_inner) = settings;
        Ok(())
    }

    /// Decides the latency, outcome and body delay of one request, taking one
    /// forced outcome off the queue if there is one.
    fn plan(&self) -> (Duration, Outcome, u64) {
        let mut settings = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);

        let jitter = match settings.latency_jitter_ms {
            0 => 0,
            max => rng.random_range(0..=max),
        };
        let latency = Duration::from_millis(settings.latency_ms.saturating_add(jitter));

        let outcome = match settings.next.pop_front() {
            Some(ForcedOutcome::Status {
                status,
                retry_after_secs,
            }) => Outcome::Status {
                status,
                retry_after_secs: retry_after_secs
                    .or((status == 429).then_some(settings.retry_after_secs)),
            },
            Some(ForcedOutcome::Drop { drop: true }) => Outcome::Drop,
            Some(ForcedOutcome::Drop { drop: false }) => Outcome::Pass,
            None => roll(&mut rng, &settings),
        };

        (latency, outcome, settings.slow_body_ms)
    }
}

fn roll(rng: &mut ChaCha8Rng, settings: &FaultSettings) -> Outcome {
    let no_random_faults =
        settings.rate_drop == 0.0 && settings.rate_503 == 0.0 && settings.rate_429 == 0.0;
    if no_random_faults {
        return Outcome::Pass;
    }

    let roll: f64 = rng.random();
    let drop_until = settings.rate_drop;
    let unavailable_until = drop_until + settings.rate_503;
    let too_many_until = unavailable_until + settings.rate_429;

    if roll < drop_until {
        Outcome::Drop
    } else if roll < unavailable_until {
        Outcome::Status {
            status: 503,
            retry_after_secs: None,
        }
    } else if roll < too_many_until {
        Outcome::Status {
            status: 429,
            retry_after_secs: Some(settings.retry_after_secs),
        }
    } else {
        Outcome::Pass
    }
}

/// Injects faults into API requests; install it with `axum::middleware::from_fn_with_state`.
pub async fn inject(State(state): State<FaultState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with(CONTROL_PREFIX) {
        return next.run(request).await;
    }

    let (latency, outcome, slow_body_ms) = state.faults.plan();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    match outcome {
        Outcome::Pass => {}
        Outcome::Status {
            status,
            retry_after_secs,
        } => {
            state.stats.record_fault();
            tracing::info!(status, path = %request.uri().path(), "injected error status");
            return status_response(status, retry_after_secs);
        }
        Outcome::Drop => {
            state.stats.record_fault();
            tracing::info!(path = %request.uri().path(), "injected connection drop");
            return drop_connection(&request);
        }
    }

    let response = next.run(request).await;
    if slow_body_ms == 0 {
        return response;
    }
    slow_down(response, Duration::from_millis(slow_body_ms)).await
}

/// Builds a plain-text error response, as a proxy in front of the application sends.
fn status_response(status: u16, retry_after_secs: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let reason = status.canonical_reason().unwrap_or("Error");

    let mut response = (status, reason.to_string()).into_response();
    if let Some(seconds) = retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Aborts the client connection. Without a `ConnectionHandle` (a router driven
/// in-process without a socket) the body fails instead, which a client also sees
/// as a broken connection, but only after the status line.
fn drop_connection(request: &Request) -> Response {
    if let Some(ConnectInfo(handle)) = request.extensions().get::<ConnectInfo<ConnectionHandle>>() {
        handle.abort();
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }

    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected drop fault",
        ))
    });
    Body::from_stream(failing).into_response()
}

async fn slow_down(response: Response, delay: Duration) -> Response {
    let (parts, body) = response.into_parts();

    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "reading a response body for slow_body_ms failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };

    let chunks: Vec<Bytes> = (0..bytes.len())
        .step_by(SLOW_BODY_CHUNK_BYTES)
        .map(|start| bytes.slice(start..(start + SLOW_BODY_CHUNK_BYTES).min(bytes.len())))
        .collect();

    let stream = futures::stream::unfold(
        (chunks.into_iter(), true),
        move |(mut rest, first)| async move {
            let chunk = rest.next()?;
            if !first {
                tokio::time::sleep(delay).await;
            }
            Some((Ok::<Bytes, Infallible>(chunk), (rest, false)))
        },
    );

    Response::from_parts(parts, Body::from_stream(stream))
}

/// Builds the control routes `/_sandbox/faults` (GET, PUT) and `/_sandbox/stats` (GET, DELETE).
pub fn control_routes(state: FaultState) -> Router {
    Router::new()
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
        .route("/_sandbox/stats", get(get_stats).delete(delete_stats))
        .with_state(state)
}

async fn get_faults(State(state): State<FaultState>) -> Json<FaultSettings> {
    Json(state.faults.settings())
}

async fn put_faults(State(state): State<FaultState>, body: Bytes) -> Response {
    let settings: FaultSettings = match serde_json::from_slice(&body) {
        Ok(settings) => settings,
        Err(error) => {
            let message = format!("invalid fault settings: {error}");
            return (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({ "message": message })),
            )
                .into_response();
        }
    };

    match state.faults.replace(settings) {
        Ok(()) => Json(state.faults.settings()).into_response(),
        Err(error) => {
            let message = format!("invalid fault settings: {error}");
            (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({ "message": message })),
            )
                .into_response()
        }
    }
}

async fn get_stats(State(state): State<FaultState>) -> Response {
    Json(state.stats.snapshot()).into_response()
}

async fn delete_stats(State(state): State<FaultState>) -> StatusCode {
    state.stats.reset();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_outcomes_parse() {
        let json = r#"{"next":[{"status":503},{"status":429,"retry_after_secs":2},{"drop":true}]}"#;

        let settings: FaultSettings = serde_json::from_str(json).unwrap_or_default();

        assert_eq!(settings.retry_after_secs, 1);
        assert_eq!(
            settings.next,
            VecDeque::from(vec![
                ForcedOutcome::Status {
                    status: 503,
                    retry_after_secs: None
                },
                ForcedOutcome::Status {
                    status: 429,
                    retry_after_secs: Some(2)
                },
                ForcedOutcome::Drop { drop: true },
            ])
        );
    }

    #[test]
    fn validate_rejects_bad_rate() {
        let settings = FaultSettings {
            rate_503: 1.5,
            ..FaultSettings::default()
        };

        assert_eq!(
            settings.validate(),
            Err(FaultSettingsError::RateOutOfRange {
                field: "rate_503",
                value: 1.5
            })
        );
    }

    #[test]
    fn validate_rejects_rate_sum() {
        let settings = FaultSettings {
            rate_503: 0.6,
            rate_429: 0.6,
            ..FaultSettings::default()
        };

        assert!(matches!(
            settings.validate(),
            Err(FaultSettingsError::RatesAboveOne(_))
        ));
    }

    #[test]
    fn plan_uses_queue_first() -> Result<(), FaultSettingsError> {
        let settings = FaultSettings {
            rate_503: 1.0,
            next: VecDeque::from(vec![ForcedOutcome::Status {
                status: 429,
                retry_after_secs: None,
            }]),
            ..FaultSettings::default()
        };
        let faults = Faults::new(settings, Some(1))?;

        let (_, first, _) = faults.plan();
        let (_, second, _) = faults.plan();

        assert_eq!(
            first,
            Outcome::Status {
                status: 429,
                retry_after_secs: Some(1)
            }
        );
        assert_eq!(
            second,
            Outcome::Status {
                status: 503,
                retry_after_secs: None
            }
        );
        Ok(())
    }

    #[test]
    fn seeded_rolls_repeat() -> Result<(), FaultSettingsError> {
        let settings = FaultSettings {
            rate_503: 0.3,
            rate_drop: 0.2,
            ..FaultSettings::default()
        };
        let first = Faults::new(settings.clone(), Some(9))?;
        let second = Faults::new(settings, Some(9))?;

        let first_run: Vec<Outcome> = (0..50).map(|_| first.plan().1).collect();
        let second_run: Vec<Outcome> = (0..50).map(|_| second.plan().1).collect();

        assert_eq!(first_run, second_run);
        assert!(first_run.contains(&Outcome::Drop));
        assert!(first_run.contains(&Outcome::Pass));
        Ok(())
    }
}
