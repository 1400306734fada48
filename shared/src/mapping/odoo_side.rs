//! Odoo side of the mapping: a partner with its address children to the canonical form,
//! and the form back to `res.partner` write values.

use crate::odoo::{AddressType, ChildCommand, Partner, PartnerValues, PartnerWithChildren};

use super::email::normalize_email;
use super::form::{AddressForm, ChildForm, ChildRole, CustomerForm, clean};
use super::geo::OdooGeo;

/// Features of the connected Odoo version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OdooFeatures {
    /// `res.partner.title` exists (17 and 18; removed in 19).
    pub titles: bool,
}

/// An address child of a partner, with the Odoo id it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OdooChild {
    pub odoo_id: i64,
    pub child: ChildForm,
}

/// Maps a partner and its children to the canonical form, keeping the child ids.
///
/// The first `delivery` child (lowest id) is the default shipping address; every other
/// `delivery`, `invoice` or `other` child is a plain address. `contact` children and
/// archived children are people or history, not addresses, so they are left out.
pub fn form_from_partner(
    record: &PartnerWithChildren,
    geo: &OdooGeo,
    features: OdooFeatures,
) -> (CustomerForm, Vec<OdooChild>) {
    let partner = &record.partner;

    let mut address_children: Vec<&Partner> = record
        .children
        .iter()
        .filter(|child| child.active)
        .filter(|child| {
            child
                .address_type
                .is_some_and(|kind| kind != AddressType::Contact)
        })
        .collect();
    address_children.sort_by_key(|child| child.id);

    let first_delivery = address_children
        .iter()
        .find(|child| child.address_type == Some(AddressType::Delivery))
        .map(|child| child.id);

    let children: Vec<OdooChild> = address_children
        .iter()
        .map(|child| OdooChild {
            odoo_id: child.id,
            child: ChildForm {
                role: if Some(child.id) == first_delivery {
                    ChildRole::Delivery
                } else {
                    ChildRole::Other
                },
                name: clean(child.name.as_deref()).unwrap_or_default(),
                phone: clean(child.phone.as_deref()),
                address: address_of(child, geo),
            },
        })
        .collect();

    let title = if features.titles {
        partner
            .title
            .as_ref()
            .and_then(|title| geo.title_name(title.id).map(str::to_owned))
    } else {
        None
    };

    let form = CustomerForm {
        name: clean(partner.name.as_deref()).unwrap_or_default(),
        title,
        email: normalize_email(partner.email.as_deref().unwrap_or_default()),
        phone: clean(partner.phone.as_deref()),
        vat: clean(partner.vat.as_deref()),
        company: clean(partner.company_name.as_deref()),
        address: address_of(partner, geo),
        children: children.iter().map(|child| child.child.clone()).collect(),
    }
    .canonicalize();

    (form, children)
}

/// Reads the location fields of one partner record.
fn address_of(partner: &Partner, geo: &OdooGeo) -> AddressForm {
    let country_code = partner
        .country_id
        .as_ref()
        .and_then(|country| geo.country_code(country.id))
        .map(str::to_owned);

    let state_code = partner
        .state_id
        .as_ref()
        .and_then(|state| geo.state_code(state.id))
        .map(|(_, code)| code.to_owned());

    AddressForm {
        street: clean(partner.street.as_deref()),
        street2: clean(partner.street2.as_deref()),
        city: clean(partner.city.as_deref()),
        zip: clean(partner.zip.as_deref()),
        country_code,
        state_code,
    }
}

/// Builds the write values of the partner's own fields (everything except children).
///
/// Every field of the form is sent, including clears, so the partner ends up equal to
/// the form. Unknown country or state codes are sent as empty, because writing a wrong id
/// would be worse than leaving the field for a person to fill.
pub fn partner_values(form: &CustomerForm, geo: &OdooGeo, features: OdooFeatures) -> PartnerValues {
    let mut values = PartnerValues {
        name: Some(Some(form.name.clone())),
        email: Some(clean(Some(form.email.as_str()))),
        phone: Some(form.phone.clone()),
        vat: Some(form.vat.clone()),
        company_name: Some(form.company.clone()),
        ..PartnerValues::default()
    };

    set_address(&mut values, &form.address, geo);

    if features.titles {
        values.title = Some(form.title.as_deref().and_then(|title| geo.title_id(title)));
    }

    values
}

/// Builds the write values of one address child.
pub fn child_values(child: &ChildForm, geo: &OdooGeo) -> PartnerValues {
    let mut values = PartnerValues {
        name: Some(Some(child.name.clone())),
        phone: Some(child.phone.clone()),
        address_type: Some(match child.role {
            ChildRole::Delivery => AddressType::Delivery,
            ChildRole::Other => AddressType::Other,
        }),
        ..PartnerValues::default()
    };

    set_address(&mut values, &child.address, geo);
    values
}

/// Builds the `child_ids` commands that make the partner's address children match
/// `wanted`: each pair is (existing Odoo child id if linked, child form).
///
/// Children that no longer have a Magento counterpart are archived rather than deleted,
/// because invoices or orders may still point at them.
pub fn child_commands(
    wanted: &[(Option<i64>, ChildForm)],
    stale_ids: &[i64],
    geo: &OdooGeo,
) -> Vec<ChildCommand> {
    let mut commands: Vec<ChildCommand> = wanted
        .iter()
        .map(|(odoo_id, child)| {
            let values = Box::new(child_values(child, geo));
            match odoo_id {
                Some(id) => ChildCommand::Update(*id, values),
                None => ChildCommand::Create(values),
            }
        })
        .collect();

    commands.extend(stale_ids.iter().map(|id| {
        ChildCommand::Update(
            *id,
            Box::new(PartnerValues {
                active: Some(false),
                ..PartnerValues::default()
            }),
        )
    }));

    commands
}

fn set_address(values: &mut PartnerValues, address: &AddressForm, geo: &OdooGeo) {
    let country_id = address
        .country_code
        .as_deref()
        .and_then(|code| geo.country_id(code));

    let state_id = match (&address.country_code, &address.state_code) {
        (Some(country), Some(code)) => geo.state_id(country, code),
        _ => None,
    };

    values.street = Some(address.street.clone());
    values.street2 = Some(address.street2.clone());
    values.city = Some(address.city.clone());
    values.zip = Some(address.zip.clone());
    values.country_id = Some(country_id);
    values.state_id = Some(state_id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::Many2One;
    use serde_json::json;

    fn geo() -> OdooGeo {
        let mut geo = OdooGeo::default();
        geo.add_country(233, "US");
        geo.add_country(56, "CZ");
        geo.add_state(13, "US", "CA");
        geo.add_title(3, "Dr.");
        geo
    }

    fn partner(value: serde_json::Value) -> Partner {
        serde_json::from_value(value).expect("valid partner")
    }

    #[test]
    fn form_from_partner_maps_roles() {
        let record = PartnerWithChildren {
            partner: partner(json!({
                "id": 1, "name": "Ana Lima", "email": " Ana@Example.test", "phone": "555",
                "street": "1 Main St", "city": "LA", "country_id": [233, "United States"],
                "state_id": [13, "California (US)"], "title": [3, "Dr."], "child_ids": [5, 4, 6, 7]
            })),
            children: vec![
                partner(json!({"id": 5, "name": "Ana", "type": "delivery", "city": "B"})),
                partner(json!({"id": 4, "name": "Ana", "type": "delivery", "city": "A"})),
                partner(json!({"id": 6, "name": "Bob", "type": "contact"})),
                partner(json!({"id": 7, "name": "Old", "type": "other", "active": false})),
            ],
        };

        let (form, children) = form_from_partner(&record, &geo(), OdooFeatures { titles: true });

        assert_eq!(form.email, "ana@example.test");
        assert_eq!(form.title.as_deref(), Some("Dr."));
        assert_eq!(form.address.country_code.as_deref(), Some("US"));
        assert_eq!(form.address.state_code.as_deref(), Some("CA"));
        let roles: Vec<(i64, ChildRole)> =
            children.iter().map(|c| (c.odoo_id, c.child.role)).collect();
        assert_eq!(roles, [(4, ChildRole::Delivery), (5, ChildRole::Other)]);
    }

    #[test]
    fn form_ignores_title_without_titles() {
        let record = PartnerWithChildren {
            partner: partner(json!({"id": 1, "name": "Ana", "title": [3, "Dr."]})),
            children: vec![],
        };

        let (form, _) = form_from_partner(&record, &geo(), OdooFeatures { titles: false });

        assert_eq!(form.title, None);
    }

    #[test]
    fn values_resolve_state_by_country_and_code() {
        let (form, _) = form_from_partner(
            &PartnerWithChildren {
                partner: partner(json!({
                    "id": 1, "name": "Ana", "country_id": [233, "United States"],
                    "state_id": [13, "California (US)"]
                })),
                children: vec![],
            },
            &geo(),
            OdooFeatures { titles: false },
        );

        let values = partner_values(&form, &geo(), OdooFeatures { titles: false });

        assert_eq!(values.country_id, Some(Some(233)));
        assert_eq!(values.state_id, Some(Some(13)));
        assert_eq!(values.title, None);
    }

    #[test]
    fn values_never_match_state_of_other_country() {
        let mut form = CustomerForm {
            name: "Ana".into(),
            title: None,
            email: "a@b.test".into(),
            phone: None,
            vat: None,
            company: None,
            address: AddressForm::default(),
            children: vec![],
        };
        form.address.country_code = Some("CZ".into());
        form.address.state_code = Some("CA".into());

        let values = partner_values(&form, &geo(), OdooFeatures { titles: true });

        assert_eq!(values.country_id, Some(Some(56)));
        assert_eq!(values.state_id, Some(None));
        assert_eq!(values.title, Some(None));
    }

    #[test]
    fn commands_archive_stale_children() {
        let child = ChildForm {
            role: ChildRole::Delivery,
            name: "Ana".into(),
            phone: None,
            address: AddressForm::default(),
        };

        let commands = child_commands(&[(Some(4), child.clone()), (None, child)], &[9], &geo());

        let wire = serde_json::to_value(&commands).expect("serializable");
        assert_eq!(wire[0][0], json!(1));
        assert_eq!(wire[0][1], json!(4));
        assert_eq!(wire[0][2]["type"], json!("delivery"));
        assert_eq!(wire[1][0], json!(0));
        assert_eq!(wire[2], json!([1, 9, {"active": false}]));
    }

    #[test]
    fn many2one_unknown_country_has_no_code() {
        let record = PartnerWithChildren {
            partner: Partner {
                country_id: Some(Many2One {
                    id: 999,
                    name: "Atlantis".into(),
                }),
                ..partner(json!({"id": 1}))
            },
            children: vec![],
        };

        let (form, _) = form_from_partner(&record, &geo(), OdooFeatures { titles: false });

        assert_eq!(form.address.country_code, None);
    }
}
