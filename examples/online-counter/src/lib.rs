//! A municipality's online counter: a resident orders a residence certificate fully online, with
//! every Basisdienste service end to end.
//!
//! 1. Login with egov-eid (the in-process login simulator); the order page needs a verified AHV
//!    number (AGOV 400), a lower level gets a step-up login.
//! 2. A form prefilled from the identity, in de/fr/it/rm/en, checked on the server.
//! 3. The fee of CHF 20.00 online through a payment service provider (the egov-pay payment
//!    simulator by default, Datatrans or Saferpay by configuration), or as a QR-bill PDF
//!    (egov-pay); a camt.054 uploaded on the admin page marks the order paid (egov-pay camt +
//!    reconcile).
//! 4. The certificate PDF sealed with PAdES (a demo seal key and CA made on first run), an e-mail through the egov-notify outbox into a local
//!    mailbox, and a report with an eCH-0058 v5 header to the canton over the sedex simulator.
//!
//! ```no_run
//! # async fn run() -> Result<(), online_counter::Error> {
//! let running = online_counter::start(online_counter::Config::from_env()?).await?;
//! println!("{}", running.url());
//! running.shutdown().await;
//! # Ok(()) }
//! ```

mod certificate;
mod config;
mod db;
mod error;
mod html;
mod i18n;
mod online;
mod payment;
mod seal;
mod services;
mod web;

use std::sync::{Arc, Mutex};

use egov_eid::session::MemorySessionStore;
use egov_eid::simulator::{SimClient, Simulator, SimulatorConfig};
use egov_eid::web::{EidWeb, WebConfig};
use egov_eid::{ClientAuth, HttpClient, ProviderConfig, RelyingParty, Secret};
use egov_notify::channel::{FileTransport, Sender};
use egov_notify::outbox::{Channels, Outbox, SqliteOutbox, SystemClock, Worker, WorkerConfig};
use egov_pay::provider::{Datatrans, PaymentProvider, Saferpay, SimulatedProvider};
use egov_pay::reconcile::Ledger;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{Config, PaymentSetting};
pub use error::Error;

/// A running online counter; [`Running::shutdown`] stops it gracefully.
#[derive(Debug)]
pub struct Running {
    url: String,
    data_dir: std::path::PathBuf,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    login: Simulator,
}

impl Running {
    /// The origin of the online counter (`http://127.0.0.1:8080`).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The issuer URL of the login simulator.
    #[must_use]
    pub fn login_issuer(&self) -> &str {
        self.login.issuer()
    }

    /// The data folder.
    #[must_use]
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Stops accepting requests, lets running requests, the mail worker and the sedex simulator
    /// finish their current step, and returns when all have stopped.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        drop(self.login);
    }
}

fn random_secret() -> String {
    std::iter::repeat_with(fastrand::alphanumeric).take(32).collect()
}

/// Starts the online counter: the login simulator, the orders database, the mail worker, the
/// sedex simulator and the web server, all on the current tokio runtime.
///
/// # Errors
/// When the port cannot be bound, the data folder cannot be written or a service fails to start.
pub async fn start(config: Config) -> Result<Running, Error> {
    let data = config.data_dir.clone();
    std::fs::create_dir_all(&data).map_err(Error::io(format!("create data folder {}", data.display())))?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(Error::io(format!("listen on {}", config.bind)))?;
    let addr = listener.local_addr().map_err(Error::io("local address"))?;
    let url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));

    // 1. Login: the simulator in-process, and the relying party with the axum routes.
    let callback = format!("{url}/auth/callback");
    let secret = random_secret();
    let login = Simulator::start(SimulatorConfig::new(vec![SimClient::new(
        "online-counter",
        Some(&secret),
        callback.clone(),
    )]))
    .await?;
    let mut provider = ProviderConfig::new(
        login.issuer(),
        "online-counter",
        ClientAuth::SecretBasic(Secret::new(secret)),
        callback,
    );
    provider.scopes.push("svnr".into());
    let mut rp = RelyingParty::new(HttpClient::new()?);
    rp.add_provider("agov", provider).await?;
    let mut web_config = WebConfig::new("agov");
    web_config.secure_cookies = url.starts_with("https://");
    let web = EidWeb::new(Arc::new(rp), Arc::new(MemorySessionStore::new()), web_config);

    // 2. Orders.
    let conn = db::open(&data.join("orders.sqlite"))?;

    // 3. Mail: the outbox in SQLite, delivered into a local mailbox folder.
    let store = SqliteOutbox::open(&data.join("outbox.sqlite")).map_err(|e| Error::Mail(e.to_string()))?;
    let mail_outbox = Outbox::new(store.clone(), Arc::new(SystemClock));
    let from = "noreply@gemeinde-muster.example"
        .parse()
        .map_err(|e: egov_notify::Error| Error::Mail(e.to_string()))?;
    let mailbox_dir = data.join("mailbox");
    let mailbox = FileTransport::new(&mailbox_dir, Sender::new(from).with_name(&config.municipality))
        .map_err(|e| Error::Mail(e.to_string()))?;
    let worker = Worker::new(
        store,
        Channels::new().with_email(Arc::new(mailbox.clone())),
        Arc::new(SystemClock),
        WorkerConfig {
            poll_interval: config.poll_interval,
            ..WorkerConfig::default()
        },
    );
    let template = services::mail_template().map_err(|e| Error::Mail(e.to_string()))?;

    // 4. sedex: the municipality's and the canton's folders under the simulator.
    let sedex = egov_sedex::Simulator::new(data.join("sedex"));
    for id in [&config.sedex_sender, &config.sedex_canton] {
        sedex
            .add_participant(id)
            .map_err(|e| Error::Sedex(e.to_string()))?;
    }
    let sedex_outbox = egov_sedex::Outbox::new(sedex.folder(&config.sedex_sender, "outbox"))
        .map_err(|e| Error::Sedex(e.to_string()))?;
    let tracker = egov_sedex::Tracker::new(
        sedex_outbox.journal(),
        sedex.folder(&config.sedex_sender, "receipts"),
    );

    // 5. The seal on the certificates (a demo key and CA, made on first run).
    let seal = seal::Seal::open_or_create(&data.join("seal"), &config.municipality)?;

    // 6. Online payment: the simulator's page is served by this server, under SIMULATOR_PATH.
    let payment_error = |e: egov_pay::provider::ProviderError| Error::Payment(e.to_string());
    let (provider, simulator): (Arc<dyn PaymentProvider>, Option<SimulatedProvider>) = match &config.payment {
        PaymentSetting::Simulator => {
            let sim = SimulatedProvider::new(&format!("{url}{}", online::SIMULATOR_PATH));
            (Arc::new(sim.clone()), Some(sim))
        }
        PaymentSetting::Datatrans(c) => (Arc::new(Datatrans::new(c.clone()).map_err(payment_error)?), None),
        PaymentSetting::Saferpay(c) => (Arc::new(Saferpay::new(c.clone()).map_err(payment_error)?), None),
    };

    let poll = config.poll_interval;
    let state = web::AppState {
        web,
        app: Arc::new(web::App {
            config,
            db: Mutex::new(conn),
            mail_outbox,
            template,
            mailbox,
            mailbox_dir,
            sedex_outbox,
            tracker,
            ledger: Mutex::new(Ledger::new()),
            provider,
            public_url: url.clone(),
            confirm_lock: tokio::sync::Mutex::new(()),
            seal,
        }),
    };
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();

    let mut worker_stop = stopped.clone();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = worker.run(worker_stop.clone()).await {
            tracing::error!(error = %e, "mail worker stopped");
        }
        let _ = worker_stop.changed().await;
    }));

    let mut sedex_stop = stopped.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            let sim = sedex.clone();
            match tokio::task::spawn_blocking(move || sim.run_once()).await {
                Ok(Ok(report)) if report.messages > 0 => {
                    tracing::info!(messages = report.messages, "sedex simulator delivered");
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "sedex simulator"),
                _ => {}
            }
            tokio::select! {
                _ = sedex_stop.changed() => break,
                () = tokio::time::sleep(poll) => {}
            }
        }
    }));

    let mut server_stop = stopped;
    let app = web::router(state, simulator.as_ref());
    tasks.push(tokio::spawn(async move {
        let shutdown = async move {
            let _ = server_stop.changed().await;
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "web server stopped");
        }
    }));

    tracing::info!(url = %url, login = %login.issuer(), data = %data.display(), "online counter started");
    Ok(Running {
        url,
        data_dir: data,
        stop,
        tasks,
        login,
    })
}
