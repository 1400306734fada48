//! The customer fields a person types to create a Magento customer directly.

use serde::{Deserialize, Serialize};

use crate::mapping::form::clean;
use crate::mapping::street::lines_to_odoo;
use crate::mapping::{AddressForm, CustomerForm, NameParts};

/// A new customer's fields. The address is optional as a whole. With no street, city,
/// postcode, country, region or region id, the customer is created without addresses.
/// With any of them, it gets one address, and Magento's required address fields are
/// checked. `default_billing` and `default_shipping` make that address the customer's
/// default billing and default shipping address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInput {
    #[serde(default)]
    pub prefix: Option<String>,
    pub firstname: String,
    #[serde(default)]
    pub middlename: Option<String>,
    pub lastname: String,
    #[serde(default)]
    pub suffix: Option<String>,
    pub email: String,
    /// The address's telephone, which Magento requires on every address.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub vat: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub street: Vec<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2 code, e.g. `US`.
    #[serde(default)]
    pub country_code: Option<String>,
    /// Region code for countries with a region list (e.g. `CA` in the US), or the
    /// region's name for the others.
    #[serde(default)]
    pub region: Option<String>,
    /// Magento's numeric region id, an alternative to `region`. It must be in the
    /// region list of `country_code`, and it must name the same region as `region` when
    /// both are given.
    #[serde(default)]
    pub region_id: Option<u64>,
    /// True when the address is the customer's default billing address.
    #[serde(default = "default_true")]
    pub default_billing: bool,
    /// True when the address is the customer's default shipping address.
    #[serde(default = "default_true")]
    pub default_shipping: bool,
}

fn default_true() -> bool {
    true
}

impl Default for CustomerInput {
    /// Empty fields, with the address (when one is added) as both default addresses.
    fn default() -> Self {
        Self {
            prefix: None,
            firstname: String::new(),
            middlename: None,
            lastname: String::new(),
            suffix: None,
            email: String::new(),
            phone: None,
            vat: None,
            company: None,
            street: Vec::new(),
            city: None,
            postcode: None,
            country_code: None,
            region: None,
            region_id: None,
            default_billing: true,
            default_shipping: true,
        }
    }
}

impl CustomerInput {
    /// Returns the five name parts.
    pub fn names(&self) -> NameParts {
        NameParts::new(
            self.prefix.as_deref(),
            &self.firstname,
            self.middlename.as_deref(),
            &self.lastname,
            self.suffix.as_deref(),
        )
    }

    /// Tells whether any address field is set, so that the customer gets an address.
    pub fn has_address(&self) -> bool {
        self.region_id.is_some() || !self.form(false).address.is_empty()
    }

    /// Returns the fields as a canonical form, the shape the Magento mapping builds a
    /// customer from. `titles` is true when the prefix travels as an Odoo title.
    pub fn form(&self, titles: bool) -> CustomerForm {
        let names = self.names();
        let (street, street2) = lines_to_odoo(&self.street);

        CustomerForm {
            name: names.full_name(!titles),
            title: if titles { names.prefix.clone() } else { None },
            email: self.email.trim().to_owned(),
            phone: clean(self.phone.as_deref()),
            vat: clean(self.vat.as_deref()),
            company: clean(self.company.as_deref()),
            address: AddressForm {
                street,
                street2,
                city: clean(self.city.as_deref()),
                zip: clean(self.postcode.as_deref()),
                country_code: clean(self.country_code.as_deref())
                    .map(|code| code.to_ascii_uppercase()),
                state_code: clean(self.region.as_deref()),
            },
            children: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_joins_extra_street_lines() {
        let input = CustomerInput {
            firstname: "Ana".into(),
            lastname: "Lima".into(),
            email: " Ana@Example.test ".into(),
            street: vec!["1 Main St".into(), "Floor 2".into(), "Unit B".into()],
            country_code: Some("us".into()),
            region: Some("CA".into()),
            ..CustomerInput::default()
        };

        let form = input.form(false);

        assert_eq!(form.email, "Ana@Example.test");
        assert_eq!(form.address.street.as_deref(), Some("1 Main St"));
        assert_eq!(form.address.street2.as_deref(), Some("Floor 2, Unit B"));
        assert_eq!(form.address.country_code.as_deref(), Some("US"));
        assert_eq!(form.address.state_code.as_deref(), Some("CA"));
    }

    #[test]
    fn form_puts_prefix_in_title_or_name() {
        let input = CustomerInput {
            prefix: Some("Dr.".into()),
            firstname: "Ana".into(),
            lastname: "Lima".into(),
            email: "ana@example.test".into(),
            ..CustomerInput::default()
        };

        assert_eq!(input.form(true).name, "Ana Lima");
        assert_eq!(input.form(true).title.as_deref(), Some("Dr."));
        assert_eq!(input.form(false).name, "Dr. Ana Lima");
        assert!(input.form(false).address.is_empty());
    }

    #[test]
    fn has_address_checks_every_address_field() {
        let blank = CustomerInput {
            street: vec!["  ".into()],
            city: Some(String::new()),
            ..CustomerInput::default()
        };
        let with_region_id = CustomerInput {
            region_id: Some(57),
            ..CustomerInput::default()
        };
        let with_postcode = CustomerInput {
            postcode: Some("78701".into()),
            ..CustomerInput::default()
        };

        assert!(!blank.has_address());
        assert!(with_region_id.has_address());
        assert!(with_postcode.has_address());
    }

    #[test]
    fn defaults_mark_both_default_addresses() {
        let input: CustomerInput = serde_json::from_value(serde_json::json!({
            "firstname": "Ana", "lastname": "Lima", "email": "ana@example.test"
        }))
        .expect("valid input");

        assert!(input.default_billing);
        assert!(input.default_shipping);
        assert_eq!(
            input,
            CustomerInput {
                firstname: "Ana".into(),
                lastname: "Lima".into(),
                email: "ana@example.test".into(),
                ..CustomerInput::default()
            }
        );
    }
}
