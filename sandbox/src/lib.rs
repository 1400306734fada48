//! Emulators of the Magento 2 REST API and the Odoo external API for tests,
//! the demo and the benchmarks. Development only: never deployed.

pub mod moto;
