//! Sync use cases between Magento customers and Odoo partners.

pub mod outcome;
pub mod password;

pub use outcome::Outcome;
pub use password::{PasswordError, generate_password};
