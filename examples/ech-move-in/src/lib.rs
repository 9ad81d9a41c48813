//! The logic of `ech-move-in`: an eCH-0020 v3 `delivery` announcing that one person moved in,
//! with its eCH-0058 v5 header, read into the generated types of `egov_ech::ech0020::v3`
//! (which checks every facet and rule), written back and read again (the round trip must give
//! the same value), then sent from the municipality to the canton over the egov-sedex simulator.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let sent = ech_move_in::run(&ech_move_in::MoveIn::example()?, dir.path(), chrono::Utc::now())?;
//! assert_eq!(sent.receipt_code, Some(100));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use egov_core::{Ahvn13, SedexId};
use egov_ech::ech0020::v3::{Delivery, DeliveryChoice, EventMoveInChoice, NAMESPACE};
use egov_ech::read::{Limits, read_document};
use egov_ech::write::write_document;
use egov_sedex::{RecipientState, Simulator, Tracker};

/// The sedex message type on the envelope. A placeholder: the real one is assigned per business
/// case by the sedex participation.
pub const SEDEX_MESSAGE_TYPE: u32 = 99;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The delivery does not conform (the message names the element path).
    #[error("eCH-0020 delivery: {0}")]
    Invalid(String),
    /// Written and read back, the delivery is not the same.
    #[error("eCH-0020 delivery: the written document does not read back to the same value")]
    RoundTrip,
    /// The sedex simulator or outbox failed.
    #[error("sedex: {0}")]
    Sedex(String),
}

/// A municipality of Switzerland (BFS number, name, canton).
#[derive(Debug, Clone)]
pub struct Municipality {
    /// The BFS municipality number.
    pub bfs: u32,
    /// The name.
    pub name: String,
    /// The canton's abbreviation.
    pub canton: String,
}

impl Municipality {
    fn new(bfs: u32, name: &str, canton: &str) -> Self {
        Self {
            bfs,
            name: name.to_owned(),
            canton: canton.to_owned(),
        }
    }
}

/// The move-in: who, from where, to where and when. `Debug` does not print the AHV number.
#[derive(Clone)]
pub struct MoveIn {
    /// The AHV number.
    pub ahvn13: Ahvn13,
    /// The municipality's own person id.
    pub local_id: String,
    /// Official (family) name.
    pub official_name: String,
    /// First name.
    pub first_name: String,
    /// `1` male, `2` female (eCH-0044 sex).
    pub sex: u8,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Place of birth, also the place of origin in this example.
    pub birth_place: Municipality,
    /// The municipality moved into (the reporting municipality).
    pub to: Municipality,
    /// The municipality moved from.
    pub from: Municipality,
    /// Day of arrival.
    pub arrival: NaiveDate,
    /// Street, house number, postal code of the new dwelling.
    pub street: (String, String, String),
    /// The building's federal id (EGID).
    pub egid: u32,
}

impl std::fmt::Debug for MoveIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MoveIn")
            .field("ahvn13", &self.ahvn13.masked())
            .field("local_id", &self.local_id)
            .field("to", &self.to.bfs)
            .field("arrival", &self.arrival)
            .finish_non_exhaustive()
    }
}

impl MoveIn {
    /// An invented person moving from Lugano to Zürich.
    ///
    /// # Errors
    /// Never in practice: the values are fixed and valid.
    pub fn example() -> Result<Self, Error> {
        let date = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| Error::Invalid(format!("date {y}-{m}-{d}")))
        };
        Ok(Self {
            ahvn13: Ahvn13::with_check_digit(756_999_920_002).map_err(|e| Error::Invalid(e.to_string()))?,
            local_id: "200042".into(),
            official_name: "Esempio".into(),
            first_name: "Luca".into(),
            sex: 1,
            birth_date: date(1990, 7, 2)?,
            birth_place: Municipality::new(5192, "Lugano", "TI"),
            to: Municipality::new(261, "Zürich", "ZH"),
            from: Municipality::new(5192, "Lugano", "TI"),
            arrival: date(2026, 11, 1)?,
            street: ("Limmatquai".into(), "12".into(), "8001".into()),
            egid: 190_000_001,
        })
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn municipality(prefix: &str, m: &Municipality) -> String {
    format!(
        "<{prefix}><e7:municipalityId>{}</e7:municipalityId><e7:municipalityName>{}</e7:municipalityName>\
         <e7:cantonAbbreviation>{}</e7:cantonAbbreviation></{prefix}>",
        m.bfs,
        esc(&m.name),
        esc(&m.canton)
    )
}

/// The delivery as XML, element by element as eCH-0020 v3 orders them.
#[must_use]
pub fn delivery_xml(
    m: &MoveIn,
    sender: &SedexId,
    recipient: &SedexId,
    message_id: &str,
    now: DateTime<Utc>,
) -> String {
    let birth = m.birth_date.format("%Y-%m-%d");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<d:delivery xmlns:d="{NAMESPACE}" xmlns:h="http://www.ech.ch/xmlns/eCH-0058/5" xmlns:p="http://www.ech.ch/xmlns/eCH-0044/4" xmlns:e11="http://www.ech.ch/xmlns/eCH-0011/8" xmlns:e10="http://www.ech.ch/xmlns/eCH-0010/5" xmlns:e7="http://www.ech.ch/xmlns/eCH-0007/5" xmlns:e8="http://www.ech.ch/xmlns/eCH-0008/3" xmlns:e21="http://www.ech.ch/xmlns/eCH-0021/7" version="3.0">
<d:deliveryHeader>
<h:senderId>{sender}</h:senderId><h:recipientId>{recipient}</h:recipientId><h:messageId>{message_id}</h:messageId>
<h:messageType>{NAMESPACE}</h:messageType><h:subMessageType>eventMoveIn</h:subMessageType>
<h:sendingApplication><h:manufacturer>Basisdienste</h:manufacturer><h:product>ech-move-in</h:product><h:productVersion>{version}</h:productVersion></h:sendingApplication>
<h:messageDate>{date}</h:messageDate><h:eventDate>{arrival}</h:eventDate><h:action>1</h:action><h:testDeliveryFlag>true</h:testDeliveryFlag>
</d:deliveryHeader>
<d:moveIn><d:moveInPerson>
<d:personIdentification><p:vn>{vn}</p:vn><p:localPersonId><p:personIdCategory>MU.{to_bfs}</p:personIdCategory><p:personId>{local}</p:personId></p:localPersonId>
<p:officialName>{name}</p:officialName><p:firstName>{first}</p:firstName><p:sex>{sex}</p:sex><p:dateOfBirth><p:yearMonthDay>{birth}</p:yearMonthDay></p:dateOfBirth></d:personIdentification>
<d:nameInfo><d:nameData><e11:officialName>{name}</e11:officialName><e11:firstName>{first}</e11:firstName></d:nameData></d:nameInfo>
<d:birthInfo><d:birthData><e11:dateOfBirth><p:yearMonthDay>{birth}</p:yearMonthDay></e11:dateOfBirth><e11:placeOfBirth>{birth_place}</e11:placeOfBirth><e11:sex>{sex}</e11:sex></d:birthData></d:birthInfo>
<d:religionData><e11:religion>111</e11:religion></d:religionData>
<d:maritalInfo><d:maritalData><e11:maritalStatus>1</e11:maritalStatus></d:maritalData></d:maritalInfo>
<d:nationalityData><e11:nationalityStatus>2</e11:nationalityStatus><e11:countryInfo><e11:country><e8:countryId>8100</e8:countryId><e8:countryIdISO2>CH</e8:countryIdISO2><e8:countryNameShort>Schweiz</e8:countryNameShort></e11:country></e11:countryInfo></d:nationalityData>
<d:placeOfOriginInfo><d:placeOfOrigin><e11:originName>{origin}</e11:originName><e11:canton>{origin_canton}</e11:canton></d:placeOfOrigin></d:placeOfOriginInfo>
<d:lockData><e21:dataLock>0</e21:dataLock><e21:paperLock>0</e21:paperLock></d:lockData>
</d:moveInPerson>
<d:hasMainResidence>{to}<d:arrivalDate>{arrival}</d:arrivalDate><d:comesFrom>{from}</d:comesFrom>
<d:dwellingAddress><e11:EGID>{egid}</e11:EGID><e11:address><e10:street>{street}</e10:street><e10:houseNumber>{house}</e10:houseNumber><e10:town>{town}</e10:town><e10:swissZipCode>{zip}</e10:swissZipCode><e10:country>CH</e10:country></e11:address><e11:typeOfHousehold>1</e11:typeOfHousehold></d:dwellingAddress>
</d:hasMainResidence>
</d:moveIn>
</d:delivery>
"#,
        sender = sender.as_str(),
        recipient = recipient.as_str(),
        version = env!("CARGO_PKG_VERSION"),
        date = now.format("%Y-%m-%dT%H:%M:%S"),
        arrival = m.arrival.format("%Y-%m-%d"),
        vn = m.ahvn13.as_u64(),
        to_bfs = m.to.bfs,
        local = esc(&m.local_id),
        name = esc(&m.official_name),
        first = esc(&m.first_name),
        sex = m.sex,
        birth_place = municipality("e11:swissTown", &m.birth_place),
        origin = esc(&m.birth_place.name),
        origin_canton = esc(&m.birth_place.canton),
        to = municipality("d:reportingMunicipality", &m.to),
        from = municipality("e11:swissTown", &m.from),
        egid = m.egid,
        street = esc(&m.street.0),
        house = esc(&m.street.1),
        town = esc(&m.to.name),
        zip = esc(&m.street.2),
    )
}

/// Reads a delivery into the generated types; every facet and rule is checked.
///
/// # Errors
/// [`Error::Invalid`] naming the element path.
pub fn read(xml: &str) -> Result<Delivery, Error> {
    read_document(xml.as_bytes(), NAMESPACE, "delivery", Limits::default())
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// Writes the delivery and reads it back; the written XML when both are the same.
///
/// # Errors
/// [`Error::Invalid`] when the written document does not read, [`Error::RoundTrip`] when it
/// reads to another value.
pub fn round_trip(delivery: &Delivery) -> Result<String, Error> {
    let written = write_document(delivery, NAMESPACE, "delivery", None);
    if read(&written)? == *delivery {
        Ok(written)
    } else {
        Err(Error::RoundTrip)
    }
}

/// What [`run`] sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sent {
    /// The sedex message id (also the header's `messageId`).
    pub message_id: String,
    /// The receipt status code (100: message correctly transmitted), when a receipt came.
    pub receipt_code: Option<u16>,
    /// Its meaning.
    pub receipt: String,
    /// The written delivery.
    pub xml: String,
}

/// Builds, checks and sends the move-in from the municipality `T1-261-1` to the canton
/// `T2-ZH-1` through a sedex simulator under `dir`, runs the simulator once and reads the receipt.
///
/// # Errors
/// [`Error`].
pub fn run(m: &MoveIn, dir: &Path, now: DateTime<Utc>) -> Result<Sent, Error> {
    let sedex = |e: egov_sedex::Error| Error::Sedex(e.to_string());
    let sender: SedexId = "T1-261-1"
        .parse()
        .map_err(|e: egov_core::Error| Error::Sedex(e.to_string()))?;
    let canton: SedexId = "T2-ZH-1"
        .parse()
        .map_err(|e: egov_core::Error| Error::Sedex(e.to_string()))?;
    let message_id = egov_sedex::MessageId::generate();

    let delivery = read(&delivery_xml(m, &sender, &canton, message_id.as_str(), now))?;
    // The typed value says what the XML said.
    let DeliveryChoice::MoveIn(event) = &delivery.choice else {
        return Err(Error::Invalid("not a moveIn delivery".into()));
    };
    if !matches!(event.choice, EventMoveInChoice::HasMainResidence(_)) {
        return Err(Error::Invalid("moveIn: not a main residence".into()));
    }
    let xml = round_trip(&delivery)?;

    let simulator = Simulator::new(dir);
    for id in [&sender, &canton] {
        simulator.add_participant(id).map_err(sedex)?;
    }
    let outbox = egov_sedex::Outbox::new(simulator.folder(&sender, "outbox")).map_err(sedex)?;
    let sent = outbox
        .send_message(
            xml.as_bytes(),
            &delivery.delivery_header.base,
            std::slice::from_ref(&canton),
            Some(SEDEX_MESSAGE_TYPE),
        )
        .map_err(sedex)?;
    simulator.run_once().map_err(sedex)?;
    let tracker = Tracker::new(outbox.journal(), simulator.folder(&sender, "receipts"));
    let state = tracker.state(&sent.message_id).map_err(sedex)?;
    let (receipt_code, receipt) = match state.as_ref().and_then(|s| s.recipients.first()) {
        Some((_, RecipientState::Delivered { .. })) => (
            Some(egov_sedex::ReceiptStatus::Delivered.code()),
            egov_sedex::ReceiptStatus::Delivered.meaning().to_owned(),
        ),
        Some((_, RecipientState::Failed { status, meaning, .. })) => {
            (Some(status.code()), (*meaning).to_owned())
        }
        _ => (None, "no receipt yet".to_owned()),
    };
    Ok(Sent {
        message_id: sent.message_id.as_str().to_owned(),
        receipt_code,
        receipt,
        xml,
    })
}
