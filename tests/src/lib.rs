//! Starts the local stack that the demo, the benchmark and the end-to-end tests run on:
//! moto (DynamoDB and Secrets Manager), the Magento and Odoo sandboxes, and the Lambda
//! functions under `cargo lambda watch`.
//!
//! Every service is a child process in its own process group, so dropping its
//! [`Service`] stops it together with anything it started (cargo lambda watch starts one
//! process per function), also when the caller is interrupted with Ctrl-C. The
//! [`reaper`] stops the groups that are still running when the process exits.

pub mod api;
pub mod bench;
mod forward;
pub mod functions;
pub mod instance;
pub mod invoke_proxy;
pub mod latency_proxy;
pub mod magento_admin;
pub mod odoo_rpc;
pub mod paths;
pub mod reaper;
pub mod service;
pub mod stack;

pub use functions::Functions;
pub use paths::Profile;
pub use service::Service;
pub use stack::{Stack, StackOptions};
