//! How a call reaches the worker's thread and its answer comes back.
//!
//! A call travels to the worker's thread through a queue and its answer comes back through a
//! one-shot slot. Either side waits for the other in three ways, cheapest first:
//!
//! - it *spins* while the other thread was last seen on another CPU: the other is running
//!   in parallel, and a hand-off between two running threads costs well under a microsecond;
//! - it *yields* its CPU while the other thread was last seen on the same CPU: the other
//!   cannot run until this one lets it, and a yield is a cheaper switch than a sleep and a
//!   wake-up (this is what happens when another process keeps the second core busy: the
//!   scheduler then puts caller and worker on one core);
//! - after [`CALLER_SPIN`] or [`WORKER_SPIN`] it *sleeps* (`park`, or the tokio runtime's
//!   park) and is woken by the other side, so an idle worker or a caller waiting for a long
//!   call burns no CPU.
//!
//! The CPU numbers are hints (`sched_getcpu`, read from glibc's rseq area): a wrong guess
//! costs time, never correctness, since only the queue and the slot carry data.

use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long the worker keeps looking for the next call before it sleeps.
const WORKER_SPIN: Duration = Duration::from_micros(20);
/// How long a caller keeps looking for its answer before it sleeps.
const CALLER_SPIN: Duration = Duration::from_micros(20);
/// "No CPU known".
const NO_CPU: i32 = -1;

/// Where the two sides of a hand-off were last seen running (hints).
pub(super) struct CpuHints {
    /// The CPU the worker's thread was last seen on.
    pub(super) worker: AtomicI32,
    /// The CPU the latest waiting caller was last seen on.
    pub(super) caller: AtomicI32,
}

impl CpuHints {
    /// Nothing seen yet.
    pub(super) fn new() -> CpuHints {
        CpuHints {
            worker: AtomicI32::new(NO_CPU),
            caller: AtomicI32::new(NO_CPU),
        }
    }

    /// Records that the worker's thread runs here now.
    pub(super) fn worker_is_here(&self) {
        self.worker.store(current_cpu(), Ordering::Relaxed);
    }
}

/// The CPU the calling thread runs on, or [`NO_CPU`].
pub(super) fn current_cpu() -> i32 {
    // SAFETY: no arguments and no memory access on our side; glibc reads its rseq area (or
    // asks the kernel) and returns -1 on failure.
    unsafe { libc::sched_getcpu() }
}

/// A bounded wait for another thread: spins or yields (see the module docs) until `limit`.
struct Patience {
    limit: Duration,
    /// When the clock was first read: the first check starts it, so that a wait that ends
    /// after a yield or a few spins never reads the clock.
    start: Option<Instant>,
    steps: u32,
}

impl Patience {
    fn new(limit: Duration) -> Patience {
        Patience {
            limit,
            start: None,
            steps: 0,
        }
    }

    /// One step of waiting: records this thread's CPU in `me`, then yields if `other` (the
    /// other thread's CPU) is this one, else spins. False once the limit has passed: time to
    /// sleep instead.
    fn step(&mut self, me: &AtomicI32, other: i32) -> bool {
        let cpu = current_cpu();
        if me.load(Ordering::Relaxed) != cpu {
            me.store(cpu, Ordering::Relaxed);
        }
        self.steps = self.steps.wrapping_add(1);
        if cpu != NO_CPU && cpu == other {
            std::thread::yield_now();
        } else if self.steps % 8 != 0 {
            std::hint::spin_loop();
            return true;
        }
        // After a yield (which may have let other threads run for a while) or every few
        // spins: has the limit passed?
        match self.start {
            None => {
                self.start = Some(Instant::now());
                true
            }
            Some(start) => start.elapsed() < self.limit,
        }
    }
}

/// The reply slot has no answer yet and the caller is not asleep.
const PENDING: u8 = 0;
/// The caller sleeps (parked) until the slot is done.
const SLEEPING: u8 = 1;
/// The answer is in (or the call was dropped unanswered): the caller may take it.
const DONE: u8 = 2;

/// Where one call's answer travels back: filled once by the worker's thread, taken once by
/// the caller, who waits for it patiently and then parks until the worker unparks it.
pub(super) struct ReplySlot<T> {
    state: AtomicU8,
    value: Mutex<Option<T>>,
    caller: Thread,
}

/// The worker's end of a [`ReplySlot`]. Dropping it without sending (a call dropped from the
/// queue of a worker that stopped) still wakes the caller, who then finds no answer.
pub(super) struct ReplySender<T>(pub(super) Arc<ReplySlot<T>>);

impl<T> ReplySender<T> {
    pub(super) fn send(self, value: T) {
        *self.0.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
        // Dropping `self` marks the slot done and wakes the caller.
    }
}

impl<T> Drop for ReplySender<T> {
    fn drop(&mut self) {
        if self.0.state.swap(DONE, Ordering::AcqRel) == SLEEPING {
            self.0.caller.unpark();
        }
    }
}

impl<T> ReplySlot<T> {
    pub(super) fn new() -> Arc<ReplySlot<T>> {
        Arc::new(ReplySlot {
            state: AtomicU8::new(PENDING),
            value: Mutex::new(None),
            caller: std::thread::current(),
        })
    }

    fn is_done(&self) -> bool {
        self.state.load(Ordering::Acquire) == DONE
    }

    /// Waits for the answer (patiently, then parked). `None` if the call was dropped
    /// unanswered.
    pub(super) fn wait(&self, cpus: &CpuHints) -> Option<T> {
        if !self.is_done() {
            let mut patience = Patience::new(CALLER_SPIN);
            while !self.is_done() {
                let worker = cpus.worker.load(Ordering::Relaxed);
                if !patience.step(&cpus.caller, worker) {
                    self.sleep();
                    break;
                }
            }
        }
        self.value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    fn sleep(&self) {
        if self
            .state
            .compare_exchange(PENDING, SLEEPING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            // `park` may return spuriously; only DONE ends the wait.
            while !self.is_done() {
                std::thread::park();
            }
        }
    }
}

/// Looks patiently (see the module docs) for the next message of `queue`, on the worker's
/// side. `Err(Empty)`: time to sleep.
pub(super) fn look_for_next<T>(queue: &Receiver<T>, cpus: &CpuHints) -> Result<T, TryRecvError> {
    let mut patience: Option<Patience> = None;
    loop {
        match queue.try_recv() {
            Err(TryRecvError::Empty) => {}
            other => return other,
        }
        let patience = patience.get_or_insert_with(|| Patience::new(WORKER_SPIN));
        let caller = cpus.caller.load(Ordering::Relaxed);
        if !patience.step(&cpus.worker, caller) {
            return Err(TryRecvError::Empty);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_sent_before_the_wait_is_taken_at_once() {
        let slot = ReplySlot::<u32>::new();
        ReplySender(Arc::clone(&slot)).send(7);
        assert_eq!(slot.wait(&CpuHints::new()), Some(7));
    }

    #[test]
    fn a_sleeping_caller_is_woken_by_a_late_answer() {
        let slot = ReplySlot::<u32>::new();
        let tx = ReplySender(Arc::clone(&slot));
        // Much later than CALLER_SPIN: the caller has gone to sleep by then.
        let late = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            tx.send(42);
        });
        assert_eq!(slot.wait(&CpuHints::new()), Some(42));
        assert_eq!(slot.state.load(Ordering::Acquire), DONE);
        late.join().expect("sender thread");
    }

    #[test]
    fn a_call_dropped_unanswered_wakes_its_caller_with_nothing() {
        let slot = ReplySlot::<u32>::new();
        let tx = ReplySender(Arc::clone(&slot));
        let dropper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            drop(tx);
        });
        assert_eq!(slot.wait(&CpuHints::new()), None);
        dropper.join().expect("dropper thread");
    }

    #[test]
    fn patience_yields_to_a_thread_on_the_same_cpu_and_runs_out() {
        let me = AtomicI32::new(NO_CPU);
        let mut patience = Patience::new(Duration::from_millis(5));
        let mut steps = 0u32;
        // `other` claims to be on our CPU (when the CPU is known): the steps yield.
        while patience.step(&me, current_cpu()) {
            steps += 1;
        }
        assert!(
            patience
                .start
                .is_some_and(|s| s.elapsed() >= Duration::from_millis(5))
        );
        assert!(steps > 0);
        assert_ne!(
            me.load(Ordering::Relaxed),
            NO_CPU,
            "the step records this CPU"
        );
        let mut patience = Patience::new(Duration::ZERO);
        let steps = std::iter::from_fn(|| patience.step(&me, NO_CPU).then_some(())).count();
        assert!(steps < 16, "spins check the clock every 8 steps");
    }
}
