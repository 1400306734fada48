//! The deterministic choice among several Odoo partners that share a customer's email.

use crate::odoo::PartnerWithChildren;

/// The partner a pulled customer links to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub index: usize,
    /// Plain-language reason, reported in the outcome when there was more than one
    /// candidate.
    pub reason: String,
}

/// Picks one of `candidates` (partners with the same normalized email), or `None` when
/// there are none.
///
/// The order is: active before archived, then a person (not a company, no parent) before
/// a company or a contact under a company, then the lowest id. The same candidates always
/// give the same choice, whatever order Odoo returned them in.
pub fn choose_partner(candidates: &[PartnerWithChildren]) -> Option<Choice> {
    let index = (0..candidates.len()).min_by_key(|&i| {
        let partner = &candidates[i].partner;
        let is_person = !partner.is_company && partner.parent_id.is_none();
        (!partner.active, !is_person, partner.id)
    })?;

    let chosen = candidates[index].partner.id;
    let reason = if candidates.len() == 1 {
        format!("Odoo partner {chosen} has the same email")
    } else {
        let mut ids: Vec<i64> = candidates.iter().map(|c| c.partner.id).collect();
        ids.sort_unstable();
        format!(
            "{} Odoo partners have the same email ({ids:?}); chose {chosen} because active partners come first, then persons over companies and company contacts, then the lowest id",
            candidates.len()
        )
    };

    Some(Choice { index, reason })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn candidate(value: serde_json::Value) -> PartnerWithChildren {
        PartnerWithChildren {
            partner: serde_json::from_value(value).expect("valid partner"),
            children: vec![],
        }
    }

    #[test]
    fn choose_none_without_candidates() {
        assert_eq!(choose_partner(&[]), None);
    }

    #[test]
    fn choose_prefers_active_person_then_lowest_id() {
        let candidates = [
            candidate(json!({"id": 3, "active": false})),
            candidate(json!({"id": 9, "is_company": true})),
            candidate(json!({"id": 8, "parent_id": [9, "Acme"]})),
            candidate(json!({"id": 7})),
            candidate(json!({"id": 5})),
        ];

        let choice = choose_partner(&candidates).expect("a choice");

        assert_eq!(candidates[choice.index].partner.id, 5);
        assert!(
            choice
                .reason
                .starts_with("5 Odoo partners have the same email ([3, 5, 7, 8, 9]); chose 5")
        );
    }

    #[test]
    fn choose_ignores_input_order() {
        let forward = [candidate(json!({"id": 4})), candidate(json!({"id": 2}))];
        let backward = [candidate(json!({"id": 2})), candidate(json!({"id": 4}))];

        let first = choose_partner(&forward).expect("a choice");
        let second = choose_partner(&backward).expect("a choice");

        assert_eq!(forward[first.index].partner.id, 2);
        assert_eq!(backward[second.index].partner.id, 2);
    }

    #[test]
    fn choose_archived_only_when_alone() {
        let candidates = [candidate(json!({"id": 3, "active": false}))];

        let choice = choose_partner(&candidates).expect("a choice");

        assert_eq!(choice.index, 0);
        assert_eq!(choice.reason, "Odoo partner 3 has the same email");
    }
}
