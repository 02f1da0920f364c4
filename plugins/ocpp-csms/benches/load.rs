//! Load benchmark of the mock CSMS, loopback only, bounded in count and time.
//!
//! `cargo bench -p ocpp-csms --bench load -- [--cps N] [--rate CALLS_PER_S] [--seconds S]
//! [--csms-threads T] [--log-limit F]` (defaults: 5000 charge points, 20000 CALLs/s, 10 s, and
//! the plugin's defaults of 1 runtime thread and 200 000 frames kept; N ≤ 9000, S ≤ 120).
//! Each simulated charge point connects and boots; once all are in, every one alternates MeterValues and Heartbeat,
//! paced so that together they send `rate` CALLs per second, each waiting for its answer before
//! the next CALL (as OCPP-J requires). Reported: charge points held at once, ramp-up time, CALLs
//! answered per second, frames per second recorded by the CSMS (a CALL and its answer are two
//! frames), and answer latency p50/p99/max as the client sees it. The client runs in the same
//! process on one runtime thread; client and CSMS share the machine.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant as TokioInstant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use ocpp_csms::config::CsmsConfig;
use ocpp_csms::MockCsms;

const RAMP_LIMIT: Duration = Duration::from_secs(90);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

struct Args {
    cps: usize,
    rate: f64,
    seconds: u64,
    csms_threads: usize,
    log_limit: usize,
}

fn args() -> Args {
    let mut a = Args {
        cps: 5000,
        rate: 20_000.0,
        seconds: 10,
        csms_threads: 1,
        log_limit: 200_000,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        let used = match v[i].as_str() {
            "--cps" => {
                a.cps = next.parse().expect("--cps N");
                true
            }
            "--rate" => {
                a.rate = next.parse().expect("--rate CALLS_PER_S");
                true
            }
            "--seconds" => {
                a.seconds = next.parse().expect("--seconds S");
                true
            }
            "--log-limit" => {
                a.log_limit = next.parse().expect("--log-limit FRAMES");
                true
            }
            "--csms-threads" => {
                a.csms_threads = next.parse().expect("--csms-threads N");
                true
            }
            _ => false, // `cargo bench` adds --bench
        };
        i += if used { 2 } else { 1 };
    }
    a.seconds = a.seconds.clamp(1, 120);
    a.cps = a.cps.clamp(1, 9000);
    a.rate = a.rate.max(1.0);
    a
}

#[derive(Default)]
struct Stats {
    connected: AtomicU64,
    connect_failures: AtomicU64,
    calls: AtomicU64,
    call_failures: AtomicU64,
    /// (ms since the window start when sent, answer latency µs).
    latencies_us: Mutex<Vec<(u32, u32)>>,
    /// Charge points that finished their paced CALLs.
    done: AtomicU64,
}

/// CPU seconds (user + system) used by this process so far, from /proc (0 where unavailable).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

const METER: &str = r#"{"connectorId":1,"transactionId":7,"meterValue":[{"timestamp":"2026-11-28T16:00:00Z","sampledValue":[{"value":"12345","measurand":"Energy.Active.Import.Register","unit":"Wh"},{"value":"15.9","measurand":"Current.Import","phase":"L1","unit":"A"}]}]}"#;

/// The measurement window, broadcast once everyone is in.
type Window = Option<(TokioInstant, TokioInstant)>;

async fn charge_point(
    url: String,
    n: usize,
    period: Duration,
    gate: Arc<Semaphore>,
    mut window: watch::Receiver<Window>,
    stats: Arc<Stats>,
) {
    let mut req = format!("{url}/LOAD-{n:05}").into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("ocpp1.6"),
    );
    let fail = |counter: &AtomicU64| {
        counter.fetch_add(1, Ordering::Relaxed);
    };
    let ws = {
        let _permit = gate.acquire().await.unwrap();
        let cfg = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let connect = tokio_tungstenite::connect_async_with_config(req, Some(cfg), true);
        match tokio::time::timeout(Duration::from_secs(30), connect).await {
            Ok(Ok((ws, _))) => ws,
            _ => return fail(&stats.connect_failures),
        }
    };
    let (mut tx, mut rx) = ws.split();
    let boot = format!(
        r#"[2,"{n}-0","BootNotification",{{"chargePointVendor":"Bench","chargePointModel":"Load"}}]"#
    );
    if tx.send(Message::Text(boot.into())).await.is_err() {
        return fail(&stats.connect_failures);
    }
    match tokio::time::timeout(ANSWER_TIMEOUT, rx.next()).await {
        Ok(Some(Ok(Message::Text(_)))) => {}
        _ => return fail(&stats.connect_failures),
    }
    stats.connected.fetch_add(1, Ordering::Relaxed);

    // Copy the window out at once: the watch guard must not live across an await.
    let win = match window.wait_for(Option::is_some).await {
        Ok(w) => *w,
        Err(_) => return,
    };
    let Some((start, stop)) = win else { return };
    // Spread the charge points evenly over one period (golden-ratio offsets).
    let mut next = start + period.mul_f64((n as f64 * 0.618_034).fract());
    let mut seq = 0u64;
    let mut local = Vec::new();
    while next < stop {
        tokio::time::sleep_until(next).await;
        next += period;
        seq += 1;
        let frame = if seq % 2 == 1 {
            format!(r#"[2,"{n}-{seq}","MeterValues",{METER}]"#)
        } else {
            format!(r#"[2,"{n}-{seq}","Heartbeat",{{}}]"#)
        };
        let t0 = Instant::now();
        if tx.send(Message::Text(frame.into())).await.is_err() {
            fail(&stats.call_failures);
            break;
        }
        match tokio::time::timeout(ANSWER_TIMEOUT, rx.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => {
                let sent_ms = (TokioInstant::from_std(t0) - start).as_millis() as u32;
                let lat = t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                local.push((sent_ms, lat));
                stats.calls.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                fail(&stats.call_failures);
                break;
            }
        }
    }
    stats.latencies_us.lock().unwrap().extend(local);
    stats.done.fetch_add(1, Ordering::Relaxed);
    // Stay connected until the window is over for everyone.
    tokio::time::sleep_until(stop + Duration::from_millis(500)).await;
}

fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[idx]) / 1000.0
}

fn main() {
    let a = args();
    let config = CsmsConfig::from_json(serde_json::json!({
        "listen": "127.0.0.1:0", "file_server_listen": "off", "log_limit": a.log_limit,
        "worker_threads": a.csms_threads.clamp(1, 8)
    }))
    .expect("bench config");
    let csms = MockCsms::open(config).expect("start the CSMS");
    let url = csms.endpoint().url;
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let stats = Arc::new(Stats::default());
    let period = Duration::from_secs_f64(a.cps as f64 / a.rate);
    println!(
        "ocpp-csms load: {} charge points, {} CALLs/s target (each CP every {:.0} ms), {} s",
        a.cps,
        a.rate,
        period.as_secs_f64() * 1000.0,
        a.seconds
    );

    let t_ramp = Instant::now();
    let (held, ramp, frames, busy, cpu) = client.block_on(async {
        let gate = Arc::new(Semaphore::new(64));
        let (win_tx, win_rx) = watch::channel::<Window>(None);
        let tasks: Vec<_> = (0..a.cps)
            .map(|n| {
                tokio::spawn(charge_point(
                    url.clone(),
                    n,
                    period,
                    Arc::clone(&gate),
                    win_rx.clone(),
                    Arc::clone(&stats),
                ))
            })
            .collect();
        while stats.connected.load(Ordering::Relaxed)
            + stats.connect_failures.load(Ordering::Relaxed)
            < a.cps as u64
            && t_ramp.elapsed() < RAMP_LIMIT
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let ramp = t_ramp.elapsed();
        let held = csms.connections().iter().filter(|c| c.connected).count();
        let seq0 = csms.mark();
        let start = TokioInstant::now() + Duration::from_millis(100);
        let stop = start + Duration::from_secs(a.seconds);
        let cpu0 = cpu_seconds();
        let _ = win_tx.send(Some((start, stop)));
        // Wait until every paced CALL was answered (a saturated CSMS answers after `stop`).
        let drain_limit = stop + Duration::from_secs(60);
        while stats.done.load(Ordering::Relaxed) < stats.connected.load(Ordering::Relaxed)
            && TokioInstant::now() < drain_limit
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let busy = start.elapsed();
        let cpu = cpu_seconds() - cpu0;
        let frames = csms.mark() - seq0;
        for t in tasks {
            let _ = t.await;
        }
        (held, ramp, frames, busy, cpu)
    });

    let samples = std::mem::take(&mut *stats.latencies_us.lock().unwrap());
    let mut lat: Vec<u32> = samples.iter().map(|&(_, l)| l).collect();
    lat.sort_unstable();
    // Steady state: CALLs sent after the first 2 s of the window.
    let mut steady: Vec<u32> = samples
        .iter()
        .filter(|&&(t, _)| t >= 2000)
        .map(|&(_, l)| l)
        .collect();
    steady.sort_unstable();
    let calls = stats.calls.load(Ordering::Relaxed);
    let secs = busy.as_secs_f64();
    println!(
        "held at once: {held} of {} (connect failures {}), ramp-up {:.1} s",
        a.cps,
        stats.connect_failures.load(Ordering::Relaxed),
        ramp.as_secs_f64()
    );
    println!(
        "answered: {calls} CALLs in {secs:.1} s (window {} s + drain) = {:.0} CALLs/s; CSMS recorded {frames} frames = {:.0} frames/s; failed calls {}",
        a.seconds,
        calls as f64 / secs,
        frames as f64 / secs,
        stats.call_failures.load(Ordering::Relaxed)
    );
    println!(
        "latency ms: p50 {:.2}  p99 {:.2}  max {:.2}",
        percentile_ms(&lat, 0.50),
        percentile_ms(&lat, 0.99),
        percentile_ms(&lat, 1.0)
    );
    println!(
        "latency ms after the first 2 s: p50 {:.2}  p99 {:.2}  max {:.2}",
        percentile_ms(&steady, 0.50),
        percentile_ms(&steady, 0.99),
        percentile_ms(&steady, 1.0)
    );
    if cpu > 0.0 {
        println!(
            "process CPU (client + CSMS): {cpu:.1} s = {:.1} µs per frame",
            cpu * 1e6 / frames.max(1) as f64
        );
    }
    if let Some(peak) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|st| {
            st.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
    {
        println!(
            "peak resident memory (client + CSMS + frame log): {}",
            peak.trim_start_matches("VmHWM:").trim()
        );
    }
    let violations = csms.violations(0).len();
    println!("violations recorded: {violations}");
    drop(client);
    drop(csms);
}
