//! One plugin call round trip through the real host and the test plugin: a 1 KiB JSON argument
//! out, the same 1 KiB back (`send_call` echoes its payload). Prints median and p99, for the
//! direct blocking call and for the path steps use (tokio `spawn_blocking`).
//!
//! `cargo bench -p harness --bench plugin_call`

use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::plugin_host::{PluginLibraries, SearchPath};
use plugin_api::kinds::csms;

const WARM_UP: usize = 2_000;
const SAMPLES: usize = 20_000;

fn main() {
    let libraries = PluginLibraries::new(SearchPath::from_process(&[]));
    let library = libraries
        .get("test-plugin", "csms")
        .unwrap_or_else(|e| panic!("{e}"));
    let instance = Arc::new(
        library
            .open(&serde_json::json!({}))
            .unwrap_or_else(|e| panic!("{e}")),
    );

    // A payload whose serialized call arguments are 1 KiB.
    let mut filler = String::new();
    let method = |filler: &str| csms::SendCall {
        charge_point: None,
        action: "DataTransfer".into(),
        payload: serde_json::json!({ "vendorId": "bench", "data": filler }),
        timeout_ms: 1000,
        unchecked: false,
    };
    while serde_json::to_string(&method(&filler)).unwrap().len() < 1024 {
        filler.push('x');
    }
    let args_len = serde_json::to_string(&method(&filler)).unwrap().len();

    let direct = measure(|| {
        let reply = instance.call_blocking(&method(&filler)).expect("call");
        assert!(matches!(reply, csms::CallOutcome::Result { .. }));
    });
    report(
        &format!("direct call_blocking, {args_len} B args + reply"),
        direct,
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let via_runtime = measure(|| {
        runtime.block_on(async {
            let reply = instance.call(method(&filler)).await.expect("call");
            assert!(matches!(reply, csms::CallOutcome::Result { .. }));
        })
    });
    report(
        &format!("async call via spawn_blocking, {args_len} B args + reply"),
        via_runtime,
    );
}

fn measure(mut once: impl FnMut()) -> Vec<Duration> {
    for _ in 0..WARM_UP {
        once();
    }
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let start = Instant::now();
        once();
        samples.push(start.elapsed());
    }
    samples.sort();
    samples
}

fn report(what: &str, sorted: Vec<Duration>) {
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "plugin_call: {what}: median {:.1} µs, p99 {:.1} µs, max {:.1} µs ({} samples)",
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        sorted[sorted.len() - 1].as_secs_f64() * 1e6,
        sorted.len()
    );
}
