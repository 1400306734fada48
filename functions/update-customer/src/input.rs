//! The optional body of `PUT /instances/{instance_id}/customers/{magento_id}`.

use functions_common::body::{body_bytes, from_json_value};
use functions_common::{ApiError, MAX_BODY_BYTES, parse_json};
use lambda_http::Request;
use serde::Deserialize;

/// The optional body. `odoo_partner_id` guards against pushing another partner than the
/// caller expects: it must be the linked partner, because this route never re-links.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    pub odoo_partner_id: Option<i64>,
}

/// Parses the optional body; an empty body pushes the linked partner.
pub fn parse_body(request: &Request) -> Result<UpdateBody, ApiError> {
    let bytes = body_bytes(request, MAX_BODY_BYTES)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(UpdateBody::default());
    }

    let value: serde_json::Value = parse_json(request)?;
    let body: UpdateBody = from_json_value(value)?;
    if let Some(id) = body.odoo_partner_id
        && id < 1
    {
        return Err(ApiError::invalid_field(
            "odoo_partner_id",
            format!("odoo_partner_id must be a positive integer, got {id}"),
        ));
    }
    Ok(body)
}
