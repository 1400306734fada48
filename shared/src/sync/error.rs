//! The error of a sync use case that could not produce an [`Outcome`](super::Outcome).
//!
//! A problem with one customer's data is an outcome (`Failed`, `Skipped`), not an error.
//! An error means the use case stopped: a system was unreachable after every retry, the
//! instance is misconfigured, or another run holds the instance.

use crate::magento;
use crate::mapping::ValidationErrors;
use crate::odoo;
use crate::store::StoreError;

use super::password::PasswordError;

/// Errors that stop a sync use case.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Magento(#[from] magento::Error),

    #[error(transparent)]
    Odoo(#[from] odoo::Error),

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Password(#[from] PasswordError),

    /// The record would be rejected by Magento; nothing was written.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),

    /// The Odoo partner to push does not exist (or was deleted).
    #[error("Odoo partner {odoo_partner_id} not found; check the id or pull the customer again")]
    PartnerNotFound { odoo_partner_id: i64 },

    /// The use case needs a link that does not exist.
    #[error(
        "Odoo partner {odoo_partner_id} is not linked to a Magento customer of instance {instance_id}; create it in Magento first"
    )]
    NotLinked {
        instance_id: String,
        odoo_partner_id: i64,
    },

    /// Another run of the same instance holds its lease, or took it over.
    #[error("another sync run holds instance {instance_id}: {source}")]
    Busy {
        instance_id: String,
        #[source]
        source: StoreError,
    },

    /// A background task of a bulk run ended without a result.
    #[error("a task of the bulk run for instance {instance_id} stopped unexpectedly: {detail}")]
    TaskFailed { instance_id: String, detail: String },
}

impl SyncError {
    /// Tells whether running the same use case again later may succeed (a system was
    /// unavailable or rate-limited after every retry, or another run held the lease).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Magento(error) => crate::retry::Retryable::is_retryable(error),
            Self::Odoo(error) => error.is_retryable(),
            Self::Store(StoreError::Dynamo { .. }) | Self::Busy { .. } => true,
            _ => false,
        }
    }
}
