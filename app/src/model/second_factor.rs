//! Second factors (TOTP, RFC 6238: HMAC-SHA1, six digits, 30-second steps): the codes, the
//! enrolment's secret and address, and recovery codes, as pure functions; and, on the database,
//! whether an account has a factor and whether a code or recovery code is good now. A code is
//! good once: accepting one moves the account's last step forward in one conditional UPDATE, so
//! a replay (on this instance or another) finds the step taken.

use crate::error::AppError;
use crate::model::entities::{totp_factor, totp_recovery_code};
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// Seconds per step.
pub const STEP: i64 = 30;
/// Steps either side of now that still count (a phone's clock a little off, a code typed as
/// it turned over): one, as RFC 6238 §5.2 recommends.
pub const SKEW: i64 = 1;
/// Bytes of a secret: 160 bits, RFC 4226's recommendation.
const SECRET_BYTES: usize = 20;
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;
/// Letters of a recovery code: no 0/o, 1/l/i, which read alike on paper.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// The time step a moment falls in.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP)
}

fn generator(secret: &[u8]) -> totp_rs::TOTP {
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 0, STEP as u64, secret.to_vec())
}

/// The code of `step` for a secret (raw bytes).
pub fn code_at(secret: &[u8], step: i64) -> String {
    generator(secret).generate(u64::try_from(step.max(0)).unwrap_or(0) * STEP as u64)
}

/// The step a typed code is good for at `now`, if any: the current step or one either side,
/// and later than `last_step` (the last accepted). Spaces in what was typed are ignored.
pub fn matching_step(secret: &[u8], typed: &str, now: i64, last_step: Option<i64>) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    (current - SKEW..=current + SKEW)
        .filter(|s| last_step.is_none_or(|last| *s > last))
        .find(|s| constant_time_eq(code_at(secret, *s).as_bytes(), typed.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh secret, as the Base32 an authenticator app takes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill(&mut bytes);
    base32(&bytes)
}

/// RFC 4648 Base32 without padding (what otpauth addresses carry).
pub fn base32(bytes: &[u8]) -> String {
    match totp_rs::Secret::Raw(bytes.to_vec()).to_encoded() {
        totp_rs::Secret::Encoded(s) => s.trim_end_matches('=').to_owned(),
        totp_rs::Secret::Raw(_) => String::new(),
    }
}

/// The raw bytes of a Base32 secret (`None` if it is not Base32).
pub fn secret_bytes(secret: &str) -> Option<Vec<u8>> {
    totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().ok()
}

/// The `otpauth://` address an authenticator app scans (Key Uri Format): the issuer and the
/// account name label the entry in the app.
pub fn otpauth_url(issuer: &str, account: &str, secret: &str) -> String {
    let label: String = url::form_urlencoded::byte_serialize(issuer.as_bytes())
        .chain([":"])
        .chain(url::form_urlencoded::byte_serialize(account.as_bytes()))
        .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", secret)
        .append_pair("issuer", issuer)
        .append_pair("algorithm", "SHA1")
        .append_pair("digits", "6")
        .append_pair("period", "30")
        .finish();
    format!("otpauth://totp/{label}?{query}")
}

/// The address as a QR code, an inline `<svg>` (no XML declaration) of dark squares only.
pub fn qr_svg(address: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(address.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(220, 220)
                .quiet_zone(true)
                .build();
            match svg.find("<svg") {
                Some(at) => svg[at..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

/// Ten fresh recovery codes, written `xxxxx-xxxxx` (50 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code: String = (0..10)
                .map(|_| char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())]))
                .collect();
            code.insert(5, '-');
            code
        })
        .collect()
}

/// What a recovery code is stored as: the SHA-256 of its letters, whatever the case, spaces and
/// dashes it was typed with.
pub fn recovery_hash(typed: &str) -> String {
    let letters: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(letters.as_bytes()))
}

/// Whether the account has a confirmed second factor.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn confirmed(db: &impl ConnectionTrait, account_id: i64) -> Result<bool, AppError> {
    Ok(totp_factor::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .is_some_and(|f| f.confirmed_at.is_some()))
}

/// Takes a code for the account's confirmed factor: true if it is good now and was not used
/// before (the step it matched is then the last step, so it cannot be used again).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn take_code(
    db: &impl ConnectionTrait,
    factor: &totp_factor::Model,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(secret) = secret_bytes(&factor.secret) else {
        return Ok(false);
    };
    let Some(step) = matching_step(&secret, typed, now.timestamp(), factor.last_step) else {
        return Ok(false);
    };
    // The step moves only forward: of two requests with the same code, one finds it taken.
    let taken = totp_factor::Entity::update_many()
        .col_expr(
            totp_factor::Column::LastStep,
            sea_orm::sea_query::Expr::value(step),
        )
        .filter(totp_factor::Column::AccountId.eq(factor.account_id))
        .filter(
            sea_orm::Condition::any()
                .add(totp_factor::Column::LastStep.is_null())
                .add(totp_factor::Column::LastStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Takes one of the account's unused recovery codes: true if it was one (it is then used).
///
/// # Errors
/// A database error, as `Internal`.
pub async fn take_recovery_code(
    db: &impl ConnectionTrait,
    account_id: i64,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let used = totp_recovery_code::Entity::update_many()
        .col_expr(
            totp_recovery_code::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(totp_recovery_code::Column::AccountId.eq(account_id))
        .filter(totp_recovery_code::Column::CodeHash.eq(recovery_hash(typed)))
        .filter(totp_recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(used.rows_affected >= 1)
}

/// How many of the account's recovery codes are still unused.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn recovery_codes_left(
    db: &impl ConnectionTrait,
    account_id: i64,
) -> Result<u64, AppError> {
    use sea_orm::PaginatorTrait;
    Ok(totp_recovery_code::Entity::find()
        .filter(totp_recovery_code::Column::AccountId.eq(account_id))
        .filter(totp_recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// Removes the account's factor, under way or confirmed, and its recovery codes.
///
/// # Errors
/// A database error, as `Internal`.
pub async fn remove(db: &impl ConnectionTrait, account_id: i64) -> Result<bool, AppError> {
    totp_recovery_code::Entity::delete_many()
        .filter(totp_recovery_code::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(totp_factor::Entity::delete_by_id(account_id)
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 secret.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_are_those_of_rfc_6238() {
        // Appendix B gives eight digits; six are their last six.
        assert_eq!(code_at(RFC_SECRET, step_of(59)), "287082");
        assert_eq!(code_at(RFC_SECRET, step_of(1_111_111_109)), "081804");
        assert_eq!(code_at(RFC_SECRET, step_of(1_234_567_890)), "005924");
        assert_eq!(code_at(RFC_SECRET, step_of(2_000_000_000)), "279037");
    }

    #[test]
    fn a_code_counts_in_its_step_and_one_either_side() {
        let code = code_at(RFC_SECRET, 10); // the step of 300..=329
                                            // Its own step, from the first second to the last.
        assert_eq!(matching_step(RFC_SECRET, &code, 300, None), Some(10));
        assert_eq!(matching_step(RFC_SECRET, &code, 329, None), Some(10));
        // Typed as it turned over: the next step still takes it, to its last second.
        assert_eq!(matching_step(RFC_SECRET, &code, 330, None), Some(10));
        assert_eq!(matching_step(RFC_SECRET, &code, 359, None), Some(10));
        // Two steps on it is gone.
        assert_eq!(matching_step(RFC_SECRET, &code, 360, None), None);
        // A phone clock a step ahead: the code of the step after now counts, two ahead does not.
        assert_eq!(matching_step(RFC_SECRET, &code, 299, None), Some(10));
        assert_eq!(matching_step(RFC_SECRET, &code, 270, None), Some(10));
        assert_eq!(matching_step(RFC_SECRET, &code, 269, None), None);
    }

    #[test]
    fn a_code_is_good_once() {
        let code = code_at(RFC_SECRET, 10);
        // Once step 10 was accepted, its code is refused for the rest of its window…
        assert_eq!(matching_step(RFC_SECRET, &code, 315, Some(10)), None);
        assert_eq!(matching_step(RFC_SECRET, &code, 345, Some(10)), None);
        // …and so is an earlier step's, while a later step's code is taken.
        let next = code_at(RFC_SECRET, 11);
        assert_eq!(matching_step(RFC_SECRET, &next, 345, Some(10)), Some(11));
        assert_eq!(
            matching_step(RFC_SECRET, &code_at(RFC_SECRET, 9), 300, Some(10)),
            None
        );
    }

    #[test]
    fn what_is_not_six_digits_is_no_code() {
        let code = code_at(RFC_SECRET, 10);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(RFC_SECRET, &spaced, 300, None), Some(10));
        for typed in ["", "12345", "1234567", "abcdef", "２８７０８２"] {
            assert_eq!(matching_step(RFC_SECRET, typed, 300, None), None, "{typed}");
        }
    }

    #[test]
    fn secrets_are_base32_of_160_bits_and_read_back() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert!(s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_eq!(secret_bytes(&s).map(|b| b.len()), Some(20));
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_ne!(new_secret(), s);
    }

    #[test]
    fn the_address_names_the_issuer_and_the_account() {
        let url = otpauth_url("Liaison", "cadre01", "GEZDGNBV");
        assert_eq!(
            url,
            "otpauth://totp/Liaison:cadre01?secret=GEZDGNBV&issuer=Liaison&algorithm=SHA1&digits=6&period=30"
        );
        let svg = qr_svg(&url);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        // Squares only: no element that could hold text or run anything.
        let elements: std::collections::BTreeSet<&str> = svg
            .split('<')
            .skip(1)
            .map(|t| t.split([' ', '>', '/']).next().unwrap_or(""))
            .filter(|t| !t.is_empty())
            .collect();
        assert!(
            elements.iter().all(|e| ["svg", "rect", "path"].contains(e)),
            "{elements:?}"
        );
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hash_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 11);
            assert_eq!(&c[5..6], "-");
        }
        let c = &codes[0];
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(c), recovery_hash(&codes[1]));
    }
}
