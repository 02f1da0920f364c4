//! The whole firmware (charging core and shell) on a thread of its own with a stop switch, for
//! the end-to-end tests that talk to it over its board pseudo-terminal and its OCPP link.

use std::thread::JoinHandle;

use reference_firmware::shell::board::BoardPort;
use reference_firmware::shell::runtime::{run_with, CoreHandle, RunConfig, RunEnd, Services};
use tokio::sync::oneshot;

pub struct FirmwareThread {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<Result<RunEnd, String>>,
}

impl FirmwareThread {
    /// Starts the firmware on the power board at `board` (a pty path).
    pub fn start(cfg: RunConfig, services: Services, board: &str) -> FirmwareThread {
        let port = BoardPort::open(board).unwrap();
        let (stop, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(run_with(cfg, services, port, CoreHandle::new(), async {
                let _ = stop_rx.await;
            }))
        });
        FirmwareThread { stop, thread }
    }

    /// Asks the firmware to stop and waits for its end.
    pub fn stop(self) -> Result<RunEnd, String> {
        self.stop.send(()).unwrap();
        self.thread.join().unwrap()
    }
}
