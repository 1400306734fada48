//! The form fields of `POST /instances/{instance_id}/customers`, under the names a
//! Magento integration sends: `telephone` for `phone`, `region_id` for `region`, and
//! the `default_billing` and `default_shipping` flags of the address.

use std::fmt;

use functions_common::ApiError;
use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use shared::mapping::{FieldError, ValidationErrors};
use shared::sync::{CreateRequest, CreateSource, CustomerInput};

use crate::input::ParsedCreate;

/// The body keys that may carry the address telephone.
pub const PHONE: &str = "phone";
pub const TELEPHONE: &str = "telephone";

/// The form fields. The use case checks them with Magento's rules before any write, so
/// this type checks only their JSON types and the rules between body keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerFormBody {
    prefix: Option<String>,
    firstname: String,
    middlename: Option<String>,
    lastname: String,
    suffix: Option<String>,
    email: String,
    /// The address's telephone.
    phone: Option<String>,
    /// Magento's name of `phone`.
    telephone: Option<String>,
    vat: Option<String>,
    #[serde(default)]
    send_welcome_email: bool,
    /// Absent or null: true when the form has an address.
    default_billing: Option<bool>,
    /// Absent or null: true when the form has an address.
    default_shipping: Option<bool>,
    company: Option<String>,
    #[serde(default)]
    street: Vec<String>,
    city: Option<String>,
    postcode: Option<String>,
    /// ISO 3166-1 alpha-2 code, as Magento names it.
    country_id: Option<String>,
    /// A region code of the country's region list (e.g. `TX`), or a region name for a
    /// country without one.
    region: Option<String>,
    /// Magento's numeric region id, checked by the use case against the region list of
    /// `country_id`.
    #[serde(default, deserialize_with = "region_id")]
    region_id: Option<u64>,
}

impl CustomerFormBody {
    /// Checks the rules between body keys and builds the use case's request.
    ///
    /// Errors (400, each field listed in `details.errors`): `telephone` given with a
    /// different `phone`, and `default_billing` or `default_shipping` set to true on a
    /// form without any address field.
    pub fn into_request(self) -> Result<ParsedCreate, ApiError> {
        let mut errors = Vec::new();

        let phone_field = if self.phone.is_none() && self.telephone.is_some() {
            TELEPHONE
        } else {
            PHONE
        };
        if let (Some(phone), Some(telephone)) = (&self.phone, &self.telephone)
            && phone.trim() != telephone.trim()
        {
            errors.push(FieldError {
                field: TELEPHONE.to_owned(),
                message:
                    "differs from phone, and both set the address telephone; send only one of them"
                        .to_owned(),
            });
        }

        let flags = [
            ("default_billing", self.default_billing),
            ("default_shipping", self.default_shipping),
        ];
        let input = self.input();
        if !input.has_address() {
            for (name, _) in flags.iter().filter(|(_, flag)| *flag == Some(true)) {
                errors.push(FieldError {
                    field: (*name).to_owned(),
                    message: format!("is true, but the form has no address; add street, city, postcode, country_id and phone (and region or region_id where the country has a region list), or leave {name} out"),
                });
            }
        }

        if !errors.is_empty() {
            return Err(ValidationErrors(errors).into());
        }
        Ok(ParsedCreate {
            request: CreateRequest {
                source: CreateSource::Form(Box::new(input)),
                send_welcome_email: self.send_welcome_email,
            },
            phone_field,
        })
    }

    fn input(&self) -> CustomerInput {
        let form = self.clone();

        CustomerInput {
            prefix: form.prefix,
            firstname: form.firstname,
            middlename: form.middlename,
            lastname: form.lastname,
            suffix: form.suffix,
            email: form.email,
            phone: form.phone.or(form.telephone),
            vat: form.vat,
            company: form.company,
            street: form.street,
            city: form.city,
            postcode: form.postcode,
            country_code: form.country_id,
            region: form.region,
            region_id: form.region_id,
            default_billing: form.default_billing.unwrap_or(true),
            default_shipping: form.default_shipping.unwrap_or(true),
        }
    }
}

/// Reads `region_id` as an integer or as a string of digits: Magento's directory
/// returns region ids as strings, and Magento's REST API accepts both.
fn region_id<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_option(RegionIdVisitor)
}

struct RegionIdVisitor;

impl<'de> Visitor<'de> for RegionIdVisitor {
    type Value = Option<u64>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(
            "a Magento region id: a positive integer such as 57, or its digits as a string",
        )
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Some(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        u64::try_from(value)
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Signed(value), &self))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        let digits = value.trim();
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(E::invalid_value(Unexpected::Str(value), &self));
        }
        digits
            .parse()
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Str(value), &self))
    }
}

#[cfg(test)]
mod tests {
    use functions_common::ErrorCode;
    use serde_json::{Value, json};

    use super::*;

    /// Returns a valid form with an address, with `changes` applied.
    fn form(changes: Value) -> Value {
        let mut body = json!({
            "firstname": "Ann", "lastname": "Lee", "email": "ann@example.com",
            "street": ["1 Main St"], "city": "Austin", "postcode": "78701", "country_id": "US",
        });
        if let (Some(fields), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
            for (key, value) in changes {
                fields.insert(key.clone(), value.clone());
            }
        }
        body
    }

    fn parse(body: Value) -> Result<ParsedCreate, ApiError> {
        let form: CustomerFormBody =
            functions_common::body::from_json_value(body).expect("body parses");
        form.into_request()
    }

    fn input(parsed: &ParsedCreate) -> &CustomerInput {
        match &parsed.request.source {
            CreateSource::Form(input) => input,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn flags_default_to_true() {
        let parsed = parse(form(json!({}))).expect("valid");

        assert!(input(&parsed).default_billing);
        assert!(input(&parsed).default_shipping);
    }

    #[test]
    fn flags_false_kept() {
        let body = form(json!({"default_billing": false, "default_shipping": false}));

        let parsed = parse(body).expect("valid");

        assert!(!input(&parsed).default_billing);
        assert!(!input(&parsed).default_shipping);
    }

    #[test]
    fn flags_without_address_named() {
        let body = json!({
            "firstname": "Ann", "lastname": "Lee", "email": "ann@example.com",
            "default_billing": true, "default_shipping": true, "phone": "555 0100",
        });

        let error = parse(body).expect_err("no address");

        assert_eq!(error.code, ErrorCode::InvalidField);
        assert_eq!(error.field.as_deref(), Some("default_billing"));
        let details = error.details.expect("details");
        assert_eq!(details["errors"][1]["field"], "default_shipping");
        assert_eq!(
            details["errors"][0]["message"],
            "is true, but the form has no address; add street, city, postcode, country_id and phone (and region or region_id where the country has a region list), or leave default_billing out"
        );
    }

    #[test]
    fn flags_false_without_address_accepted() {
        let body = json!({
            "firstname": "Ann", "lastname": "Lee", "email": "ann@example.com",
            "default_billing": false, "default_shipping": null,
        });

        let parsed = parse(body).expect("valid");

        assert!(!input(&parsed).has_address());
    }

    #[test]
    fn telephone_becomes_phone() {
        let parsed = parse(form(json!({"telephone": "555 0100"}))).expect("valid");

        assert_eq!(input(&parsed).phone.as_deref(), Some("555 0100"));
        assert_eq!(parsed.phone_field, TELEPHONE);
    }

    #[test]
    fn telephone_equal_to_phone_accepted() {
        let body = form(json!({"phone": "555 0100", "telephone": " 555 0100"}));

        let parsed = parse(body).expect("valid");

        assert_eq!(input(&parsed).phone.as_deref(), Some("555 0100"));
        assert_eq!(parsed.phone_field, PHONE);
    }

    #[test]
    fn telephone_differing_from_phone_named() {
        let body = form(json!({"phone": "555 0100", "telephone": "555 0199"}));

        let error = parse(body).expect_err("two telephones");

        assert_eq!(error.field.as_deref(), Some("telephone"));
        assert_eq!(
            error.message,
            "invalid customer: telephone: differs from phone, and both set the address telephone; send only one of them"
        );
    }

    #[test]
    fn region_id_as_number_or_digits() {
        let number = parse(form(json!({"region_id": 57}))).expect("valid");
        let digits = parse(form(json!({"region_id": "57"}))).expect("valid");
        let null = parse(form(json!({"region_id": null}))).expect("valid");

        assert_eq!(input(&number).region_id, Some(57));
        assert_eq!(input(&digits).region_id, Some(57));
        assert_eq!(input(&null).region_id, None);
    }

    #[test]
    fn region_id_not_a_number_named() {
        for value in [json!("TX"), json!(-3), json!(5.5), json!("")] {
            let body = form(json!({"region_id": value}));

            let error = functions_common::body::from_json_value::<CustomerFormBody>(body)
                .expect_err("invalid region_id");

            assert_eq!(error.field.as_deref(), Some("region_id"), "{value}");
            assert!(
                error.message.contains("expected a Magento region id"),
                "{value}: {}",
                error.message
            );
        }
    }
}
