//! `res.partner.title` (Mister, Madam, ...), present in 17 and 18 only.

use crate::odoo::fields::{FieldDef, FieldType};
use crate::odoo::state::{Database, Record};

use super::Model;

pub struct PartnerTitle;

const FIELDS: &[FieldDef] = &[
    FieldDef::new("name", FieldType::Char, "Title").required(),
    FieldDef::new("shortcut", FieldType::Char, "Abbreviation"),
];

impl Model for PartnerTitle {
    fn name(&self) -> &'static str {
        "res.partner.title"
    }

    fn description(&self) -> &'static str {
        "Partner Title"
    }

    fn own_fields(&self) -> &'static [FieldDef] {
        FIELDS
    }

    fn default_order(&self) -> &'static str {
        "name"
    }
}

/// Inserts the titles of Odoo's base data.
pub fn seed(db: &mut Database) {
    let titles = [
        ("Madam", "Mrs."),
        ("Miss", "Miss"),
        ("Mister", "Mr."),
        ("Doctor", "Dr."),
        ("Professor", "Prof."),
    ];
    for (index, (name, shortcut)) in titles.into_iter().enumerate() {
        let mut record = Record::new();
        record.insert("name", name.into());
        record.insert("shortcut", shortcut.into());
        db.insert_with_id("res.partner.title", index as i64 + 1, record);
    }
}
