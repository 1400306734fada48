//! Handler glue shared by the Lambda functions of the Magento-Odoo connector.
//!
//! Handlers parse requests and build responses here and leave business rules to the `shared` crate:
//! - [`error`]: the one JSON error shape, and [`status`] the one place that maps
//!   library errors to HTTP statuses;
//! - [`body`] and [`params`]: request parsing with a size limit and named-field errors;
//! - [`response`]: JSON answers, and [`respond`] which turns every error into an `Ok`
//!   response so that the runtime never answers with a bare 502;
//! - [`telemetry`], [`emf`] and [`remote_call`]: JSON logs with the request id, and
//!   CloudWatch Embedded Metric Format lines for outcomes and remote calls;
//! - [`dynamodb`]: the DynamoDB client and store, which log and count every request;
//! - [`idempotency`]: the `Idempotency-Key` guarantee.
//!
//! ```
//! use functions_common::{ApiError, json_response, respond};
//! use lambda_http::http::StatusCode;
//!
//! let ok = respond(Ok(json_response(StatusCode::OK, &serde_json::json!({"id": 1}))));
//! let missing = respond(Err(ApiError::not_found("instance shop-1 not found")));
//!
//! assert_eq!(ok.status(), StatusCode::OK);
//! assert_eq!(missing.status(), StatusCode::NOT_FOUND);
//! ```

pub mod body;
pub mod clients;
pub mod dynamodb;
pub mod emf;
pub mod error;
pub mod idempotency;
mod idempotency_store;
pub mod outcome;
pub mod params;
pub mod remote_call;
pub mod response;
pub mod route;
pub mod status;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use body::{MAX_BODY_BYTES, parse_json};
pub use emf::{Metrics, OutcomeKind, RemoteSystem};
pub use error::{ApiError, ErrorCode};
pub use params::{parse_path_parameter, path_parameter, query_parameter};
pub use remote_call::timed;
pub use response::{json_response, respond};
pub use route::with_path_parameters;
pub use telemetry::init_tracing;
