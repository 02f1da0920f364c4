//! Measures the firmware process: resident memory when idle, CPU use while charging.
//!
//! `cargo build --release -p reference-firmware && cargo run --release -p reference-firmware
//! --example fw_measure -- [--firmware PATH] [--seconds N]` starts the firmware binary (default:
//! the `reference-firmware` of the same build) on one end of a pseudo-terminal pair, plays a
//! power board on the other end at the documented rates (Status every 10 ms, a meter sample
//! every second), lets a vehicle charge, and prints VmRSS from /proc and the CPU time
//! (utime + stime) used over N seconds of charging as a percentage of one core.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use board_link::{
    BoardMessage, ControllerMessage, Decoder, Encoder, MeterSample, PhaseSample, PilotOutput,
    Status,
};
use serialport::{SerialPort, TTYPort};

fn main() -> ExitCode {
    match measure() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fw-measure: {e}");
            ExitCode::from(2)
        }
    }
}

struct Board {
    port: TTYPort,
    dec: Decoder<ControllerMessage>,
    enc: Encoder,
    vehicle_mv: i16,
    pilot: PilotOutput,
    contactor: bool,
    energy_mwh: u64,
    next_status: Instant,
    next_meter: Instant,
}

impl Board {
    fn send(&mut self, m: &BoardMessage) -> Result<(), String> {
        let frame = self.enc.encode(m);
        self.port
            .write_all(&frame)
            .map_err(|e| format!("pty write: {e}"))
    }

    /// Runs the board for `dur`.
    fn run_for(&mut self, dur: Duration) -> Result<(), String> {
        let end = Instant::now() + dur;
        let mut buf = [0u8; 512];
        while Instant::now() < end {
            if let Ok(n) = self.port.read(&mut buf) {
                for frame in self.dec.push_slice(&buf[..n]).into_iter().flatten() {
                    match frame.message {
                        ControllerMessage::Hello { .. } => self.send(&BoardMessage::Hello {
                            board_id: "MEASURE".into(),
                            board_firmware: "1".into(),
                        })?,
                        ControllerMessage::StartRcmSelfTest => {
                            self.send(&BoardMessage::RcmSelfTestResult {
                                passed: true,
                                measured_tenth_ma: 100,
                            })?
                        }
                        ControllerMessage::SetPilot(p) => self.pilot = p,
                        ControllerMessage::SetContactor { closed } => self.contactor = closed,
                        _ => {}
                    }
                }
            }
            let now = Instant::now();
            if now >= self.next_status {
                self.next_status += Duration::from_millis(10);
                let (high, low) = match self.pilot {
                    PilotOutput::DcMinus12V => (-12_000, -12_000),
                    PilotOutput::DcPlus12V => (self.vehicle_mv, self.vehicle_mv),
                    PilotOutput::Pwm { .. } => (self.vehicle_mv, -12_000),
                };
                let s = Status {
                    cp_high_mv: high,
                    cp_low_mv: low,
                    contactor_closed: self.contactor,
                    temperature_tenth_c: 300,
                    ..Status::default()
                };
                self.send(&BoardMessage::Status(s))?;
            }
            if now >= self.next_meter {
                self.next_meter += Duration::from_secs(1);
                let amps = if self.contactor { 16_000 } else { 0 };
                if self.contactor {
                    self.energy_mwh += 3067;
                }
                let phase = PhaseSample {
                    voltage_tenth_v: 2300,
                    current_ma: amps,
                    active_power_tenth_w: amps as i32 * 23 / 10,
                    power_factor_milli: 1000,
                };
                let m = MeterSample {
                    phases: [phase; 3],
                    import_energy_mwh: self.energy_mwh,
                };
                self.send(&BoardMessage::MeterSample(m))?;
            }
        }
        Ok(())
    }
}

fn proc_field(pid: u32, key: &str) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))
        .map(|l| l[key.len()..].trim().to_string())
}

fn cpu_ticks(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses); utime and stime are 14 and 15.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn measure() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    // Examples live in target/<profile>/examples/; the firmware binary one folder up.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut firmware = exe
        .parent()
        .and_then(|examples| examples.parent())
        .ok_or("cannot locate the target folder")?
        .join("reference-firmware");
    let mut seconds = 30u64;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--firmware" => firmware = args.next().ok_or("--firmware needs a path")?.into(),
            "--seconds" => {
                let v = args.next().ok_or("--seconds needs a number")?;
                seconds = v
                    .parse()
                    .map_err(|_| format!("--seconds {v}: not a number"))?;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let (master, slave) = TTYPort::pair().map_err(|e| format!("pty pair: {e}"))?;
    let path = slave.name().ok_or("pty has no name")?;
    let dir = std::env::temp_dir().join(format!("fw-measure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("offline-cards.json"), br#"["01020304"]"#)
        .map_err(|e| e.to_string())?;
    let mut child = Command::new(&firmware)
        .args(["--board", &path, "--state-dir", dir.to_str().unwrap_or(".")])
        .args(["--product-number", "130577", "--serial", "MEASURE01"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: cannot start: {e}", firmware.display()))?;
    let pid = child.id();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut port = master;
    port.set_timeout(Duration::from_millis(2))
        .map_err(|e| e.to_string())?;
    let now = Instant::now();
    let mut board = Board {
        port,
        dec: Decoder::new(),
        enc: Encoder::new(),
        vehicle_mv: 12_000,
        pilot: PilotOutput::DcMinus12V,
        contactor: false,
        energy_mwh: 0,
        next_status: now,
        next_meter: now,
    };
    let result = (|| -> Result<(), String> {
        let start = Instant::now();
        while rx.try_recv().ok().as_deref() != Some("READY") {
            if start.elapsed() > Duration::from_secs(10) {
                return Err("no READY within 10 s".into());
            }
            board.run_for(Duration::from_millis(20))?;
        }
        board.run_for(Duration::from_secs(5))?;
        let idle_rss = proc_field(pid, "VmRSS:").unwrap_or_default();
        let idle_t0 = cpu_ticks(pid).unwrap_or(0);
        board.run_for(Duration::from_secs(5))?;
        let idle_ticks = cpu_ticks(pid).unwrap_or(0) - idle_t0;

        board.vehicle_mv = 9_000;
        board.run_for(Duration::from_millis(500))?;
        board.send(&BoardMessage::RfidCard {
            uid: vec![1, 2, 3, 4],
        })?;
        board.run_for(Duration::from_millis(800))?;
        board.vehicle_mv = 6_000;
        board.run_for(Duration::from_millis(800))?;
        if !board.contactor {
            return Err("the firmware did not start charging".into());
        }
        let t0 = cpu_ticks(pid).ok_or("cannot read /proc stat")?;
        let w0 = Instant::now();
        board.run_for(Duration::from_secs(seconds))?;
        let ticks = cpu_ticks(pid).ok_or("cannot read /proc stat")? - t0;
        let wall = w0.elapsed().as_secs_f64();
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        let charging_rss = proc_field(pid, "VmRSS:").unwrap_or_default();
        println!("idle VmRSS: {idle_rss}");
        println!(
            "idle CPU: {:.2} % of one core over 5 s",
            idle_ticks as f64 / hz / 5.0 * 100.0
        );
        println!("charging VmRSS: {charging_rss}");
        println!(
            "charging CPU: {:.2} % of one core over {wall:.1} s (Status at 100 Hz, meter at 1 Hz)",
            ticks as f64 / hz / wall * 100.0
        );
        Ok(())
    })();
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let _ = board.run_for(Duration::from_millis(300));
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    drop(slave);
    result
}
