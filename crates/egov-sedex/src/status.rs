//! The sedex receipt status codes.

use std::fmt;

/// What a receipt status means for the message and the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StatusClass {
    /// Final: the message reached the recipient (100).
    Delivered,
    /// Final: the message will not be delivered; sending it again unchanged does not help (2xx, 3xx).
    Failed,
    /// Final for this attempt, caused by the transport or sedex itself (4xx, 5xx): sending again may work.
    Retryable,
    /// Not final: the message is on its way (601).
    Intermediate,
    /// Not final, a warning: the message expires soon (701).
    Warning,
}

impl StatusClass {
    /// Whether no further receipt is to be expected for this recipient.
    #[must_use]
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Failed | Self::Retryable)
    }

    /// Whether the message did not reach the recipient (final failure, retryable or not).
    #[must_use]
    pub const fn is_failure(self) -> bool {
        matches!(self, Self::Failed | Self::Retryable)
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $class:ident, $meaning:literal;)*) => {
        /// A sedex receipt status code (eCH-0090 v2 `statusCode`), with its meaning.
        ///
        /// Unknown codes are kept as [`ReceiptStatus::Other`] and classified by their hundreds digit.
        ///
        /// ```
        /// use egov_sedex::{ReceiptStatus, StatusClass};
        ///
        /// let s = ReceiptStatus::from_code(301);
        /// assert_eq!(s, ReceiptStatus::UnknownRecipient);
        /// assert_eq!(s.class(), StatusClass::Failed);
        /// assert_eq!(s.meaning(), "unknown recipient id");
        /// assert_eq!(ReceiptStatus::from_code(401).class(), StatusClass::Retryable);
        /// assert_eq!(ReceiptStatus::from_code(999).code(), 999);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ReceiptStatus {
            $(
                #[doc = concat!("`", stringify!($code), "`: ", $meaning, ".")]
                $variant,
            )*
            /// A code this version does not know.
            Other(u16),
        }

        impl ReceiptStatus {
            /// Every known code, in ascending order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The status for a numeric code.
            #[must_use]
            pub const fn from_code(code: u16) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other),
                }
            }

            /// The numeric code.
            #[must_use]
            pub const fn code(self) -> u16 {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(c) => c,
                }
            }

            /// What the code means, in English.
            #[must_use]
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Self::$variant => $meaning,)*
                    Self::Other(_) => "unknown status code",
                }
            }

            /// How the application should treat the code.
            #[must_use]
            pub const fn class(self) -> StatusClass {
                match self {
                    $(Self::$variant => StatusClass::$class,)*
                    Self::Other(c) => match c / 100 {
                        1 => StatusClass::Delivered,
                        4 | 5 => StatusClass::Retryable,
                        6 => StatusClass::Intermediate,
                        7 => StatusClass::Warning,
                        _ => StatusClass::Failed,
                    },
                }
            }
        }
    };
}

codes! {
    Delivered = 100, Delivered, "message correctly transmitted";
    InvalidEnvelope = 200, Failed, "invalid envelope syntax";
    DuplicateMessageId = 201, Failed, "duplicate message id";
    NoPayload = 202, Failed, "no payload found";
    TooOld = 203, Failed, "message too old to send";
    Expired = 204, Failed, "message expired (not fetched by the recipient in time)";
    UnknownSender = 300, Failed, "unknown sender id";
    UnknownRecipient = 301, Failed, "unknown recipient id";
    UnknownPhysicalSender = 302, Failed, "unknown physical sender id";
    InvalidMessageType = 303, Failed, "invalid message type";
    InvalidMessageClass = 304, Failed, "invalid message class";
    NotAllowedToSend = 310, Failed, "not allowed to send";
    NotAllowedToReceive = 311, Failed, "not allowed to receive";
    CertificateInvalid = 312, Failed, "user certificate not valid";
    OtherRecipientsNotAllowed = 313, Failed, "other recipients are not allowed to receive";
    ExpiredLegacy = 320, Failed, "message expired (old code, now 204)";
    TooLarge = 330, Failed, "message size exceeds limit";
    NetworkError = 400, Retryable, "network error";
    HubUnreachable = 401, Retryable, "OSCI hub not reachable";
    FolderUnreachable = 402, Retryable, "folder not reachable";
    LoggingUnreachable = 403, Retryable, "logging service not reachable";
    AuthorizationUnreachable = 404, Retryable, "authorization service not reachable";
    InternalError = 500, Retryable, "internal error";
    ReceiveError = 501, Retryable, "error during receiving";
    Sent = 601, Intermediate, "message successfully sent (not yet delivered)";
    ExpiresSoon = 701, Warning, "message expires soon";
}

impl ReceiptStatus {
    /// Whether this code is one of the documented ones.
    #[must_use]
    pub const fn is_known(self) -> bool {
        !matches!(self, Self::Other(_))
    }
}

impl fmt::Display for ReceiptStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.meaning())
    }
}

impl serde::Serialize for ReceiptStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for ReceiptStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_code(<u16 as serde::Deserialize>::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip_and_are_classified_by_range() {
        assert_eq!(ReceiptStatus::ALL.len(), 26);
        for s in ReceiptStatus::ALL {
            assert_eq!(ReceiptStatus::from_code(s.code()), *s);
            assert!(s.is_known());
            let expected = match s.code() {
                100 => StatusClass::Delivered,
                200..=399 => StatusClass::Failed,
                400..=599 => StatusClass::Retryable,
                601 => StatusClass::Intermediate,
                701 => StatusClass::Warning,
                c => unreachable!("{c}"),
            };
            assert_eq!(s.class(), expected, "{s}");
        }
    }

    #[test]
    fn unknown_codes_are_kept() {
        let s = ReceiptStatus::from_code(455);
        assert_eq!(s, ReceiptStatus::Other(455));
        assert!(!s.is_known());
        assert_eq!(s.class(), StatusClass::Retryable);
        assert_eq!(ReceiptStatus::from_code(250).class(), StatusClass::Failed);
        assert_eq!(s.to_string(), "455 unknown status code");
    }

    #[test]
    fn finality() {
        assert!(ReceiptStatus::Delivered.class().is_final());
        assert!(!ReceiptStatus::Sent.class().is_final());
        assert!(!ReceiptStatus::ExpiresSoon.class().is_final());
        assert!(ReceiptStatus::HubUnreachable.class().is_failure());
        assert!(!ReceiptStatus::Delivered.class().is_failure());
    }
}
