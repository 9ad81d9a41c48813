//! Invented test persons (no real people; AHV numbers with valid check digits in a range no
//! person is known to hold).

use egov_core::Ahvn13;

use crate::loa::Loa;

/// A built-in test person of the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TestPerson {
    /// The name to give as `login_hint` (`anna`, or `anna:300` for a lower AGOV level).
    pub login: &'static str,
    /// Given name.
    pub given_name: &'static str,
    /// Family name.
    pub family_name: &'static str,
    /// Birth date `YYYY-MM-DD`.
    pub birth_date: &'static str,
    /// E-mail address (domain `example.ch`).
    pub email: &'static str,
    /// Locale (`de-CH`, `fr-CH`, …).
    pub locale: &'static str,
    /// The highest level this person can reach.
    pub max_loa: Loa,
    ahv_first_twelve: Option<u64>,
}

impl TestPerson {
    /// The person's AHV number (only persons at [`Loa::AhvVerified`] or higher have one).
    #[must_use]
    pub fn ahvn13(&self) -> Option<Ahvn13> {
        self.ahv_first_twelve
            .and_then(|n| Ahvn13::with_check_digit(n).ok())
    }
}

const PERSONS: [TestPerson; 5] = [
    TestPerson {
        login: "hans",
        given_name: "Hans",
        family_name: "Beispiel",
        birth_date: "1970-01-15",
        email: "hans.beispiel@example.ch",
        locale: "de-CH",
        max_loa: Loa::SelfDeclared,
        ahv_first_twelve: None,
    },
    TestPerson {
        login: "mena",
        given_name: "Mena",
        family_name: "Exempel",
        birth_date: "1992-07-01",
        email: "mena.exempel@example.ch",
        locale: "rm-CH",
        max_loa: Loa::AddressVerified,
        ahv_first_twelve: None,
    },
    TestPerson {
        login: "chloe",
        given_name: "Chloé",
        family_name: "Exemple",
        birth_date: "1988-11-30",
        email: "chloe.exemple@example.ch",
        locale: "fr-CH",
        max_loa: Loa::IdentityVerified,
        ahv_first_twelve: None,
    },
    TestPerson {
        login: "anna",
        given_name: "Anna",
        family_name: "Muster",
        birth_date: "1985-03-14",
        email: "anna.muster@example.ch",
        locale: "de-CH",
        max_loa: Loa::AhvVerified,
        ahv_first_twelve: Some(756_999_910_001),
    },
    TestPerson {
        login: "luca",
        given_name: "Luca",
        family_name: "Esempio",
        birth_date: "2000-02-29",
        email: "luca.esempio@example.ch",
        locale: "it-CH",
        max_loa: Loa::EIdPassThrough,
        ahv_first_twelve: Some(756_999_910_002),
    },
];

/// The built-in test persons, weakest level first.
#[must_use]
pub fn test_persons() -> &'static [TestPerson] {
    &PERSONS
}

/// The person named by `login`.
#[must_use]
pub fn test_person(login: &str) -> Option<&'static TestPerson> {
    PERSONS.iter().find(|p| p.login == login)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ahv_numbers_are_valid_and_match_levels() {
        for p in test_persons() {
            assert_eq!(p.ahvn13().is_some(), p.max_loa >= Loa::AhvVerified, "{}", p.login);
            if let Some(vn) = p.ahvn13() {
                assert_eq!(vn.to_string().parse::<Ahvn13>().unwrap(), vn);
            }
        }
        assert_eq!(test_person("anna").unwrap().family_name, "Muster");
        assert!(test_person("nobody").is_none());
    }
}
