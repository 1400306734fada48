//! Magento 2 and Odoo clients, the customer mapping, the DynamoDB store and the
//! sync use cases. Nothing here knows about Lambda: the functions under
//! `functions/` parse requests, call into this crate and shape responses.

pub mod config;
pub mod magento;
pub mod mapping;
pub mod odoo;
pub mod retry;
pub mod secrets;
pub mod store;
pub mod sync;
