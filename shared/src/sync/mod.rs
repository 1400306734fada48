//! Sync use cases between Magento customers and Odoo partners.

pub mod bulk;
mod children;
pub mod choose;
pub mod conflict;
pub mod context;
pub mod error;
pub mod geo;
pub mod magento_write;
pub mod outcome;
pub mod password;
pub mod pull;
pub mod pull_one;
pub mod push;
pub mod scheduled;
pub mod snapshot;

pub use bulk::{BulkOptions, BulkReport, general_reason, resume_job, start_bulk_pull};
pub use choose::{Choice, choose_partner};
pub use context::{RemoteCalls, SyncContext};
pub use error::SyncError;
pub use outcome::Outcome;
pub use password::{PasswordError, generate_password};
pub use pull::{CustomerResult, PullOptions, PullReport, pull_customers};
pub use pull_one::pull_customer;
pub use push::{CreateRequest, CreateSource, CustomerInput, create_in_magento, update_in_magento};
pub use scheduled::{InstanceRun, pull_due_instances, scheduled_pull};
