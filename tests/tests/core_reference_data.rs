//! egov-core against the shared reference data: the QR-bill reference and IBAN vectors, the BFS
//! municipality list and swisstopo's locality directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use egov_core::{
    Canton, CountryId, CreditorReference, Iban, Locality, Municipality, MunicipalityId, PostalCode,
    QrReference, Status,
};
use egov_interop::read_shared;

const VECTORS: &str = "pay/qrbill/iso11649-qrr/reference_vectors.tsv";

/// Rows of the vector table as (kind, input, expected).
fn vectors() -> Vec<(String, String, String)> {
    read_shared(VECTORS)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].to_owned(),
                f[1].to_owned(),
                f.get(2).copied().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Parses `customer=… ref=…` inputs of the QRR_CREATE_CUSTID rows.
fn customer_and_ref(input: &str) -> (String, String) {
    let mut customer = String::new();
    let mut reference = String::new();
    for part in input.split_whitespace() {
        if let Some(c) = part.strip_prefix("customer=") {
            customer = c.to_owned();
        } else if let Some(r) = part.strip_prefix("ref=") {
            reference = r.to_owned();
        }
    }
    (customer, reference)
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn reference_and_iban_vectors() {
    let mut checked = BTreeMap::<String, usize>::new();
    for (kind, input, expected) in vectors() {
        let ok = expected.starts_with("valid")
            || expected.contains("QR-IBAN")
            || expected.contains("regular IBAN");
        match kind.as_str() {
            "QRR_VALID" | "QRR_INVALID" => {
                assert_eq!(input.parse::<QrReference>().is_ok(), ok, "{kind} {input:?}");
            }
            "QRR_FORMAT" => {
                assert_eq!(
                    input.parse::<QrReference>().unwrap().to_string(),
                    expected,
                    "{input}"
                );
            }
            "QRR_CREATE" => assert_eq!(QrReference::from_number(&input).unwrap().as_str(), expected),
            "QRR_CREATE_ERR" => assert!(QrReference::from_number(&input).is_err(), "{input:?}"),
            "QRR_CREATE_CUSTID" => {
                let (c, r) = customer_and_ref(&input);
                assert_eq!(
                    QrReference::with_customer_id(&c, &r).unwrap().as_str(),
                    expected,
                    "{input}"
                );
            }
            "QRR_CREATE_CUSTID_ERR" => {
                let (c, r) = customer_and_ref(&input);
                assert!(QrReference::with_customer_id(&c, &r).is_err(), "{input}");
            }
            "SCOR_VALID" | "SCOR_INVALID" => {
                assert_eq!(input.parse::<CreditorReference>().is_ok(), ok, "{kind} {input:?}");
            }
            "SCOR_CREATE" => assert_eq!(CreditorReference::from_body(&input).unwrap().as_str(), expected),
            "IBAN_QR" | "IBAN_REGULAR" => {
                let iban: Iban = input.parse().unwrap();
                assert_eq!(iban.is_qr_iban(), kind == "IBAN_QR", "{input}");
                assert!(iban.is_ch_or_li());
            }
            "IBAN_INVALID" => assert!(input.parse::<Iban>().is_err(), "{input}"),
            "IBAN_NOT_CH_LI" => assert!(!input.parse::<Iban>().unwrap().is_ch_or_li(), "{input}"),
            other => panic!("vector kind {other} is not covered by this test"),
        }
        *checked.entry(kind).or_default() += 1;
    }
    let total: usize = checked.values().sum();
    println!("checked {total} vectors: {checked:?}");
    assert!(total >= 45, "only {total} vectors read");
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn municipality_register_matches_the_bfs_list() {
    let dir = egov_interop::shared_dir().join("reference/bfs-municipalities-2026");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let canton: Canton = path.file_stem().unwrap().to_str().unwrap().parse().unwrap();
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (id, v) in json.as_object().unwrap() {
            let m = MunicipalityId::new(id.parse().unwrap())
                .unwrap()
                .municipality()
                .unwrap();
            assert_eq!(m.name(), v["name"].as_str().unwrap());
            assert_eq!(m.canton(), Some(canton), "{id}");
            assert_eq!(m.district(), v.get("district").and_then(|d| d.as_str()));
            assert_eq!(m.status(), Status::Current);
            count += 1;
        }
    }
    assert_eq!(count, Municipality::current().count());
    println!("{count} municipalities of the 2026 BFS list found in the register");
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn every_locality_of_the_swisstopo_directory_is_found() {
    let csv = read_shared("reference/AMTOVZ_CSV_WGS84.csv");
    let mut rows = 0;
    for line in csv
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
    {
        let f: Vec<&str> = line.split(';').collect();
        let code: PostalCode = format!("{}{}", f[1], f[2]).parse().unwrap();
        let bfs: u16 = f[4].parse().unwrap();
        let found = code
            .localities()
            .find(|l| l.name() == f[0] && l.municipality_id().get() == bfs)
            .unwrap_or_else(|| panic!("{} {} ({bfs}) not found", f[1], f[0]));
        assert_eq!(found.municipality().unwrap().name(), f[3]);
        assert_eq!(found.canton().map(Canton::abbreviation).unwrap_or_default(), f[5]);
        if rows % 25 == 0 {
            // Name search folds every name: check a sample to keep the suite fast in debug builds.
            assert!(Locality::find_by_name(f[0]).any(|l| l == found));
        }
        rows += 1;
    }
    assert_eq!(rows, Locality::all().count());
    println!("{rows} localities of the swisstopo directory found");
}

#[test]
#[ignore = "interop: reads ../shared; run tests/run-interop.sh"]
fn country_list_matches_ech0072_sample() {
    let xml = read_shared("ech/samples/eCH0072_190321.xml");
    // A light check independent of the generator: every <id> with its <iso2Id> in document order.
    let mut checked = 0;
    for block in xml.split("<country>").skip(1) {
        let field = |name: &str| {
            block
                .split(&format!("<{name}>"))
                .nth(1)
                .and_then(|rest| rest.split(&format!("</{name}>")).next())
                .map(str::to_owned)
        };
        let id: u16 = field("id").unwrap().parse().unwrap();
        let country = CountryId::new(id).unwrap().country().unwrap();
        if field("entryValid").as_deref() == Some("true") {
            assert_eq!(
                country.iso2(),
                field("iso2Id").as_deref().filter(|s| !s.is_empty()),
                "{id}"
            );
            assert!(country.is_current());
        }
        checked += 1;
    }
    assert!(checked > 250);
    println!("{checked} country entries checked");
}
