//! A channel that keeps messages in memory and answers with simulated outcomes: for tests and
//! for the outbox's test mode, which sends nothing (GOV.UK Notify's test keys).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::{Delivery, EmailTransport, SmsGateway};
use crate::message::{Message, MessageId};
use crate::recipient::Recipient;

/// Which outcome a simulated delivery has, by recipient. Like the magic recipients of GOV.UK
/// Notify's test keys, [`Simulation::standard`] has one address and one number per outcome; all
/// others are delivered. The addresses use the reserved `.invalid` domain (RFC 2606), so they can
/// never reach anybody, and the numbers only mean something to the simulation.
///
/// | recipient | outcome |
/// |---|---|
/// | `delivered@simulator.invalid`, `+41790000001` | delivered |
/// | `temp-fail@simulator.invalid`, `+41790000002` | temporary failure |
/// | `perm-fail@simulator.invalid`, `+41790000003` | permanent failure |
/// | `tech-fail@simulator.invalid`, `+41790000004` | technical failure |
/// | anybody else | delivered |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    rules: HashMap<String, Delivery>,
    default: Delivery,
}

impl Default for Simulation {
    fn default() -> Self {
        Self::standard()
    }
}

impl Simulation {
    /// The standard rules in the table above.
    #[must_use]
    pub fn standard() -> Self {
        let outcome = |kind: &str| match kind {
            "temp" => Delivery::TemporaryFailure {
                reason: "simulated temporary failure".to_owned(),
            },
            "perm" => Delivery::PermanentFailure {
                reason: "simulated permanent failure".to_owned(),
            },
            "tech" => Delivery::TechnicalFailure {
                reason: "simulated technical failure".to_owned(),
            },
            _ => Delivery::Delivered {
                provider_reference: Some("simulated".to_owned()),
            },
        };
        let mut rules = HashMap::new();
        for (n, kind) in [(1, "delivered"), (2, "temp"), (3, "perm"), (4, "tech")] {
            let local = if kind == "delivered" {
                kind.to_owned()
            } else {
                format!("{kind}-fail")
            };
            rules.insert(format!("{local}@simulator.invalid"), outcome(kind));
            rules.insert(format!("+4179000000{n}"), outcome(kind));
        }
        Self {
            rules,
            default: outcome("delivered"),
        }
    }

    /// Every message has `outcome`.
    #[must_use]
    pub fn always(outcome: Delivery) -> Self {
        Self {
            rules: HashMap::new(),
            default: outcome,
        }
    }

    /// Messages to `recipient` (an address as [`EmailAddress::as_str`], or a number in E.164)
    /// have `outcome`.
    ///
    /// [`EmailAddress::as_str`]: crate::recipient::EmailAddress::as_str
    #[must_use]
    pub fn with_rule(mut self, recipient: &str, outcome: Delivery) -> Self {
        self.rules.insert(recipient.to_owned(), outcome);
        self
    }

    /// The outcome for `recipient`.
    #[must_use]
    pub fn outcome_for(&self, recipient: &Recipient) -> Delivery {
        let key = match recipient {
            Recipient::Email(address) => address.as_str(),
            Recipient::Sms(number) => number.as_str(),
        };
        self.rules.get(key).unwrap_or(&self.default).clone()
    }
}

/// One message an [`InMemoryChannel`] was given, with the outcome it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentMessage {
    /// The outbox id.
    pub id: MessageId,
    /// The message.
    pub message: Message,
    /// The simulated outcome.
    pub outcome: Delivery,
}

#[derive(Debug, Default)]
struct State {
    sent: Vec<SentMessage>,
    script: VecDeque<Delivery>,
}

/// An e-mail transport and SMS gateway in one that sends nothing: it records every message and
/// answers with a scripted outcome (see [`InMemoryChannel::push_outcomes`]) or, when the script is
/// empty, the outcome of its [`Simulation`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use egov_notify::channel::{Delivery, InMemoryChannel, SmsGateway};
/// # use egov_core::Language;
/// # use egov_notify::{Message, PhoneNumber, template::*};
/// # let template = Template::new(TemplateSource::sms("t", 1).sms_text(Language::De, "Hallo"))?;
/// # let rendered = template.render(Language::De, &Personalisation::new(), &RenderOptions::default())?;
/// let channel = InMemoryChannel::new();
/// let message = Message::new(PhoneNumber::parse("+41790000003")?, rendered)?;
/// let id = egov_notify::message::MessageId::random();
/// let outcome = channel.send_sms(&id, &message).await;
/// assert!(matches!(outcome, Delivery::PermanentFailure { .. }));
/// assert_eq!(channel.sent().len(), 1);
/// # Ok::<(), egov_notify::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct InMemoryChannel {
    simulation: Simulation,
    state: Mutex<State>,
}

impl InMemoryChannel {
    /// A channel with the [standard simulation](Simulation::standard).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A channel with `simulation`.
    #[must_use]
    pub fn with_simulation(simulation: Simulation) -> Self {
        Self {
            simulation,
            state: Mutex::default(),
        }
    }

    /// Queues outcomes for the next deliveries, in order, whoever the recipient (e.g. two
    /// temporary failures, then a success, to test retries).
    pub fn push_outcomes(&self, outcomes: impl IntoIterator<Item = Delivery>) {
        self.lock().script.extend(outcomes);
    }

    /// All messages given so far, in order.
    #[must_use]
    pub fn sent(&self) -> Vec<SentMessage> {
        self.lock().sent.clone()
    }

    /// The messages given so far that were delivered.
    #[must_use]
    pub fn delivered(&self) -> Vec<SentMessage> {
        self.lock()
            .sent
            .iter()
            .filter(|s| matches!(s.outcome, Delivery::Delivered { .. }))
            .cloned()
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the recorded list intact; keep using it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, id: &MessageId, message: &Message) -> Delivery {
        let mut state = self.lock();
        let outcome = state
            .script
            .pop_front()
            .unwrap_or_else(|| self.simulation.outcome_for(message.recipient()));
        state.sent.push(SentMessage {
            id: id.clone(),
            message: message.clone(),
            outcome: outcome.clone(),
        });
        outcome
    }
}

#[async_trait]
impl EmailTransport for InMemoryChannel {
    async fn send_email(&self, id: &MessageId, message: &Message) -> Delivery {
        self.record(id, message)
    }
}

#[async_trait]
impl SmsGateway for InMemoryChannel {
    async fn send_sms(&self, id: &MessageId, message: &Message) -> Delivery {
        self.record(id, message)
    }
}
