#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
pub mod message;
pub mod recipient;
pub mod sms;
pub mod template;

pub use error::Error;
pub use message::{Channel, Message};
pub use recipient::{EmailAddress, PhoneNumber, Recipient};
pub use template::{Personalisation, RenderOptions, RenderedMessage, Template, TemplateSource};
