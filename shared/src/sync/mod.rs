//! Sync use cases between Magento customers and Odoo partners.

pub mod choose;
pub mod geo;
pub mod outcome;
pub mod password;
pub mod pull_one;

pub use choose::{Choice, choose_partner};
pub use outcome::Outcome;
pub use password::{PasswordError, generate_password};
pub use pull_one::{PullResult, PulledLink, pull_customer};
