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

/// Prints the rows as a Markdown table (paste-able into the README).
pub fn print_table(rows: &[Row]) {
    println!();
    println!("| scenario | n | p50 ms | p99 ms | mean ms | ops/s | reference | ref p50 ms | ref p99 ms | p50 ratio |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {:.0} | {} | {} | {} | {:.2}x |",
            r.scenario,
            r.subject.samples,
            ms(r.subject.p50),
            ms(r.subject.p99),
            ms(r.subject.mean),
            r.subject.rate,
            r.reference_name,
            ms(r.reference.p50),
            ms(r.reference.p99),
            r.subject.p50.as_secs_f64() / r.reference.p50.as_secs_f64(),
        );
    }
    println!();
}
