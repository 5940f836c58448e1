//! Field-level validation that speaks the user's language.

use crate::error::{AppError, FieldError};
use crate::i18n::{fill, Locale, Strings};
use serde::Serialize;

pub struct Validator {
    t: &'static Strings,
    fields: Vec<FieldError>,
}

impl Validator {
    pub fn new(locale: Locale) -> Self {
        Validator {
            t: locale.strings(),
            fields: Vec::new(),
        }
    }

    pub fn t(&self) -> &'static Strings {
        self.t
    }

    /// Records an error on `field` (the first one per field wins).
    pub fn fail(&mut self, field: &str, code: &str, message: impl Into<String>) {
        if self.fields.iter().all(|f| f.field != field) {
            self.fields.push(FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
                message: message.into(),
            });
        }
    }

    /// True when no field failed.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f.field == field)
    }

    /// A trimmed one-line text of at most `max` characters; required unless `optional`. Every
    /// control character is refused, tab and line breaks too: a name or a title with a line
    /// break splits a ledger's row, a mail header or a log line.
    pub fn text(&mut self, field: &str, value: &str, max: usize, required: bool) -> String {
        self.checked(field, value, max, required, has_any_control)
    }

    /// A trimmed text of several lines (a text area): tab and line breaks are kept, other
    /// control characters refused (they are never typed, and PostgreSQL cannot store a NUL).
    pub fn lines(&mut self, field: &str, value: &str, max: usize, required: bool) -> String {
        self.checked(field, value, max, required, has_control)
    }

    fn checked(
        &mut self,
        field: &str,
        value: &str,
        max: usize,
        required: bool,
        bad: fn(&str) -> bool,
    ) -> String {
        let v = value.trim();
        if required && v.is_empty() {
            self.fail(field, "required", self.t.err_required);
        } else if bad(v) {
            self.fail(field, "invalid_characters", self.t.err_invalid_characters);
        } else if v.chars().count() > max {
            self.fail(
                field,
                "too_long",
                fill(self.t.err_too_long, &[("max", &max.to_string())]),
            );
        }
        v.to_owned()
    }

    /// A value parsed from a closed list.
    pub fn choice<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, "required", self.t.err_required);
            return None;
        }
        let parsed = parse(v);
        if parsed.is_none() {
            self.fail(field, "invalid_choice", self.t.err_invalid_choice);
        }
        parsed
    }

    /// A record id chosen from a list.
    pub fn id(&mut self, field: &str, value: &str) -> Option<i64> {
        self.choice(field, value, |v| v.parse::<i64>().ok().filter(|id| *id > 0))
    }

    /// An optional mainland mobile number: 11 digits starting with 1.
    pub fn phone(&mut self, field: &str, value: &str, required: bool) -> Option<String> {
        let v = crate::model::youth::phone(value);
        if v.is_empty() {
            if required {
                self.fail(field, "required", self.t.err_required);
            }
            return None;
        }
        if crate::model::youth::is_mobile(&v) {
            Some(v)
        } else {
            self.fail(field, "invalid_phone", self.t.err_invalid_phone);
            None
        }
    }

    /// A new password: long enough, not too long, not common, not made of `context` (the
    /// account's name, username and phone number).
    /// A new password: the fixed rules ([`super::password::weakness`]) and the security
    /// policy's length and character classes.
    pub fn new_password(
        &mut self,
        field: &str,
        value: &str,
        context: &[&str],
        policy: &crate::types::SecurityPolicy,
    ) {
        use super::password::{weakness, Weakness, MAX_LEN, MIN_LEN};
        let (code, message) = match weakness(value, context) {
            None if value.chars().count() < policy.min_length.max(0) as usize => (
                "password_too_short",
                fill(
                    self.t.err_password_short,
                    &[("min", &policy.min_length.to_string())],
                ),
            ),
            None if crate::model::security::char_classes(value) < policy.char_classes => (
                "password_classes",
                fill(
                    self.t.err_password_classes,
                    &[("n", &policy.char_classes.to_string())],
                ),
            ),
            None => return,
            Some(Weakness::TooShort) => (
                "password_too_short",
                fill(self.t.err_password_short, &[("min", &MIN_LEN.to_string())]),
            ),
            Some(Weakness::TooLong) => (
                "password_too_long",
                fill(self.t.err_password_long, &[("max", &MAX_LEN.to_string())]),
            ),
            Some(Weakness::Common) => ("password_common", self.t.err_password_common.to_owned()),
            Some(Weakness::Personal) => {
                ("password_personal", self.t.err_password_personal.to_owned())
            }
        };
        self.fail(field, code, message);
    }

    /// The client-generated idempotency key of a create form.
    /// The all-zero id is refused: a client that sends it has not made one.
    pub fn request_id(&mut self, value: &str) -> uuid::Uuid {
        match uuid::Uuid::parse_str(value.trim()) {
            Ok(id) if !id.is_nil() && !id.is_max() => id,
            _ => {
                self.fail(
                    "request_id",
                    "invalid_request_id",
                    self.t.err_invalid_request,
                );
                uuid::Uuid::nil()
            }
        }
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, value: &str) -> Option<chrono::NaiveDate> {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, "required", self.t.err_required);
            return None;
        }
        let parsed = crate::rules::parse_date(v);
        if parsed.is_none() {
            self.fail(field, "invalid_date", self.t.err_invalid_date);
        }
        parsed
    }

    /// A number of hours between `min` and `max`, in steps of half an hour.
    pub fn hours(&mut self, field: &str, value: &str, min: f64, max: f64) -> Option<f64> {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, "required", self.t.err_required);
            return None;
        }
        match v.parse::<f64>() {
            Ok(h) if h >= min && h <= max && (h * 2.0).fract() == 0.0 => Some(h),
            _ => {
                let msg = fill(
                    self.t.err_hours_range,
                    &[("min", &fmt_num(min)), ("max", &fmt_num(max))],
                );
                self.fail(field, "invalid_hours", msg);
                None
            }
        }
    }

    /// An optional whole number between `min` and `max`.
    pub fn optional_int(&mut self, field: &str, value: &str, min: i32, max: i32) -> Option<i32> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        match v.parse::<i32>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                let msg = fill(
                    self.t.err_number_range,
                    &[("min", &min.to_string()), ("max", &max.to_string())],
                );
                self.fail(field, "invalid_number", msg);
                None
            }
        }
    }

    /// An optional text: `None` when blank.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let v = self.text(field, value, max, false);
        (!v.is_empty()).then_some(v)
    }

    /// Ok when no field failed; otherwise the errors with the input echoed back (passwords never).
    ///
    /// # Errors
    /// `Invalid` with every field error.
    pub fn finish(self, input: &impl Serialize) -> Result<(), AppError> {
        if self.fields.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid {
                fields: self.fields,
                input: echo(input),
            })
        }
    }
}

/// The submitted fields as text, without any password, for re-filling a form.
pub fn echo(input: &impl Serialize) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(input) else {
        return Vec::new();
    };
    map.into_iter()
        .filter(|(k, _)| !k.contains("password"))
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            serde_json::Value::Null => None,
            other => Some((k, other.to_string())),
        })
        .collect()
}

/// 8, 7.5 — no trailing zeros.
pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// Control characters other than tab, line feed and carriage return (browsers send a
/// textarea's line breaks as CR LF).
/// Any control character at all: what a one-line field refuses.
pub fn has_any_control(v: &str) -> bool {
    v.chars().any(char::is_control)
}

pub fn has_control(v: &str) -> bool {
    v.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A search text from a request: control characters dropped, at most `max` characters.
pub fn search_text(v: &str, max: usize) -> String {
    v.chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Input {
        name: String,
        password: String,
        new_password: String,
    }

    #[test]
    fn echo_never_returns_passwords() {
        let e = echo(&Input {
            name: "张三".into(),
            password: "secret".into(),
            new_password: "secret2".into(),
        });
        assert_eq!(e, vec![("name".to_string(), "张三".to_string())]);
    }

    #[test]
    fn messages_are_in_the_users_language() {
        let mut v = Validator::new(Locale::ZhCn);
        v.text("name", "  ", 10, true);
        v.text("title", "一二三四五六", 5, true);
        let err = v.finish(&()).unwrap_err();
        assert_eq!(err.field("name").unwrap().message, "请填写此项");
        assert_eq!(err.field("title").unwrap().message, "最多 5 个字");
        assert_eq!(err.field("title").unwrap().code, "too_long");

        let mut v = Validator::new(Locale::En);
        v.phone("phone", "12345", true);
        assert_eq!(
            v.finish(&()).unwrap_err().field("phone").unwrap().message,
            "Enter an 11-digit mobile number"
        );
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_kept() {
        let mut v = Validator::new(Locale::En);
        let kept = v.lines("a", "line one\r\nline two\tend", 100, true);
        assert_eq!(kept, "line one\r\nline two\tend");
        // One line: a break or a tab is refused too.
        v.text("d", "line one\nline two", 100, true);
        v.text("e", "tab\there", 100, true);
        v.text("b", "nul\0byte", 100, true);
        v.text("c", "bell\u{7}", 100, true);
        let err = v.finish(&()).unwrap_err();
        assert!(err.field("a").is_none());
        assert_eq!(err.field("b").unwrap().code, "invalid_characters");
        assert_eq!(err.field("d").unwrap().code, "invalid_characters");
        assert_eq!(err.field("e").unwrap().code, "invalid_characters");
        assert_eq!(err.field("c").unwrap().code, "invalid_characters");
        assert_eq!(search_text("王\0芳", 10), "王芳");
    }

    #[test]
    fn request_ids_must_be_real_uuids() {
        let mut v = Validator::new(Locale::En);
        v.request_id("00000000-0000-0000-0000-000000000000");
        assert!(v.has("request_id"));
        let mut v = Validator::new(Locale::En);
        v.request_id("not-a-uuid");
        assert!(v.has("request_id"));
        let mut v = Validator::new(Locale::En);
        v.request_id(&uuid::Uuid::new_v4().to_string());
        assert!(!v.has("request_id"));
    }

    #[test]
    fn dates_outside_2000_to_2100_are_refused() {
        let mut v = Validator::new(Locale::En);
        assert!(v.date("a", "2026-11-26").is_some());
        assert!(v.date("b", "300000-01-01").is_none());
        assert!(v.date("c", "1999-12-31").is_none());
        assert!(v.has("b") && v.has("c"));
    }
}
