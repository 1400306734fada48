//! base_vat's `check_vat`: the number is tried against its own two-letter
//! prefix, then against the commercial partner's country. Check digits are
//! implemented for FR, DE, IT, ES, NL, BE and GB; other known countries only
//! need the country code to exist, like Odoo without a stdnum validator.

/// Returns whether `vat` passes the prefix and country rules.
pub fn check(
    vat: &str,
    partner_country: Option<&str>,
    country_exists: impl Fn(&str) -> bool,
) -> bool {
    let compact: String = vat
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '/'))
        .collect();
    let compact = compact.to_ascii_uppercase();

    let (prefix, number) = split_prefix(&compact);
    if let Some(prefix) = prefix {
        let code = prefix_country(prefix);
        if country_exists(code) && valid_for(code, number, &country_exists) {
            return true;
        }
    }

    match partner_country {
        Some(country) => valid_for(country, &compact, &country_exists),
        // No usable prefix and no country: any number passes. A known but
        // wrong prefix with no country fails.
        None => prefix.is_none_or(|p| !country_exists(prefix_country(p))),
    }
}

/// Returns the format example that Odoo's error message shows for a country.
pub fn expected_format(country: Option<&str>) -> &'static str {
    match country.unwrap_or_default() {
        "FR" => "FR23334175221",
        "DE" => "DE123456788",
        "IT" => "IT12345670017",
        "ES" => "ESA12345674",
        "NL" => "NL123456782B90",
        "BE" => "BE0477472701",
        "GB" => "GB123456782",
        _ => "'CC##' (CC=Country Code, ##=VAT Number)",
    }
}

fn split_prefix(vat: &str) -> (Option<&str>, &str) {
    let mut chars = vat.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            (Some(&vat[..2]), &vat[2..])
        }
        _ => (None, vat),
    }
}

/// VAT prefixes that differ from the ISO code: Greece uses EL, Northern
/// Ireland XI.
fn prefix_country(prefix: &str) -> &str {
    match prefix {
        "EL" => "GR",
        "XI" => "GB",
        other => other,
    }
}

fn valid_for(country: &str, number: &str, country_exists: &impl Fn(&str) -> bool) -> bool {
    let number = number.strip_prefix(country).unwrap_or(number);
    match country {
        "FR" => valid_fr(number),
        "DE" => valid_de(number),
        "IT" => valid_it(number),
        "ES" => valid_es(number),
        "NL" => valid_nl(number),
        "BE" => valid_be(number),
        "GB" => valid_gb(number),
        other => country_exists(other),
    }
}

fn digits(number: &str) -> Option<Vec<u32>> {
    number.chars().map(|c| c.to_digit(10)).collect()
}

/// Two check characters and a 9-digit SIREN; numeric keys must equal
/// `(12 + 3 * (SIREN mod 97)) mod 97`.
fn valid_fr(number: &str) -> bool {
    if number.len() != 11 || !number.is_ascii() {
        return false;
    }
    let (key, siren) = number.split_at(2);
    let Ok(siren_value) = siren.parse::<u64>() else {
        return false;
    };
    match key.parse::<u64>() {
        Ok(key) => key == (12 + 3 * (siren_value % 97)) % 97,
        Err(_) => key.chars().all(|c| c.is_ascii_alphanumeric()),
    }
}

/// 9 digits, ISO 7064 MOD 11,10.
fn valid_de(number: &str) -> bool {
    let Some(d) = digits(number) else {
        return false;
    };
    if d.len() != 9 || d[0] == 0 {
        return false;
    }
    let mut product = 10;
    for digit in &d[..8] {
        let mut sum = (digit + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    (11 - product) % 10 == d[8]
}

fn luhn(d: &[u32]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, digit)| {
            if i % 2 == 1 {
                let x = digit * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *digit
            }
        })
        .sum();
    sum % 10 == 0
}

/// 11 digits with a Luhn check, a non-zero company number and a valid office.
fn valid_it(number: &str) -> bool {
    let Some(d) = digits(number) else {
        return false;
    };
    if d.len() != 11 || d[..7].iter().all(|x| *x == 0) {
        return false;
    }
    let office = d[7] * 100 + d[8] * 10 + d[9];
    let office_ok = (1..=100).contains(&office) || matches!(office, 120 | 121 | 888 | 999);
    office_ok && luhn(&d)
}

/// DNI (8 digits + letter), NIE (X/Y/Z + 7 digits + letter) or CIF
/// (letter + 7 digits + check digit or letter).
fn valid_es(number: &str) -> bool {
    const LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    if number.len() != 9 || !number.is_ascii() {
        return false;
    }
    let bytes = number.as_bytes();
    let last = bytes[8] as char;

    let dni_like = match bytes[0] {
        b'X' => Some(format!("0{}", &number[1..8])),
        b'Y' => Some(format!("1{}", &number[1..8])),
        b'Z' => Some(format!("2{}", &number[1..8])),
        b'0'..=b'9' => Some(number[..8].to_string()),
        _ => None,
    };
    if let Some(body) = dni_like {
        return body
            .parse::<usize>()
            .is_ok_and(|value| LETTERS[value % 23] as char == last);
    }

    let Some(d) = digits(&number[1..8]) else {
        return false;
    };
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, digit)| {
            if i % 2 == 0 {
                let x = digit * 2;
                x / 10 + x % 10
            } else {
                *digit
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    let letter = b"JABCDEFGHI"[check as usize] as char;
    last == char::from_digit(check, 10).unwrap_or('?') || last == letter
}

/// 9 digits, "B", 2 digits: either the mod-11 check of the first 9 digits or
/// the mod-97 check of the whole number (sole traders since 2020).
fn valid_nl(number: &str) -> bool {
    if number.len() != 12 || !number.is_ascii() || number.as_bytes()[9] != b'B' {
        return false;
    }
    let Some(d) = digits(&number[..9]) else {
        return false;
    };
    if digits(&number[10..]).is_none() {
        return false;
    }

    let weighted: u32 = d[..8].iter().zip((2..=9).rev()).map(|(x, w)| x * w).sum();
    let mod11 = weighted % 11 == d[8] && weighted % 11 != 10;

    let mod97_text: String = format!("NL{number}")
        .chars()
        .map(|c| c.to_digit(36).map(|v| v.to_string()).unwrap_or_default())
        .collect();
    let mod97 = mod97_text
        .chars()
        .filter_map(|c| c.to_digit(10))
        .fold(0u64, |acc, digit| (acc * 10 + digit as u64) % 97)
        == 1;

    mod11 || mod97
}

/// 10 digits (a leading 0 is added to 9), starting with 0 or 1; the last two
/// equal 97 minus the first eight modulo 97.
fn valid_be(number: &str) -> bool {
    let padded = if number.len() == 9 {
        format!("0{number}")
    } else {
        number.to_string()
    };
    if padded.len() != 10 || !padded.is_ascii() || !matches!(padded.as_bytes()[0], b'0' | b'1') {
        return false;
    }
    let (Ok(body), Ok(check)) = (padded[..8].parse::<u64>(), padded[8..].parse::<u64>()) else {
        return false;
    };
    97 - body % 97 == check
}

/// 9 or 12 digits with the weighted mod-97 check (0 or 42 since 2010), or
/// GD/HA government numbers.
fn valid_gb(number: &str) -> bool {
    if let Some(rest) = number.strip_prefix("GD") {
        return rest.len() == 3 && rest.parse::<u32>().is_ok_and(|v| v < 500);
    }
    if let Some(rest) = number.strip_prefix("HA") {
        return rest.len() == 3 && rest.parse::<u32>().is_ok_and(|v| v >= 500);
    }
    let Some(d) = digits(number) else {
        return false;
    };
    if d.len() != 9 && d.len() != 12 {
        return false;
    }
    let weights = [8, 7, 6, 5, 4, 3, 2, 10, 1];
    let sum: u32 = d.iter().zip(weights).map(|(x, w)| x * w).sum();
    matches!(sum % 97, 0 | 42)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_examples() {
        assert!(valid_fr("23334175221"));
        assert!(!valid_fr("24334175221"));
        assert!(valid_de("123456788"));
        assert!(!valid_de("123456789"));
        assert!(valid_it("12345670017"));
        assert!(!valid_it("12345670018"));
        assert!(valid_es("A12345674"));
        assert!(valid_es("12345678Z"));
        assert!(!valid_es("12345678A"));
        assert!(valid_nl("123456782B90"));
        assert!(!valid_nl("123456783B90"));
        assert!(valid_be("0477472701"));
        assert!(!valid_be("0477472702"));
        assert!(valid_gb("123456782"));
        assert!(!valid_gb("123456789"));
    }

    #[test]
    fn non_ascii_numbers_rejected() {
        assert!(!valid_nl("12345678éB0"));
        assert!(!valid_be("04774727é"));
        assert!(!check("NLé12345678B01", None, |_| true));
    }
}
