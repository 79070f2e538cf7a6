//! The worker's futures (feature `tokio`), on a current-thread runtime built on the worker's
//! thread after it entered its namespace.
//!
//! Tasks run while the worker waits for calls and, while calls keep it busy, between two
//! calls once they have waited [`TASK_TURN`]. Task code may move the thread to another
//! namespace, so after tasks have run the worker re-enters its own before the next call.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

use super::handoff::look_for_next;
use super::{Job, Shared};

/// How long ready tasks wait at most for a turn while calls keep the worker busy.
const TASK_TURN: Duration = Duration::from_millis(1);

/// When the worker's tasks last ran, and whether they may have run since the last call.
pub(super) struct Tasks<'rt> {
    rt: &'rt Runtime,
    last_turn: Instant,
    ran: bool,
}

impl<'rt> Tasks<'rt> {
    /// The tasks of `rt`, none of which has run yet.
    pub(super) fn new(rt: &'rt Runtime) -> Tasks<'rt> {
        Tasks {
            rt,
            last_turn: Instant::now(),
            ran: false,
        }
    }

    /// The next call: looked for patiently, then waited for asleep inside the runtime, so
    /// that tasks run meanwhile. `None` once the worker's handle is gone.
    pub(super) fn next_job<H>(
        &mut self,
        jobs: &Receiver<Job<H>>,
        shared: &Shared,
    ) -> Option<Job<H>> {
        match look_for_next(jobs, &shared.cpus) {
            Ok(job) => return Some(job),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        let next = self.rt.block_on(async {
            loop {
                match jobs.try_recv() {
                    Ok(job) => return Some(job),
                    Err(TryRecvError::Disconnected) => return None,
                    Err(TryRecvError::Empty) => shared.wake.notified().await,
                }
            }
        });
        self.had_a_turn();
        shared.cpus.worker_is_here();
        next
    }

    /// Lets ready tasks run (and the runtime poll its drivers once) if there are tasks and
    /// they have waited [`TASK_TURN`] since their last turn.
    pub(super) fn turn_if_due(&mut self) {
        if self.rt.metrics().num_alive_tasks() > 0 && self.last_turn.elapsed() >= TASK_TURN {
            // `yield_now` returns after the runtime has run the tasks that were ready.
            self.rt.block_on(tokio::task::yield_now());
            self.had_a_turn();
        }
    }

    /// Whether tasks may have run (and moved the thread) since the last call; resets.
    pub(super) fn ran_since_last_call(&mut self) -> bool {
        std::mem::take(&mut self.ran)
    }

    fn had_a_turn(&mut self) {
        self.ran = true;
        self.last_turn = Instant::now();
    }
}
