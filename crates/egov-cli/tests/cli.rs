//! The `egov` binary as a user runs it: output, JSON and exit codes.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::process::{Command, Output};

fn egov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(args)
        .output()
        .expect("run egov")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

#[test]
fn check_valid_values_exits_0() {
    let o = egov(&["check", "756.1234.5678.97", "CHE-116.281.710"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let text = stdout(&o);
    assert!(
        text.contains("756.1234.5678.97: valid AHV number 756.1234.5678.97"),
        "{text}"
    );
    assert!(
        text.contains("CHE-116.281.710: valid UID CHE-116.281.710"),
        "{text}"
    );
}

#[test]
fn check_invalid_value_exits_1_and_says_why() {
    let o = egov(&["check", "756.1234.5678.97", "756.1234.5678.98"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("756.1234.5678.98: INVALID AHV number: check digit is wrong"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn check_json_is_machine_readable() {
    let o = egov(&[
        "check",
        "--json",
        "CH44 3199 9123 0008 8901 2",
        "RF18 5390 0754 7034",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["kind"], "IBAN");
    assert_eq!(v[0]["canonical"], "CH4431999123000889012");
    assert_eq!(v[1]["canonical"], "RF18539007547034");
    assert_eq!(v[1]["valid"], true);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(egov(&["check"]).status.code(), Some(2));
    assert_eq!(egov(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(egov(&["check", "--as", "nonsense", "1"]).status.code(), Some(2));
}

#[test]
fn municipality_lookup() {
    let o = egov(&["municipality", "351"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("351  Bern  (BE Bern, Bern-Mittelland)"),
        "{}",
        stdout(&o)
    );
    let o = egov(&["--json", "municipality", "Genève"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["id"], 6621);
    assert_eq!(v[0]["canton"], "GE");
    assert_eq!(egov(&["municipality", "Atlantis"]).status.code(), Some(1));
}

#[test]
fn postcode_lookup() {
    let o = egov(&["postcode", "8914"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("8914-00  Aeugst am Albis"), "{text}");
    assert!(text.contains("8914-02  Aeugstertal"), "{text}");
    assert_eq!(egov(&["postcode", "0999"]).status.code(), Some(1));
    let o = egov(&["--json", "postcode", "Vaduz"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["postal_code"], "9490");
    assert_eq!(v[0]["canton"], serde_json::Value::Null);
}
