//! The audit trail's hash chain: each row's hash covers its content and the hash of the row
//! before it, so a row changed, removed or slipped in breaks every hash after it. The digest
//! lives here, below the app, because the migration that introduced the chain hashed the rows
//! already there with it; the app hashes every new row with the same function.

use sha2::{Digest, Sha256};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a row's hash covers (every column but the hashes and the database id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link<'a> {
    /// The row's place in the chain: 1, 2, 3 … without gaps.
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<i64>,
    pub role: &'a str,
    pub ip: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub result: &'a str,
    pub details: &'a str,
}

/// The row's hash (lower-case hex SHA-256). Each field is written with its length, so no two
/// different rows read the same; the time in microseconds (what PostgreSQL keeps).
pub fn digest(prev_hash: &str, link: &Link<'_>) -> String {
    let at = link.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let seq = link.seq.to_string();
    let actor = link.actor_id.map(|a| a.to_string()).unwrap_or_default();
    let entity_id = link.entity_id.map(|a| a.to_string()).unwrap_or_default();
    let fields: [&str; 11] = [
        prev_hash,
        &seq,
        &at,
        &actor,
        link.role,
        link.ip.unwrap_or_default(),
        link.action,
        link.entity,
        &entity_id,
        link.result,
        link.details,
    ];
    let mut h = Sha256::new();
    h.update(b"liaison-audit-v1\n");
    for f in fields {
        h.update(f.len().to_string().as_bytes());
        h.update(b":");
        h.update(f.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(details: &str) -> Link<'_> {
        Link {
            seq: 1,
            at: chrono::DateTime::from_timestamp(1_764_000_000, 123_456_000).unwrap(),
            actor_id: Some(7),
            role: "cadre",
            ip: Some("10.0.0.1"),
            action: "login",
            entity: "account",
            entity_id: Some(7),
            result: "success",
            details,
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_count() {
        let base = digest(GENESIS, &link(""));
        assert_eq!(base.len(), 64);
        assert_eq!(base, digest(GENESIS, &link("")), "deterministic");
        assert_ne!(base, digest(GENESIS, &link("x")));
        assert_ne!(base, digest(&"1".repeat(64), &link("")));
        let mut l = link("");
        l.seq = 2;
        assert_ne!(base, digest(GENESIS, &l));
        let mut l = link("");
        l.result = "failure";
        assert_ne!(base, digest(GENESIS, &l));
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let mut a = link("");
        a.entity = "ab";
        a.action = "c";
        let mut b = link("");
        b.entity = "b";
        b.action = "ca";
        assert_ne!(digest(GENESIS, &a), digest(GENESIS, &b));
    }

    #[test]
    fn nanoseconds_beyond_microseconds_do_not_count() {
        let mut a = link("");
        let mut b = link("");
        a.at = chrono::DateTime::from_timestamp(1_764_000_000, 123_456_000).unwrap();
        b.at = chrono::DateTime::from_timestamp(1_764_000_000, 123_456_999).unwrap();
        assert_eq!(digest(GENESIS, &a), digest(GENESIS, &b));
    }
}
