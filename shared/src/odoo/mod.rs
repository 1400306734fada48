//! Client for the Odoo external API (JSON-RPC on Odoo 17 and 18, JSON-2 on 19).

pub mod model;
mod value;

pub use model::{AddressType, ChildCommand, Many2One, Partner, PartnerValues, PartnerWithChildren};
