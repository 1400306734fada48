//! Region (state and province) lists shared by both sandboxes.
//!
//! Ids are the `directory_country_region.region_id` values of a stock Magento 2.4
//! install: the US (1..=65) and Canada (66..=78) rows come from the original
//! installer and are stable across stores.
// NOTE: Indian ids depend on the order in which a store applied Magento's data
// patches; the values here (533..=568) are an estimate, so clients must look ids up
// through `/V1/directory/countries/IN` instead of hard-coding them.

/// One region of a country's region list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub id: u32,
    pub country_id: &'static str,
    pub code: &'static str,
    pub name: &'static str,
}

const US: [(&str, &str); 65] = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AS", "American Samoa"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("AE", "Armed Forces Africa"),
    ("AA", "Armed Forces Americas"),
    ("AE", "Armed Forces Canada"),
    ("AE", "Armed Forces Europe"),
    ("AE", "Armed Forces Middle East"),
    ("AP", "Armed Forces Pacific"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FM", "Federated States Of Micronesia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("GU", "Guam"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MH", "Marshall Islands"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("MP", "Northern Mariana Islands"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PW", "Palau"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VI", "Virgin Islands"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
];

const CA: [(&str, &str); 13] = [
    ("AB", "Alberta"),
    ("BC", "British Columbia"),
    ("MB", "Manitoba"),
    ("NL", "Newfoundland and Labrador"),
    ("NB", "New Brunswick"),
    ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"),
    ("NU", "Nunavut"),
    ("ON", "Ontario"),
    ("PE", "Prince Edward Island"),
    ("QC", "Quebec"),
    ("SK", "Saskatchewan"),
    ("YT", "Yukon Territory"),
];

const IN: [(&str, &str); 36] = [
    ("AN", "Andaman and Nicobar Islands"),
    ("AP", "Andhra Pradesh"),
    ("AR", "Arunachal Pradesh"),
    ("AS", "Assam"),
    ("BR", "Bihar"),
    ("CH", "Chandigarh"),
    ("CT", "Chhattisgarh"),
    ("DN", "Dadra and Nagar Haveli"),
    ("DD", "Daman and Diu"),
    ("DL", "Delhi"),
    ("GA", "Goa"),
    ("GJ", "Gujarat"),
    ("HR", "Haryana"),
    ("HP", "Himachal Pradesh"),
    ("JK", "Jammu and Kashmir"),
    ("JH", "Jharkhand"),
    ("KA", "Karnataka"),
    ("KL", "Kerala"),
    ("LD", "Lakshadweep"),
    ("MP", "Madhya Pradesh"),
    ("MH", "Maharashtra"),
    ("MN", "Manipur"),
    ("ML", "Meghalaya"),
    ("MZ", "Mizoram"),
    ("NL", "Nagaland"),
    ("OR", "Odisha"),
    ("PY", "Puducherry"),
    ("PB", "Punjab"),
    ("RJ", "Rajasthan"),
    ("SK", "Sikkim"),
    ("TN", "Tamil Nadu"),
    ("TG", "Telangana"),
    ("TR", "Tripura"),
    ("UP", "Uttar Pradesh"),
    ("UK", "Uttarakhand"),
    ("WB", "West Bengal"),
];

/// First region id of each list; ids run consecutively from there.
const FIRST_ID_US: u32 = 1;
const FIRST_ID_CA: u32 = 66;
const FIRST_ID_IN: u32 = 533;

/// A region list as (code, name) rows, the id of its first row, and its country.
type RegionTable = (&'static [(&'static str, &'static str)], u32, &'static str);

fn table(country_id: &str) -> Option<RegionTable> {
    match country_id {
        "US" => Some((&US, FIRST_ID_US, "US")),
        "CA" => Some((&CA, FIRST_ID_CA, "CA")),
        "IN" => Some((&IN, FIRST_ID_IN, "IN")),
        _ => None,
    }
}

/// Returns the region list of a country, empty when the country has none.
pub fn regions_of(country_id: &str) -> Vec<Region> {
    let Some((rows, first_id, country)) = table(country_id) else {
        return Vec::new();
    };

    rows.iter()
        .zip(first_id..)
        .map(|(&(code, name), id)| Region {
            id,
            country_id: country,
            code,
            name,
        })
        .collect()
}

/// Returns true when the country has a region list, so addresses there need a region id.
pub fn has_region_list(country_id: &str) -> bool {
    table(country_id).is_some()
}

/// Finds a region by its id.
pub fn region_by_id(id: u32) -> Option<Region> {
    ["US", "CA", "IN"]
        .into_iter()
        .flat_map(regions_of)
        .find(|region| region.id == id)
}

/// Finds a region of a country by its code; armed-forces codes repeat, so the first row wins.
pub fn region_by_code(country_id: &str, code: &str) -> Option<Region> {
    regions_of(country_id)
        .into_iter()
        .find(|region| region.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_ids_known_rows() {
        assert_eq!(region_by_code("US", "TX").map(|r| r.id), Some(57));
        assert_eq!(region_by_code("US", "CA").map(|r| r.id), Some(12));
        assert_eq!(region_by_code("CA", "ON").map(|r| r.id), Some(74));
        assert_eq!(region_by_id(78).map(|r| r.name), Some("Yukon Territory"));
    }

    #[test]
    fn regions_of_country_without_list() {
        assert!(regions_of("DE").is_empty());
        assert!(!has_region_list("CZ"));
    }
}
