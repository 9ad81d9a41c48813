//! `egov eid`: inspect an OpenID provider, run the login simulator.

use std::io::{self, Write};
use std::time::Duration;

use egov_eid::simulator::{SimClient, Simulator, SimulatorConfig, test_persons};
use egov_eid::{ClientAuth, HttpClient, ProviderConfig, RelyingParty};
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
