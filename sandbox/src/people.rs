//! Deterministic, realistic customers for seeding both sandboxes.
//!
//! `person(seed, index)` seeds its own ChaCha RNG from `(seed, index)`, so any one
//! person can be generated without generating the others, and the same pair always
//! gives the same person. Some traits follow `index` directly so that any run of ten
//! consecutive indexes covers them all: the name script (`index % 10`) and the
//! address count (`index % 5`). Everything else is drawn from the RNG.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::regions::{self, Region};

/// A generated customer; the field names follow Magento's customer entity.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub prefix: Option<String>,
    pub firstname: String,
    pub middlename: Option<String>,
    pub lastname: String,
    pub suffix: Option<String>,
    pub email: String,
    /// Magento gender code: 1 male, 2 female, 3 not specified.
    pub gender: Option<u8>,
    pub company: Option<String>,
    pub taxvat: Option<String>,
    pub telephone: String,
    /// Date of birth as `YYYY-MM-DD`.
    pub dob: Option<String>,
    pub addresses: Vec<PersonAddress>,
}

/// A postal address of a generated customer.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonAddress {
    pub firstname: String,
    pub lastname: String,
    pub company: Option<String>,
    /// One or two lines.
    pub street: Vec<String>,
    pub city: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2 code.
    pub country_id: String,
    pub region: AddressRegion,
    pub telephone: String,
    pub vat_id: Option<String>,
    pub default_billing: bool,
    pub default_shipping: bool,
}

/// The region of an address: a listed region (US, CA, IN) or free text elsewhere.
#[derive(Clone, Debug, PartialEq)]
pub enum AddressRegion {
    Listed(Region),
    Text(String),
}

/// Name scripts; `index % 10` selects one so every script appears in any ten indexes.
#[derive(Clone, Copy)]
enum Script {
    Plain,
    Diacritics,
    Cyrillic,
    Greek,
    Cjk,
    Indian,
}

const SCRIPT_BY_INDEX: [Script; 10] = [
    Script::Plain,
    Script::Diacritics,
    Script::Plain,
    Script::Cyrillic,
    Script::Diacritics,
    Script::Greek,
    Script::Plain,
    Script::Cjk,
    Script::Indian,
    Script::Diacritics,
];

/// Given names with their ASCII transliteration for the email and the gender code.
const PLAIN_FIRST: [(&str, &str, u8); 10] = [
    ("Ana", "ana", 2),
    ("John", "john", 1),
    ("Maria", "maria", 2),
    ("Peter", "peter", 1),
    ("Olivia", "olivia", 2),
    ("Liam", "liam", 1),
    ("Emma", "emma", 2),
    ("Noah", "noah", 1),
    ("Grace", "grace", 2),
    ("Sean", "sean", 1),
];
const PLAIN_LAST: [(&str, &str); 10] = [
    ("Silva", "silva"),
    ("Smith", "smith"),
    ("O'Brien", "obrien"),
    ("Lima", "lima"),
    ("Johnson", "johnson"),
    ("Taylor", "taylor"),
    ("Martin", "martin"),
    ("Brown", "brown"),
    ("Walker-Jones", "walker-jones"),
    ("Nguyen", "nguyen"),
];
const DIACRITIC_FIRST: [(&str, &str, u8); 10] = [
    ("José", "jose", 1),
    ("Zoë", "zoe", 2),
    ("Łukasz", "lukasz", 1),
    ("François", "francois", 1),
    ("Søren", "soren", 1),
    ("Chloé", "chloe", 2),
    ("Jiří", "jiri", 1),
    ("Agnès", "agnes", 2),
    ("Björn", "bjorn", 1),
    ("Renée", "renee", 2),
];
const DIACRITIC_LAST: [(&str, &str); 10] = [
    ("Müller", "muller"),
    ("Núñez", "nunez"),
    ("Dvořák", "dvorak"),
    ("Wiśniewski", "wisniewski"),
    ("Ødegård", "odegard"),
    ("Çelik", "celik"),
    ("Lefèvre", "lefevre"),
    ("Straße", "strasse"),
    ("Šimková", "simkova"),
    ("García", "garcia"),
];
const CYRILLIC: [(&str, &str, u8); 4] = [
    ("Иван", "Петров", 1),
    ("Ольга", "Смирнова", 2),
    ("Дмитрий", "Иванов", 1),
    ("Анна", "Кузнецова", 2),
];
const GREEK: [(&str, &str, u8); 4] = [
    ("Γιώργος", "Παπαδόπουλος", 1),
    ("Ελένη", "Οικονόμου", 2),
    ("Νίκος", "Αλεξίου", 1),
    ("Μαρία", "Γεωργίου", 2),
];
const CJK: [(&str, &str, u8); 4] = [
    ("太郎", "山田", 1),
    ("花子", "佐藤", 2),
    ("伟", "王", 1),
    ("芳", "李", 2),
];
const INDIAN: [(&str, &str, u8); 4] = [
    ("Priya", "Sharma", 2),
    ("Arjun", "Patel", 1),
    ("Ananya", "Iyer", 2),
    ("Rahul", "Reddy", 1),
];

const PREFIXES: [&str; 4] = ["Mr.", "Ms.", "Dr.", "Mrs."];
const MIDDLE_NAMES: [&str; 5] = ["Marie", "James", "Ann", "Luis", "K."];
const SUFFIXES: [&str; 4] = ["Jr.", "Sr.", "III", "PhD"];
const EMAIL_DOMAINS: [&str; 4] = [
    "example.com",
    "Example.org",
    "mail.example.net",
    "example.test",
];
const COMPANIES: [&str; 6] = [
    "Acme Trading GmbH",
    "Nordwind s.r.o.",
    "Maple Leaf Supplies Inc.",
    "Tata Traders Pvt Ltd",
    "Blue Harbour Ltd",
    "Atelier Lumière SARL",
];

/// A city template: country, city, postcode, region code (listed) or region text.
struct City {
    country_id: &'static str,
    city: &'static str,
    postcode: &'static str,
    region: &'static str,
    phone_prefix: &'static str,
}

const CITIES: [City; 16] = [
    City {
        country_id: "US",
        city: "Austin",
        postcode: "78701",
        region: "TX",
        phone_prefix: "+1 512 555",
    },
    City {
        country_id: "US",
        city: "San Francisco",
        postcode: "94105",
        region: "CA",
        phone_prefix: "+1 415 555",
    },
    City {
        country_id: "US",
        city: "New York",
        postcode: "10001",
        region: "NY",
        phone_prefix: "+1 212 555",
    },
    City {
        country_id: "US",
        city: "Chicago",
        postcode: "60601",
        region: "IL",
        phone_prefix: "+1 312 555",
    },
    City {
        country_id: "CA",
        city: "Toronto",
        postcode: "M5V 2T6",
        region: "ON",
        phone_prefix: "+1 416 555",
    },
    City {
        country_id: "CA",
        city: "Montréal",
        postcode: "H2X 1Y4",
        region: "QC",
        phone_prefix: "+1 514 555",
    },
    City {
        country_id: "CA",
        city: "Vancouver",
        postcode: "V6B 1A1",
        region: "BC",
        phone_prefix: "+1 604 555",
    },
    City {
        country_id: "IN",
        city: "Mumbai",
        postcode: "400001",
        region: "MH",
        phone_prefix: "+91 22 5555",
    },
    City {
        country_id: "IN",
        city: "Bengaluru",
        postcode: "560001",
        region: "KA",
        phone_prefix: "+91 80 5555",
    },
    City {
        country_id: "IN",
        city: "Chennai",
        postcode: "600001",
        region: "TN",
        phone_prefix: "+91 44 5555",
    },
    City {
        country_id: "CZ",
        city: "Praha",
        postcode: "110 00",
        region: "Hlavní město Praha",
        phone_prefix: "+420 601",
    },
    City {
        country_id: "CZ",
        city: "Brno",
        postcode: "602 00",
        region: "Jihomoravský kraj",
        phone_prefix: "+420 602",
    },
    City {
        country_id: "DE",
        city: "München",
        postcode: "80331",
        region: "Bayern",
        phone_prefix: "+49 89 555",
    },
    City {
        country_id: "DE",
        city: "Berlin",
        postcode: "10115",
        region: "Berlin",
        phone_prefix: "+49 30 555",
    },
    City {
        country_id: "GB",
        city: "London",
        postcode: "SW1A 1AA",
        region: "Greater London",
        phone_prefix: "+44 20 7946",
    },
    City {
        country_id: "FR",
        city: "Lyon",
        postcode: "69001",
        region: "Auvergne-Rhône-Alpes",
        phone_prefix: "+33 4 72",
    },
];

const STREET_NAMES: [&str; 8] = [
    "Main St",
    "Ocean Ave",
    "Station Road",
    "Hauptstraße",
    "Rue de la Paix",
    "Národní",
    "MG Road",
    "King Street West",
];
const SECOND_LINES: [&str; 4] = ["Suite 4", "Apt 12B", "c/o Reception", "Floor 3, Unit 7"];

/// Generates the person with 1-based `index` for `seed`.
pub fn person(seed: u64, index: u64) -> Person {
    let mut rng = rng_for(seed, index);

    let script = SCRIPT_BY_INDEX[(index % 10) as usize];
    let name = pick_name(&mut rng, script);

    let prefix = rng
        .random_bool(0.2)
        .then(|| pick(&mut rng, &PREFIXES).to_string());
    let middlename = rng
        .random_bool(0.15)
        .then(|| pick(&mut rng, &MIDDLE_NAMES).to_string());
    let suffix = rng
        .random_bool(0.08)
        .then(|| pick(&mut rng, &SUFFIXES).to_string());
    let company = rng
        .random_bool(0.3)
        .then(|| pick(&mut rng, &COMPANIES).to_string());
    let taxvat = rng
        .random_bool(0.25)
        .then(|| format!("{:08}", rng.random_range(10_000_000..100_000_000u64)));
    let dob = rng.random_bool(0.7).then(|| random_dob(&mut rng));
    let gender = rng.random_bool(0.8).then_some(name.gender);

    let email = make_email(&mut rng, &name.email_first, &name.email_last, index);
    let home = pick(&mut rng, &CITIES);
    let telephone = random_phone(&mut rng, home.phone_prefix);
    let addresses = make_addresses(&mut rng, index, &name, company.as_deref());

    Person {
        prefix,
        firstname: name.first,
        middlename,
        lastname: name.last,
        suffix,
        email,
        gender,
        company,
        taxvat,
        telephone,
        dob,
        addresses,
    }
}

fn rng_for(seed: u64, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&index.to_le_bytes());
    ChaCha8Rng::from_seed(key)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    // The pools are non-empty constants, so `choose` always returns an item.
    items.choose(rng).unwrap_or(&items[0])
}

struct Name {
    first: String,
    last: String,
    email_first: String,
    email_last: String,
    gender: u8,
}

fn pick_name(rng: &mut ChaCha8Rng, script: Script) -> Name {
    match script {
        Script::Plain => latin_name(rng, &PLAIN_FIRST, &PLAIN_LAST),
        Script::Diacritics => latin_name(rng, &DIACRITIC_FIRST, &DIACRITIC_LAST),
        Script::Cyrillic => native_name(rng, &CYRILLIC),
        Script::Greek => native_name(rng, &GREEK),
        Script::Cjk => native_name(rng, &CJK),
        Script::Indian => {
            let &(first, last, gender) = pick(rng, &INDIAN);
            Name {
                first: first.to_string(),
                last: last.to_string(),
                email_first: first.to_lowercase(),
                email_last: last.to_lowercase(),
                gender,
            }
        }
    }
}

fn latin_name(rng: &mut ChaCha8Rng, firsts: &[(&str, &str, u8)], lasts: &[(&str, &str)]) -> Name {
    let &(first, email_first, gender) = pick(rng, firsts);
    let &(last, email_last) = pick(rng, lasts);

    Name {
        first: first.to_string(),
        last: last.to_string(),
        email_first: email_first.to_string(),
        email_last: email_last.to_string(),
        gender,
    }
}

/// Non-Latin names get a neutral email local part, as many shops see.
fn native_name(rng: &mut ChaCha8Rng, names: &[(&str, &str, u8)]) -> Name {
    let &(first, last, gender) = pick(rng, names);

    Name {
        first: first.to_string(),
        last: last.to_string(),
        email_first: "customer".to_string(),
        email_last: String::new(),
        gender,
    }
}

/// Builds an email that is unique per seed because it contains `index`; some get
/// mixed case or a `+tag` in the local part.
fn make_email(rng: &mut ChaCha8Rng, first: &str, last: &str, index: u64) -> String {
    let mut local = if last.is_empty() {
        format!("{first}{index}")
    } else {
        format!("{first}.{last}{index}")
    };

    if rng.random_bool(0.15) {
        local.push_str("+shop");
    }
    if rng.random_bool(0.2) {
        local = capitalize_words(&local);
    }

    let domain = pick(rng, &EMAIL_DOMAINS);
    format!("{local}@{domain}")
}

fn capitalize_words(text: &str) -> String {
    text.split('.')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(".")
}

fn random_dob(rng: &mut ChaCha8Rng) -> String {
    let year = rng.random_range(1940..=2005);
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    format!("{year:04}-{month:02}-{day:02}")
}

fn random_phone(rng: &mut ChaCha8Rng, prefix: &str) -> String {
    format!("{prefix} {:04}", rng.random_range(0..10_000))
}

/// Address counts follow `index % 5`: none, one that is both defaults, two with
/// separate defaults, three, and one again.
fn make_addresses(
    rng: &mut ChaCha8Rng,
    index: u64,
    name: &Name,
    company: Option<&str>,
) -> Vec<PersonAddress> {
    let count = match index % 5 {
        0 => 0,
        1 | 4 => 1,
        2 => 2,
        _ => 3,
    };

    let mut addresses: Vec<PersonAddress> = (0..count)
        .map(|_| make_address(rng, name, company))
        .collect();

    if let Some(first) = addresses.first_mut() {
        first.default_billing = true;
        first.default_shipping = count == 1;
    }
    if let Some(second) = addresses.get_mut(1) {
        second.default_shipping = true;
    }

    addresses
}

fn make_address(rng: &mut ChaCha8Rng, name: &Name, company: Option<&str>) -> PersonAddress {
    let city = pick(rng, &CITIES);

    let mut street = vec![format!(
        "{} {}",
        rng.random_range(1..=999),
        pick(rng, &STREET_NAMES)
    )];
    if rng.random_bool(0.35) {
        street.push(pick(rng, &SECOND_LINES).to_string());
    }

    let region = match regions::region_by_code(city.country_id, city.region) {
        Some(listed) => AddressRegion::Listed(listed),
        None => AddressRegion::Text(city.region.to_string()),
    };

    let company = company.filter(|_| rng.random_bool(0.5)).map(str::to_string);
    let vat_id = company
        .as_ref()
        .filter(|_| rng.random_bool(0.5))
        .map(|_| vat_id_for(rng, city.country_id));

    PersonAddress {
        firstname: name.first.clone(),
        lastname: name.last.clone(),
        company,
        street,
        city: city.city.to_string(),
        postcode: city.postcode.to_string(),
        country_id: city.country_id.to_string(),
        region,
        telephone: random_phone(rng, city.phone_prefix),
        vat_id,
        default_billing: false,
        default_shipping: false,
    }
}

fn vat_id_for(rng: &mut ChaCha8Rng, country_id: &str) -> String {
    format!("{country_id}{:09}", rng.random_range(0..1_000_000_000u64))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn first_hundred() -> Vec<Person> {
        (1..=100).map(|index| person(7, index)).collect()
    }

    #[test]
    fn person_is_deterministic() {
        assert_eq!(person(7, 42), person(7, 42));
        assert_ne!(person(7, 42), person(8, 42));
    }

    #[test]
    fn emails_unique_per_seed() {
        let emails: HashSet<String> = (1..=5000)
            .map(|index| person(3, index).email.to_lowercase())
            .collect();
        assert_eq!(emails.len(), 5000);
    }

    #[test]
    fn names_cover_scripts() {
        let people = first_hundred();
        let has = |predicate: &dyn Fn(&Person) -> bool| people.iter().any(predicate);

        assert!(has(&|p| p
            .firstname
            .chars()
            .any(|c| "éëŁçøöíř".contains(c))));
        assert!(has(&|p| p
            .firstname
            .chars()
            .any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))));
        assert!(has(&|p| p
            .firstname
            .chars()
            .any(|c| ('\u{0370}'..='\u{03FF}').contains(&c))));
        assert!(has(&|p| p
            .firstname
            .chars()
            .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))));
    }

    #[test]
    fn optional_fields_all_appear() {
        let people = first_hundred();

        assert!(people.iter().any(|p| p.prefix.is_some()));
        assert!(people.iter().any(|p| p.middlename.is_some()));
        assert!(people.iter().any(|p| p.suffix.is_some()));
        assert!(people.iter().any(|p| p.company.is_some()));
        assert!(people.iter().any(|p| p.taxvat.is_some()));
        assert!(people.iter().any(|p| p.email.contains('+')));
        assert!(
            people
                .iter()
                .any(|p| p.email.chars().any(|c| c.is_ascii_uppercase()))
        );
    }

    #[test]
    fn addresses_cover_shapes() {
        let people = first_hundred();
        let addresses: Vec<&PersonAddress> = people.iter().flat_map(|p| &p.addresses).collect();

        assert!(people.iter().any(|p| p.addresses.is_empty()));
        assert!(people.iter().any(|p| p.addresses.len() == 1));
        assert!(people.iter().any(|p| p.addresses.len() >= 3));
        assert!(
            addresses
                .iter()
                .any(|a| a.default_billing && a.default_shipping)
        );
        assert!(addresses.iter().any(|a| a.street.len() == 2));
        for country in ["US", "CA", "IN", "CZ", "DE", "GB", "FR"] {
            assert!(
                addresses.iter().any(|a| a.country_id == country),
                "no address in {country}"
            );
        }
    }

    #[test]
    fn defaults_one_each() {
        for person in first_hundred() {
            let billing = person
                .addresses
                .iter()
                .filter(|a| a.default_billing)
                .count();
            let shipping = person
                .addresses
                .iter()
                .filter(|a| a.default_shipping)
                .count();
            let expected = usize::from(!person.addresses.is_empty());

            assert_eq!(billing, expected, "{}", person.email);
            assert_eq!(shipping, expected, "{}", person.email);
        }
    }

    #[test]
    fn listed_regions_have_ids() {
        for address in first_hundred().iter().flat_map(|p| p.addresses.clone()) {
            let listed = matches!(address.region, AddressRegion::Listed(_));
            assert_eq!(
                listed,
                regions::has_region_list(&address.country_id),
                "{}",
                address.country_id
            );
        }
    }
}
