//! `res.users`: only what a client reads about itself (`context_get`, name
//! and login).

use crate::odoo::fields::{FieldDef, FieldType};

use super::Model;

pub struct Users;

const FIELDS: &[FieldDef] = &[
    FieldDef::new("name", FieldType::Char, "Name").required(),
    FieldDef::new("login", FieldType::Char, "Login").required(),
    FieldDef::new("active", FieldType::Boolean, "Active"),
    FieldDef::new(
        "partner_id",
        FieldType::Many2one("res.partner"),
        "Related Partner",
    )
    .required(),
    FieldDef::new("lang", FieldType::Char, "Language"),
    FieldDef::new("tz", FieldType::Char, "Timezone"),
];

impl Model for Users {
    fn name(&self) -> &'static str {
        "res.users"
    }

    fn description(&self) -> &'static str {
        "User"
    }

    fn own_fields(&self) -> &'static [FieldDef] {
        FIELDS
    }

    fn default_order(&self) -> &'static str {
        "name, login"
    }

    fn name_search_fields(&self) -> &'static [&'static str] {
        &["name", "login"]
    }
}
