//! Hostile uploads against the running app: how long each dry run takes, how much the server's
//! memory grows while it runs, and how long `/healthz` takes to answer meanwhile.
//!
//! `cargo bench -p server --bench hostile` (a small generated district in a temporary SQLite
//! file, or `BENCH_DATABASE_URL`). The app is served in this process, so its peak memory is this
//! process's: freed memory is handed back (`malloc_trim`) and the peak reset
//! (`/proc/self/clear_refs`) before each upload, and the peak read (`VmHWM`) after it. The
//! figure includes the benchmark's own client, which holds the file while it is sent. Budget
//! for each file: the answer within 5 s, at most 100 MB of growth, `/healthz` within 200 ms
//! throughout. Figures are recorded in `docs/BENCHMARKS.md`.

#[path = "common/mod.rs"]
mod common;
#[path = "common/xlsx.rs"]
mod xlsx;

use reqwest::header;
use server::config::ServeArgs;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HEADER: &str =
    "姓名,性别,出生年份,手机号,微信号,所属组织,单位/学校,领域,政治面貌,团干部,标签,备注";

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn reset_peak() {
    // Hand memory freed by earlier files back to the system first, so that the resident set
    // measured from is what the process holds now, not what an earlier upload left cached.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
    // "5" resets the peak resident set size (VmHWM) to the current one.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A deterministic stream of pseudo-random numbers (xorshift), so that the files are the same
/// on every run and compress like real text does not.
struct Rand(u64);
impl Rand {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn phone(&mut self) -> String {
        format!("13{:09}", self.next() % 1_000_000_000)
    }
    fn text(&mut self, chars: usize) -> String {
        const HAN: &[char] = &[
            '青', '年', '联', '系', '团', '员', '学', '习', '社', '区', '企', '业',
        ];
        (0..chars)
            .map(|_| HAN[(self.next() % HAN.len() as u64) as usize])
            .collect()
    }
}

fn files() -> Vec<(&'static str, String, Vec<u8>)> {
    let header: Vec<&str> = HEADER.split(',').collect();
    let one = |w: &mut dyn Write| {
        xlsx::row(w, 1, &header);
        xlsx::row(
            w,
            2,
            &[
                "陈晨",
                "男",
                "",
                "13700000001",
                "",
                "",
                "",
                "学生",
                "团员",
                "",
                "",
                "",
            ],
        );
    };
    let mut out = Vec::new();
    out.push((
        "sparse.xlsx",
        "A1 … XFD1048576 (a 550 GB grid)".to_owned(),
        xlsx::workbook(
            &|w| {
                one(w);
                write!(w, "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>").unwrap();
            },
            None,
        ),
    ));
    out.push((
        "sparse-l.xlsx",
        "A1 … L1048576".to_owned(),
        xlsx::workbook(
            &|w| {
                one(w);
                write!(w, "<row r=\"1048576\"><c r=\"L1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>").unwrap();
            },
            None,
        ),
    ));
    let chunk = vec![b'a'; 1 << 20];
    out.push((
        "bomb.xlsx",
        "one shared string of 1 GiB".to_owned(),
        xlsx::workbook(
            &one,
            Some(&|w| {
                write!(w, "<si><t>").unwrap();
                for _ in 0..1024 {
                    w.write_all(&chunk).unwrap();
                }
                write!(w, "</t></si>").unwrap();
            }),
        ),
    ));
    let mut probe = format!("{HEADER}\n");
    for i in 0..10_000 {
        probe.push_str(&format!("候选,女,,159{i:04}3733,,,,学生,团员,,,\n"));
    }
    out.push((
        "probe.csv",
        "10,000 candidates for 159****3733".to_owned(),
        probe.into_bytes(),
    ));
    let mut xs = format!("{HEADER}\n");
    for _ in 0..50_000 {
        xs.push_str("x\n");
    }
    out.push(("xs.csv", "50,000 rows of `x`".to_owned(), xs.into_bytes()));

    // Valid files of about 10 MB: 50,000 youths with long notes, as CSV and as XLSX.
    let mut r = Rand(0x9e37_79b9_7f4a_7c15);
    let youths: Vec<[String; 4]> = (0..50_000)
        .map(|i| [format!("青年{i}"), r.phone(), r.text(40), r.text(12)])
        .collect();
    let mut csv = format!("{HEADER}\n");
    for y in &youths {
        csv.push_str(&format!(
            "{},女,2000,{},,,{},学生,团员,,,{}\n",
            y[0], y[1], y[3], y[2]
        ));
    }
    csv.truncate(
        csv[..csv.len().min(10 * 1024 * 1024 - 1024)]
            .rfind('\n')
            .unwrap_or(0)
            + 1,
    );
    out.push((
        "valid.csv",
        "valid youths, long notes".to_owned(),
        csv.into_bytes(),
    ));
    let book = xlsx::workbook(
        &|w| {
            xlsx::row(w, 1, &header);
            for (i, y) in youths.iter().enumerate() {
                xlsx::row(
                    w,
                    i + 2,
                    &[
                        &y[0], "女", "2000", &y[1], "", "", &y[3], "学生", "团员", "", "", &y[2],
                    ],
                );
            }
        },
        None,
    );
    out.push((
        "valid.xlsx",
        "50,000 valid youths, inline strings".to_owned(),
        book,
    ));
    out
}

fn main() -> anyhow::Result<()> {
    server::memory::limit_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let url = common::database("hostile").await?;
    let (base, client) =
        common::serve_as_admin(ServeArgs::new("127.0.0.1:0".parse()?, url.clone())).await?;
    println!("database: {}", common::shown(&url));
    println!("| file | what | size | status | answer | peak growth | /healthz max |");
    println!("|---|---|---|---|---|---|---|");
    // `BENCH_ONLY=valid.csv,valid.xlsx` runs only those files (for a profiler).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    for (name, what, bytes) in files() {
        if !only.is_empty() && !only.split(',').any(|o| o == name) {
            continue;
        }
        // Let the allocator settle, then measure from here.
        tokio::time::sleep(Duration::from_millis(300)).await;
        reset_peak();
        let before = status_kb("VmRSS:");
        let running = Arc::new(AtomicBool::new(true));
        let poller = {
            let (running, base) = (running.clone(), base.clone());
            let probe = reqwest::Client::new();
            tokio::spawn(async move {
                let mut worst = Duration::ZERO;
                while running.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let ok = probe
                        .get(format!("{base}/healthz"))
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success());
                    let took = t.elapsed();
                    worst = worst.max(if ok { took } else { Duration::from_secs(999) });
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                worst
            })
        };
        let size = bytes.len();
        let started = Instant::now();
        let res = client
            .post(format!("{base}/api/import/dry-run"))
            .header(header::ACCEPT, "application/json")
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            ))
            .send()
            .await?;
        let status = res.status();
        let _ = res.bytes().await?;
        let took = started.elapsed();
        running.store(false, Ordering::Relaxed);
        let worst = poller.await?;
        let peak = status_kb("VmHWM:");
        println!(
            "| {name} | {what} | {:.2} MB | {} | {:.2} s | {:.0} MB | {:.0} ms |",
            size as f64 / 1048576.0,
            status.as_u16(),
            took.as_secs_f64(),
            peak.saturating_sub(before) as f64 / 1024.0,
            worst.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
