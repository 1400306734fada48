//! The bulk-pull benchmark behind `make bench`.
//!
//! For each size (10,000 and 100,000 Magento customers by default) the bench
//! starts the local stack with injected latency and runs three scenarios. Each
//! runs in a child process of the bench binary, so that its peak RSS is the
//! connector's alone:
//!
//! - `bulk`: the connector's bulk pull from an empty link state;
//! - `baseline`: one customer at a time, as queue-job connectors sync, over a
//!   fixed sample because its cost per customer is constant;
//! - `fetch-only`: keyset paging through Magento with the same page size and
//!   nothing else, the floor for the bulk pull's wall time.
//!
//! Remote calls are counted by the Magento and Odoo clients (`calls()`) and by
//! the latency proxy in front of moto. The report compares the bulk pull with
//! the targets and prints PASS or MISS; a miss never fails the run.

pub mod baseline;
pub mod bulk;
pub mod child;
pub mod counters;
pub mod endpoints;
pub mod environment;
pub mod fetch_only;
pub mod instance;
pub mod machine;
pub mod measurement;
pub mod report;
pub mod rss;
pub mod runner;
pub mod scenario;
pub mod targets;
