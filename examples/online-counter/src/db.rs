//! The orders, kept in SQLite (`orders.sqlite` in the data folder).

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use egov_core::{Ahvn13, Language};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// The fee in hundredths of a franc.
pub(crate) const FEE_CENTS: i64 = 2000;

/// What the resident entered (checked) for a new order.
#[derive(Clone)]
pub(crate) struct NewOrder {
    pub(crate) owner: String,
    pub(crate) language: Language,
    pub(crate) given_name: String,
    pub(crate) family_name: String,
    pub(crate) birth_date: NaiveDate,
    pub(crate) ahvn13: Option<Ahvn13>,
    pub(crate) email: String,
    pub(crate) street: String,
    pub(crate) house_number: String,
    pub(crate) postal_code: String,
    pub(crate) town: String,
    pub(crate) purpose: String,
}

/// A stored order.
#[derive(Clone)]
pub(crate) struct Order {
    pub(crate) id: i64,
    pub(crate) data: NewOrder,
    /// The QR reference (27 digits).
    pub(crate) reference: String,
    pub(crate) amount_cents: i64,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) paid_at: Option<DateTime<Utc>>,
    /// The outbox id of the certificate e-mail.
    pub(crate) mail_id: Option<String>,
    /// The sedex message id of the report to the canton.
    pub(crate) sedex_message_id: Option<String>,
}

// Personal data stays out of logs: Debug shows ids and state only.
impl std::fmt::Debug for Order {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Order")
            .field("id", &self.id)
            .field("reference", &self.reference)
            .field("paid", &self.paid_at.is_some())
            .finish_non_exhaustive()
    }
}

impl Order {
    /// The order number shown to people: `WB-<year>-<id>`.
    pub(crate) fn number(&self) -> String {
        format!("WB-{}-{:05}", self.created_at.format("%Y"), self.id)
    }
}

pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS orders (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            owner TEXT NOT NULL,
            language TEXT NOT NULL,
            given_name TEXT NOT NULL,
            family_name TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            ahvn13 TEXT,
            email TEXT NOT NULL,
            street TEXT NOT NULL,
            house_number TEXT NOT NULL,
            postal_code TEXT NOT NULL,
            town TEXT NOT NULL,
            purpose TEXT NOT NULL,
            reference TEXT UNIQUE,
            amount_cents INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            paid_at TEXT,
            mail_id TEXT,
            sedex_message_id TEXT
        );
        CREATE INDEX IF NOT EXISTS orders_owner ON orders (owner);
        CREATE TABLE IF NOT EXISTS online_payments (
            provider_id TEXT PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id),
            reference TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS online_payments_order ON online_payments (order_id);",
    )
}

const COLUMNS: &str = "id, owner, language, given_name, family_name, birth_date, ahvn13, email, street, \
    house_number, postal_code, town, purpose, reference, amount_cents, created_at, paid_at, mail_id, \
    sedex_message_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Order> {
    let text_err = |i: usize, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    let language: String = row.get(2)?;
    let birth: String = row.get(5)?;
    let ahv: Option<String> = row.get(6)?;
    let created: String = row.get(15)?;
    let paid: Option<String> = row.get(16)?;
    let time = |i: usize, s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| text_err(i, e.to_string()))
    };
    Ok(Order {
        id: row.get(0)?,
        data: NewOrder {
            owner: row.get(1)?,
            language: language.parse().map_err(|_| text_err(2, "language".into()))?,
            given_name: row.get(3)?,
            family_name: row.get(4)?,
            birth_date: birth.parse().map_err(|_| text_err(5, "birth date".into()))?,
            ahvn13: ahv
                .map(|a| a.parse().map_err(|_| text_err(6, "AHV number".into())))
                .transpose()?,
            email: row.get(7)?,
            street: row.get(8)?,
            house_number: row.get(9)?,
            postal_code: row.get(10)?,
            town: row.get(11)?,
            purpose: row.get(12)?,
        },
        reference: row.get::<_, Option<String>>(13)?.unwrap_or_default(),
        amount_cents: row.get(14)?,
        created_at: time(15, &created)?,
        paid_at: paid.map(|p| time(16, &p)).transpose()?,
        mail_id: row.get(17)?,
        sedex_message_id: row.get(18)?,
    })
}

/// Stores a new order and gives it its QR reference (made by `reference` from the new id).
pub(crate) fn insert(
    conn: &mut Connection,
    order: &NewOrder,
    now: DateTime<Utc>,
    reference: impl FnOnce(i64) -> Option<String>,
) -> rusqlite::Result<Option<Order>> {
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO orders (owner, language, given_name, family_name, birth_date, ahvn13, email, street,
            house_number, postal_code, town, purpose, amount_cents, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            order.owner,
            order.language.code(),
            order.given_name,
            order.family_name,
            order.birth_date.to_string(),
            order.ahvn13.map(|a| a.to_string()),
            order.email,
            order.street,
            order.house_number,
            order.postal_code,
            order.town,
            order.purpose,
            FEE_CENTS,
            now.to_rfc3339(),
        ],
    )?;
    let id = tx.last_insert_rowid();
    let Some(reference) = reference(id) else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE orders SET reference = ?1 WHERE id = ?2",
        params![reference, id],
    )?;
    tx.commit()?;
    get(conn, id)
}

pub(crate) fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Order>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

pub(crate) fn by_owner(conn: &Connection, owner: &str) -> rusqlite::Result<Vec<Order>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM orders WHERE owner = ?1 ORDER BY id DESC"
    ))?;
    stmt.query_map([owner], from_row)?.collect()
}

pub(crate) fn all(conn: &Connection) -> rusqlite::Result<Vec<Order>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM orders ORDER BY id DESC"))?;
    stmt.query_map([], from_row)?.collect()
}

/// Marks an order paid; false when it already was (so it is fulfilled once).
pub(crate) fn mark_paid(conn: &Connection, id: i64, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE orders SET paid_at = ?1 WHERE id = ?2 AND paid_at IS NULL",
        params![now.to_rfc3339(), id],
    )?;
    Ok(changed == 1)
}

pub(crate) fn set_mail(conn: &Connection, id: i64, mail_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE orders SET mail_id = ?1 WHERE id = ?2",
        params![mail_id, id],
    )?;
    Ok(())
}

pub(crate) fn set_sedex(conn: &Connection, id: i64, message_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE orders SET sedex_message_id = ?1 WHERE id = ?2",
        params![message_id, id],
    )?;
    Ok(())
}

/// One attempt to pay an order online (one payment at the provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OnlinePayment {
    /// The provider's id ([`egov_pay::provider::CreatedPayment::id`]).
    pub(crate) provider_id: String,
    pub(crate) order_id: i64,
    /// The merchant reference sent to the provider, unique per attempt.
    pub(crate) reference: String,
    /// `created`, `captured`, `canceled`, `failed` (the last known state).
    pub(crate) status: String,
}

/// How many online payments order `order_id` has had (to number the next attempt).
pub(crate) fn online_attempts(conn: &Connection, order_id: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM online_payments WHERE order_id = ?1",
        [order_id],
        |r| r.get(0),
    )
}

pub(crate) fn insert_online(
    conn: &Connection,
    payment: &OnlinePayment,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO online_payments (provider_id, order_id, reference, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            payment.provider_id,
            payment.order_id,
            payment.reference,
            payment.status,
            now.to_rfc3339()
        ],
    )?;
    Ok(())
}

fn online_where(conn: &Connection, column: &str, value: &str) -> rusqlite::Result<Option<OnlinePayment>> {
    conn.query_row(
        &format!("SELECT provider_id, order_id, reference, status FROM online_payments WHERE {column} = ?1"),
        [value],
        |r| {
            Ok(OnlinePayment {
                provider_id: r.get(0)?,
                order_id: r.get(1)?,
                reference: r.get(2)?,
                status: r.get(3)?,
            })
        },
    )
    .optional()
}

pub(crate) fn online_by_reference(
    conn: &Connection,
    reference: &str,
) -> rusqlite::Result<Option<OnlinePayment>> {
    online_where(conn, "reference", reference)
}

pub(crate) fn online_by_provider_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<OnlinePayment>> {
    online_where(conn, "provider_id", id)
}

pub(crate) fn set_online_status(conn: &Connection, provider_id: &str, status: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE online_payments SET status = ?1 WHERE provider_id = ?2",
        params![status, provider_id],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NewOrder {
        NewOrder {
            owner: "iss|sub".into(),
            language: Language::Fr,
            given_name: "Chloé".into(),
            family_name: "Exemple".into(),
            birth_date: NaiveDate::from_ymd_opt(1988, 11, 30).unwrap(),
            ahvn13: Some(Ahvn13::with_check_digit(756_999_910_001).unwrap()),
            email: "chloe@example.ch".into(),
            street: "Rue du Lac".into(),
            house_number: "5".into(),
            postal_code: "1000".into(),
            town: "Lausanne".into(),
            purpose: "bank".into(),
        }
    }

    #[test]
    fn orders_round_trip_and_are_paid_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("o.sqlite")).unwrap();
        let now = Utc::now();
        let order = insert(&mut conn, &sample(), now, |id| Some(format!("ref-{id}")))
            .unwrap()
            .unwrap();
        assert_eq!(order.reference, format!("ref-{}", order.id));
        assert_eq!(order.data.given_name, "Chloé");
        assert_eq!(order.data.language, Language::Fr);
        assert_eq!(order.data.ahvn13, sample().ahvn13);
        assert_eq!(order.amount_cents, 2000);
        assert!(!format!("{order:?}").contains("Chloé"));
        assert!(mark_paid(&conn, order.id, now).unwrap());
        assert!(!mark_paid(&conn, order.id, now).unwrap());
        let again = get(&conn, order.id).unwrap().unwrap();
        assert!(again.paid_at.is_some());
        assert_eq!(by_owner(&conn, "iss|sub").unwrap().len(), 1);
        assert!(by_owner(&conn, "other").unwrap().is_empty());
        assert_eq!(all(&conn).unwrap().len(), 1);
    }

    #[test]
    fn online_payments_are_found_by_either_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("o.sqlite")).unwrap();
        let order = insert(&mut conn, &sample(), Utc::now(), |id| Some(format!("ref-{id}")))
            .unwrap()
            .unwrap();
        assert_eq!(online_attempts(&conn, order.id).unwrap(), 0);
        let payment = OnlinePayment {
            provider_id: "sim00000001".into(),
            order_id: order.id,
            reference: "WB-2026-00001-1".into(),
            status: "created".into(),
        };
        insert_online(&conn, &payment, Utc::now()).unwrap();
        assert_eq!(online_attempts(&conn, order.id).unwrap(), 1);
        assert_eq!(
            online_by_reference(&conn, "WB-2026-00001-1").unwrap(),
            Some(payment.clone())
        );
        set_online_status(&conn, "sim00000001", "captured").unwrap();
        let found = online_by_provider_id(&conn, "sim00000001").unwrap().unwrap();
        assert_eq!(found.status, "captured");
        assert!(online_by_provider_id(&conn, "sim00000002").unwrap().is_none());
        // A reference is used once.
        let again = OnlinePayment {
            provider_id: "sim00000002".into(),
            ..payment
        };
        assert!(insert_online(&conn, &again, Utc::now()).is_err());
    }

    #[test]
    fn a_failed_reference_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("o.sqlite")).unwrap();
        assert!(
            insert(&mut conn, &sample(), Utc::now(), |_| None)
                .unwrap()
                .is_none()
        );
        assert!(all(&conn).unwrap().is_empty());
    }
}
