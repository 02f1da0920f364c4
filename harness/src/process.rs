//! Child processes of rig instances (simulator, firmware) that can never outlive the harness:
//! each runs in its own process group (so teardown reaches its helpers too, and a Ctrl-C in the
//! terminal goes to the harness, which tears down in order) and gets SIGKILL when the harness dies
//! (`PR_SET_PDEATHSIG`). The death signal follows the *thread* that forked, so all children are
//! spawned by one launcher thread that lives as long as the process.

use std::io;
use std::process::{Child, ChildStdout, Command, ExitStatus};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

type Request = (Command, mpsc::SyncSender<io::Result<Child>>);

fn launcher() -> &'static mpsc::Sender<Request> {
    static LAUNCHER: OnceLock<mpsc::Sender<Request>> = OnceLock::new();
    LAUNCHER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("child-launcher".into())
            .spawn(move || {
                for (mut command, reply) in rx {
                    // The requester may have given up; nothing else to tell.
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("cannot start the child launcher thread");
        tx
    })
}

/// A child process that is terminated (with its process group) when dropped.
#[derive(Debug)]
pub struct Supervised {
    name: String,
    child: Child,
    reaped: Option<ExitStatus>,
}

/// Starts `command` as a supervised child named `name` (used in messages).
pub fn spawn(name: &str, mut command: Command) -> io::Result<Supervised> {
    use std::os::unix::process::CommandExt as _;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if libc::setpgid(0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            // The harness may have died between fork and prctl; then nobody will signal us.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let (tx, rx) = mpsc::sync_channel(1);
    launcher()
        .send((command, tx))
        .map_err(|_| io::Error::other("the child launcher thread is gone"))?;
    let child = rx
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| io::Error::other("the child launcher thread did not answer within 10 s"))??;
    Ok(Supervised {
        name: name.to_string(),
        child,
        reaped: None,
    })
}

impl Supervised {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// The exit status if the child has ended.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.reaped.is_none() {
            self.reaped = self.child.try_wait().ok().flatten();
        }
        self.reaped
    }

    /// SIGKILL to the whole group at once (a power loss: no chance to save anything), reaped.
    pub fn kill_now(&mut self) {
        let group = self.child.id() as libc::pid_t;
        if self.try_wait().is_none() {
            signal_group(group, libc::SIGKILL);
            self.reaped = self.child.wait().ok();
        }
        signal_group(group, libc::SIGKILL);
    }

    /// SIGTERM to the whole group, up to `grace` to exit, then SIGKILL. Idempotent.
    pub fn terminate(&mut self, grace: Duration) {
        let group = self.child.id() as libc::pid_t;
        if self.try_wait().is_none() {
            signal_group(group, libc::SIGTERM);
            let deadline = Instant::now() + grace;
            while self.try_wait().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if self.try_wait().is_none() {
                signal_group(group, libc::SIGKILL);
                self.reaped = self.child.wait().ok();
            }
        }
        // Helpers the child started stay in its group even after it exited.
        signal_group(group, libc::SIGKILL);
    }
}

fn signal_group(group: libc::pid_t, signal: libc::c_int) {
    // SAFETY: plain syscall; ESRCH (group already gone) is the expected outcome at the end.
    unsafe {
        libc::kill(-group, signal);
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.terminate(Duration::from_secs(2));
    }
}

/// Whether a process exists (and is not a zombie).
pub fn is_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminate_ends_the_child_and_its_helpers() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("helper.pid");
        let mut command = Command::new("sh");
        // A helper in the background that ignores SIGTERM, like a stuck child of the firmware.
        command.arg("-c").arg(format!(
            "sh -c 'trap \"\" TERM; sleep 300' & echo $! > {}; wait",
            pidfile.display()
        ));
        let mut child = spawn("test", command).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !pidfile.exists() || std::fs::read_to_string(&pidfile).unwrap().trim().is_empty() {
            assert!(Instant::now() < deadline, "helper never started");
            std::thread::sleep(Duration::from_millis(10));
        }
        let helper: u32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let leader = child.pid();
        assert!(is_alive(helper) && is_alive(leader));
        child.terminate(Duration::from_millis(300));
        std::thread::sleep(Duration::from_millis(100));
        assert!(!is_alive(leader), "leader survived");
        assert!(!is_alive(helper), "helper survived");
    }
}
