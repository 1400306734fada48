//! Client for the Odoo external API: JSON-RPC on Odoo 17 and 18, JSON-2 on
//! 19 and later, chosen at run time from `GET /web/version`.
//!
//! [`Client`] sends every remote call through one path that bounds
//! concurrency, retries transient failures, logs the protocol, model,
//! method, status, latency and attempt (never the API key) and counts the
//! requests. The partner operations are batched: each makes a fixed number
//! of calls whatever the number of partners.

mod call;
mod client;
mod config;
mod directory;
mod email;
mod error;
mod fields;
mod json2;
mod jsonrpc;
mod load;
pub mod model;
mod partners;
mod value;
mod version;

pub use client::Client;
pub use config::{ClientConfig, Protocol};
pub use email::{escape_like, normalize_email};
pub use error::{Error, Fault};
pub use fields::PartnerFields;
pub use load::WriteMany;
pub use model::{AddressType, ChildCommand, Many2One, Partner, PartnerValues, PartnerWithChildren};
pub use partners::WriteOptions;
