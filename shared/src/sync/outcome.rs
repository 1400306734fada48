//! The typed result of syncing one customer.

use serde::Serialize;

/// The result of syncing one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// A new record was created on the target side.
    Created {
        magento_customer_id: i64,
        odoo_partner_id: i64,
        /// A problem that did not block the record, such as a VAT number Odoo's
        /// base_vat rejected (the record was written without VAT validation).
        warnings: Vec<String>,
    },
    /// The customer was linked to a record that already existed on the target side.
    LinkedToExisting {
        magento_customer_id: i64,
        odoo_partner_id: i64,
        /// The reason this record was chosen, e.g. which of several partners with the
        /// same email won.
        reason: String,
        warnings: Vec<String>,
    },
    /// The target record was rewritten from the source.
    Updated {
        magento_customer_id: i64,
        odoo_partner_id: i64,
        warnings: Vec<String>,
    },
    /// Both sides already agree.
    Unchanged {
        magento_customer_id: i64,
        odoo_partner_id: i64,
    },
    /// "Create in Magento" found a Magento customer with the same email in the
    /// instance's website. Nothing was created; the caller may link that customer.
    AlreadyExists {
        magento_customer_id: i64,
        website_id: u64,
        reason: String,
    },
    /// Nothing was written, on purpose.
    Skipped { reason: String },
    /// Nothing was written because of an error that retrying the same input would not fix.
    Failed { reason: String },
}

impl Outcome {
    /// Returns the short status name used in logs and job counters.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::LinkedToExisting { .. } => "linked_to_existing",
            Self::Updated { .. } => "updated",
            Self::Unchanged { .. } => "unchanged",
            Self::AlreadyExists { .. } => "already_exists",
            Self::Skipped { .. } => "skipped",
            Self::Failed { .. } => "failed",
        }
    }

    /// Returns the Magento customer id the outcome names, if any.
    pub fn magento_customer_id(&self) -> Option<i64> {
        match self {
            Self::Created {
                magento_customer_id,
                ..
            }
            | Self::LinkedToExisting {
                magento_customer_id,
                ..
            }
            | Self::Updated {
                magento_customer_id,
                ..
            }
            | Self::Unchanged {
                magento_customer_id,
                ..
            }
            | Self::AlreadyExists {
                magento_customer_id,
                ..
            } => Some(*magento_customer_id),
            Self::Skipped { .. } | Self::Failed { .. } => None,
        }
    }

    /// Returns the Odoo partner id the outcome names, if any.
    pub fn odoo_partner_id(&self) -> Option<i64> {
        match self {
            Self::Created {
                odoo_partner_id, ..
            }
            | Self::LinkedToExisting {
                odoo_partner_id, ..
            }
            | Self::Updated {
                odoo_partner_id, ..
            }
            | Self::Unchanged {
                odoo_partner_id, ..
            } => Some(*odoo_partner_id),
            _ => None,
        }
    }
}
