//! Configuration from environment variables with documented defaults.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use egov_core::{Iban, SedexId};
use egov_pay::provider::{DatatransConfig, SaferpayConfig, WebhookKey};

use crate::Error;

/// The settings of the online counter.
///
/// | variable | default | what |
/// |---|---|---|
/// | `ONLINE_COUNTER_HOST` | `127.0.0.1` | address to listen on |
/// | `ONLINE_COUNTER_PORT` | `8080` | port (0: any free port) |
/// | `ONLINE_COUNTER_DATA` | `online-counter-data` | data folder (SQLite, mailbox, sedex folders) |
/// | `ONLINE_COUNTER_PUBLIC_URL` | `http://<host>:<port>` | the origin browsers use (login redirect URI) |
/// | `ONLINE_COUNTER_PAYMENT` | `simulator` | online payment provider: `simulator`, `datatrans`, `saferpay` (see [`PaymentSetting`]) |
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
    /// The provider of the "Pay online" button.
    pub payment: PaymentSetting,
}

/// Which payment service provider the "Pay online" button uses (`ONLINE_COUNTER_PAYMENT`).
///
/// | `ONLINE_COUNTER_PAYMENT` | further variables |
/// |---|---|
/// | `simulator` (default) | none: the simulated payment page is served under `/payment-simulator/` |
/// | `datatrans` | `ONLINE_COUNTER_DATATRANS_MERCHANT_ID`, `ONLINE_COUNTER_DATATRANS_PASSWORD` (required), `ONLINE_COUNTER_DATATRANS_HMAC_KEY` (hex; without it webhooks are refused and the return page confirms), `ONLINE_COUNTER_DATATRANS_ENV` (`sandbox` default, or `production`) |
/// | `saferpay` | `ONLINE_COUNTER_SAFERPAY_CUSTOMER_ID`, `ONLINE_COUNTER_SAFERPAY_TERMINAL_ID`, `ONLINE_COUNTER_SAFERPAY_USERNAME`, `ONLINE_COUNTER_SAFERPAY_PASSWORD` (required), `ONLINE_COUNTER_SAFERPAY_ENV` (`test` default, or `production`) |
///
/// The return URLs and the webhook URL are built on `ONLINE_COUNTER_PUBLIC_URL`, which a real
/// provider must be able to reach.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PaymentSetting {
    /// The in-process simulator of egov-pay.
    Simulator,
    /// Datatrans (JSON API v1).
    Datatrans(DatatransConfig),
    /// Worldline Saferpay (JSON API, payment page).
    Saferpay(SaferpayConfig),
}

impl PaymentSetting {
    /// The setting named by `ONLINE_COUNTER_PAYMENT` with its further variables from `lookup`.
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &str| {
            value(name).ok_or_else(|| Error::Config(format!("{name} must be set for this payment provider")))
        };
        let kind = value("ONLINE_COUNTER_PAYMENT").unwrap_or_else(|| "simulator".into());
        match kind.as_str() {
            "simulator" => Ok(Self::Simulator),
            "datatrans" => {
                let merchant = required("ONLINE_COUNTER_DATATRANS_MERCHANT_ID")?;
                let password = required("ONLINE_COUNTER_DATATRANS_PASSWORD")?;
                let mut config = match value("ONLINE_COUNTER_DATATRANS_ENV").as_deref() {
                    None | Some("sandbox") => DatatransConfig::sandbox(&merchant, &password),
                    Some("production") => DatatransConfig::production(&merchant, &password),
                    Some(other) => {
                        return Err(Error::Config(format!(
                            "ONLINE_COUNTER_DATATRANS_ENV: {other:?} is not sandbox or production"
                        )));
                    }
                };
                if let Some(hex) = value("ONLINE_COUNTER_DATATRANS_HMAC_KEY") {
                    let key = WebhookKey::from_hex(&hex)
                        .map_err(|e| Error::Config(format!("ONLINE_COUNTER_DATATRANS_HMAC_KEY: {e}")))?;
                    config = config.with_webhook_key(key);
                }
                Ok(Self::Datatrans(config))
            }
            "saferpay" => {
                let customer = required("ONLINE_COUNTER_SAFERPAY_CUSTOMER_ID")?;
                let terminal = required("ONLINE_COUNTER_SAFERPAY_TERMINAL_ID")?;
                let user = required("ONLINE_COUNTER_SAFERPAY_USERNAME")?;
                let password = required("ONLINE_COUNTER_SAFERPAY_PASSWORD")?;
                match value("ONLINE_COUNTER_SAFERPAY_ENV").as_deref() {
                    None | Some("test") => Ok(Self::Saferpay(SaferpayConfig::test(
                        &customer, &terminal, &user, &password,
                    ))),
                    Some("production") => Ok(Self::Saferpay(SaferpayConfig::production(
                        &customer, &terminal, &user, &password,
                    ))),
                    Some(other) => Err(Error::Config(format!(
                        "ONLINE_COUNTER_SAFERPAY_ENV: {other:?} is not test or production"
                    ))),
                }
            }
            other => Err(Error::Config(format!(
                "ONLINE_COUNTER_PAYMENT: {other:?} is not simulator, datatrans or saferpay"
            ))),
        }
    }
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
            payment: PaymentSetting::Simulator,
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
        config.payment = PaymentSetting::from_lookup(&lookup)?;
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

    #[test]
    fn the_payment_provider_is_chosen_by_environment() {
        assert!(matches!(
            Config::from_lookup(|_| None).unwrap().payment,
            PaymentSetting::Simulator
        ));
        let vars = |name: &str| match name {
            "ONLINE_COUNTER_PAYMENT" => Some("datatrans".into()),
            "ONLINE_COUNTER_DATATRANS_MERCHANT_ID" => Some("1100007006".into()),
            "ONLINE_COUNTER_DATATRANS_PASSWORD" => Some("top-secret".into()),
            "ONLINE_COUNTER_DATATRANS_HMAC_KEY" => Some("6a3f0c".into()),
            _ => None,
        };
        let config = Config::from_lookup(vars).unwrap();
        let PaymentSetting::Datatrans(dt) = &config.payment else {
            panic!("not datatrans: {:?}", config.payment);
        };
        assert_eq!(dt.merchant_id, "1100007006");
        assert_eq!(dt.api_base, egov_pay::provider::datatrans::SANDBOX_API);
        assert!(dt.webhook_key.is_some());
        assert!(
            !format!("{config:?}").contains("top-secret"),
            "the password is not printed"
        );

        let saferpay = Config::from_lookup(|name| match name {
            "ONLINE_COUNTER_PAYMENT" => Some("saferpay".into()),
            "ONLINE_COUNTER_SAFERPAY_ENV" => Some("production".into()),
            n if n.starts_with("ONLINE_COUNTER_SAFERPAY_") => Some("x".into()),
            _ => None,
        })
        .unwrap();
        let PaymentSetting::Saferpay(sp) = saferpay.payment else {
            panic!("not saferpay");
        };
        assert_eq!(sp.api_base, egov_pay::provider::saferpay::PRODUCTION_API);
    }

    #[test]
    fn a_missing_provider_setting_is_named() {
        let err = Config::from_lookup(|name| match name {
            "ONLINE_COUNTER_PAYMENT" => Some("datatrans".into()),
            "ONLINE_COUNTER_DATATRANS_MERCHANT_ID" => Some("1100007006".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("ONLINE_COUNTER_DATATRANS_PASSWORD"),
            "{err}"
        );
        let err = Config::from_lookup(|name| (name == "ONLINE_COUNTER_PAYMENT").then(|| "paypal".into()))
            .unwrap_err();
        assert!(err.to_string().contains("ONLINE_COUNTER_PAYMENT"), "{err}");
    }
}
