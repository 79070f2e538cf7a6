//! A persistent thread that lives in a namespace and takes calls.
//!
//! [`handoff`] carries calls to the worker's thread and answers back; with feature `tokio`,
//! [`tasks`] runs the worker's futures between calls.

mod handoff;
#[cfg(feature = "tokio")]
mod tasks;

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

use crate::current::{self, current_ns};
use crate::error::{Error, Result};
use crate::kind::{NsKind, Scope};
use crate::namespace::{Namespace, NsHandle, wrap};
use crate::scope::{check, enter_owned};
use handoff::{CpuHints, ReplySender, ReplySlot};

type Restorer<'a> = &'a dyn Fn() -> Result<()>;
type Job<H> = Box<dyn for<'a> FnOnce(&'a H, Restorer<'a>) + Send>;
type Reply<R> = Result<std::thread::Result<R>>;

/// State shared by a worker's handle, its callers and its thread.
struct Shared {
    poisoned: AtomicBool,
    cpus: CpuHints,
    /// Wakes the worker's thread when it sleeps in its runtime.
    #[cfg(feature = "tokio")]
    wake: tokio::sync::Notify,
}

/// A persistent thread that entered a namespace once and runs many calls there.
///
/// Created by [`Namespace::worker`] or [`NetNs::worker`](crate::NetNs::worker). Calls are
/// queued and run one at a time, in order, on the worker's thread; the handle is `Send` and
/// `Sync`, so many threads can share one worker. After every call the worker re-enters its
/// namespace (one `setns`, the same restore `run_here` does), so a call that wandered off
/// cannot leak into the next one; like `run_here`'s, that restore covers the namespace's kind
/// only. If it ever fails, the worker is *poisoned*: the call gets [`Error::RestoreFailed`],
/// later calls get [`Error::PoisonedWorker`], and its thread exits.
///
/// Dropping the worker lets queued calls finish, then joins its thread. With feature `tokio`
/// its runtime shuts down on the way: tasks still pending are cancelled (their `JoinHandle`
/// reports a cancelled `JoinError`), and the drop waits for every `spawn_blocking` task that
/// has started.
///
/// For `mnt` the re-entry first gives the worker's thread a private copy of its filesystem
/// context (threads a call created share it, even for a moment after they were joined), and
/// resets its root and working directory to the namespace's; threads the calls created keep
/// theirs.
///
/// With feature `tokio` the thread also runs a current-thread runtime built after entering
/// the namespace: `spawn_async` runs futures there, `tokio::spawn` inside calls spawns onto
/// it, and its blocking threads are kept in the namespace whichever thread makes the pool
/// grow. Tasks run while the worker waits for calls and, while calls keep it busy, get a turn
/// between two calls at least every millisecond. Task code may move the thread too: after
/// tasks have run, the worker re-enters its namespace before the next call.
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
            cpus: CpuHints::new(),
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
        match slot.wait(&self.shared.cpus) {
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

    shared.cpus.worker_is_here();
    let restore = || -> Result<()> {
        enter_owned(&target)
            .map(|()| current::moved_to(&target))
            .map_err(|source| {
                shared.poisoned.store(true, Ordering::Release);
                Error::RestoreFailed { kind, source }
            })
    };
    #[cfg(feature = "tokio")]
    let mut tasks = tasks::Tasks::new(&rt);
    loop {
        #[cfg(not(feature = "tokio"))]
        let next = next_job(&jobs, &shared);
        #[cfg(feature = "tokio")]
        let next = tasks.next_job(&jobs, &shared);
        let Some(job) = next else { break };
        // Tasks may have moved the thread: back inside before the call (or poisoned, and the
        // call dropped unanswered).
        #[cfg(feature = "tokio")]
        if tasks.ran_since_last_call() && restore().is_err() {
            break;
        }
        job(&host, &restore);
        if shared.poisoned.load(Ordering::Acquire) {
            break;
        }
        #[cfg(feature = "tokio")]
        tasks.turn_if_due();
    }
    // Queued jobs are dropped with the receiver; their callers see the worker as poisoned.
}

/// The next call: looked for patiently, then waited for parked. `None` once the worker's
/// handle is gone.
#[cfg(not(feature = "tokio"))]
fn next_job<H>(jobs: &Receiver<Job<H>>, shared: &Shared) -> Option<Job<H>> {
    let mut next = handoff::look_for_next(jobs, &shared.cpus);
    loop {
        match next {
            Ok(job) => return Some(job),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            // Woken by `submit` (or `Drop`); `park` may also return spuriously.
            Err(mpsc::TryRecvError::Empty) => std::thread::park(),
        }
        shared.cpus.worker_is_here();
        next = jobs.try_recv();
    }
}
