//! The Magento customer of a "Create in Magento" form: its one address carries the
//! form's default flags and region, and the whole customer is checked with Magento's
//! rules before anything is sent.

use crate::magento::{Customer, Region};
use crate::mapping::form::clean;
use crate::mapping::magento_model::{new_customer, validate_customer};
use crate::mapping::{FieldError, RegionDirectory, ValidationErrors};

use super::super::context::SyncContext;
use super::super::error::SyncError;
use super::super::magento_write::{region_directory, write_settings};
use super::input::CustomerInput;

/// The field path of the form's only address in [`validate_customer`]'s errors.
const ADDRESS_REGION_ID: &str = "addresses[0].region_id";

/// A region of Magento's directory, chosen through the form's `region_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListedRegion {
    id: u64,
    code: String,
    name: String,
}

/// Builds the customer of a form and checks it, reading Magento's region lists (one
/// cached call per country) but writing nothing.
///
/// Fails with [`SyncError::Invalid`] listing every bad field, `region_id` included.
pub(super) async fn form_customer(
    ctx: &SyncContext,
    input: &CustomerInput,
    titles: bool,
) -> Result<Customer, SyncError> {
    let settings = write_settings(ctx).await?;
    let mut form = input.form(titles);
    let regions = region_directory(&ctx.magento, &[&form]).await?;

    let listed = listed_region(input, &regions);
    if let Ok(Some(region)) = &listed {
        form.address.state_code = Some(region.code.clone());
    }
    let website_id = Some(u64::from(ctx.instance.magento_website_id));
    let mut customer = new_customer(&form, &input.names(), website_id, &regions, settings);

    // Without children in the form, the customer has at most this one address.
    if let Some(address) = customer.addresses.first_mut() {
        address.default_billing = input.default_billing;
        address.default_shipping = input.default_shipping;

        // A code can repeat within a country (the US lists AE four times), so the
        // region found by code is replaced with the exact region of the id.
        if let Ok(Some(region)) = &listed {
            address.region_id = Some(region.id);
            address.region = Some(Region {
                region_code: Some(region.code.clone()),
                region: Some(region.name.clone()),
                region_id: Some(region.id),
            });
        }
    }

    checked(customer, &regions, listed.err())
}

/// Resolves the form's `region_id` in the region list of its country. Returns `None`
/// when the form has no `region_id`.
fn listed_region(
    input: &CustomerInput,
    regions: &RegionDirectory,
) -> Result<Option<ListedRegion>, FieldError> {
    let Some(id) = input.region_id else {
        return Ok(None);
    };
    let Some(country) = clean(input.country_code.as_deref()) else {
        return Err(region_id_error(format!(
            "{id} is set without country_id; add the ISO 3166-1 alpha-2 code of the region's country"
        )));
    };
    let country = country.to_ascii_uppercase();

    if !regions.has_regions(&country) {
        return Err(region_id_error(format!(
            "{id} cannot be used: country {country} has no region list in Magento; send the region name in region instead"
        )));
    }
    let Some((code, name)) = regions.find_id(&country, id) else {
        return Err(region_id_error(format!(
            "{id} is not in Magento's region list of country {country}; send an id listed by GET /V1/directory/countries/{country}, or the region code in region"
        )));
    };

    if let Some(region) = clean(input.region.as_deref())
        && !region.eq_ignore_ascii_case(code)
        && !region.eq_ignore_ascii_case(name)
    {
        return Err(region_id_error(format!(
            "{id} is {name} ({code}), but region is {region:?}; send only one of them, or both for the same region"
        )));
    }

    Ok(Some(ListedRegion {
        id,
        code: code.to_owned(),
        name: name.to_owned(),
    }))
}

fn region_id_error(message: String) -> FieldError {
    FieldError {
        field: "region_id".to_owned(),
        message,
    }
}

/// Runs Magento's checks and adds the `region_id` error, if any. That error replaces
/// the address's "region required" error, which has the same cause.
fn checked(
    customer: Customer,
    regions: &RegionDirectory,
    region_error: Option<FieldError>,
) -> Result<Customer, SyncError> {
    let mut errors = match validate_customer(&customer, regions) {
        Ok(()) => Vec::new(),
        Err(invalid) => invalid.0,
    };

    if let Some(region_error) = region_error {
        errors.retain(|error| error.field != ADDRESS_REGION_ID);
        errors.push(region_error);
    }

    if errors.is_empty() {
        Ok(customer)
    } else {
        Err(ValidationErrors(errors).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions() -> RegionDirectory {
        let mut regions = RegionDirectory::default();
        regions.add("US", "TX", 57, "Texas");
        regions.add("US", "AE", 6, "Armed Forces Africa");
        regions.add("US", "AE", 9, "Armed Forces Europe");
        regions.add("CA", "AB", 66, "Alberta");
        regions
    }

    fn input(country: Option<&str>, region: Option<&str>, region_id: u64) -> CustomerInput {
        CustomerInput {
            country_code: country.map(str::to_owned),
            region: region.map(str::to_owned),
            region_id: Some(region_id),
            ..CustomerInput::default()
        }
    }

    fn message(result: Result<Option<ListedRegion>, FieldError>) -> String {
        let error = result.expect_err("region_id rejected");
        assert_eq!(error.field, "region_id");
        error.message
    }

    #[test]
    fn region_id_resolves_exact_region() {
        let listed = listed_region(&input(Some("us"), Some("AE"), 9), &regions());

        assert_eq!(
            listed,
            Ok(Some(ListedRegion {
                id: 9,
                code: "AE".to_owned(),
                name: "Armed Forces Europe".to_owned(),
            }))
        );
    }

    #[test]
    fn region_id_agrees_with_region_name() {
        let listed = listed_region(&input(Some("US"), Some("texas"), 57), &regions());

        assert_eq!(
            listed.map(|region| region.map(|r| r.code)),
            Ok(Some("TX".to_owned()))
        );
    }

    #[test]
    fn region_id_of_other_country() {
        let message = message(listed_region(&input(Some("US"), None, 66), &regions()));

        assert_eq!(
            message,
            "66 is not in Magento's region list of country US; send an id listed by GET /V1/directory/countries/US, or the region code in region"
        );
    }

    #[test]
    fn region_id_disagrees_with_region() {
        let message = message(listed_region(
            &input(Some("US"), Some("CA"), 57),
            &regions(),
        ));

        assert_eq!(
            message,
            "57 is Texas (TX), but region is \"CA\"; send only one of them, or both for the same region"
        );
    }

    #[test]
    fn region_id_needs_listed_country() {
        let no_country = message(listed_region(&input(None, None, 57), &regions()));
        let no_list = message(listed_region(&input(Some("FR"), None, 57), &regions()));

        assert!(no_country.contains("without country_id"), "{no_country}");
        assert!(
            no_list.contains("country FR has no region list"),
            "{no_list}"
        );
    }

    #[test]
    fn region_error_replaces_required_region() {
        let customer: Customer = serde_json::from_value(serde_json::json!({
            "email": "ana@example.test", "firstname": "Ana", "lastname": "Lima",
            "addresses": [{"firstname": "Ana", "lastname": "Lima", "street": ["1 Main St"],
                "city": "Austin", "postcode": "78701", "country_id": "US",
                "telephone": "555 0100"}]
        }))
        .expect("valid customer");
        let region_error = region_id_error("99 is not listed".to_owned());

        let error = checked(customer, &regions(), Some(region_error.clone()))
            .expect_err("invalid region id");

        let SyncError::Invalid(errors) = error else {
            panic!("expected a validation error: {error:?}");
        };
        assert_eq!(errors.0, [region_error]);
    }
}
