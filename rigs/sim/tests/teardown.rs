//! A library rig gives back every descriptor and its thread when stopped (alone in this test
//! binary so nothing else opens files meanwhile).

use std::time::{Duration, Instant};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn stopping_a_rig_releases_its_terminals_and_thread() {
    let (fds, tasks) = (open_fds(), threads());
    for _ in 0..3 {
        let rig = rig_sim::Rig::start(rig_sim::RigConfig::default()).unwrap();
        assert!(rig.is_running());
        assert!(open_fds() >= fds + 5, "five terminal masters open");
        let started = Instant::now();
        rig.stop().unwrap();
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(open_fds(), fds, "descriptors leaked");
        assert_eq!(threads(), tasks, "rig thread still running");
    }
    // Dropping without stop() tears down too.
    drop(rig_sim::Rig::start(rig_sim::RigConfig::default()).unwrap());
    assert_eq!(open_fds(), fds);
}
