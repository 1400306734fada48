//! The body of `POST /instances/{instance_id}/customers`: an Odoo partner id, or the
//! fields of a new customer and its default address.

use functions_common::body::from_json_value;
use functions_common::{ApiError, ErrorCode, parse_json};
use lambda_http::Request;
use serde::Deserialize;
use serde_json::Value;

/// The source of a customer to create in Magento.
#[derive(Debug, PartialEq)]
pub enum CreateRequest {
    /// A customer from an existing Odoo partner.
    FromPartner { odoo_partner_id: i64 },
    /// A customer from form fields; the connector also creates the Odoo partner.
    Form(Box<CustomerFormBody>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FromPartnerBody {
    odoo_partner_id: i64,
}

/// The form fields. Magento checks them again; the sync use case validates them first
/// so that nothing is written when one is invalid.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerFormBody {
    pub prefix: Option<String>,
    pub firstname: String,
    pub middlename: Option<String>,
    pub lastname: String,
    pub suffix: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub vat: Option<String>,
    #[serde(default)]
    pub send_welcome_email: bool,
    /// Whether the address is the default billing address.
    #[serde(default = "yes")]
    pub default_billing: bool,
    /// Whether the address is the default shipping address.
    #[serde(default = "yes")]
    pub default_shipping: bool,
    pub company: Option<String>,
    #[serde(default)]
    pub street: Vec<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub country_id: Option<String>,
    pub region: Option<String>,
    pub region_id: Option<u32>,
    pub telephone: Option<String>,
}

fn yes() -> bool {
    true
}

/// Parses the body; the presence of `odoo_partner_id` selects the partner form.
pub fn parse_create_request(request: &Request) -> Result<CreateRequest, ApiError> {
    let value: Value = parse_json(request)?;
    let Value::Object(fields) = &value else {
        return Err(ApiError::new(
            ErrorCode::InvalidJson,
            "request body must be a JSON object with odoo_partner_id or the customer fields",
        ));
    };

    if !fields.contains_key("odoo_partner_id") {
        let form: CustomerFormBody = from_json_value(value)?;
        return Ok(CreateRequest::Form(Box::new(form)));
    }

    if fields.len() > 1 {
        return Err(ApiError::invalid_field(
            "odoo_partner_id",
            "send either odoo_partner_id alone or the customer fields, not both",
        ));
    }
    let body: FromPartnerBody = from_json_value(value)?;
    if body.odoo_partner_id < 1 {
        return Err(ApiError::invalid_field(
            "odoo_partner_id",
            format!(
                "odoo_partner_id must be a positive integer, got {}",
                body.odoo_partner_id
            ),
        ));
    }
    Ok(CreateRequest::FromPartner {
        odoo_partner_id: body.odoo_partner_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    fn request(body: &str) -> Request {
        Request::new(Body::Text(body.to_owned()))
    }

    #[test]
    fn partner_id_body() {
        let parsed = parse_create_request(&request(r#"{"odoo_partner_id": 7}"#)).expect("valid");

        assert_eq!(parsed, CreateRequest::FromPartner { odoo_partner_id: 7 });
    }

    #[test]
    fn form_body_with_defaults() {
        let body = r#"{"firstname": "Ann", "lastname": "Lee", "email": "ann@example.com"}"#;

        let CreateRequest::Form(form) = parse_create_request(&request(body)).expect("valid") else {
            panic!("parsed as a partner id");
        };

        assert_eq!(form.firstname, "Ann");
        assert!(form.default_billing);
        assert!(form.default_shipping);
        assert!(!form.send_welcome_email);
    }

    #[test]
    fn form_missing_lastname_named() {
        let body = r#"{"firstname": "Ann", "email": "ann@example.com"}"#;

        let error = parse_create_request(&request(body)).expect_err("missing lastname");

        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(error.field.as_deref(), Some("lastname"));
    }

    #[test]
    fn partner_id_mixed_with_form() {
        let body = r#"{"odoo_partner_id": 7, "firstname": "Ann"}"#;

        let error = parse_create_request(&request(body)).expect_err("mixed");

        assert_eq!(error.field.as_deref(), Some("odoo_partner_id"));
    }

    #[test]
    fn partner_id_not_positive() {
        let error = parse_create_request(&request(r#"{"odoo_partner_id": 0}"#)).expect_err("zero");

        assert_eq!(error.field.as_deref(), Some("odoo_partner_id"));
    }

    #[test]
    fn array_body_rejected() {
        let error = parse_create_request(&request("[]")).expect_err("array");

        assert_eq!(error.code, ErrorCode::InvalidJson);
    }
}
