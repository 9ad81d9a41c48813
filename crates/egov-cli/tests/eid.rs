//! `egov eid` as a user runs it: the login simulator in one process, discovery in another.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

fn egov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(args)
        .output()
        .expect("run egov")
}

/// Kills the simulator when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn discover_reports_the_simulator_usable_and_an_absent_provider_not() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(["eid", "simulator", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the simulator");
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    let mut lines = BufReader::new(stdout).lines();
    let issuer = lines.next().unwrap().unwrap();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let rest: Vec<String> = lines.take(3).map(Result::unwrap).collect();
    assert!(rest.iter().any(|l| l.contains("test persons")), "{rest:?}");

    let o = egov(&["--json", "eid", "discover", &issuer]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["usable"], true);
    assert_eq!(v["issuer"], issuer.as_str());
    let acr = v["acr_values_supported"].as_array().unwrap();
    assert!(
        acr.iter().any(|a| a.as_str().unwrap().ends_with(":400")),
        "AGOV-like acr values expected: {acr:?}"
    );
    assert!(!v["keys"].as_array().unwrap().is_empty());

    let o = egov(&["eid", "discover", &issuer]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("usable with egov-eid"));

    // Nobody listens on port 9 (discard) of loopback here: not usable, exit 1.
    let o = egov(&["eid", "discover", "http://127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("PROBLEM: discovery"), "{out}");
    assert!(out.contains("NOT usable"), "{out}");
}
