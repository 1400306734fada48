//! Sync use cases between Magento customers and Odoo partners.

pub mod choose;
pub mod outcome;
pub mod password;

pub use choose::{Choice, choose_partner};
pub use outcome::Outcome;
pub use password::{PasswordError, generate_password};
