//! Sync use cases against moto, the Magento sandbox and the Odoo sandbox.
//!
//! Each test starts its own systems, so tests share no state and can run in parallel.
//! Run with `MOTO_SERVER=<venv>/bin/moto_server` when the workspace has no `.venv`.

#[path = "sync/bulk.rs"]
mod bulk;
#[path = "sync/harness.rs"]
mod harness;
#[path = "sync/pull.rs"]
mod pull;
#[path = "sync/push.rs"]
mod push;
#[path = "sync/scheduled.rs"]
mod scheduled;
