//! A persistent thread that lives in a namespace and takes calls.
//!
//! # The hand-off
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

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use crate::current::{self, current_ns};
use crate::error::{Error, Result};
use crate::kind::{NsKind, Scope};
use crate::namespace::{Namespace, NsHandle, wrap};
use crate::scope::{check, enter_owned};

/// How long the worker keeps looking for the next call before it sleeps.
const WORKER_SPIN: Duration = Duration::from_micros(20);
/// How long a caller keeps looking for its answer before it sleeps.
const CALLER_SPIN: Duration = Duration::from_micros(20);
/// "No CPU known".
const NO_CPU: i32 = -1;

type Restorer<'a> = &'a dyn Fn() -> Result<()>;
type Job<H> = Box<dyn for<'a> FnOnce(&'a H, Restorer<'a>) + Send>;
type Reply<R> = Result<std::thread::Result<R>>;

/// State shared by a worker's handle, its callers and its thread.
struct Shared {
    poisoned: AtomicBool,
    /// The CPU the worker's thread was last seen on (a hint).
    worker_cpu: AtomicI32,
    /// The CPU the latest waiting caller was last seen on (a hint).
    caller_cpu: AtomicI32,
    #[cfg(feature = "tokio")]
    wake: tokio::sync::Notify,
}

/// The CPU the calling thread runs on, or [`NO_CPU`].
fn current_cpu() -> i32 {
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
struct ReplySlot<T> {
    state: AtomicU8,
    value: Mutex<Option<T>>,
    caller: Thread,
}

/// The worker's end of a [`ReplySlot`]. Dropping it without sending (a call dropped from the
/// queue of a worker that stopped) still wakes the caller, who then finds no answer.
struct ReplySender<T>(Arc<ReplySlot<T>>);

impl<T> ReplySender<T> {
    fn send(self, value: T) {
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
    fn new() -> Arc<ReplySlot<T>> {
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
    fn wait(&self, shared: &Shared) -> Option<T> {
        if !self.is_done() {
            let mut patience = Patience::new(CALLER_SPIN);
            while !self.is_done() {
                let worker = shared.worker_cpu.load(Ordering::Relaxed);
                if !patience.step(&shared.caller_cpu, worker) {
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

/// A persistent thread that entered a namespace once and runs many calls there.
///
/// Created by [`Namespace::worker`] or [`NetNs::worker`](crate::NetNs::worker). Calls are
/// queued and run one at a time, in order, on the worker's thread; the handle is `Send` and
/// `Sync`, so many threads can share one worker. After every call the worker re-enters its
/// namespace (one `setns`, the same restore `run_here` does), so a call that wandered off
/// cannot leak into the next one. If that ever fails, the worker is *poisoned*: the call gets
/// [`Error::RestoreFailed`], later calls get [`Error::PoisonedWorker`], and its thread exits.
///
/// Dropping the worker lets queued calls finish, then joins its thread.
///
/// For `mnt` the re-entry first gives the worker's thread a private copy of its filesystem
/// context (threads a call created share it, even for a moment after they were joined), and
/// resets its root and working directory to the namespace's; threads the calls created keep
/// theirs.
///
/// With feature `tokio` the thread also runs a current-thread runtime built after entering
/// the namespace: `spawn_async` runs futures there, and
/// `tokio::spawn` inside calls spawns onto it. Tasks make progress while the worker is idle.
pub struct Worker<H: NsHandle = Namespace> {
    jobs: Option<Sender<Job<H>>>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
    target: Namespace,
    host: H,
}

impl<H: NsHandle> Worker<H> {
    pub(crate) fn start(target: &Namespace) -> Result<Worker<H>> {
        check(target.kind(), Scope::Worker)?;
        let host: H = wrap(current_ns(target.kind())?);
        let shared = Arc::new(Shared {
            poisoned: AtomicBool::new(false),
            worker_cpu: AtomicI32::new(NO_CPU),
            caller_cpu: AtomicI32::new(NO_CPU),
            #[cfg(feature = "tokio")]
            wake: tokio::sync::Notify::new(),
        });
        let (jobs_tx, jobs_rx) = mpsc::channel::<Job<H>>();
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<()>>(1);
        let thread = {
            let target = target.clone();
            let shared = Arc::clone(&shared);
            let host = host.clone();
            std::thread::Builder::new()
                .name(format!("nsscope-w-{}", target.kind()))
                .spawn(move || worker_main(target, host, jobs_rx, shared, ready_tx))
                .map_err(|e| Error::io("spawning the worker thread", e))?
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Worker {
                jobs: Some(jobs_tx),
                thread: Some(thread),
                shared,
                target: target.clone(),
                host,
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(Error::io(
                    "starting the worker thread",
                    std::io::Error::other("the worker thread exited before entering"),
                ))
            }
        }
    }

    /// Runs `f` on the worker's thread, inside the namespace, and returns its result.
    ///
    /// `f` receives the namespace the worker's thread came from (the creator's). A panic in
    /// `f` resumes in the caller; the worker survives it.
    ///
    /// Errors: [`Error::PoisonedWorker`] if the worker is poisoned, [`Error::RestoreFailed`]
    /// if the worker could not re-enter its namespace after this very call (it is poisoned
    /// from then on and `f`'s result is dropped).
    ///
    /// Called from inside one of the worker's own calls, `f` runs right there (queueing it
    /// would wait for itself).
    pub fn run<F, R>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&H) -> R + Send + 'static,
        R: Send + 'static,
    {
        if self.is_own_thread() {
            return Ok(f(&self.host));
        }
        let slot = ReplySlot::<Reply<R>>::new();
        let tx = ReplySender(Arc::clone(&slot));
        self.submit(Box::new(move |host: &H, restore: Restorer<'_>| {
            let out = catch_unwind(AssertUnwindSafe(|| f(host)));
            let reply = restore().map(|()| out);
            tx.send(reply);
        }))?;
        match slot.wait(&self.shared) {
            Some(Ok(Ok(value))) => Ok(value),
            Some(Ok(Err(panic))) => resume_unwind(panic),
            Some(Err(e)) => Err(e),
            None => Err(self.poisoned_error()),
        }
    }

    /// Spawns the future made by `f` on the worker's current-thread runtime (built inside the
    /// namespace), and returns its `JoinHandle`, which can be awaited from any runtime.
    ///
    /// `f` runs on the worker's thread, so sockets it creates, and tasks the future spawns,
    /// live in the namespace. The task runs while the worker is not busy with a call.
    #[cfg(feature = "tokio")]
    pub fn spawn_async<F, Fut>(&self, f: F) -> Result<tokio::task::JoinHandle<Fut::Output>>
    where
        F: FnOnce(&H) -> Fut + Send + 'static,
        Fut: std::future::Future + Send + 'static,
        Fut::Output: Send + 'static,
    {
        self.run(move |host| tokio::spawn(f(host)))
    }

    /// The namespace the worker runs in.
    pub fn namespace(&self) -> &Namespace {
        &self.target
    }

    /// Whether the worker is poisoned (see [`Worker`]).
    pub fn is_poisoned(&self) -> bool {
        self.shared.poisoned.load(Ordering::Acquire)
            || self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    fn is_own_thread(&self) -> bool {
        self.thread
            .as_ref()
            .is_some_and(|t| t.thread().id() == std::thread::current().id())
    }

    fn poisoned_error(&self) -> Error {
        Error::PoisonedWorker {
            kind: self.target.kind(),
        }
    }

    fn submit(&self, job: Job<H>) -> Result<()> {
        if self.shared.poisoned.load(Ordering::Acquire) {
            return Err(self.poisoned_error());
        }
        let jobs = self.jobs.as_ref().ok_or_else(|| self.poisoned_error())?;
        jobs.send(job).map_err(|_| self.poisoned_error())?;
        self.wake_worker();
        Ok(())
    }

    /// Wakes the worker's thread if it sleeps (cheap when it does not: no system call).
    fn wake_worker(&self) {
        #[cfg(feature = "tokio")]
        self.shared.wake.notify_one();
        #[cfg(not(feature = "tokio"))]
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
    }
}

impl<H: NsHandle> Drop for Worker<H> {
    fn drop(&mut self) {
        drop(self.jobs.take());
        self.wake_worker();
        // Dropped by one of its own calls: the thread ends after that call by itself.
        if !self.is_own_thread() {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

impl<H: NsHandle> std::fmt::Debug for Worker<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("namespace", &self.target)
            .field("poisoned", &self.is_poisoned())
            .finish()
    }
}

fn worker_main<H: NsHandle>(
    target: Namespace,
    host: H,
    jobs: Receiver<Job<H>>,
    shared: Arc<Shared>,
    ready: SyncSender<Result<()>>,
) {
    let kind: NsKind = target.kind();
    let entered =
        enter_owned(&target).map_err(|e| Error::from_io(format!("entering {target}"), None, e));
    #[cfg(feature = "tokio")]
    let (entered, rt) = match entered.and_then(|()| crate::rt::build(&target)) {
        Ok(rt) => (Ok(()), Some(rt)),
        Err(e) => (Err(e), None),
    };
    let ok = entered.is_ok();
    if ready.send(entered).is_err() || !ok {
        return;
    }
    #[cfg(feature = "tokio")]
    let Some(rt) = rt else { return };
    #[cfg(feature = "tokio")]
    let _context = rt.enter();

    shared.worker_cpu.store(current_cpu(), Ordering::Relaxed);
    let restore = || -> Result<()> {
        enter_owned(&target)
            .map(|()| current::moved_to(&target))
            .map_err(|source| {
                shared.poisoned.store(true, Ordering::Release);
                Error::RestoreFailed { kind, source }
            })
    };
    loop {
        #[cfg(not(feature = "tokio"))]
        let next = next_job(&jobs, &shared);
        #[cfg(feature = "tokio")]
        let next = next_job(&jobs, &rt, &shared);
        let Some(job) = next else { break };
        job(&host, &restore);
        if shared.poisoned.load(Ordering::Acquire) {
            break;
        }
    }
    // Queued jobs are dropped with the receiver; their callers see the worker as poisoned.
}

/// Looks for the next call patiently (see the module docs). `Err(Empty)`: time to sleep.
fn look_for_job<H>(
    jobs: &Receiver<Job<H>>,
    shared: &Shared,
) -> std::result::Result<Job<H>, TryRecvError> {
    let mut patience: Option<Patience> = None;
    loop {
        match jobs.try_recv() {
            Err(TryRecvError::Empty) => {}
            other => return other,
        }
        let patience = patience.get_or_insert_with(|| Patience::new(WORKER_SPIN));
        let caller = shared.caller_cpu.load(Ordering::Relaxed);
        if !patience.step(&shared.worker_cpu, caller) {
            return Err(TryRecvError::Empty);
        }
    }
}

#[cfg(not(feature = "tokio"))]
fn next_job<H>(jobs: &Receiver<Job<H>>, shared: &Shared) -> Option<Job<H>> {
    let mut next = look_for_job(jobs, shared);
    loop {
        match next {
            Ok(job) => return Some(job),
            Err(TryRecvError::Disconnected) => return None,
            // Woken by `submit` (or `Drop`); `park` may also return spuriously.
            Err(TryRecvError::Empty) => std::thread::park(),
        }
        shared.worker_cpu.store(current_cpu(), Ordering::Relaxed);
        next = jobs.try_recv();
    }
}

#[cfg(feature = "tokio")]
fn next_job<H>(
    jobs: &Receiver<Job<H>>,
    rt: &tokio::runtime::Runtime,
    shared: &Shared,
) -> Option<Job<H>> {
    match look_for_job(jobs, shared) {
        Ok(job) => Some(job),
        Err(TryRecvError::Disconnected) => None,
        // Sleep inside the runtime so spawned tasks make progress meanwhile.
        Err(TryRecvError::Empty) => {
            let next = rt.block_on(async {
                loop {
                    match jobs.try_recv() {
                        Ok(job) => return Some(job),
                        Err(TryRecvError::Disconnected) => return None,
                        Err(TryRecvError::Empty) => shared.wake.notified().await,
                    }
                }
            });
            shared.worker_cpu.store(current_cpu(), Ordering::Relaxed);
            next
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Shared {
        Shared {
            poisoned: AtomicBool::new(false),
            worker_cpu: AtomicI32::new(NO_CPU),
            caller_cpu: AtomicI32::new(NO_CPU),
            #[cfg(feature = "tokio")]
            wake: tokio::sync::Notify::new(),
        }
    }

    #[test]
    fn an_answer_sent_before_the_wait_is_taken_at_once() {
        let slot = ReplySlot::<u32>::new();
        ReplySender(Arc::clone(&slot)).send(7);
        assert_eq!(slot.wait(&shared()), Some(7));
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
        assert_eq!(slot.wait(&shared()), Some(42));
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
        assert_eq!(slot.wait(&shared()), None);
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
