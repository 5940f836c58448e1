//! Sending one email over SMTP (lettre with rustls: no OpenSSL).
//!
//! `--smtp-url`: `smtps://user:pass@host:465` (TLS from the start) or `smtp://user:pass@host:587`
//! (STARTTLS required). Only a server on this machine (`localhost`, `127.0.0.1`, `::1`) may be
//! spoken to without TLS, so a password never crosses the network in the clear. lettre's own
//! `?tls=` parameter, when given, decides instead.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Why an email did not go.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// Worth another try later (a 4xx answer, a refused or dropped connection, a timeout).
    Transient(String),
    /// Will fail again (a 5xx answer, an address that cannot be written).
    Permanent(String),
}

/// The configured SMTP server and sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The server, without credentials, for logs and the health page.
    pub server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// The URL lettre is given: STARTTLS required for `smtp://` to anything but this machine.
pub fn effective_url(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("--smtp-url: {e}"))?;
    match parsed.scheme() {
        "smtps" => Ok(url.to_owned()),
        "smtp" => {
            let loopback = matches!(
                parsed.host_str(),
                Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
            );
            let has_tls = parsed.query_pairs().any(|(k, _)| k == "tls");
            if loopback || has_tls {
                Ok(url.to_owned())
            } else {
                let sep = if parsed.query().is_some() { '&' } else { '?' };
                Ok(format!("{url}{sep}tls=required"))
            }
        }
        other => Err(format!(
            "--smtp-url: the scheme must be smtp or smtps, not {other}"
        )),
    }
}

impl Mailer {
    /// # Errors
    /// A URL or sender address that cannot be used, in words for the operator.
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let effective = effective_url(url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&effective)
            .map_err(|e| format!("--smtp-url: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("--mail-from {from:?}: {e}"))?;
        let mut shown = url::Url::parse(url).map_err(|e| format!("--smtp-url: {e}"))?;
        let _ = shown.set_password(None);
        let _ = shown.set_username("");
        Ok(Mailer {
            transport,
            from,
            server: shown.to_string(),
        })
    }

    /// Sends one email with a plain-text and an HTML part. The Message-ID is the caller's, the
    /// same on every try, so a server that got an earlier try can tell.
    ///
    /// # Errors
    /// [`SendError`].
    pub async fn send(
        &self,
        to_addr: &str,
        to_name: &str,
        subject: &str,
        text: &str,
        html: &str,
        message_id: &str,
    ) -> Result<(), SendError> {
        let to: Mailbox = format!("{} <{to_addr}>", quote_name(to_name))
            .parse()
            .or_else(|_| to_addr.parse())
            .map_err(|e| SendError::Permanent(format!("address {to_addr:?}: {e}")))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.to_owned()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text.to_owned()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html.to_owned()),
                    ),
            )
            .map_err(|e| SendError::Permanent(format!("message: {e}")))?;
        match self.transport.send(msg).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

/// A display name as a quoted string (lettre encodes non-ASCII names per RFC 2047).
fn quote_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    format!("\"{clean}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starttls_is_required_off_this_machine() {
        assert_eq!(
            effective_url("smtp://u:p@smtp.example.com:587").unwrap(),
            "smtp://u:p@smtp.example.com:587?tls=required"
        );
        assert_eq!(
            effective_url("smtp://127.0.0.1:2525").unwrap(),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            effective_url("smtp://mail.example.com?tls=opportunistic").unwrap(),
            "smtp://mail.example.com?tls=opportunistic"
        );
        assert_eq!(
            effective_url("smtps://u:p@smtp.example.com:465").unwrap(),
            "smtps://u:p@smtp.example.com:465"
        );
        assert!(effective_url("http://example.com").is_err());
        assert!(effective_url("not a url").is_err());
    }

    #[test]
    fn the_server_is_shown_without_credentials() {
        let m = Mailer::new(
            "smtp://user:secret@127.0.0.1:2525",
            "联系青年 <noreply@example.org>",
        )
        .unwrap();
        assert!(!m.server.contains("secret") && !m.server.contains("user"));
        assert!(Mailer::new("smtp://127.0.0.1:2525", "not an address").is_err());
    }
}
