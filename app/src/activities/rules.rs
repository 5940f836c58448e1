//! The rules of activities and their sign-in codes, pure and tested.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

pub const TITLE_MAX: usize = 60;
pub const PLACE_MAX: usize = 100;
/// Attendees one save may tick (an activity can have more by sign-in).
pub const ATTENDEES_MAX: usize = 1000;

/// The characters of a sign-in code: digits and capitals without 0/O, 1/I/L, so that a code read
/// off a screen is typed right.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 12 characters of 31: about 59 bits, far beyond guessing at the sign-in rate limits.
pub const CODE_LEN: usize = 12;

/// A code as typed or scanned: capitals, without the dashes and spaces it is shown with.
/// `None` for anything that cannot be a code.
pub fn normalise_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A code as shown to people: `ABCD-EFGH-JKMN`.
pub fn show_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A start time as typed (`HH:MM`).
pub fn parse_start(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

/// Where an activity's sign-in stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SignIn {
    /// Opens an hour before the activity.
    NotYet,
    Open,
    /// The activity's day is over.
    Over,
    /// The cadre closed it early.
    Closed,
}

impl SignIn {
    pub fn label(self, t: &crate::i18n::Strings) -> &'static str {
        match self {
            SignIn::NotYet => t.signin_state_not_yet,
            SignIn::Open => t.signin_state_open,
            SignIn::Over => t.signin_state_over,
            SignIn::Closed => t.signin_state_closed,
        }
    }

    /// The light's class.
    pub fn class(self) -> &'static str {
        match self {
            SignIn::Open => "ok",
            SignIn::NotYet => "warn",
            SignIn::Over | SignIn::Closed => "muted",
        }
    }
}

/// When the code works: from an hour before the start (midnight when no start is set) to the
/// end of the activity's day, Shanghai time.
pub fn window(date: NaiveDate, start: Option<NaiveTime>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = crate::rules::shanghai_midnight(date);
    let opens = day + (start.unwrap_or(NaiveTime::MIN) - NaiveTime::MIN) - Duration::hours(1);
    (opens, day + Duration::days(1))
}

pub fn sign_in(
    now: DateTime<Utc>,
    date: NaiveDate,
    start: Option<NaiveTime>,
    closed: bool,
) -> SignIn {
    let (opens, ends) = window(date, start);
    if closed {
        SignIn::Closed
    } else if now < opens {
        SignIn::NotYet
    } else if now >= ends {
        SignIn::Over
    } else {
        SignIn::Open
    }
}

/// What a save of the attendees changes: the youths to add and those to remove. Attendees who
/// signed in after the form was loaded (`arrived_since`) stay, ticked or not: the cadre could not
/// have seen them.
pub fn attendee_changes(
    current: &[i64],
    ticked: &[i64],
    arrived_since: &[i64],
) -> (Vec<i64>, Vec<i64>) {
    let add = ticked
        .iter()
        .copied()
        .filter(|id| !current.contains(id))
        .collect();
    let remove = current
        .iter()
        .copied()
        .filter(|id| !ticked.contains(id) && !arrived_since.contains(id))
        .collect();
    (add, remove)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn codes_are_read_as_shown_and_nothing_else_is_a_code() {
        assert_eq!(show_code("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
        assert_eq!(
            normalise_code(" abcd-efgh-jkmn ").as_deref(),
            Some("ABCDEFGHJKMN")
        );
        assert_eq!(normalise_code("ABCDEFGHJKM"), None);
        assert_eq!(
            normalise_code("ABCDEFGHJKM0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(normalise_code("ABCDEFGHJKMNP"), None);
        assert_eq!(normalise_code("../etc/passw"), None);
    }

    #[test]
    fn the_code_works_from_an_hour_before_to_the_end_of_the_day() {
        let day = d("2026-12-05");
        let start = parse_start("14:00");
        // 14:00 Shanghai is 06:00 UTC.
        assert_eq!(
            sign_in(utc("2026-12-05T04:59:59Z"), day, start, false),
            SignIn::NotYet
        );
        assert_eq!(
            sign_in(utc("2026-12-05T05:00:00Z"), day, start, false),
            SignIn::Open
        );
        assert_eq!(
            sign_in(utc("2026-12-05T15:59:59Z"), day, start, false),
            SignIn::Open,
            "23:59:59 Shanghai"
        );
        assert_eq!(
            sign_in(utc("2026-12-05T16:00:00Z"), day, start, false),
            SignIn::Over
        );
        assert_eq!(
            sign_in(utc("2026-12-05T06:00:00Z"), day, start, true),
            SignIn::Closed
        );
        // Without a start, from 23:00 the evening before.
        assert_eq!(
            sign_in(utc("2026-12-04T15:00:00Z"), day, None, false),
            SignIn::Open
        );
        assert_eq!(
            sign_in(utc("2026-12-04T14:59:59Z"), day, None, false),
            SignIn::NotYet
        );
        assert_eq!(parse_start("25:00"), None);
    }

    #[test]
    fn a_save_keeps_those_who_signed_in_after_the_form_was_loaded() {
        let (add, remove) = attendee_changes(&[1, 2, 3, 9], &[2, 3, 4], &[9]);
        assert_eq!(add, vec![4]);
        assert_eq!(remove, vec![1]);
        let (add, remove) = attendee_changes(&[1, 2], &[1, 2], &[]);
        assert!(
            add.is_empty() && remove.is_empty(),
            "a replay changes nothing"
        );
    }
}
