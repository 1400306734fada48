//! Emulators of the Magento 2 REST API and the Odoo external API for tests,
//! the demo and the benchmarks. Development only: never deployed.

pub mod faults;
pub mod magento;
pub mod moto;
pub mod odoo;
pub mod people;
pub mod regions;
pub mod server;
pub mod stats;
