//! Crash safety of the state directory: a process that stores continuously is killed with
//! SIGKILL at arbitrary moments; afterwards every file holds either the old or the new
//! content, never a torn one, and nothing reported as stored is lost.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use reference_firmware::core::StoreRequest;
use reference_firmware::shell::storage::StateDir;

const WRITER_ENV: &str = "FW_STORAGE_KILL_WRITER_DIR";

/// The child: stores an increasing energy register and a card list whose length follows it,
/// printing `stored N` after each durable store.
fn writer(dir: &str) -> ! {
    let state = StateDir::open(std::path::Path::new(dir)).unwrap();
    let mut n = state.load_stored().unwrap().energy_mwh;
    let mut out = std::io::stdout().lock();
    loop {
        n += 1;
        let cards: Vec<String> = (0..(n % 64)).map(|k| format!("{n:08X}{k:06X}")).collect();
        state.store(&StoreRequest::OfflineCards(cards)).unwrap();
        state
            .store(&StoreRequest::EnergyRegister { mwh: n })
            .unwrap();
        writeln!(out, "stored {n}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn kill_9_never_tears_a_stored_file() {
    if let Ok(dir) = std::env::var(WRITER_ENV) {
        writer(&dir);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut last_reported = 0u64;
    for round in 0..12u64 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "kill_9_never_tears_a_stored_file",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WRITER_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("stored ") {
                    let _ = tx.send(n.parse::<u64>().unwrap());
                }
            }
        });
        // Wait for the first store of this round, then kill at a varying moment.
        let first = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the writer stores");
        assert!(
            first > last_reported,
            "round {round}: restarted at {first} after {last_reported}"
        );
        std::thread::sleep(Duration::from_millis(7 + (round * 37) % 120));
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
        reader.join().unwrap();
        while let Ok(n) = rx.try_recv() {
            last_reported = last_reported.max(n);
        }
        last_reported = last_reported.max(first);

        let stored = StateDir::open(dir.path())
            .and_then(|s| s.load_stored())
            .unwrap_or_else(|e| panic!("round {round}: torn state: {e}"));
        // Stores the child reported are durable; at most the one in flight is newer.
        assert!(
            stored.energy_mwh >= last_reported,
            "round {round}: lost {last_reported}"
        );
        assert!(stored.energy_mwh <= last_reported + 1, "round {round}");
        // The card list is a complete list of one generation (old or new).
        let cards = &stored.offline_cards;
        if let Some(first_card) = cards.first() {
            let generation = &first_card[..8];
            let gen_n = u64::from_str_radix(generation, 16).unwrap();
            assert_eq!(
                cards.len() as u64,
                gen_n % 64,
                "round {round}: torn card list"
            );
            assert!(
                cards.iter().all(|c| c.starts_with(generation)),
                "round {round}"
            );
            assert!(gen_n == stored.energy_mwh || gen_n == stored.energy_mwh + 1);
        }
        last_reported = stored.energy_mwh;
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        leftovers.iter().any(|n| n == "energy.json"),
        "{leftovers:?}"
    );
}
