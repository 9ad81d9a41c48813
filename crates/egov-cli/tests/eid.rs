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
    let rest: Vec<String> = lines.by_ref().take(3).map(Result::unwrap).collect();
    assert!(rest.iter().any(|l| l.contains("test persons")), "{rest:?}");
    // Keep reading: a closed pipe would end the simulator at its next line of output.
    std::thread::spawn(move || lines.for_each(drop));

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

/// The client the login tests register at the simulator, and where its secret comes from.
const CLIENT_ID: &str = "cli-login";
const SECRET: &str = "s3cret-for-the-login-test";
const SECRET_VAR: &str = "EGOV_TEST_LOGIN_SECRET";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `egov eid simulator` with the login client registered for `redirect_uri`; returns the
/// running process and the issuer URL.
fn simulator(redirect_uri: &str) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(["eid", "simulator", "--port", "0", "--client-id", CLIENT_ID])
        .args(["--client-secret", SECRET, "--redirect-uri", redirect_uri])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the simulator");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut lines = BufReader::new(stdout).lines().map(Result::unwrap);
    let issuer = lines.next().unwrap();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    // Read up to its last line: a closed pipe would make its next write fail and end it.
    assert!(lines.any(|l| l.starts_with("Ctrl-C")));
    // And keep reading whatever it prints later.
    std::thread::spawn(move || lines.for_each(drop));
    (running, issuer)
}

/// A running `egov eid login`, after it printed the authorization URL.
struct Login {
    running: Running,
    stderr: std::io::Lines<BufReader<std::process::ChildStderr>>,
    /// The stderr lines up to and including the URL.
    before: Vec<String>,
    url: String,
}

/// Starts `egov eid login ISSUER --client-id … --client-secret-env … --port PORT --no-browser` with
/// `extra` options and reads stderr up to the authorization URL.
fn start_login(issuer: &str, port: u16, extra: &[&str]) -> Login {
    let port = port.to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_egov"))
        .args([
            "eid",
            "login",
            issuer,
            "--client-id",
            CLIENT_ID,
            "--client-secret-env",
            SECRET_VAR,
        ])
        .args(["--port", &port, "--no-browser"])
        .args(extra)
        .env(SECRET_VAR, SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start egov eid login");
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let running = Running(child);
    let mut before = Vec::new();
    loop {
        let next = stderr.next();
        assert!(next.is_some(), "no URL on stderr: {before:?}");
        let line = next.unwrap().unwrap();
        before.push(line.clone());
        if line.starts_with(issuer) {
            return Login {
                running,
                stderr,
                before,
                url: line,
            };
        }
    }
}

impl Login {
    /// Waits for the exit: (exit code, stdout, all of stderr).
    fn finish(mut self) -> (Option<i32>, String, String) {
        let mut err = self.before.join("\n");
        for line in self.stderr.by_ref() {
            err.push('\n');
            err.push_str(&line.unwrap());
        }
        let mut out = String::new();
        std::io::Read::read_to_string(&mut self.running.0.stdout.take().unwrap(), &mut out).unwrap();
        let status = self.running.0.wait().unwrap();
        (status.code(), out, err)
    }
}

/// What a browser does with `url`: GET it, following redirects; returns status and page.
fn browse(url: &str) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new().get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    })
}

#[test]
fn login_prints_the_validated_identity_and_keeps_the_ahv_number_out_of_stderr() {
    let port = free_port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let (_sim, issuer) = simulator(&redirect_uri);
    let login = start_login(
        &issuer,
        port,
        &[
            "--login-hint",
            "anna",
            "--loa",
            "400",
            "--scope",
            "svnr",
            "--timeout",
            "60",
        ],
    );
    assert!(login.before[0].contains(&redirect_uri), "{:?}", login.before);
    let url = reqwest::Url::parse(&login.url).unwrap();
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param("redirect_uri").as_deref(), Some(redirect_uri.as_str()));
    assert_eq!(
        param("acr_values").as_deref(),
        Some("urn:qa.agov.ch:names:tc:ac:classes:400")
    );
    assert!(param("state").is_some() && param("nonce").is_some());

    let (status, page) = browse(&login.url);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Login complete"), "{page}");
    let (code, out, err) = login.finish();
    assert_eq!(code, Some(0), "{err}");
    let identity: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(identity["issuer"], issuer.as_str());
    assert_eq!(identity["given_name"], "Anna");
    assert_eq!(identity["family_name"], "Muster");
    assert_eq!(identity["loa"], "ahv_verified");
    assert_eq!(identity["birth_date"], "1985-03-14");
    let ahv = identity["ahvn13"].as_str().unwrap();
    assert_eq!(ahv.len(), 13, "{ahv}");
    assert!(ahv.starts_with("756"), "{ahv}");
    let dotted = format!("{}.{}.{}.{}", &ahv[..3], &ahv[3..7], &ahv[7..11], &ahv[11..]);
    assert!(!err.contains(ahv) && !err.contains(&dotted), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

#[test]
fn login_below_the_required_level_fails_naming_the_levels() {
    let port = free_port();
    let (_sim, issuer) = simulator(&format!("http://127.0.0.1:{port}/callback"));
    let login = start_login(
        &issuer,
        port,
        &["--login-hint", "anna:300", "--loa", "400", "--timeout", "60"],
    );
    let (status, page) = browse(&login.url);
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Login failed"), "{page}");
    let (code, out, err) = login.finish();
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty(), "{out}");
    let last = err.lines().last().unwrap();
    assert!(last.contains("level of assurance too low"), "{err}");
    assert!(last.contains("required ahv_verified (400)"), "{err}");
    assert!(last.contains("achieved identity_verified (300)"), "{err}");
}

#[test]
fn login_reports_a_provider_error() {
    let port = free_port();
    let (_sim, issuer) = simulator(&format!("http://127.0.0.1:{port}/callback"));
    let login = start_login(&issuer, port, &["--login-hint", "nobody", "--timeout", "60"]);
    let (status, _) = browse(&login.url);
    assert_eq!(status, 400);
    let (code, _, err) = login.finish();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("access_denied"), "{err}");
}

#[test]
fn login_ignores_other_paths_and_rejects_a_forged_state() {
    let port = free_port();
    let (_sim, issuer) = simulator(&format!("http://127.0.0.1:{port}/callback"));
    let login = start_login(&issuer, port, &["--login-hint", "anna", "--timeout", "60"]);
    let (status, _) = browse(&format!("http://127.0.0.1:{port}/favicon.ico"));
    assert_eq!(status, 404);
    let mut forged = reqwest::Url::parse(&format!("http://127.0.0.1:{port}/callback")).unwrap();
    forged
        .query_pairs_mut()
        .append_pair("code", "abc")
        .append_pair("state", "forged")
        .append_pair("iss", &issuer);
    let (status, page) = browse(forged.as_str());
    assert_eq!(status, 400);
    assert!(page.contains("state mismatch"), "{page}");
    let (code, _, err) = login.finish();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("state mismatch"), "{err}");
}

#[test]
fn login_times_out() {
    let port = free_port();
    let (_sim, issuer) = simulator(&format!("http://127.0.0.1:{port}/callback"));
    let login = start_login(&issuer, port, &["--timeout", "1"]);
    let (code, out, err) = login.finish();
    assert_eq!(code, Some(1), "{err}");
    assert!(out.is_empty());
    assert!(err.contains("no redirect arrived within 1 s"), "{err}");
}

#[test]
fn login_takes_the_secret_only_from_a_set_environment_variable() {
    let o = Command::new(env!("CARGO_BIN_EXE_egov"))
        .args(["eid", "login", "http://127.0.0.1:9", "--client-id", "x"])
        .args(["--client-secret-env", "EGOV_TEST_SURELY_UNSET_VARIABLE"])
        .env_remove("EGOV_TEST_SURELY_UNSET_VARIABLE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("EGOV_TEST_SURELY_UNSET_VARIABLE") && err.contains("not set"),
        "{err}"
    );
    // There is no option that takes the secret itself.
    let o = egov(&[
        "eid",
        "login",
        "http://127.0.0.1:9",
        "--client-id",
        "x",
        "--client-secret",
        "s",
    ]);
    assert_eq!(o.status.code(), Some(2));
}
