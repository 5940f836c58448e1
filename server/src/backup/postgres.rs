//! PostgreSQL: `pg_dump --format=custom` from the PATH, handed the snapshot of a REPEATABLE READ
//! transaction (`pg_export_snapshot()`) in which the manifest's counts and audit head are read:
//! the dump and its manifest see the same committed transactions, whatever the app writes
//! meanwhile. Verifying reads the dump's data back with `pg_restore --data-only` (no database
//! needed) and walks its audit rows; restoring is `pg_restore --no-owner` in one transaction.
//!
//! The password of the database URL is handed to the tools in `PGPASSWORD`, never on their
//! command line (where `ps` would show it).

use super::{contents, AuditHead, Contents, Failure, Found, NotEmpty};
use anyhow::{bail, Context};
use app::model::entities::audit_log;
use app::ssr::audit::{check_rows, Break, Broken};
use chrono::{DateTime, Utc};
use migrations::audit_chain::GENESIS;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseBackend, DatabaseConnection, IsolationLevel, Statement,
    TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Writes the dump of `db` (at `url`) to `to` and reads, in the same snapshot, what it holds.
pub(super) async fn snapshot(
    db: &DatabaseConnection,
    url: &str,
    to: &Path,
) -> anyhow::Result<Contents> {
    let txn = db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    // The transaction's first statement: its snapshot is the one exported.
    let snapshot: String = txn
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT pg_export_snapshot() AS snapshot",
        ))
        .await?
        .context("PostgreSQL exported no snapshot")?
        .try_get("", "snapshot")?;
    let read = contents(&txn).await?;
    let mut cmd = tool("pg_dump", Some(url));
    cmd.arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .arg("--file")
        .arg(to)
        // Times in the dump in UTC, whatever the server's zone.
        .env("PGTZ", "UTC");
    // The snapshot lives as long as the transaction: it stays open until pg_dump is done.
    let out = run(cmd, "pg_dump").await;
    txn.rollback().await?;
    let out = out?;
    if !out.status.success() {
        bail!("pg_dump failed: {}", stderr(&out));
    }
    Ok(read)
}

/// Checks a dump: `pg_restore --list` reads it, then its data is read back to count every
/// table's rows and walk the audit chain.
pub(super) async fn examine(file: &Path) -> anyhow::Result<Result<Found, Failure>> {
    let file = file.to_owned();
    tokio::task::spawn_blocking(move || examine_blocking(&file)).await?
}

fn examine_blocking(file: &Path) -> anyhow::Result<Result<Found, Failure>> {
    let mut list = tool("pg_restore", None);
    list.arg("--list").arg(file);
    let out = output(list, "pg_restore")?;
    if !out.status.success() {
        return Ok(Err(Failure::Integrity(format!(
            "pg_restore cannot read the dump: {}",
            stderr(&out)
        ))));
    }
    // Where the chain starts (the newest archive's anchor) and where it says it ends.
    let mut start = (0i64, GENESIS.to_owned());
    let mut recorded_end: Option<(i64, String)> = None;
    let first = copy_rows(file, &["audit_anchors", "audit_head"], |table, row| {
        match table {
            "audit_anchors" => {
                let last_seq: i64 = parse(row.get("last_seq")?)?;
                if last_seq > start.0 {
                    start = (last_seq, row.text("last_hash")?);
                }
            }
            "audit_head" if row.get("id")? == Some("1") => {
                recorded_end = Some((parse(row.get("seq")?)?, row.text("last_hash")?));
            }
            _ => {}
        }
        Ok(())
    })?;
    if let Err(why) = first {
        return Ok(Err(Failure::Integrity(why)));
    }
    let anchored_at = (start.0 > 0).then_some(start.0);
    let mut walk = Walk::from(start);
    let mut tables: BTreeMap<String, u64> = BTreeMap::new();
    let mut head: Option<AuditHead> = None;
    let all = copy_rows(file, &[], |table, row| {
        *tables.entry(table.to_owned()).or_default() += 1;
        if table == "audit_log" {
            let m = audit_row(&row)?;
            if head.as_ref().is_none_or(|h| m.seq > h.seq) {
                head = Some(AuditHead {
                    seq: m.seq,
                    hash: m.hash.clone(),
                });
            }
            walk.push(m);
        }
        Ok(())
    })?;
    if let Err(why) = all {
        return Ok(Err(Failure::Integrity(why)));
    }
    // Tables without rows are not in `tables`: the comparison takes a missing table as 0.
    let (rows, broken) = walk.finish(recorded_end);
    Ok(Ok(Found {
        tables,
        chain: app::ssr::audit::Verified {
            rows,
            anchored_at,
            broken,
        },
        audit_head: head,
    }))
}

/// Restores a dump into the empty database at `url`.
pub(super) async fn restore(file: &Path, url: &str) -> anyhow::Result<()> {
    let db = crate::db::connect(&crate::config::DatabaseArgs {
        url: url.to_owned(),
        max_connections: 1,
    })
    .await
    .with_context(|| {
        format!(
            "{}: cannot connect (create the empty database first: createdb …)",
            super::shown(url)
        )
    })?;
    let tables = db
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT n.nspname::text || '.' || c.relname::text AS name \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') \
             AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1",
        ))
        .await;
    db.close().await?;
    let tables: Vec<String> = tables?
        .iter()
        .filter_map(|r| r.try_get::<String>("", "name").ok())
        .collect();
    if let Some(first) = tables.first() {
        return Err(NotEmpty {
            target: super::shown(url),
            tables: tables.len(),
            example: first.clone(),
        }
        .into());
    }
    let mut cmd = tool("pg_restore", Some(url));
    cmd.args(["--no-owner", "--single-transaction", "--exit-on-error"])
        .arg(file);
    let out = run(cmd, "pg_restore").await?;
    if !out.status.success() {
        bail!(
            "pg_restore failed, and its one transaction was rolled back (nothing was restored): {}",
            stderr(&out)
        );
    }
    Ok(())
}

/// A PostgreSQL client tool, connected to `url` when given (its password in the environment).
fn tool(program: &str, url: Option<&str>) -> Command {
    let mut cmd = Command::new(program);
    if let Some(url) = url {
        let (dbname, password) = without_password(url);
        cmd.arg(format!("--dbname={dbname}"));
        if let Some(p) = password {
            cmd.env("PGPASSWORD", p);
        }
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// The URL without its password, and the password (percent-decoded).
fn without_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut u) => match u.password().map(percent_decoded) {
            Some(p) => {
                let _ = u.set_password(None);
                (u.to_string(), Some(p))
            }
            None => (url.to_owned(), None),
        },
        Err(_) => (url.to_owned(), None),
    }
}

fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What to tell the admin when a tool is missing.
fn not_found(program: &str) -> String {
    format!(
        "{program} was not found on PATH: install the PostgreSQL client tools (the \
         postgresql-client package, e.g. `apt-get install postgresql-client`), of the server's \
         major version or newer"
    )
}

fn output(mut cmd: Command, program: &str) -> anyhow::Result<Output> {
    match cmd.output() {
        Ok(out) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!("{}", not_found(program)),
        Err(e) => Err(e).with_context(|| format!("{program} could not be started")),
    }
}

/// Runs a tool to its end off the async threads.
async fn run(cmd: Command, program: &'static str) -> anyhow::Result<Output> {
    tokio::task::spawn_blocking(move || output(cmd, program)).await?
}

fn stderr(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let text = text.trim();
    if text.is_empty() {
        format!("it exited with {}", out.status)
    } else {
        text.lines().take(8).collect::<Vec<_>>().join(" / ")
    }
}

/// One row of a COPY block, by column name.
struct CopyRow<'a> {
    columns: &'a HashMap<String, usize>,
    values: Vec<Option<String>>,
}

impl CopyRow<'_> {
    fn get(&self, column: &str) -> anyhow::Result<Option<&str>> {
        let i = *self
            .columns
            .get(column)
            .with_context(|| format!("the dump has no column {column}"))?;
        Ok(self.values.get(i).and_then(|v| v.as_deref()))
    }

    fn text(&self, column: &str) -> anyhow::Result<String> {
        Ok(self
            .get(column)?
            .with_context(|| format!("{column} is NULL"))?
            .to_owned())
    }
}

fn parse<T: std::str::FromStr>(value: Option<&str>) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    let v = value.context("a NULL where a number belongs")?;
    v.parse()
        .map_err(|e| anyhow::anyhow!("{v:?} is not a number: {e}"))
}

/// Streams the data of a dump's tables (all of them when `tables` is empty) through `each`, row
/// by row, as `pg_restore --data-only` writes it. `Ok(Err(why))` when pg_restore failed.
fn copy_rows(
    file: &Path,
    tables: &[&str],
    mut each: impl FnMut(&str, CopyRow<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<Result<(), String>> {
    let mut cmd = tool("pg_restore", None);
    cmd.arg("--data-only").arg("--file=-");
    for t in tables {
        cmd.arg(format!("--table={t}"));
    }
    cmd.arg(file).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!("{}", not_found("pg_restore")),
        Err(e) => return Err(e).context("pg_restore could not be started"),
    };
    let (Some(stdout), Some(mut err_pipe)) = (child.stdout.take(), child.stderr.take()) else {
        bail!("pg_restore's output could not be read");
    };
    // Read apart, so that a chatty stderr cannot stall the data.
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err_pipe, &mut s);
        s
    });
    let read = (|| -> anyhow::Result<()> {
        let mut reader = std::io::BufReader::with_capacity(1 << 20, stdout);
        let mut line = Vec::new();
        let mut block: Option<(String, HashMap<String, usize>)> = None;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            let text = String::from_utf8_lossy(&line);
            match &block {
                Some(_) if text == "\\." => block = None,
                Some((table, columns)) => each(
                    table,
                    CopyRow {
                        columns,
                        values: fields(&text),
                    },
                )
                .with_context(|| format!("a row of {table} in the dump cannot be read"))?,
                None => {
                    if let Some((table, columns)) = copy_header(&text) {
                        block = Some((table, columns.into_iter().zip(0..).collect()));
                    }
                }
            }
        }
    })();
    if read.is_err() {
        let _ = child.kill();
    }
    let status = child.wait()?;
    let errors = errors.join().unwrap_or_default();
    read?;
    if !status.success() {
        let why = errors.trim();
        return Ok(Err(format!(
            "pg_restore cannot read the dump's data: {}",
            if why.is_empty() { "it failed" } else { why }
        )));
    }
    Ok(Ok(()))
}

/// `COPY public.audit_log (id, at, …) FROM stdin;` as its table and columns; the public schema's
/// tables by their bare names (as the manifest counts them).
fn copy_header(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line.strip_prefix("COPY ")?.strip_suffix(" FROM stdin;")?;
    let (name, columns) = match rest.split_once(" (") {
        Some((name, cols)) => (name, cols.strip_suffix(')')?),
        None => (rest, ""),
    };
    let name = name.strip_prefix("public.").unwrap_or(name);
    let columns = columns
        .split(", ")
        .filter(|c| !c.is_empty())
        .map(unquoted)
        .collect();
    Some((unquoted(name), columns))
}

fn unquoted(ident: &str) -> String {
    match ident.strip_prefix('"').and_then(|i| i.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => ident.to_owned(),
    }
}

/// The fields of a line of COPY text: tab-separated, `\N` for NULL, backslash escapes.
fn fields(line: &str) -> Vec<Option<String>> {
    line.split('\t')
        .map(|f| (f != "\\N").then(|| unescaped(f)))
        .collect()
}

fn unescaped(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_owned();
    }
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let c = b[i + 1];
        i += 2;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match b.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(u8::try_from(v & 0xff).unwrap_or(0));
            }
            b'x' if b.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u8;
                for _ in 0..2 {
                    match b.get(i).and_then(|d| char::from(*d).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + u8::try_from(d).unwrap_or(0);
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(v);
            }
            other => out.push(other),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `timestamptz` as PostgreSQL writes it with `DateStyle=ISO`: `2026-12-03 02:00:00.123456+00`.
fn timestamp(s: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%#z")
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| anyhow::anyhow!("{s:?} is not a time: {e}"))
}

fn audit_row(row: &CopyRow<'_>) -> anyhow::Result<audit_log::Model> {
    let optional = |c: &str| -> anyhow::Result<Option<i64>> {
        row.get(c)?.map(|v| parse(Some(v))).transpose()
    };
    Ok(audit_log::Model {
        id: parse(row.get("id")?)?,
        at: timestamp(row.get("at")?.context("at is NULL")?)?,
        actor_id: optional("actor_id")?,
        action: row.text("action")?,
        entity: row.text("entity")?,
        entity_id: optional("entity_id")?,
        details: row.text("details")?,
        ip: row.get("ip")?.map(str::to_owned),
        seq: parse(row.get("seq")?)?,
        role: row.text("role")?,
        result: row.text("result")?,
        prev_hash: row.text("prev_hash")?,
        hash: row.text("hash")?,
    })
}

/// The audit chain walked in `seq` order as rows arrive in the dump's (physical) order: rows
/// ahead of their turn wait, so only the out-of-order ones are held.
struct Walk {
    /// Where the walk starts: rows up to here were archived (and are not walked, as
    /// `audit::verify` does not walk them).
    start: i64,
    seq: i64,
    prev: String,
    rows: u64,
    waiting: BTreeMap<i64, audit_log::Model>,
    broken: Option<Broken>,
}

impl From<(i64, String)> for Walk {
    fn from((seq, prev): (i64, String)) -> Self {
        Walk {
            start: seq,
            seq,
            prev,
            rows: 0,
            waiting: BTreeMap::new(),
            broken: None,
        }
    }
}

impl Walk {
    fn push(&mut self, row: audit_log::Model) {
        if self.broken.is_some() || row.seq <= self.start {
            return;
        }
        if row.seq <= self.seq || self.waiting.contains_key(&row.seq) {
            // A second row in a place the chain has: it follows nothing.
            self.broken = Some(Broken {
                id: Some(row.id),
                seq: row.seq,
                why: Break::Gap,
            });
            return;
        }
        self.waiting.insert(row.seq, row);
        while let Some(next) = self.waiting.remove(&(self.seq + 1)) {
            if let Some(b) = check_rows([&next], &mut self.seq, &mut self.prev) {
                self.broken = Some(b);
                return;
            }
            self.rows += 1;
        }
    }

    /// Rows checked, and where the chain does not hold: a row still waiting means the rows
    /// before it are missing; an end short of the recorded head means rows were cut off.
    fn finish(mut self, recorded_end: Option<(i64, String)>) -> (u64, Option<Broken>) {
        if self.broken.is_none() {
            if let Some((_, first)) = self.waiting.pop_first() {
                self.broken = check_rows([&first], &mut self.seq, &mut self.prev);
            }
        }
        if self.broken.is_none() {
            self.broken = recorded_end
                .filter(|(seq, hash)| *seq != self.seq || *hash != self.prev)
                .map(|_| Broken {
                    id: None,
                    seq: self.seq,
                    why: Break::Truncated,
                });
        }
        (self.rows, self.broken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrations::audit_chain::{digest, Link};

    #[test]
    fn copy_headers_name_the_table_and_its_columns() {
        assert_eq!(
            copy_header("COPY public.audit_log (id, at, \"order\") FROM stdin;"),
            Some((
                "audit_log".to_owned(),
                vec!["id".to_owned(), "at".to_owned(), "order".to_owned()]
            ))
        );
        assert_eq!(
            copy_header("COPY other.\"Odd\"\"Name\" (a) FROM stdin;").map(|h| h.0),
            Some("other.\"Odd\"\"Name\"".to_owned())
        );
        assert_eq!(copy_header("SELECT pg_catalog.setval('x', 1, true);"), None);
    }

    #[test]
    fn copy_fields_unescape_as_postgresql_escapes() {
        assert_eq!(
            fields("1\t\\N\ta\\tb\\nc\\\\d\t\\101\\x42"),
            vec![
                Some("1".to_owned()),
                None,
                Some("a\tb\nc\\d".to_owned()),
                Some("AB".to_owned())
            ]
        );
        assert_eq!(
            fields("张伟\t"),
            vec![Some("张伟".to_owned()), Some(String::new())]
        );
    }

    #[test]
    fn dump_times_read_to_the_microsecond_in_any_zone() {
        let want = DateTime::from_timestamp(1_764_727_200, 123_456_000).unwrap();
        assert_eq!(timestamp("2025-12-03 02:00:00.123456+00").unwrap(), want);
        assert_eq!(timestamp("2025-12-03 10:00:00.123456+08").unwrap(), want);
        assert_eq!(timestamp("2025-12-03 07:30:00.123456+05:30").unwrap(), want);
        let whole = DateTime::from_timestamp(1_764_727_200, 0).unwrap();
        assert_eq!(timestamp("2025-12-03 02:00:00+00").unwrap(), whole);
        assert!(timestamp("yesterday").is_err());
    }

    #[test]
    fn passwords_go_to_the_environment_not_the_command_line() {
        assert_eq!(
            without_password("postgres://liaison:p%40ss%2Fw@db:5432/liaison?sslmode=require"),
            (
                "postgres://liaison@db:5432/liaison?sslmode=require".to_owned(),
                Some("p@ss/w".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1/x"),
            ("postgres://postgres@127.0.0.1/x".to_owned(), None)
        );
    }

    fn chain(n: i64) -> Vec<audit_log::Model> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let at = DateTime::from_timestamp(1_764_000_000 + seq, 0).unwrap();
                let details = format!("row {seq}");
                let hash = digest(
                    &prev,
                    &Link {
                        seq,
                        at,
                        actor_id: None,
                        role: "",
                        ip: None,
                        action: "login",
                        entity: "account",
                        entity_id: None,
                        result: "success",
                        details: &details,
                    },
                );
                let m = audit_log::Model {
                    id: seq + 100,
                    at,
                    actor_id: None,
                    action: "login".to_owned(),
                    entity: "account".to_owned(),
                    entity_id: None,
                    details,
                    ip: None,
                    seq,
                    role: String::new(),
                    result: "success".to_owned(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                m
            })
            .collect()
    }

    fn walked(rows: Vec<audit_log::Model>, end: Option<(i64, String)>) -> (u64, Option<Broken>) {
        let mut w = Walk::from((0, GENESIS.to_owned()));
        for r in rows {
            w.push(r);
        }
        w.finish(end)
    }

    #[test]
    fn the_walk_holds_in_any_order_the_rows_arrive() {
        let rows = chain(6);
        let end = Some((6, rows[5].hash.clone()));
        assert_eq!(walked(rows.clone(), end.clone()), (6, None));
        let mut shuffled = rows.clone();
        shuffled.swap(1, 4);
        shuffled.swap(0, 5);
        assert_eq!(walked(shuffled, end), (6, None));
    }

    #[test]
    fn the_walk_names_a_changed_row_a_gap_and_a_cut_end() {
        let rows = chain(6);
        let end = Some((6, rows[5].hash.clone()));
        let mut changed = rows.clone();
        changed[3].details = "nothing happened".to_owned();
        let (n, b) = walked(changed, end.clone());
        assert_eq!(
            (n, b.map(|b| (b.seq, b.why))),
            (3, Some((4, Break::Changed)))
        );

        let mut gap = rows.clone();
        gap.remove(2);
        let b = walked(gap, end.clone()).1.unwrap();
        assert_eq!((b.id, b.seq, b.why), (Some(104), 4, Break::Gap));

        let cut = rows[..5].to_vec();
        let b = walked(cut, end).1.unwrap();
        assert_eq!((b.id, b.seq, b.why), (None, 5, Break::Truncated));
    }

    #[test]
    fn the_walk_starts_at_the_archive_anchor() {
        let rows = chain(6);
        let mut w = Walk::from((3, rows[2].hash.clone()));
        for r in rows[3..].iter().cloned() {
            w.push(r);
        }
        assert_eq!(w.finish(Some((6, rows[5].hash.clone()))), (3, None));
    }
}
