//! Configuration from environment variables with documented defaults.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use egov_core::{Iban, SedexId};

use crate::Error;

/// The settings of the online counter.
///
/// | variable | default | what |
/// |---|---|---|
/// | `ONLINE_COUNTER_HOST` | `127.0.0.1` | address to listen on |
/// | `ONLINE_COUNTER_PORT` | `8080` | port (0: any free port) |
/// | `ONLINE_COUNTER_DATA` | `online-counter-data` | data folder (SQLite, mailbox, sedex folders) |
/// | `ONLINE_COUNTER_PUBLIC_URL` | `http://<host>:<port>` | the origin browsers use (login redirect URI) |
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where the server listens.
    pub bind: SocketAddr,
    /// The origin browsers reach the server at; `None`: `http://<bound address>`.
    pub public_url: Option<String>,
    /// The data folder.
    pub data_dir: PathBuf,
    /// The municipality's name (creditor of the bill, issuer of the certificate).
    pub municipality: String,
    /// The municipality's street and number.
    pub street: (String, String),
    /// The municipality's postal code and town.
    pub town: (String, String),
    /// The municipality's QR-IBAN (the bills carry QR references).
    pub account: Iban,
    /// The municipality's sedex participant id.
    pub sedex_sender: SedexId,
    /// The cantonal register's sedex participant id.
    pub sedex_canton: SedexId,
    /// How often the sedex simulator and the mail worker run.
    pub poll_interval: Duration,
}

impl Config {
    /// The defaults, with the data folder `data_dir` and any free port on loopback (for tests).
    ///
    /// # Errors
    /// Never in practice: the built-in demo account and sedex ids are valid.
    pub fn for_tests(data_dir: impl Into<PathBuf>) -> Result<Self, Error> {
        let mut config = Self::defaults()?;
        config.bind = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        config.data_dir = data_dir.into();
        config.poll_interval = Duration::from_millis(100);
        Ok(config)
    }

    /// The defaults (see the table above).
    ///
    /// # Errors
    /// Never in practice: the built-in demo account and sedex ids are valid.
    pub fn defaults() -> Result<Self, Error> {
        Ok(Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            public_url: None,
            data_dir: PathBuf::from("online-counter-data"),
            municipality: "Gemeinde Muster".into(),
            street: ("Dorfstrasse".into(), "1".into()),
            town: ("8000".into(), "Seldwyla".into()),
            account: "CH44 3199 9123 0008 8901 2"
                .parse()
                .map_err(|e| Error::Config(format!("demo account: {e}")))?,
            sedex_sender: "T1-261-1"
                .parse()
                .map_err(|e| Error::Config(format!("demo sedex id: {e}")))?,
            sedex_canton: "T2-ZH-1"
                .parse()
                .map_err(|e| Error::Config(format!("demo sedex id: {e}")))?,
            poll_interval: Duration::from_millis(500),
        })
    }

    /// The defaults overridden by the environment variables of the table above.
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable with an invalid value.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`Config::from_env`], with the variables from `lookup`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable with an invalid value.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut config = Self::defaults()?;
        if let Some(host) = lookup("ONLINE_COUNTER_HOST") {
            let ip: IpAddr = host
                .trim()
                .parse()
                .map_err(|_| Error::Config(format!("ONLINE_COUNTER_HOST: {host:?} is not an IP address")))?;
            config.bind.set_ip(ip);
        }
        if let Some(port) = lookup("ONLINE_COUNTER_PORT") {
            let port: u16 = port
                .trim()
                .parse()
                .map_err(|_| Error::Config(format!("ONLINE_COUNTER_PORT: {port:?} is not a port number")))?;
            config.bind.set_port(port);
        }
        if let Some(dir) = lookup("ONLINE_COUNTER_DATA").filter(|d| !d.trim().is_empty()) {
            config.data_dir = PathBuf::from(dir);
        }
        if let Some(url) = lookup("ONLINE_COUNTER_PUBLIC_URL").filter(|u| !u.trim().is_empty()) {
            let parsed = url::Url::parse(url.trim())
                .map_err(|e| Error::Config(format!("ONLINE_COUNTER_PUBLIC_URL: {e}")))?;
            config.public_url = Some(parsed.as_str().trim_end_matches('/').to_owned());
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let config = Config::from_lookup(|name| match name {
            "ONLINE_COUNTER_PORT" => Some("9090".into()),
            "ONLINE_COUNTER_DATA" => Some("/tmp/oc".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:9090");
        assert_eq!(config.data_dir, PathBuf::from("/tmp/oc"));
        assert!(config.account.is_qr_iban());
        let defaults = Config::from_lookup(|_| None).unwrap();
        assert_eq!(defaults.bind.port(), 8080);
        assert_eq!(defaults.data_dir, PathBuf::from("online-counter-data"));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err =
            Config::from_lookup(|name| (name == "ONLINE_COUNTER_PORT").then(|| "eighty".into())).unwrap_err();
        assert!(err.to_string().contains("ONLINE_COUNTER_PORT"), "{err}");
        let err = Config::from_lookup(|name| (name == "ONLINE_COUNTER_HOST").then(|| "localhost:1".into()))
            .unwrap_err();
        assert!(err.to_string().contains("ONLINE_COUNTER_HOST"), "{err}");
    }
}
