//! The body of `POST /instances/{instance_id}/customers`: an Odoo partner id, or the
//! fields of a new customer and its address.

use functions_common::body::from_json_value;
use functions_common::{ApiError, ErrorCode, parse_json};
use lambda_http::Request;
use serde::Deserialize;
use serde_json::Value;
use shared::sync::{CreateRequest, CreateSource};

use crate::form_body::{CustomerFormBody, PHONE};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FromPartnerBody {
    odoo_partner_id: i64,
    #[serde(default)]
    send_welcome_email: bool,
}

/// A parsed body, with the body key that carried the address telephone.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCreate {
    pub request: CreateRequest,
    /// `phone` or `telephone`, so that an error on the address telephone names the key
    /// the caller sent.
    pub phone_field: &'static str,
}

/// The body keys that a request from an Odoo partner accepts.
const PARTNER_KEYS: [&str; 2] = ["odoo_partner_id", "send_welcome_email"];

/// Parses the body; the presence of `odoo_partner_id` selects the partner form.
pub fn parse_create_request(request: &Request) -> Result<ParsedCreate, ApiError> {
    let value: Value = parse_json(request)?;
    let Value::Object(fields) = &value else {
        return Err(ApiError::new(
            ErrorCode::InvalidJson,
            "request body must be a JSON object with odoo_partner_id or the customer fields",
        ));
    };

    if !fields.contains_key("odoo_partner_id") {
        let form: CustomerFormBody = from_json_value(value)?;
        return form.into_request();
    }

    if let Some(other) = fields
        .keys()
        .find(|key| !PARTNER_KEYS.contains(&key.as_str()))
    {
        return Err(ApiError::invalid_field(
            "odoo_partner_id",
            format!(
                "send either odoo_partner_id (with send_welcome_email) or the customer fields, not both; remove {other} or odoo_partner_id"
            ),
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
    Ok(ParsedCreate {
        request: CreateRequest {
            source: CreateSource::Partner {
                odoo_partner_id: body.odoo_partner_id,
            },
            send_welcome_email: body.send_welcome_email,
        },
        phone_field: PHONE,
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
        let parsed = parse_create_request(&request(r#"{"odoo_partner_id": 7}"#))
            .expect("valid")
            .request;

        assert_eq!(parsed.source, CreateSource::Partner { odoo_partner_id: 7 });
        assert!(!parsed.send_welcome_email);
    }

    #[test]
    fn partner_id_with_welcome_email() {
        let body = r#"{"odoo_partner_id": 7, "send_welcome_email": true}"#;

        let parsed = parse_create_request(&request(body)).expect("valid").request;

        assert_eq!(parsed.source, CreateSource::Partner { odoo_partner_id: 7 });
        assert!(parsed.send_welcome_email);
    }

    #[test]
    fn form_body_maps_fields() {
        let body = r#"{"firstname": "Ann", "lastname": "Lee", "email": "ann@example.com",
            "phone": "555 0100", "street": ["1 Main St"], "city": "Austin", "postcode": "78701",
            "country_id": "US", "region": "TX", "send_welcome_email": true}"#;

        let parsed = parse_create_request(&request(body)).expect("valid").request;

        let CreateSource::Form(input) = parsed.source else {
            panic!("parsed as a partner id");
        };
        assert_eq!(input.firstname, "Ann");
        assert_eq!(input.phone.as_deref(), Some("555 0100"));
        assert_eq!(input.country_code.as_deref(), Some("US"));
        assert_eq!(input.region.as_deref(), Some("TX"));
        assert!(parsed.send_welcome_email);
    }

    #[test]
    fn form_body_defaults() {
        let body = r#"{"firstname": "Ann", "lastname": "Lee", "email": "ann@example.com"}"#;

        let parsed = parse_create_request(&request(body)).expect("valid").request;

        let CreateSource::Form(input) = parsed.source else {
            panic!("parsed as a partner id");
        };
        assert!(input.street.is_empty());
        assert_eq!(input.country_code, None);
        assert!(!parsed.send_welcome_email);
    }

    #[test]
    fn form_missing_lastname_named() {
        let body = r#"{"firstname": "Ann", "email": "ann@example.com"}"#;

        let error = parse_create_request(&request(body)).expect_err("missing lastname");

        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(error.field.as_deref(), Some("lastname"));
    }

    #[test]
    fn form_unknown_field_named() {
        let body =
            r#"{"firstname": "Ann", "lastname": "Lee", "email": "a@example.com", "gender": 1}"#;

        let error = parse_create_request(&request(body)).expect_err("unknown field");

        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(error.field.as_deref(), Some("gender"));
    }

    #[test]
    fn partner_id_mixed_with_form() {
        let body = r#"{"odoo_partner_id": 7, "firstname": "Ann"}"#;

        let error = parse_create_request(&request(body)).expect_err("mixed");

        assert_eq!(error.field.as_deref(), Some("odoo_partner_id"));
        assert_eq!(
            error.message,
            "send either odoo_partner_id (with send_welcome_email) or the customer fields, not both; remove firstname or odoo_partner_id"
        );
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
