//! `egov eid`: inspect an OpenID provider, run the login simulator, log in from the shell.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use egov_eid::simulator::{SimClient, Simulator, SimulatorConfig, test_persons};
use egov_eid::{
    AuthRequest, Callback, ClientAuth, Error as EidError, HttpClient, Identity, Loa, ProviderConfig,
    RelyingParty, Secret,
};
use serde_json::{Value, json};

use crate::Outcome;

#[derive(Debug, clap::Subcommand)]
pub(crate) enum EidCommand {
    /// Fetch an OpenID provider's discovery document and JWKS and report what a relying party of
    /// this library needs: endpoints, PKCE S256, signing algorithms, acr values, RFC 9207, logout.
    /// Exit 1 when the provider is not usable with egov-eid.
    #[command(after_help = "Example: egov eid discover https://login.agov.admin.ch")]
    Discover {
        /// The issuer URL (https; http only on loopback).
        issuer: String,
    },
    /// Run the login simulator (an OpenID provider with test persons) on loopback until Ctrl-C.
    #[command(after_help = "Example: egov eid simulator --port 9090 \
                      --redirect-uri http://127.0.0.1:8080/auth/callback")]
    Simulator {
        /// The port (0: any free port; the issuer URL is printed first).
        #[arg(long, default_value_t = 9090)]
        port: u16,
        /// The client id to register.
        #[arg(long, default_value = "demo")]
        client_id: String,
        /// The client secret (omit for a public client).
        #[arg(long, default_value = "demo-secret")]
        client_secret: Option<String>,
        /// The redirect URI to register.
        #[arg(long, default_value = "http://127.0.0.1:8080/auth/callback")]
        redirect_uri: String,
    },
    /// Log in at an OpenID provider in the browser and print the validated identity as JSON.
    ///
    /// Listens on 127.0.0.1 for the redirect `http://127.0.0.1:<port>/callback` (printed first: it
    /// must be registered for the client), opens the system browser at the authorization URL (PKCE
    /// S256, state, nonce), and checks the callback as an application would: state, RFC 9207 `iss`,
    /// code exchange, ID token, nonce and the required level. Exit 1 when the login fails.
    #[command(after_help = "Example, against the simulator:\n  \
                      egov eid simulator --port 9090 --redirect-uri http://127.0.0.1:8080/callback\n  \
                      CLIENT_SECRET=demo-secret egov eid login http://127.0.0.1:9090 --client-id demo \
                      --client-secret-env CLIENT_SECRET --port 8080 --loa 400 --login-hint anna")]
    Login(LoginArgs),
}

/// The options of `egov eid login`.
#[derive(Debug, clap::Args)]
pub(crate) struct LoginArgs {
    /// The issuer URL (https; http only on loopback).
    issuer: String,
    /// The client id registered at the provider.
    #[arg(long)]
    client_id: String,
    /// The environment variable that holds the client secret (sent with HTTP Basic); without it
    /// the client is public and PKCE alone protects the code. Never pass a secret on the command line.
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    /// The level of assurance to require: an AGOV class (100 … 600) or a level name such as
    /// `ahv_verified`.
    #[arg(long, value_name = "N", value_parser = parse_loa)]
    loa: Option<Loa>,
    /// The loopback port to receive the redirect on (0: any free port).
    #[arg(long, value_name = "P", default_value_t = 0)]
    port: u16,
    /// A `login_hint` for the provider (the simulator logs in the test person of this name).
    #[arg(long, value_name = "H")]
    login_hint: Option<String>,
    /// A scope to ask for besides `openid profile email` (repeatable), e.g. `svnr` for the AHV number.
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// Do not open a browser; only print the URL to stderr.
    #[arg(long)]
    no_browser: bool,
    /// Give up when the redirect has not arrived after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

/// `400` (an AGOV class) or `ahv_verified` (a level name).
fn parse_loa(text: &str) -> Result<Loa, String> {
    let loa = match text.trim().parse::<u16>() {
        Ok(class) => Loa::from_agov_class(class).ok(),
        Err(_) => text.parse::<Loa>().ok(),
    };
    loa.ok_or_else(|| {
        let names: Vec<String> = Loa::ALL
            .iter()
            .map(|l| format!("{} ({l})", l.agov_class()))
            .collect();
        format!("not a level of assurance; one of {}", names.join(", "))
    })
}

pub(crate) fn run(cmd: &EidCommand, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match cmd {
        EidCommand::Discover { issuer } => runtime.block_on(discover(issuer, json, out)),
        EidCommand::Simulator {
            port,
            client_id,
            client_secret,
            redirect_uri,
        } => runtime.block_on(simulator(
            *port,
            client_id,
            client_secret.as_deref(),
            redirect_uri,
            json,
            out,
        )),
        EidCommand::Login(args) => runtime.block_on(login(args, json, out)),
    }
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let response = client.get(url).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let body = response.bytes().await.map_err(|e| format!("{url}: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("{url}: not JSON: {e}"))
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The algorithms the relying party accepts by default.
const ACCEPTED_ALGS: [&str; 3] = ["RS256", "PS256", "ES256"];

async fn discover(issuer: &str, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(other)?;
    let base = issuer.trim_end_matches('/');
    let url = format!("{base}/.well-known/openid-configuration");
    let mut problems: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let meta = match get_json(&client, &url).await {
        Ok(m) => m,
        Err(e) => {
            problems.push(format!("discovery: {e}"));
            Value::Null
        }
    };
    let mut keys = Vec::new();
    if !meta.is_null() {
        if meta["issuer"].as_str() != Some(issuer) {
            problems.push(format!(
                "the discovery document names issuer {} instead of {issuer} (OpenID Connect Discovery §4.3)",
                meta["issuer"]
            ));
        }
        for endpoint in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
            if meta[endpoint].as_str().is_none() {
                problems.push(format!("no {endpoint}"));
            }
        }
        let pkce = strings(&meta, "code_challenge_methods_supported");
        if pkce.is_empty() {
            notes.push("code_challenge_methods_supported not announced; PKCE S256 is sent anyway".into());
        } else if !pkce.iter().any(|m| m == "S256") {
            problems.push("PKCE with S256 is not supported".into());
        }
        let algs = strings(&meta, "id_token_signing_alg_values_supported");
        if !algs.iter().any(|a| ACCEPTED_ALGS.contains(&a.as_str())) {
            problems.push(format!(
                "ID tokens are signed with {algs:?}; egov-eid accepts {ACCEPTED_ALGS:?}"
            ));
        }
        if meta["authorization_response_iss_parameter_supported"].as_bool() != Some(true) {
            notes.push(
                "no RFC 9207 iss parameter: mix-up protection relies on one redirect URI per provider".into(),
            );
        }
        if meta["end_session_endpoint"].as_str().is_none() {
            notes.push("no end_session_endpoint: RP-initiated logout is not available".into());
        }
        if meta["backchannel_logout_supported"].as_bool() != Some(true) {
            notes.push("back-channel logout is not announced".into());
        }
        if let Some(jwks_uri) = meta["jwks_uri"].as_str() {
            match get_json(&client, jwks_uri).await {
                Ok(jwks) => {
                    keys = jwks["keys"]
                        .as_array()
                        .map(|ks| {
                            ks.iter()
                                .map(|k| {
                                    json!({"kid": k["kid"], "kty": k["kty"], "alg": k["alg"], "use": k["use"]})
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if keys.is_empty() {
                        problems.push("the JWKS has no keys".into());
                    }
                }
                Err(e) => problems.push(format!("JWKS: {e}")),
            }
        }
    }
    // Finally what the library itself says: discovery as the relying party does it.
    if problems.is_empty() {
        let http = HttpClient::new().map_err(other)?;
        let mut rp = RelyingParty::new(http);
        let config = ProviderConfig::new(
            issuer,
            "egov-discover",
            ClientAuth::None,
            "http://127.0.0.1/callback",
        );
        if let Err(e) = rp.add_provider("discover", config).await {
            problems.push(format!("egov-eid: {e}"));
        }
    }
    let usable = problems.is_empty();
    if json {
        let report = json!({
            "issuer": issuer,
            "usable": usable,
            "problems": problems,
            "notes": notes,
            "authorization_endpoint": meta["authorization_endpoint"],
            "token_endpoint": meta["token_endpoint"],
            "userinfo_endpoint": meta["userinfo_endpoint"],
            "end_session_endpoint": meta["end_session_endpoint"],
            "jwks_uri": meta["jwks_uri"],
            "id_token_signing_alg_values_supported": meta["id_token_signing_alg_values_supported"],
            "acr_values_supported": meta["acr_values_supported"],
            "scopes_supported": meta["scopes_supported"],
            "token_endpoint_auth_methods_supported": meta["token_endpoint_auth_methods_supported"],
            "keys": keys,
        });
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "issuer: {issuer}")?;
        for key in [
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "end_session_endpoint",
            "jwks_uri",
        ] {
            if let Some(v) = meta[key].as_str() {
                writeln!(out, "{key}: {v}")?;
            }
        }
        for key in [
            "id_token_signing_alg_values_supported",
            "acr_values_supported",
            "scopes_supported",
            "token_endpoint_auth_methods_supported",
        ] {
            let v = strings(&meta, key);
            if !v.is_empty() {
                writeln!(out, "{key}: {}", v.join(" "))?;
            }
        }
        writeln!(out, "keys: {}", keys.len())?;
        for n in &notes {
            writeln!(out, "note: {n}")?;
        }
        for p in &problems {
            writeln!(out, "PROBLEM: {p}")?;
        }
        writeln!(
            out,
            "{}",
            if usable {
                "usable with egov-eid"
            } else {
                "NOT usable with egov-eid"
            }
        )?;
    }
    Ok(if usable { Outcome::Ok } else { Outcome::Invalid })
}

async fn simulator(
    port: u16,
    client_id: &str,
    client_secret: Option<&str>,
    redirect_uri: &str,
    json: bool,
    out: &mut impl Write,
) -> io::Result<Outcome> {
    let mut config = SimulatorConfig::new(vec![SimClient::new(client_id, client_secret, redirect_uri)]);
    config.port = port;
    let sim = Simulator::start(config).await.map_err(other)?;
    if json {
        let persons: Vec<Value> = test_persons()
            .iter()
            .map(|p| json!({"login": p.login, "given_name": p.given_name, "family_name": p.family_name, "max_loa": p.max_loa.to_string()}))
            .collect();
        let v = json!({"issuer": sim.issuer(), "client_id": client_id, "redirect_uri": redirect_uri, "persons": persons});
        serde_json::to_writer(&mut *out, &v)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", sim.issuer())?;
        writeln!(out, "client: {client_id} (redirect URI {redirect_uri})")?;
        writeln!(out, "test persons (login_hint):")?;
        for p in test_persons() {
            writeln!(
                out,
                "  {:<10} {} {}, up to {}",
                p.login, p.given_name, p.family_name, p.max_loa
            )?;
        }
        writeln!(out, "Ctrl-C stops it.")?;
    }
    out.flush()?;
    tokio::signal::ctrl_c().await?;
    drop(sim);
    Ok(Outcome::Ok)
}

/// The name of the one provider `login` registers with the relying party.
const PROVIDER: &str = "provider";
/// The largest request head the callback listener reads.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

async fn login(args: &LoginArgs, json: bool, out: &mut impl Write) -> io::Result<Outcome> {
    match login_identity(args).await {
        Ok(identity) => {
            if json {
                serde_json::to_writer(&mut *out, &identity)?;
            } else {
                serde_json::to_writer_pretty(&mut *out, &identity)?;
            }
            writeln!(out)?;
            Ok(Outcome::Ok)
        }
        Err(message) => {
            eprintln!("egov eid login: {message}");
            Ok(Outcome::Invalid)
        }
    }
}

/// The whole login; the error is the message for stderr (it never contains tokens or the AHV number).
async fn login_identity(args: &LoginArgs) -> Result<Identity, String> {
    let client_auth = match &args.client_secret_env {
        None => ClientAuth::None,
        Some(var) => match std::env::var(var) {
            Ok(secret) if !secret.is_empty() => ClientAuth::SecretBasic(Secret::new(secret)),
            Ok(_) => {
                return Err(format!(
                    "the environment variable {var} (--client-secret-env) is empty"
                ));
            }
            Err(_) => {
                return Err(format!(
                    "the environment variable {var} (--client-secret-env) is not set"
                ));
            }
        },
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, args.port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    eprintln!(
        "redirect URI: {redirect_uri} (must be registered for client {} at the provider)",
        args.client_id
    );

    let mut config = ProviderConfig::new(&args.issuer, &args.client_id, client_auth, &redirect_uri);
    config.scopes.extend(args.scopes.iter().cloned());
    let mut rp = RelyingParty::new(HttpClient::new().map_err(|e| e.to_string())?);
    rp.add_provider(PROVIDER, config)
        .await
        .map_err(|e| e.to_string())?;
    let mut request = AuthRequest::new();
    request.loa = args.loa;
    request.login_hint.clone_from(&args.login_hint);
    let (url, pending) = rp
        .authorization_url(PROVIDER, &request)
        .map_err(|e| e.to_string())?;

    eprintln!("open this URL in a browser to log in:\n{url}");
    if !args.no_browser && !open_browser(url.as_str()) {
        eprintln!("no browser could be started (xdg-open, open, cmd): open the URL yourself");
    }
    eprintln!("waiting for the redirect (at most {} s) …", args.timeout);

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || accept_requests(&listener, &tx));
    let wait = async {
        while let Some((stream, request)) = rx.recv().await {
            match request {
                Request::Callback(query) => return Ok((stream, query)),
                Request::Other(status) => {
                    respond(stream, status, "Not here", "This is not the login callback.");
                }
            }
        }
        Err("the callback listener stopped".to_owned())
    };
    let (stream, query) = tokio::time::timeout(Duration::from_secs(args.timeout), wait)
        .await
        .map_err(|_| {
            format!(
                "no redirect arrived within {} s (is {redirect_uri} registered for the client?)",
                args.timeout
            )
        })??;

    match rp.complete(&pending, &Callback::from_query(&query)).await {
        Ok(login) => {
            respond(
                stream,
                "200 OK",
                "Login complete",
                "Login complete, you can close this window.",
            );
            Ok(login.identity)
        }
        Err(e) => {
            let message = describe(&e);
            respond(
                stream,
                "400 Bad Request",
                "Login failed",
                &format!("Login failed: {message}"),
            );
            Err(format!("login failed: {message}"))
        }
    }
}

/// An error of the relying party, with AGOV class numbers next to level names.
fn describe(error: &EidError) -> String {
    match error {
        EidError::LoaTooLow { required, achieved } => format!(
            "level of assurance too low: required {required} ({}), achieved {}",
            required.agov_class(),
            achieved.map_or_else(|| "none".to_owned(), |l| format!("{l} ({})", l.agov_class()))
        ),
        other => other.to_string(),
    }
}

/// What arrived at the listener.
#[derive(Debug)]
enum Request {
    /// A GET of `/callback`, with its query string.
    Callback(String),
    /// Anything else (a favicon, a preconnect that sent garbage): answered with this status.
    Other(&'static str),
}

/// Accepts connections until the receiver is gone; each one is read in its own thread so that a
/// browser's idle preconnection cannot hold up the callback.
fn accept_requests(listener: &TcpListener, tx: &tokio::sync::mpsc::UnboundedSender<(TcpStream, Request)>) {
    for stream in listener.incoming() {
        if tx.is_closed() {
            return;
        }
        let Ok(stream) = stream else { continue };
        let tx = tx.clone();
        std::thread::spawn(move || {
            if let Some(request) = read_request(&stream) {
                let _ = tx.send((stream, request));
            }
        });
    }
}

/// Reads a request head (up to [`MAX_REQUEST_HEAD`] bytes, 10 s) and classifies it.
fn read_request(mut stream: &TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() >= MAX_REQUEST_HEAD {
            return Some(Request::Other("431 Request Header Fields Too Large"));
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Some(match (method, path) {
        ("GET", "/callback") => Request::Callback(query.to_owned()),
        (_, "/callback") => Request::Other("405 Method Not Allowed"),
        _ => Request::Other("404 Not Found"),
    })
}

/// Answers with a small HTML page and closes the connection.
fn respond(mut stream: TcpStream, status: &str, title: &str, message: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body><p>{}</p></body></html>",
        html_escape(title),
        html_escape(message)
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Starts the system browser at `url`; false when no opener could be started.
fn open_browser(url: &str) -> bool {
    for mut command in browser_commands(url) {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Ok(mut child) = command.spawn() {
            // Some openers stay until the browser exits: reap them without waiting here.
            std::thread::spawn(move || child.wait());
            return true;
        }
    }
    false
}

#[cfg(windows)]
fn browser_commands(url: &str) -> Vec<Command> {
    use std::os::windows::process::CommandExt as _;
    let mut command = Command::new("cmd");
    // `start "" "<url>"`: the empty title, and the URL quoted so that cmd keeps its `&`s.
    command.args(["/C", "start", ""]).raw_arg(format!("\"{url}\""));
    vec![command]
}

#[cfg(not(windows))]
fn browser_commands(url: &str) -> Vec<Command> {
    let openers: &[&str] = if cfg!(target_os = "macos") {
        &["open", "xdg-open"]
    } else {
        &["xdg-open", "open"]
    };
    openers
        .iter()
        .map(|program| {
            let mut command = Command::new(program);
            command.arg(url);
            command
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_read_as_agov_classes_or_names() {
        assert_eq!(parse_loa("400"), Ok(Loa::AhvVerified));
        assert_eq!(parse_loa("eid"), Ok(Loa::EId));
        let err = parse_loa("450").unwrap_err();
        assert!(err.contains("400 (ahv_verified)"), "{err}");
        assert!(parse_loa("high").is_err());
    }

    #[test]
    fn provider_text_is_escaped_in_the_page() {
        assert_eq!(
            html_escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn a_low_level_names_both_levels_with_their_classes() {
        let e = EidError::LoaTooLow {
            required: Loa::EId,
            achieved: None,
        };
        assert_eq!(
            describe(&e),
            "level of assurance too low: required eid (500), achieved none"
        );
    }
}
