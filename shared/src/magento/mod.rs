//! Client for the Magento 2 REST API (customers, search, directory).

pub mod model;

pub use model::{Address, CustomAttribute, Customer, ExtensionAttributes, Region, SearchResults};
