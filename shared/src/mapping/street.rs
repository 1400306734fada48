//! Street lines: Magento keeps a list of up to `customer/address/street_lines` lines
//! (1 to 4, default 2); Odoo keeps `street` and `street2`.

/// Separator placed between lines that are packed into one.
pub const LINE_JOINER: &str = ", ";

/// Converts Magento street lines to Odoo's `(street, street2)`: the first non-empty line
/// goes to `street`, and every later line is joined into `street2`, so no text is lost
/// when a store allows 3 or 4 lines.
pub fn lines_to_odoo(lines: &[String]) -> (Option<String>, Option<String>) {
    let mut non_empty = lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty());

    let street = non_empty.next().map(str::to_owned);
    let rest: Vec<&str> = non_empty.collect();
    let street2 = (!rest.is_empty()).then(|| rest.join(LINE_JOINER));

    (street, street2)
}

/// Converts Odoo's `street` and `street2` to at most `max_lines` Magento lines. When the
/// store allows fewer lines than there are, the extra lines are joined into the last
/// allowed line with ", " instead of being dropped. `max_lines` below 1 counts as 1.
pub fn odoo_to_lines(street: Option<&str>, street2: Option<&str>, max_lines: usize) -> Vec<String> {
    let lines: Vec<String> = [street, street2]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();

    pack_lines(lines, max_lines)
}

/// Packs `lines` into at most `max_lines` lines by joining the overflow into the last
/// allowed line.
pub fn pack_lines(mut lines: Vec<String>, max_lines: usize) -> Vec<String> {
    let max_lines = max_lines.max(1);
    if lines.len() <= max_lines {
        return lines;
    }

    let overflow = lines.split_off(max_lines - 1);
    lines.push(overflow.join(LINE_JOINER));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|text| (*text).to_owned()).collect()
    }

    #[test]
    fn pull_four_lines_keeps_all_text() {
        let (street, street2) =
            lines_to_odoo(&lines(&["1 Main St", "Floor 2", "Unit B", "c/o Ana"]));

        assert_eq!(street.as_deref(), Some("1 Main St"));
        assert_eq!(street2.as_deref(), Some("Floor 2, Unit B, c/o Ana"));
    }

    #[test]
    fn pull_one_line_leaves_street2_empty() {
        assert_eq!(
            lines_to_odoo(&lines(&["1 Main St", " "])),
            (Some("1 Main St".into()), None)
        );
    }

    #[test]
    fn push_packs_into_one_line() {
        assert_eq!(
            odoo_to_lines(Some("1 Main St"), Some("Floor 2"), 1),
            lines(&["1 Main St, Floor 2"])
        );
    }

    #[test]
    fn push_within_limit_keeps_lines() {
        assert_eq!(
            odoo_to_lines(Some("1 Main St"), Some("Floor 2"), 2),
            lines(&["1 Main St", "Floor 2"])
        );
        assert_eq!(odoo_to_lines(None, Some("Floor 2"), 2), lines(&["Floor 2"]));
    }

    #[test]
    fn pack_joins_overflow_into_last_line() {
        assert_eq!(
            pack_lines(lines(&["a", "b", "c", "d"]), 2),
            lines(&["a", "b, c, d"])
        );
        assert_eq!(pack_lines(lines(&["a", "b"]), 0), lines(&["a, b"]));
    }

    proptest! {
        #[test]
        fn pull_then_push_keeps_text(
            texts in proptest::collection::vec("[a-z0-9 ]{0,12}", 0..5),
            max_lines in 1usize..5,
        ) {
            let (street, street2) = lines_to_odoo(&texts);

            let pushed = odoo_to_lines(street.as_deref(), street2.as_deref(), max_lines);

            let words = |all: &[String]| all.join(" ").split_whitespace().map(str::to_owned).collect::<Vec<_>>();
            prop_assert!(pushed.len() <= max_lines);
            prop_assert_eq!(words(&pushed).join(" ").replace(',', ""), words(&texts).join(" "));
        }
    }
}
