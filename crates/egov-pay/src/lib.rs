#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

/// Re-exported: [`swico::SwicoS1`] dates are `chrono::NaiveDate`.
pub use chrono;
/// Re-exported: amounts convert to and Swico rates are `rust_decimal::Decimal`.
pub use rust_decimal;

pub mod camt;
pub mod pain;
#[cfg(feature = "providers")]
pub mod provider;
pub mod qrbill;
pub mod reconcile;
pub mod render;
pub mod swico;

pub use qrbill::{
    Address, AddressType, Amount, AmountError, Currency, DecodeError, Decoded, EncodeError, ErrorKind, Field,
    QrBill, Reference, Separator, ValidationError, ValidationWarning, WarningKind,
};
pub use swico::{PaymentCondition, RateAmount, SwicoError, SwicoS1, VatDates, VatDetails};
