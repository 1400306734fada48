//! The customer fields a person types to create a Magento customer directly.

use serde::{Deserialize, Serialize};

use crate::mapping::form::clean;
use crate::mapping::street::lines_to_odoo;
use crate::mapping::{AddressForm, CustomerForm, NameParts};

/// A new customer's fields. The address is optional as a whole. With no street, city,
/// postcode or country, the customer is created without addresses. With any of them, it
/// gets one address that is both its default billing and default shipping address, so
/// Magento's required address fields are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
}
