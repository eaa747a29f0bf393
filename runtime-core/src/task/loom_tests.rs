//! Loom models of the task life cycle (`state.rs`, `harness.rs`,
//! `handle.rs`, `waker.rs`): wakes, cancellation, completion and the join
//! protocol racing each other.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 CARGO_TARGET_DIR=target/loom \
//!     cargo test -p runtime-core --release --lib loom
//! ```
//!
//! The scheduler is a mock: a `VecDeque` of queue entries behind a loom mutex,
//! which the models drain by hand. Drop counters are plain std atomics: they
//! are only read after every thread that touches them was joined, so they need
//! no ordering of their own and add no interleavings. The mock lives in a loom
//! `Arc` of which every task cell holds a clone, so `strong_count == 1` at the
//! end proves that every cell was freed (and loom itself reports a leaked
//! `Arc`); loom's `UnsafeCell` checks every access to the stage and the join
//! slot against concurrent ones.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use loom::sync::Arc;
use loom::thread;

use super::raw::{Notified, RawTask, Spawn};
use super::registry::Registry;
use super::{Task, TaskError, TaskId, TaskRef, new_task};
use crate::primitives::Mutex;
use crate::scheduler::Schedule;

/// A scheduler that only queues: the models decide who runs what, and when.
struct Mock {
    queue: Mutex<VecDeque<Notified>>,
    registry: Registry,
}

impl Mock {
    fn new() -> Arc<Mock> {
        Arc::new(Mock {
            queue: Mutex::new(VecDeque::new()),
            registry: Registry::new(1),
        })
    }
}

impl Schedule for Arc<Mock> {
    fn schedule(&self, task: Notified) {
        self.queue.lock().push_back(task);
    }

    fn yield_task(&self, task: Notified) {
        self.queue.lock().push_back(task);
    }

    fn release(&self, task: RawTask) -> bool {
        self.registry.remove(task)
    }
}

/// Spawns `future` on the mock; its first queue entry is queued.
fn spawn<F>(mock: &Arc<Mock>, future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    spawn_opts(mock, future, false)
}

/// `spawn`, optionally as a graceful task (`Builder::graceful`).
fn spawn_opts<F>(mock: &Arc<Mock>, future: F, graceful: bool) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let spawn = Spawn {
        id: TaskId::next(),
        name: None,
        location: std::panic::Location::caller(),
        local: false,
        graceful,
    };
    let (task, notified) = new_task(future, mock.clone(), &mock.registry, spawn);
    mock.schedule(notified.expect("the mock's registry is never closed"));
    task
}

/// Runs the oldest queue entry, if any; true if one ran.
fn run_one(mock: &Mock) -> bool {
    // The guard must be gone before the task runs: it may queue itself.
    let next = mock.queue.lock().pop_front();
    match next {
        Some(task) => {
            task.run();
            true
        }
        None => false,
    }
}

/// Runs queue entries until none is left; returns how many ran.
fn run_all(mock: &Mock) -> usize {
    let mut ran = 0;
    while run_one(mock) {
        ran += 1;
    }
    ran
}

/// Spawns a thread that runs the oldest queue entry (there must be one).
fn spawn_runner(mock: &Arc<Mock>) -> thread::JoinHandle<()> {
    let mock = mock.clone();
    thread::spawn(move || assert!(run_one(&mock)))
}

/// Spawns a thread that cancels `task` (which cannot have finished yet) and
/// hands the handle back.
fn spawn_canceller<T: Send + 'static>(task: Task<T>) -> thread::JoinHandle<Task<T>> {
    thread::spawn(move || {
        assert!(task.cancel(), "the task cannot have finished");
        task
    })
}

/// A future that is ready on its first poll with an [`Output`] counted in
/// `output_drops`.
fn ready_output(
    value: u32,
    output_drops: &Counter,
) -> impl Future<Output = Output> + Unpin + Send + 'static {
    let output_drops = output_drops.clone();
    poll_fn(move |_| Poll::Ready(Output::new(value, &output_drops)))
}

/// Every task is finished and freed: nothing queued, nothing registered,
/// and no cell holds the mock any more.
fn assert_all_freed(mock: Arc<Mock>) {
    assert!(
        mock.queue.lock().is_empty(),
        "a queue entry was left behind"
    );
    assert_eq!(mock.registry.len(), 0, "a task was never released");
    assert_eq!(Arc::strong_count(&mock), 1, "a task cell was leaked");
}

/// Runs `body` as a loom model on a fresh mock scheduler, then checks that
/// every task was finished and freed (see [`assert_all_freed`]).
fn model<F>(body: F)
where
    F: Fn(&Arc<Mock>) + Sync + Send + 'static,
{
    loom::model(move || {
        let mock = Mock::new();
        body(&mock);
        assert_all_freed(mock);
    });
}

#[derive(Clone, Default)]
struct Counter(std::sync::Arc<AtomicUsize>);

impl Counter {
    /// Increments; returns the value before.
    fn inc(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst)
    }

    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Counts its own drop.
struct DropProbe(Counter);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.inc();
    }
}

/// A task output that counts its drops.
struct Output {
    value: u32,
    _probe: DropProbe,
}

impl Output {
    fn new(value: u32, drops: &Counter) -> Output {
        Output {
            value,
            _probe: DropProbe(drops.clone()),
        }
    }
}

/// A future that counts its drop (whether or not it was ever polled).
struct Tracked<F> {
    future: F,
    _probe: DropProbe,
}

impl<F> Tracked<F> {
    fn new(drops: &Counter, future: F) -> Tracked<F> {
        Tracked {
            future,
            _probe: DropProbe(drops.clone()),
        }
    }
}

impl<F: Future + Unpin> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        Pin::new(&mut self.future).poll(cx)
    }
}

/// Where a future leaves a clone of its waker for another thread.
type WakerSlot = Arc<Mutex<Option<Waker>>>;

/// Spins (politely, for loom) until a waker shows up in `slot`.
fn take_waker(slot: &WakerSlot) -> Waker {
    loop {
        let waker = slot.lock().take();
        if let Some(waker) = waker {
            return waker;
        }
        thread::yield_now();
    }
}

/// A waker that counts its wakes; `Arc::strong_count` of the counter tells
/// whether some clone of it is still alive (leaked in a join slot).
struct CountingWaker(AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting_waker() -> (Waker, std::sync::Arc<CountingWaker>) {
    let counter = std::sync::Arc::new(CountingWaker(AtomicUsize::new(0)));
    (Waker::from(counter.clone()), counter)
}

/// No clone of the counting waker is still alive (e.g. kept in a join slot).
fn assert_waker_released(waker: &std::sync::Arc<CountingWaker>, msg: &str) {
    assert_eq!(std::sync::Arc::strong_count(waker), 1, "{msg}");
}

/// The handle's result without blocking (and without marking it awaited).
fn poll_handle<T>(task: &mut Task<T>) -> Poll<Result<T, TaskError>> {
    task.poll_result(&mut Context::from_waker(Waker::noop()))
}

/// A future that returns `Pending` forever (it never wakes itself).
fn forever_pending(polls: &Counter) -> impl Future<Output = ()> + Unpin + Send + 'static {
    let polls = polls.clone();
    poll_fn(move |_| {
        polls.inc();
        Poll::Pending
    })
}

/// The task is woken from another thread while (or after) its first poll
/// returns `Pending`: it must be queued exactly once more, complete exactly
/// once on the second poll, and hand its output to the handle.
#[test]
fn loom_wake_while_running() {
    model(|mock| {
        let (polls, future_drops, output_drops) =
            (Counter::default(), Counter::default(), Counter::default());
        let slot = WakerSlot::default();
        let future = {
            let (slot, polls, output_drops) = (slot.clone(), polls.clone(), output_drops.clone());
            Tracked::new(
                &future_drops,
                poll_fn(move |cx| {
                    if polls.inc() == 0 {
                        *slot.lock() = Some(cx.waker().clone());
                        Poll::Pending
                    } else {
                        Poll::Ready(Output::new(7, &output_drops))
                    }
                }),
            )
        };
        let mut task = spawn(mock, future);

        let runner = spawn_runner(mock);
        let waker = thread::spawn(move || take_waker(&slot).wake());
        runner.join().unwrap();
        waker.join().unwrap();

        // Requeued by the runner (woken while running) or queued by the
        // waker (woken while idle): either way exactly one entry.
        assert_eq!(run_all(mock), 1);
        assert_eq!(polls.get(), 2);
        assert_eq!(future_drops.get(), 1);
        match poll_handle(&mut task) {
            Poll::Ready(Ok(output)) => assert_eq!(output.value, 7),
            _ => panic!("the output did not reach the handle"),
        }
        assert_eq!(output_drops.get(), 1);
        drop(task);
    });
}

/// Two wakers (one by value, one by reference) race each other and the
/// first poll: the task must be queued exactly once.
#[test]
fn loom_two_wakes_queue_once() {
    model(|mock| {
        let polls = Counter::default();
        let (slot_a, slot_b) = (WakerSlot::default(), WakerSlot::default());
        let future = {
            let (slot_a, slot_b, polls) = (slot_a.clone(), slot_b.clone(), polls.clone());
            poll_fn(move |cx| {
                if polls.inc() == 0 {
                    *slot_a.lock() = Some(cx.waker().clone());
                    *slot_b.lock() = Some(cx.waker().clone());
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
        };
        let mut task = spawn(mock, future);

        let runner = spawn_runner(mock);
        // Two spinning threads would exceed loom's branch limit: each waker
        // thread wakes only if the poll already left its waker, and the main
        // thread wakes the others afterwards.
        let wake = |slot: &WakerSlot, by_ref: bool| {
            let waker = slot.lock().take();
            match waker {
                Some(waker) if by_ref => waker.wake_by_ref(),
                Some(waker) => waker.wake(),
                None => {}
            }
        };
        let by_val = {
            let slot = slot_a.clone();
            thread::spawn(move || wake(&slot, false))
        };
        let by_ref = {
            let slot = slot_b.clone();
            thread::spawn(move || wake(&slot, true))
        };
        runner.join().unwrap();
        by_val.join().unwrap();
        by_ref.join().unwrap();
        wake(&slot_a, false);
        wake(&slot_b, true);

        assert_eq!(run_all(mock), 1);
        assert_eq!(polls.get(), 2);
        assert!(matches!(poll_handle(&mut task), Poll::Ready(Ok(()))));
        drop(task);
    });
}

/// `cancel()` races the first poll of a task that never finishes by itself:
/// the future is dropped exactly once and the handle reports cancellation.
#[test]
fn loom_cancel_while_running() {
    model(|mock| {
        let (polls, future_drops) = (Counter::default(), Counter::default());
        let task = spawn(mock, Tracked::new(&future_drops, forever_pending(&polls)));

        let runner = spawn_runner(mock);
        let canceller = spawn_canceller(task);
        runner.join().unwrap();
        let mut task = canceller.join().unwrap();

        // A cancel that found the task idle queued it.
        run_all(mock);
        assert!(polls.get() <= 1);
        assert_eq!(future_drops.get(), 1);
        match poll_handle(&mut task) {
            Poll::Ready(Err(e)) => assert!(e.is_cancelled()),
            _ => panic!("the handle did not report the cancellation"),
        }
        assert!(!task.cancel(), "a finished task refuses cancellation");
        drop(task);
    });
}

/// A graceful task (`Builder::graceful`) is cancelled while (or before, or
/// after) it is polled: its future is not dropped, but it must be polled
/// again after the request, see it, and finish with its own value.
/// (`task::is_cancel_requested` is off under loom, so the future looks at
/// its own state through a `TaskRef`.)
#[test]
fn loom_graceful_cancel_while_running() {
    model(|mock| {
        let (polls, future_drops) = (Counter::default(), Counter::default());
        let me: Arc<Mutex<Option<TaskRef>>> = Arc::default();
        let future = {
            let (me, polls) = (me.clone(), polls.clone());
            Tracked::new(
                &future_drops,
                poll_fn(move |_| {
                    polls.inc();
                    let me = me.lock();
                    if me.as_ref().expect("set before the first poll").state()
                        == super::TaskState::Cancelling
                    {
                        Poll::Ready(5)
                    } else {
                        Poll::Pending
                    }
                }),
            )
        };
        let task = spawn_opts(mock, future, true);
        *me.lock() = Some(task.task_ref());

        let runner = spawn_runner(mock);
        let canceller = spawn_canceller(task);
        runner.join().unwrap();
        let mut task = canceller.join().unwrap();

        run_all(mock);
        assert!(
            matches!(poll_handle(&mut task), Poll::Ready(Ok(5))),
            "the request was lost"
        );
        assert!((1..=2).contains(&polls.get()));
        assert_eq!(future_drops.get(), 1);
        drop(task);
        drop(me);
    });
}

/// A cancel and a wake both find the task idle (after a `Pending` poll) and
/// race to queue it: exactly one queue entry, and the task ends cancelled.
#[test]
fn loom_cancel_races_wake() {
    model(|mock| {
        let future_drops = Counter::default();
        let slot = WakerSlot::default();
        let future = {
            let slot = slot.clone();
            Tracked::new(
                &future_drops,
                poll_fn(move |cx| {
                    *slot.lock() = Some(cx.waker().clone());
                    Poll::<()>::Pending
                }),
            )
        };
        let task = spawn(mock, future);
        assert!(run_one(mock));
        let waker = take_waker(&slot);

        let waker = thread::spawn(move || waker.wake());
        let canceller = spawn_canceller(task);
        waker.join().unwrap();
        let mut task = canceller.join().unwrap();

        assert_eq!(run_all(mock), 1);
        assert_eq!(future_drops.get(), 1);
        assert!(matches!(poll_handle(&mut task), Poll::Ready(Err(e)) if e.is_cancelled()));
        drop(task);
    });
}

/// The handle (never polled, so detaching) is dropped while the task
/// completes: the output is dropped exactly once, by whichever side is
/// last, and the cell is freed.
#[test]
fn loom_handle_dropped_while_completing() {
    model(|mock| {
        let (future_drops, output_drops) = (Counter::default(), Counter::default());
        let future = Tracked::new(&future_drops, ready_output(1, &output_drops));
        let task = spawn(mock, future);

        let runner = spawn_runner(mock);
        let dropper = thread::spawn(move || drop(task));
        runner.join().unwrap();
        dropper.join().unwrap();

        assert_eq!(future_drops.get(), 1);
        assert_eq!(output_drops.get(), 1);
    });
}

/// As above, but the handle had stored a waker (`poll_result`, so dropping
/// it still detaches): the join slot changes hands while the handle goes.
/// The waker is released exactly once, by whichever side ends up owning it.
#[test]
fn loom_polled_handle_dropped_while_completing() {
    model(|mock| {
        let output_drops = Counter::default();
        let future = ready_output(1, &output_drops);
        let mut task = spawn(mock, future);
        let (waker, joiner) = counting_waker();
        assert!(
            task.poll_result(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(waker);
        // Keeps the cell alive: the waker must be released by the protocol,
        // not merely when the cell is freed.
        let task_ref = task.task_ref();

        let runner = spawn_runner(mock);
        let dropper = thread::spawn(move || drop(task));
        runner.join().unwrap();
        dropper.join().unwrap();

        assert_eq!(output_drops.get(), 1);
        assert!(joiner.0.load(Ordering::SeqCst) <= 1);
        assert_waker_released(&joiner, "the join waker was kept");
        assert!(task_ref.is_finished());
        drop(task_ref);
    });
}

/// The joiner registers its waker while the task completes: it must be
/// woken (loom reports a deadlock otherwise) and get the value.
#[test]
fn loom_join_waker_race() {
    model(|mock| {
        let output_drops = Counter::default();
        let future = ready_output(42, &output_drops);
        let task = spawn(mock, future);

        let runner = spawn_runner(mock);
        let joiner = thread::spawn(move || loom::future::block_on(task).map(|out| out.value));
        runner.join().unwrap();
        assert_eq!(joiner.join().unwrap().unwrap(), 42);

        assert_eq!(output_drops.get(), 1);
    });
}

/// The joiner first polls with one waker, then awaits with another (the
/// join slot is taken back and refilled) while the task completes.
#[test]
fn loom_join_waker_replaced_while_completing() {
    model(|mock| {
        let output_drops = Counter::default();
        let future = ready_output(42, &output_drops);
        let mut task = spawn(mock, future);

        let runner = spawn_runner(mock);
        let (first_waker, first) = counting_waker();
        let joiner = thread::spawn(move || {
            let result = match task.poll_result(&mut Context::from_waker(&first_waker)) {
                Poll::Ready(result) => result,
                Poll::Pending => loom::future::block_on(poll_fn(|cx| task.poll_result(cx))),
            };
            result.map(|out| out.value)
        });
        runner.join().unwrap();
        assert_eq!(joiner.join().unwrap().unwrap(), 42);

        assert_eq!(output_drops.get(), 1);
        assert_waker_released(&first, "the first waker leaked");
    });
}

/// A waker kept by the future outlives the task: it is woken (by reference,
/// then by value) during or after the last poll while the handle is
/// dropped. Nothing may be queued, and whoever releases the last reference
/// frees the cell.
#[test]
fn loom_wake_after_completion() {
    model(|mock| {
        let (future_drops, output_drops) = (Counter::default(), Counter::default());
        let slot = WakerSlot::default();
        let future = {
            let (slot, output_drops) = (slot.clone(), output_drops.clone());
            Tracked::new(
                &future_drops,
                poll_fn(move |cx| {
                    *slot.lock() = Some(cx.waker().clone());
                    Poll::Ready(Output::new(3, &output_drops))
                }),
            )
        };
        let task = spawn(mock, future);

        let runner = spawn_runner(mock);
        let waker = thread::spawn(move || {
            let waker = take_waker(&slot);
            waker.wake_by_ref();
            waker.wake();
        });
        drop(task);
        runner.join().unwrap();
        waker.join().unwrap();

        assert_eq!(run_all(mock), 0, "a completed task was queued");
        assert_eq!(future_drops.get(), 1);
        assert_eq!(output_drops.get(), 1);
    });
}

/// A handle that was awaited (polled once) is dropped while the task runs:
/// that cancels the task, so its future is dropped.
#[test]
fn loom_awaited_handle_drop_cancels() {
    model(|mock| {
        let (polls, future_drops) = (Counter::default(), Counter::default());
        let mut task = spawn(mock, Tracked::new(&future_drops, forever_pending(&polls)));
        let (waker, joiner) = counting_waker();
        assert!(
            Pin::new(&mut task)
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(waker);

        let runner = spawn_runner(mock);
        let dropper = thread::spawn(move || drop(task));
        runner.join().unwrap();
        dropper.join().unwrap();

        // A cancel that found the task idle queued it.
        run_all(mock);
        assert_eq!(future_drops.get(), 1);
        assert_waker_released(&joiner, "the join waker leaked");
    });
}
