//! Client for the Magento 2 REST API: customers, keyset paging and the
//! country directory, authenticated with OAuth 1.0a, a bearer token or an
//! admin account.
//!
//! ```no_run
//! # async fn example() -> Result<(), shared::magento::Error> {
//! use futures::TryStreamExt;
//! use shared::magento::{Client, ClientConfig, Credentials, SignatureMethod};
//!
//! let credentials = Credentials::OAuth {
//!     consumer_key: "ck".into(),
//!     consumer_secret: "cs".into(),
//!     access_token: "at".into(),
//!     access_token_secret: "ats".into(),
//!     signature_method: SignatureMethod::HmacSha256,
//! };
//! let client = Client::new(ClientConfig::new("https://shop.example.com", credentials))?;
//!
//! let mut pages = std::pin::pin!(client.customers().iterate_all(100));
//! while let Some(page) = pages.try_next().await? {
//!     tracing::info!(count = page.customers.len(), last_id = ?page.last_id(), "page");
//! }
//! # Ok(())
//! # }
//! ```

mod auth;
mod client;
mod config;
mod customers;
mod defaults;
mod directory;
mod endpoint;
mod error;
pub mod model;
mod oauth;
mod paging;
mod search;
mod transport;

pub use client::Client;
pub use config::{ClientConfig, Credentials, SignatureMethod};
pub use customers::Customers;
pub use directory::{Country, RegionInfo};
pub use error::{Error, ErrorKind};
pub use model::{Address, CustomAttribute, Customer, ExtensionAttributes, Region, SearchResults};
pub use paging::{CustomerPage, PageCursor};
pub use search::{Condition, Filter, SearchCriteria, SortDirection};
