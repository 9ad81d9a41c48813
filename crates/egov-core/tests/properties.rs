//! Parse/format round trips and lenient input for every identifier, as property tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use egov_core::{
    Ahvn13, Canton, CountryId, CreditorReference, Egid, Ewid, Iban, Language, Locality, MunicipalityId,
    PostalCode, QrReference, SedexId, Uid, UidCategory,
};
use proptest::prelude::*;

/// Checks Display → parse, canonical → parse and serde → back for one value.
fn round_trip<T>(value: &T, canonical: &str)
where
    T: std::str::FromStr<Err = egov_core::Error>
        + std::fmt::Display
        + std::fmt::Debug
        + PartialEq
        + serde::Serialize
        + serde::de::DeserializeOwned,
{
    assert_eq!(&value.to_string().parse::<T>().unwrap(), value);
    assert_eq!(&canonical.parse::<T>().unwrap(), value);
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(
        json,
        serde_json::to_string(canonical).unwrap(),
        "serde writes the canonical form"
    );
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value);
}

/// Puts spaces between characters at random places, as people type.
fn spaced(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .flat_map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                vec![' ', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ahv(body in 0u64..1_000_000_000, mask: u64) {
        let v = Ahvn13::with_check_digit(756_000_000_000 + body).unwrap();
        round_trip(&v, &v.canonical());
        prop_assert_eq!(spaced(&v.canonical(), mask).parse::<Ahvn13>().unwrap(), v);
    }

    #[test]
    fn uid(eight in 0u32..100_000_000, adm: bool, lower: bool) {
        let cat = if adm { UidCategory::Adm } else { UidCategory::Che };
        if let Some(v) = Uid::with_check_digit(cat, eight) {
            round_trip(&v, &v.canonical());
            let typed = if lower { v.to_string().to_lowercase() } else { v.to_string().replace(['.', '-'], "") };
            prop_assert_eq!(typed.parse::<Uid>().unwrap(), v);
        }
    }

    #[test]
    fn iban(account in "[0-9]{17}", mask: u64) {
        // Find the check digits that make a valid Swiss IBAN for the account part.
        let v: Iban = (0..100).find_map(|cd| format!("CH{cd:02}{account}").parse().ok()).unwrap();
        round_trip(&v, &v.canonical());
        prop_assert_eq!(spaced(&v.canonical().to_lowercase(), mask).parse::<Iban>().unwrap(), v);
        prop_assert_eq!(v.is_qr_iban(), (30000..=31999).contains(&account[..5].parse::<u32>().unwrap()));
    }

    #[test]
    fn qr_reference(n in "[0-9]{1,26}", mask: u64) {
        if let Ok(v) = QrReference::from_number(&n) {
            round_trip(&v, &v.canonical());
            prop_assert_eq!(spaced(v.as_str(), mask).parse::<QrReference>().unwrap(), v);
        }
    }

    #[test]
    fn creditor_reference(body in "[0-9A-Z]{1,21}", mask: u64) {
        let v = CreditorReference::from_body(&body).unwrap();
        round_trip(&v, &v.canonical());
        prop_assert_eq!(spaced(&v.canonical().to_lowercase(), mask).parse::<CreditorReference>().unwrap(), v);
    }

    #[test]
    fn municipality_id(n in 1u16..=9999) {
        let v = MunicipalityId::new(n).unwrap();
        round_trip(&v, &v.canonical());
    }

    #[test]
    fn postal_code(code in 1000u16..=9999, add_on in proptest::option::of(0u8..=99)) {
        let v = PostalCode::new(code, add_on).unwrap();
        round_trip(&v, &v.canonical());
        let plz6 = format!("{code}{:02}", add_on.unwrap_or(0));
        if add_on.is_some() {
            prop_assert_eq!(plz6.parse::<PostalCode>().unwrap(), v);
        }
    }

    #[test]
    fn sedex_id(test: bool, category in 1u8..=9, org in "[0-9A-Z]{1,8}", number in 0u32..1000) {
        let s = format!("{}{category}-{org}-{number}", if test { "T" } else { "" });
        let v: SedexId = s.parse().unwrap();
        round_trip(&v, &s);
        prop_assert_eq!(v.is_test(), test);
        prop_assert_eq!(v.category(), category);
        prop_assert_eq!(v.organisation(), org.as_str());
    }

    #[test]
    fn gwr_ids(egid in 1u32..=900_000_000, ewid in 1u16..=900) {
        let e = Egid::new(egid).unwrap();
        round_trip(&e, &e.canonical());
        let w = Ewid::new(ewid).unwrap();
        round_trip(&w, &w.canonical());
    }

    #[test]
    fn no_input_panics(s in "\\PC{0,40}") {
        let _ = s.parse::<Ahvn13>();
        let _ = s.parse::<Uid>();
        let _ = s.parse::<Iban>();
        let _ = s.parse::<QrReference>();
        let _ = s.parse::<CreditorReference>();
        let _ = s.parse::<MunicipalityId>();
        let _ = s.parse::<PostalCode>();
        let _ = s.parse::<SedexId>();
        let _ = s.parse::<Egid>();
        let _ = s.parse::<Ewid>();
        let _ = s.parse::<CountryId>();
        let _ = s.parse::<Canton>();
        let _ = s.parse::<Language>();
        let _ = Language::negotiate(&s, &Language::ALL);
    }
}

#[test]
fn cantons_and_countries_round_trip() {
    for c in Canton::ALL {
        round_trip(&c, c.abbreviation());
    }
    for country in egov_core::Country::all() {
        let id = country.id();
        round_trip(&id, &id.canonical());
    }
}

#[test]
fn every_locality_points_at_a_register_entry() {
    for l in Locality::all() {
        let m = l.municipality().expect("locality with unknown municipality");
        assert_eq!(m.canton(), l.canton(), "{}", l.name());
    }
}
