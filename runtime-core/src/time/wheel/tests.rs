use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Wake, Waker};

use super::*;

struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn entry() -> Pin<Box<TimerEntry>> {
    Box::pin(TimerEntry::new(Instant::now()))
}

fn ptr(e: &Pin<Box<TimerEntry>>) -> NonNull<TimerEntry> {
    NonNull::from(&**e)
}

fn fire(wheel: &mut Wheel, now: Instant) -> usize {
    let mut wakers = Vec::new();
    wheel.process(now, &mut wakers);
    let n = wakers.len();
    wakers.into_iter().for_each(Waker::wake);
    n
}

#[test]
fn fires_exactly_at_the_deadline_across_levels() {
    let start = Instant::now();
    let mut wheel = Wheel::new(start);
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let delays_us = [
        500u64,
        1_000,
        1_500,
        63_999,
        64_000,
        70_123,
        5_000_000,
        300_000_000,
    ];
    let entries: Vec<_> = delays_us.iter().map(|_| entry()).collect();
    for (e, us) in entries.iter().zip(delays_us) {
        // SAFETY: pinned, unregistered, outlives the wheel use below.
        unsafe {
            wheel.insert(
                ptr(e),
                start + Duration::from_micros(us),
                Waker::from(count.clone()),
            )
        };
    }
    assert_eq!(wheel.len(), delays_us.len());
    for (i, us) in delays_us.iter().enumerate() {
        let deadline = start + Duration::from_micros(*us);
        // Never early: one microsecond before, nothing new fires.
        fire(&mut wheel, deadline - Duration::from_micros(1));
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            i,
            "early fire before {us}us"
        );
        assert!(!entries[i].is_fired());
        // On time: at the deadline it fires.
        assert_eq!(fire(&mut wheel, deadline), 1, "deadline {us}us");
        assert!(entries[i].is_fired());
    }
    assert_eq!(wheel.len(), 0);
    assert_eq!(wheel.next_deadline(), None);
}

#[test]
fn next_deadline_is_exact_in_the_current_millisecond_and_a_bound_after() {
    let start = Instant::now();
    let mut wheel = Wheel::new(start);
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let near = entry();
    let far = entry();
    let near_at = start + Duration::from_micros(250);
    let far_at = start + Duration::from_millis(200) + Duration::from_micros(7);
    // SAFETY: pinned and alive for the test.
    unsafe {
        wheel.insert(ptr(&near), near_at, Waker::from(count.clone()));
        wheel.insert(ptr(&far), far_at, Waker::from(count.clone()));
    }
    assert_eq!(wheel.next_deadline(), Some(near_at));
    fire(&mut wheel, near_at);
    let bound = wheel.next_deadline().expect("far is pending");
    assert!(
        bound <= far_at && far_at - bound < Duration::from_millis(64),
        "{bound:?}"
    );
    // Advancing into the far entry's millisecond makes the answer exact.
    fire(&mut wheel, start + Duration::from_millis(200));
    assert_eq!(wheel.next_deadline(), Some(far_at));
}

#[test]
fn removed_entries_never_fire() {
    let start = Instant::now();
    let mut wheel = Wheel::new(start);
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let entries: Vec<_> = (0..100).map(|_| entry()).collect();
    for (i, e) in entries.iter().enumerate() {
        // SAFETY: pinned and alive.
        unsafe {
            wheel.insert(
                ptr(e),
                start + Duration::from_millis(i as u64 * 37),
                Waker::from(count.clone()),
            )
        };
    }
    for e in entries.iter().step_by(2) {
        // SAFETY: registered in this wheel.
        unsafe { wheel.remove(ptr(e)) };
        assert_eq!(e.state(), UNREGISTERED);
    }
    assert_eq!(wheel.len(), 50);
    assert_eq!(fire(&mut wheel, start + Duration::from_secs(10)), 50);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.is_fired(), i % 2 == 1);
    }
}

#[test]
fn deadlines_in_the_past_fire_on_the_next_process() {
    let start = Instant::now();
    let mut wheel = Wheel::new(start);
    fire(&mut wheel, start + Duration::from_secs(3));
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let e = entry();
    // SAFETY: pinned and alive.
    unsafe {
        wheel.insert(
            ptr(&e),
            start + Duration::from_secs(1),
            Waker::from(count.clone()),
        )
    };
    assert_eq!(fire(&mut wheel, start + Duration::from_secs(3)), 1);
}

#[test]
fn many_timers_cascade_in_order() {
    let start = Instant::now();
    let mut wheel = Wheel::new(start);
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let n = 2_000u64;
    // A spread from 1 ms to ~2.3 h, inserted in a scrambled order.
    let entries: Vec<_> = (0..n).map(|_| entry()).collect();
    let at = |i: u64| start + Duration::from_millis(1 + (i * i * 2_069) % 8_388_608);
    for i in 0..n {
        let j = (i * 7_919) % n;
        // SAFETY: pinned and alive.
        unsafe { wheel.insert(ptr(&entries[j as usize]), at(j), Waker::from(count.clone())) };
    }
    let mut order: Vec<u64> = (0..n).collect();
    order.sort_by_key(|&i| at(i));
    let mut fired = 0;
    for i in order {
        fired += fire(&mut wheel, at(i));
        assert!(
            entries[i as usize].is_fired(),
            "entry {i} not fired at its deadline"
        );
    }
    assert_eq!(fired, n as usize);
}
