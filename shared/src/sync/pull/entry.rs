//! One customer of a pull batch, from its Magento record to its plan.

use std::collections::HashSet;

use crate::magento::Customer;
use crate::mapping::magento_model::map_magento_customer;
use crate::mapping::{MappedCustomer, fingerprint};
use crate::odoo::{PartnerWithChildren, normalize_email};
use crate::store::{CustomerLink, CustomerSnapshot, LinkState};

use super::super::outcome::Outcome;
use super::super::snapshot::customer_snapshot;

/// Whether the customer's link is new or existed before this pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LinkKind {
    /// Linked now to a partner found by email, for the reason given.
    New {
        reason: String,
    },
    Existing,
}

/// The action a pull takes for one customer.
#[derive(Debug)]
pub(super) enum Plan {
    /// Nothing to write.
    Finished(Outcome),
    /// Linked and changed in Magento: the linked partner must be read.
    ReadLinked,
    /// Not linked: partners with the same email must be looked up.
    Match,
    /// No partner has the email: create one.
    Create,
    /// Write the Magento version onto this partner.
    Write {
        record: Box<PartnerWithChildren>,
        link: LinkKind,
    },
    /// The partner already has the Magento version: only store the link.
    Keep {
        record: Box<PartnerWithChildren>,
        link: LinkKind,
    },
    /// Odoo won a conflict: write the partner onto the Magento customer.
    Push { record: Box<PartnerWithChildren> },
}

/// The Magento customer in an entry: the whole record, or only the link's copy.
#[derive(Debug)]
pub(super) enum MagentoCopy {
    /// The whole customer, as Magento returned it.
    Full(Box<Customer>),
    /// Only the link's copy of it, once the plan no longer needs the rest.
    Snapshot(Box<CustomerSnapshot>),
}

/// One customer being pulled.
#[derive(Debug)]
pub(super) struct Entry {
    /// The whole customer while the batch is planned, then only its snapshot unless Odoo
    /// won a conflict. Pages wait for Odoo and DynamoDB after planning, so this keeps
    /// them small.
    pub magento: MagentoCopy,
    pub magento_id: u64,
    /// The email as Odoo normalizes it, the key of the partner lookup.
    pub email_key: Option<String>,
    pub mapped: MappedCustomer,
    pub magento_fingerprint: String,
    pub link: Option<Box<CustomerLink>>,
    pub plan: Plan,
    /// The settlement of a conflict, when both sides changed.
    pub conflict: Option<String>,
}

impl Entry {
    /// Maps one customer, or returns why it is skipped.
    pub fn new(customer: Customer, website_id: u64, titles: bool) -> Result<Self, Outcome> {
        let Some(magento_id) = customer.id else {
            return Err(Outcome::Skipped {
                reason: "the Magento customer has no id".to_owned(),
            });
        };
        if let Some(other) = customer.website_id.filter(|id| *id != website_id) {
            return Err(Outcome::Skipped {
                reason: format!(
                    "Magento customer {magento_id} belongs to website {other}, not to this instance's website {website_id}"
                ),
            });
        }

        let mapped = map_magento_customer(&customer, titles);
        let magento_fingerprint = fingerprint(&mapped.form);

        Ok(Self {
            email_key: normalize_email(&customer.email),
            magento: MagentoCopy::Full(Box::new(customer)),
            magento_id,
            mapped,
            magento_fingerprint,
            link: None,
            plan: Plan::Match,
            conflict: None,
        })
    }

    /// Records the stored link and decides whether Odoo must be asked at all: a linked
    /// customer whose Magento fingerprint did not change since the last successful
    /// sync is unchanged without any remote call.
    pub fn attach_link(&mut self, link: Option<CustomerLink>, recheck: bool) {
        self.plan = match &link {
            Some(link)
                if !recheck
                    && link.state == LinkState::Synced
                    && link.magento_fingerprint == self.magento_fingerprint =>
            {
                Plan::Finished(Outcome::Unchanged {
                    magento_customer_id: self.magento_id as i64,
                    odoo_partner_id: link.odoo_partner_id,
                })
            }
            Some(_) => Plan::ReadLinked,
            None if self.email_key.is_none() => Plan::Finished(Outcome::Failed {
                reason: format!(
                    "Magento customer {} has no usable email ({:?}), so it cannot be matched to an Odoo partner; fix the email in Magento",
                    self.magento_id,
                    self.customer()
                        .map_or("", |customer| customer.email.as_str())
                ),
            }),
            None => Plan::Match,
        };
        self.link = link.map(Box::new);
    }

    /// Returns the whole Magento customer, unless only its snapshot is kept.
    pub fn customer(&self) -> Option<&Customer> {
        match &self.magento {
            MagentoCopy::Full(customer) => Some(customer),
            MagentoCopy::Snapshot(_) => None,
        }
    }

    /// Returns the link's copy of the Magento customer.
    pub fn snapshot(&self) -> CustomerSnapshot {
        match &self.magento {
            MagentoCopy::Full(customer) => customer_snapshot(customer, false),
            MagentoCopy::Snapshot(snapshot) => (**snapshot).clone(),
        }
    }

    /// Keeps only the snapshot of the customer, unless the plan writes the customer
    /// back to Magento.
    pub fn keep_only_snapshot(&mut self) {
        if matches!(self.plan, Plan::Push { .. }) {
            return;
        }
        if matches!(self.magento, MagentoCopy::Full(_)) {
            self.magento = MagentoCopy::Snapshot(Box::new(self.snapshot()));
        }
    }
}

/// Skips every unlinked customer whose email an earlier customer of the batch already
/// has, because one Odoo partner can be linked to one Magento customer only.
pub(super) fn skip_repeated_emails(entries: &mut [Entry]) {
    let mut seen: HashSet<String> = HashSet::new();

    for entry in entries.iter_mut() {
        if !matches!(entry.plan, Plan::Match) {
            continue;
        }
        let Some(key) = entry.email_key.clone() else {
            continue;
        };
        if !seen.insert(key.clone()) {
            entry.plan = Plan::Finished(Outcome::Skipped {
                reason: format!(
                    "another Magento customer in the same run has the email {key}, and an Odoo partner can be linked to one customer only"
                ),
            });
        }
    }
}
