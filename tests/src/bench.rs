//! Measuring for the benchmark program: run a closure many times, summarise the latencies, and
//! print each scenario beside a reference measured in the same run, with the ratio between them.

use std::future::Future;
use std::time::{Duration, Instant};

/// Latency summary of one measured operation.
#[derive(Debug, Clone)]
pub struct Summary {
    pub samples: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub mean: Duration,
    /// Operations per second, from the total wall time.
    pub rate: f64,
}

impl Summary {
    pub fn from_samples(mut samples: Vec<Duration>, wall: Duration) -> Summary {
        assert!(!samples.is_empty(), "no samples");
        samples.sort();
        let n = samples.len();
        let total: Duration = samples.iter().sum();
        Summary {
            samples: n,
            p50: samples[n / 2],
            p99: samples[((n * 99) / 100).min(n - 1)],
            mean: total / n as u32,
            rate: n as f64 / wall.as_secs_f64(),
        }
    }
}

/// Runs `op` `warmup` times unmeasured, then `n` times measured, one after another.
pub async fn measure<F, Fut>(warmup: usize, n: usize, mut op: F) -> Summary
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    for _ in 0..warmup {
        op().await;
    }
    let mut samples = Vec::with_capacity(n);
    let wall = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        op().await;
        samples.push(t.elapsed());
    }
    Summary::from_samples(samples, wall.elapsed())
}

/// One line of the report: what was measured, and what it is compared with.
pub struct Row {
    pub scenario: String,
    pub subject: Summary,
    pub reference_name: String,
    pub reference: Summary,
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// Prints the rows as a Markdown table (paste-able into the README). Ratios are the subject's
/// figure over the reference's: latency below 1 and throughput above 1 favour the subject.
pub fn print_table(rows: &[Row]) {
    println!();
    println!(
        "| scenario | n | p50 ms | p99 ms | mean ms | ops/s | reference | ref p50 ms | ref p99 ms | ref ops/s | p50 ratio | ops/s ratio |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {:.0} | {} | {} | {} | {:.0} | {:.2}x | {:.2}x |",
            r.scenario,
            r.subject.samples,
            ms(r.subject.p50),
            ms(r.subject.p99),
            ms(r.subject.mean),
            r.subject.rate,
            r.reference_name,
            ms(r.reference.p50),
            ms(r.reference.p99),
            r.reference.rate,
            r.subject.p50.as_secs_f64() / r.reference.p50.as_secs_f64(),
            r.subject.rate / r.reference.rate,
        );
    }
    println!();
}

/// A process's resident memory and open file descriptors, read from `/proc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    /// `VmRSS`, in KiB.
    pub rss_kib: u64,
    /// Of that, anonymous memory (heap, stacks): `RssAnon`, in KiB.
    pub anon_kib: u64,
    /// Of that, pages of mapped files (the binary's code and data): `RssFile`, in KiB.
    pub file_kib: u64,
    pub fds: usize,
}

impl Footprint {
    pub fn of(pid: u32) -> Footprint {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
        let kib = |field: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
        };
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .unwrap_or_else(|e| panic!("/proc/{pid}/fd: {e}"))
            .count();
        Footprint {
            rss_kib: kib("VmRSS:"),
            anon_kib: kib("RssAnon:"),
            file_kib: kib("RssFile:"),
            fds,
        }
    }

    pub fn rss_mb(&self) -> f64 {
        self.rss_kib as f64 / 1024.0
    }

    /// `VmRSS 24.1 MiB (anonymous 15.0, files 9.1)`
    pub fn describe(&self) -> String {
        format!(
            "VmRSS {:.1} MiB (anonymous {:.1}, files {:.1})",
            self.rss_mb(),
            self.anon_kib as f64 / 1024.0,
            self.file_kib as f64 / 1024.0
        )
    }
}

/// A figure that is not a latency (memory, descriptors), beside what it is held to.
pub struct Figure {
    pub scenario: String,
    pub measured: String,
    pub aim: String,
}

/// Prints the figures as a Markdown table after the latency table.
pub fn print_figures(figures: &[Figure]) {
    if figures.is_empty() {
        return;
    }
    println!("| scenario | mosaicd | aim |");
    println!("| --- | --- | --- |");
    for f in figures {
        println!("| {} | {} | {} |", f.scenario, f.measured, f.aim);
    }
    println!();
}

/// Whether the benchmark runs in quick mode (`MOSAIC_BENCH_QUICK=1` or a `--quick` argument):
/// few samples and one-second load runs, to prove in CI that every scenario still works. Its
/// figures mean nothing.
pub fn quick() -> bool {
    std::env::var_os("MOSAIC_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
        || std::env::args().any(|a| a == "--quick")
}

/// A tool the benchmark needs (wrk, nginx): its path, or a failure that names the package.
pub fn require_tool(name: &str, package: &str) -> std::path::PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .chain(["/usr/sbin".into(), "/sbin".into()])
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| panic!("the benchmark needs `{name}` (Debian package {package})"))
}

/// A POST of a JSON body, as a wrk load run sends it.
pub struct Load<'a> {
    pub url: &'a str,
    pub bearer: &'a str,
    pub body: &'a str,
    pub connections: usize,
    pub duration: Duration,
}

/// Runs wrk with `load` (two threads: the machine's cores are shared with the daemon) and
/// summarises its answer: requests/s, and the p50/p99/mean latency of its requests, with the
/// number of answers that were not a 2xx (or socket errors).
pub fn wrk(load: &Load<'_>) -> (Summary, usize) {
    let wrk = require_tool("wrk", "wrk");
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("post.lua");
    let lua_string = |s: &str| format!("{s:?}");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = {}\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = {}\n",
            lua_string(load.body),
            lua_string(&format!("Bearer {}", load.bearer)),
        ) + if quick() {
            // Quick mode is for finding out that something is broken: say what answered.
            "local shown = false\nresponse = function(status, headers, body)\n  if status ~= 200 and not shown then\n    shown = true\n    io.write(\"first failure: HTTP \", status, \" \", body, \"\\n\")\n  end\nend\n"
        } else {
            ""
        },
    )
    .expect("write the wrk script");
    let out = std::process::Command::new(wrk)
        .args(["-t2", "--latency", "-c"])
        .arg(load.connections.to_string())
        .arg("-d")
        .arg(format!("{}s", load.duration.as_secs().max(1)))
        .arg("-s")
        .arg(&script)
        .arg(load.url)
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_wrk(&text)
}

/// wrk's latency figure (`812.00us`, `1.23ms`, `2.01s`).
fn wrk_duration(text: &str) -> Duration {
    let (number, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len()));
    let n: f64 = number.parse().unwrap_or_else(|_| panic!("a wrk latency: {text}"));
    let secs = match unit {
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        _ => panic!("a wrk latency unit: {text}"),
    };
    Duration::from_secs_f64(secs)
}

fn parse_wrk(text: &str) -> (Summary, usize) {
    let field = |line_start: &str, index: usize| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.split_whitespace().nth(index).map(str::to_string))
    };
    let failed: usize = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Non-2xx or 3xx responses:"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
        + usize::from(text.contains("Socket errors"));
    let requests: usize = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("wrk's request count:\n{text}"));
    let rate: f64 = field("Requests/sec:", 1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("wrk's rate:\n{text}"));
    let summary = Summary {
        samples: requests,
        p50: wrk_duration(&field("50%", 1).expect("wrk's p50")),
        p99: wrk_duration(&field("99%", 1).expect("wrk's p99")),
        mean: wrk_duration(&field("Latency", 1).expect("wrk's mean latency")),
        rate,
    };
    (summary, failed)
}

/// nginx as a plain reverse proxy on a free loopback port: `prefix` (a path on it) goes to
/// `upstream_path` on `upstream` (host:port) over kept-alive HTTP/1.1 connections, as mosaicd
/// keeps its own, with `Authorization: Bearer <upstream_token>`, unbuffered. Upstream connections
/// idle for 4 s are closed, as mosaicd's pool drops them, before the gateway's own keep-alive
/// timeout (Node's 5 s) could close one just as a request goes out on it. Stopped when dropped.
pub struct Nginx {
    pub base_url: String,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Nginx {
    pub fn start(prefix: &str, upstream: &str, upstream_path: &str, upstream_token: &str) -> Nginx {
        let nginx = require_tool("nginx", "nginx");
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let d = dir.path().display();
        let conf = format!(
            "worker_processes 2;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               upstream agent {{ server {upstream}; keepalive 128; keepalive_timeout 4s; }}\n\
               server {{\n    listen 127.0.0.1:{port};\n\
                 location = {prefix} {{\n      proxy_pass http://agent{upstream_path};\n\
                   proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n\
                   proxy_set_header Authorization \"Bearer {upstream_token}\";\n      proxy_buffering off;\n    }}\n  }}\n}}\n"
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).expect("write nginx.conf");
        let child = std::process::Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&path)
            .args(["-g", "daemon off;"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start nginx");
        let began = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                began.elapsed() < Duration::from_secs(10),
                "nginx did not start listening"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx {
            base_url: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // What went wrong, if anything did (a failed run is otherwise a bare 502).
        if let Ok(log) = std::fs::read_to_string(self._dir.path().join("error.log")) {
            let errors: Vec<&str> = log.lines().filter(|l| l.contains("[error]")).collect();
            if let Some(last) = errors.last() {
                eprintln!("nginx logged {} errors; the last: {last}", errors.len());
            }
        }
        // SIGQUIT: a graceful stop of the master and its workers.
        send_signal(self.child.id(), "QUIT");
        let began = Instant::now();
        while began.elapsed() < Duration::from_secs(5) {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `signal` to `pid` with kill(1).
fn send_signal(pid: u32, signal: &str) {
    let _ = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_output_is_read() {
        let text = "Running 1s test @ http://127.0.0.1:1/x\n  2 threads and 50 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     4.52ms    1.01ms  20.00ms   90.00%\n  Latency Distribution\n     50%    4.40ms\n     75%    5.00ms\n     90%    5.50ms\n     99%  812.00us\n  11000 requests in 1.00s, 2.00MB read\nRequests/sec:  10990.12\nTransfer/sec:      2.00MB\n";
        let (s, failed) = parse_wrk(text);
        assert_eq!(failed, 0);
        assert_eq!(s.samples, 11000);
        assert_eq!(s.p50, Duration::from_micros(4400));
        assert_eq!(s.p99, Duration::from_micros(812));
        assert_eq!(s.mean, Duration::from_micros(4520));
        assert!((s.rate - 10990.12).abs() < 0.01);
    }
}
