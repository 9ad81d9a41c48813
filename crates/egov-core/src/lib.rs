#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod ahv;
mod building;
mod canton;
mod country;
mod error;
mod generated;
mod iban;
mod language;
mod municipality;
mod postal;
mod reference;
mod sedex;
mod uid;

pub use ahv::Ahvn13;
pub use building::{Egid, Ewid};
pub use canton::Canton;
pub use country::{Country, CountryId};
pub use error::{Error, Kind};
pub use iban::Iban;
pub use language::{Fallback, Language, Localized};
pub use municipality::{Municipality, MunicipalityId, Status, Validity, register_dates};
pub use postal::{Locality, PostalCode};
pub use reference::{CreditorReference, QrReference};
pub use sedex::SedexId;
pub use uid::{Uid, UidCategory, UidSuffix};

/// The examples of the egov-core guide (`docs/core.md`), run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/core.md")]
pub struct GuideExamples;
