//! Detection of the optional `res.partner` fields of a database.

use serde_json::{Map, Value, json};

use super::call::Call;
use super::client::Client;
use super::error::Error;

/// Fields that every supported version (17, 18, 19) has on `res.partner`.
const BASE_FIELDS: [&str; 18] = [
    "name",
    "email",
    "phone",
    "vat",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "company_name",
    "is_company",
    "parent_id",
    "type",
    "active",
    "child_ids",
    "write_date",
    "create_date",
];

/// The optional partner fields found by `fields_get`. `mobile` and `title`
/// were removed in Odoo 19; `email_normalized` exists only with the mail addon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerFields {
    pub mobile: bool,
    pub title: bool,
    pub email_normalized: bool,
}

impl PartnerFields {
    fn from_description(fields: &Map<String, Value>) -> Self {
        Self {
            mobile: fields.contains_key("mobile"),
            title: fields.contains_key("title"),
            email_normalized: fields.contains_key("email_normalized"),
        }
    }

    /// Returns the field names to read for a [`super::Partner`].
    pub fn read_list(&self) -> Vec<&'static str> {
        let mut fields = BASE_FIELDS.to_vec();

        if self.mobile {
            fields.push("mobile");
        }
        if self.title {
            fields.push("title");
        }
        if self.email_normalized {
            fields.push("email_normalized");
        }

        fields
    }
}

impl Client {
    /// Returns the optional partner fields of this database, found with one
    /// `fields_get` call on first use.
    pub async fn partner_fields(&self) -> Result<PartnerFields, Error> {
        let fields = self
            .partner_fields_cell()
            .get_or_try_init(|| async {
                let call =
                    Call::new("res.partner", "fields_get").kwarg("attributes", json!(["type"]));

                let result = self.execute(&call).await?;

                let Value::Object(description) = result else {
                    return Err(Error::InvalidResponse {
                        target: "res.partner.fields_get".to_owned(),
                        detail: "expected an object of field descriptions".to_owned(),
                    });
                };

                Ok(PartnerFields::from_description(&description))
            })
            .await?;

        Ok(*fields)
    }
}
