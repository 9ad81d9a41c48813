#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod channel;
mod error;
pub mod message;
pub mod outbox;
pub mod recipient;
pub mod sms;
pub mod template;

pub use error::Error;
pub use message::{Attachment, Channel, Message, MessageId};
pub use recipient::{EmailAddress, PhoneNumber, Recipient};
pub use template::{Personalisation, RenderOptions, RenderedMessage, Template, TemplateSource};
