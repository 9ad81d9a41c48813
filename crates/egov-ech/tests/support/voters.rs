//! A synthetic eCH-0045 v6 voter register of any size, produced lazily as a `Read` so that a
//! million voters never sit in memory. Shared by the stream tests and the benchmarks. The shape
//! (every required element, one domain of influence) was checked with xmllint against
//! eCH-0045-6-0.xsd.

#![allow(dead_code)]

use std::io::Read;

/// How to spell the namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prefixes {
    /// `eCH-0045:`, `eCH-0044:` … as the standard writes them.
    Conventional,
    /// JAXB style: `ns2:` for eCH-0045, `ns3:` for eCH-0044 …
    Jaxb,
}

const NS: [(&str, &str, &str); 7] = [
    ("eCH-0045", "ns2", "http://www.ech.ch/xmlns/eCH-0045/6"),
    ("eCH-0058", "ns3", "http://www.ech.ch/xmlns/eCH-0058/5"),
    ("eCH-0044", "ns4", "http://www.ech.ch/xmlns/eCH-0044/4"),
    ("eCH-0011", "ns5", "http://www.ech.ch/xmlns/eCH-0011/9"),
    ("eCH-0007", "ns6", "http://www.ech.ch/xmlns/eCH-0007/6"),
    ("eCH-0010", "ns7", "http://www.ech.ch/xmlns/eCH-0010/6"),
    ("eCH-0155", "ns8", "http://www.ech.ch/xmlns/eCH-0155/5"),
];

fn spell(text: &str, prefixes: Prefixes) -> String {
    match prefixes {
        Prefixes::Conventional => text.to_owned(),
        Prefixes::Jaxb => {
            let mut out = text.to_owned();
            for (conv, jaxb, _) in NS {
                out = out.replace(&format!("{conv}:"), &format!("{jaxb}:"));
                out = out.replace(&format!("xmlns:{conv}="), &format!("xmlns:{jaxb}="));
            }
            out
        }
    }
}

/// A valid AHV number (EAN-13 check digit) for voter `i`.
pub(crate) fn ahv(i: u64) -> String {
    let body = format!("756{:09}", i % 1_000_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(k, b)| u32::from(b - b'0') * if k.is_multiple_of(2) { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// The document's start up to the first voter.
pub(crate) fn head(number_of_voters: u64, prefixes: Prefixes) -> String {
    let decls: String = NS
        .iter()
        .map(|(p, _, ns)| format!(" xmlns:{p}=\"{ns}\""))
        .collect();
    spell(
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<eCH-0045:voterDelivery{decls}>
<eCH-0045:deliveryHeader>
<eCH-0058:senderId>T1-942-1</eCH-0058:senderId>
<eCH-0058:messageId>9a2c7e5e-1b1f-4c55-9d0e-7a1f3f6c0001</eCH-0058:messageId>
<eCH-0058:messageType>http://www.ech.ch/xmlns/eCH-0045/6</eCH-0058:messageType>
<eCH-0058:sendingApplication><eCH-0058:manufacturer>Basisdienste</eCH-0058:manufacturer><eCH-0058:product>egov-ech</eCH-0058:product><eCH-0058:productVersion>0.1</eCH-0058:productVersion></eCH-0058:sendingApplication>
<eCH-0058:messageDate>2026-11-23T10:00:00Z</eCH-0058:messageDate>
<eCH-0058:action>1</eCH-0058:action>
<eCH-0058:testDeliveryFlag>true</eCH-0058:testDeliveryFlag>
</eCH-0045:deliveryHeader>
<eCH-0045:voterList>
<eCH-0045:reportingAuthority><eCH-0045:municipalityRegister><eCH-0045:registerIdentification>942</eCH-0045:registerIdentification><eCH-0045:municipalityName>Thun</eCH-0045:municipalityName><eCH-0045:cantonAbbreviation>BE</eCH-0045:cantonAbbreviation><eCH-0045:registerName>Stimmregister Thun</eCH-0045:registerName></eCH-0045:municipalityRegister></eCH-0045:reportingAuthority>
<eCH-0045:numberOfVoters>{number_of_voters}</eCH-0045:numberOfVoters>
"#
        ),
        prefixes,
    )
}

const FIRST: [&str; 8] = [
    "Anna", "Luca", "Élodie", "Giulia", "Reto", "Mia", "Noah", "Chiara",
];
const LAST: [&str; 6] = ["Muster", "Rossi", "Dubois", "Käser", "Caduff", "Meier"];

/// Voter number `i` (from 0).
pub(crate) fn voter(i: u64, prefixes: Prefixes) -> String {
    let first = FIRST[usize::try_from(i % 8).unwrap_or(0)];
    let last = LAST[usize::try_from(i % 6).unwrap_or(0)];
    let vn = ahv(i + 1);
    let id = 100_000 + i;
    let house = 1 + i % 120;
    let (lang, sex) = if i.is_multiple_of(2) { ("de", 2) } else { ("fr", 1) };
    spell(
        &format!(
            r#"<eCH-0045:voter>
<eCH-0045:person><eCH-0045:swiss><eCH-0045:swissDomesticPerson>
<eCH-0045:personIdentification><eCH-0044:vn>{vn}</eCH-0044:vn><eCH-0044:localPersonId><eCH-0044:personIdCategory>LOC.THUN</eCH-0044:personIdCategory><eCH-0044:personId>{id}</eCH-0044:personId></eCH-0044:localPersonId><eCH-0044:officialName>{last}</eCH-0044:officialName><eCH-0044:firstName>{first}</eCH-0044:firstName><eCH-0044:sex>{sex}</eCH-0044:sex><eCH-0044:dateOfBirth><eCH-0044:yearMonthDay>1980-04-12</eCH-0044:yearMonthDay></eCH-0044:dateOfBirth></eCH-0045:personIdentification>
<eCH-0045:languageOfCorrespondance>{lang}</eCH-0045:languageOfCorrespondance>
<eCH-0045:placeOfOrigin><eCH-0011:originName>Thun</eCH-0011:originName><eCH-0011:canton>BE</eCH-0011:canton></eCH-0045:placeOfOrigin>
</eCH-0045:swissDomesticPerson>
<eCH-0045:municipality><eCH-0007:municipalityId>942</eCH-0007:municipalityId><eCH-0007:municipalityName>Thun</eCH-0007:municipalityName><eCH-0007:cantonAbbreviation>BE</eCH-0007:cantonAbbreviation></eCH-0045:municipality>
</eCH-0045:swiss></eCH-0045:person>
<eCH-0045:dataLock>0</eCH-0045:dataLock>
<eCH-0045:electoralAddress><eCH-0045:person><eCH-0010:mrMrs>{sex}</eCH-0010:mrMrs><eCH-0010:firstName>{first}</eCH-0010:firstName><eCH-0010:lastName>{last}</eCH-0010:lastName></eCH-0045:person><eCH-0045:addressInformation><eCH-0010:street>Hauptgasse</eCH-0010:street><eCH-0010:houseNumber>{house}</eCH-0010:houseNumber><eCH-0010:town>Thun</eCH-0010:town><eCH-0010:swissZipCode>3600</eCH-0010:swissZipCode><eCH-0010:country><eCH-0010:countryIdISO2>CH</eCH-0010:countryIdISO2><eCH-0010:countryNameShort>Schweiz</eCH-0010:countryNameShort></eCH-0010:country></eCH-0045:addressInformation></eCH-0045:electoralAddress>
<eCH-0045:domainOfInfluenceInfo><eCH-0045:domainOfInfluence><eCH-0155:domainOfInfluenceType>MU</eCH-0155:domainOfInfluenceType><eCH-0155:domainOfInfluenceIdentification>942</eCH-0155:domainOfInfluenceIdentification><eCH-0155:domainOfInfluenceName>Thun</eCH-0155:domainOfInfluenceName></eCH-0045:domainOfInfluence><eCH-0045:countingCircle><eCH-0155:countingCircleId>942</eCH-0155:countingCircleId><eCH-0155:countingCircleName>Thun</eCH-0155:countingCircleName></eCH-0045:countingCircle></eCH-0045:domainOfInfluenceInfo>
</eCH-0045:voter>
"#
        ),
        prefixes,
    )
}

/// The document's end.
pub(crate) fn tail(prefixes: Prefixes) -> String {
    spell("</eCH-0045:voterList>\n</eCH-0045:voterDelivery>\n", prefixes)
}

/// A whole register in memory (small sizes only).
pub(crate) fn document(voters: u64, prefixes: Prefixes) -> String {
    let mut s = head(voters, prefixes);
    for i in 0..voters {
        s.push_str(&voter(i, prefixes));
    }
    s.push_str(&tail(prefixes));
    s
}

/// A register of `voters` voters produced as it is read.
pub(crate) struct VoterRegister {
    voters: u64,
    next: u64,
    prefixes: Prefixes,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl VoterRegister {
    /// A register of `voters` voters.
    pub(crate) fn new(voters: u64, prefixes: Prefixes) -> Self {
        Self {
            voters,
            next: 0,
            prefixes,
            buf: head(voters, prefixes).into_bytes(),
            pos: 0,
            done: false,
        }
    }
}

impl Read for VoterRegister {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            self.buf.clear();
            self.pos = 0;
            // Produce a batch of voters at a time.
            let end = (self.next + 64).min(self.voters);
            while self.next < end {
                self.buf
                    .extend_from_slice(voter(self.next, self.prefixes).as_bytes());
                self.next += 1;
            }
            if self.next == self.voters {
                self.buf.extend_from_slice(tail(self.prefixes).as_bytes());
                self.done = true;
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
