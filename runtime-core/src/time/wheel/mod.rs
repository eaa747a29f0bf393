//! A hierarchical timing wheel: 6 levels × 64 slots at 1 ms resolution
//! (level `l` slot spans 64^l ms, ~2.2 years in all), an occupancy bitmap per
//! level so the next expiry is a bit scan, and intrusive slot lists so
//! inserting and removing an entry are O(1) and allocate nothing.
//!
//! Firing is exact: slots are only a coarse index. An entry in the slot of
//! the current millisecond fires once the clock has reached its precise
//! deadline, never a tick late and never early.

mod entry;

use std::ptr::NonNull;
use std::task::Waker;
use std::time::{Duration, Instant};

pub(crate) use entry::{FIRED, REGISTERED, TimerEntry, UNREGISTERED};

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const SLOT_BITS: u32 = 6;
/// Ticks beyond this many milliseconds are clamped (re-filed on cascade).
const MAX_SPAN: u64 = (1 << (SLOT_BITS * LEVELS as u32)) - 1;

#[derive(Clone, Copy, Default)]
struct List {
    head: Option<NonNull<TimerEntry>>,
}

struct Level {
    occupied: u64,
    slots: [List; SLOTS],
}

/// One wheel. Not thread-safe by itself: each lives behind a mutex.
pub(crate) struct Wheel {
    start: Instant,
    /// Every slot strictly before this tick has been processed.
    elapsed: u64,
    levels: [Level; LEVELS],
    len: usize,
    /// A lower bound of the earliest deadline, valid while `len > 0`: lets
    /// `process` return at once when nothing can be due, and makes
    /// `next_deadline` O(1). Removals leave it a (possibly early) bound.
    earliest: Instant,
}

// SAFETY: the raw entry pointers are only followed under the wheel's mutex,
// and every linked entry unlinks itself (under that mutex) before it dies.
unsafe impl Send for Wheel {}

fn level_for(elapsed: u64, when: u64) -> usize {
    let masked = (elapsed ^ when) | (SLOTS as u64 - 1);
    let significant = 63 - masked.leading_zeros();
    ((significant / SLOT_BITS) as usize).min(LEVELS - 1)
}

impl Wheel {
    pub(crate) fn new(start: Instant) -> Wheel {
        Wheel {
            start,
            elapsed: 0,
            levels: std::array::from_fn(|_| Level {
                occupied: 0,
                slots: [List::default(); SLOTS],
            }),
            len: 0,
            earliest: start,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn tick_of(&self, instant: Instant) -> u64 {
        let ms = instant.saturating_duration_since(self.start).as_millis();
        u64::try_from(ms).unwrap_or(u64::MAX)
    }

    fn instant_of(&self, tick: u64) -> Instant {
        self.start
            .checked_add(Duration::from_millis(tick))
            .unwrap_or_else(|| self.start + Duration::from_secs(86_400 * 365 * 30))
    }

    /// Files `entry` under its deadline with `waker`.
    ///
    /// # Safety
    /// `entry` is pinned, unregistered and stays alive until it is removed
    /// from this wheel (or fired).
    pub(crate) unsafe fn insert(
        &mut self,
        entry: NonNull<TimerEntry>,
        deadline: Instant,
        waker: Waker,
    ) {
        let tick = self.tick_of(deadline);
        // SAFETY: unregistered: the caller owns it.
        let inner = unsafe { entry.as_ref().inner() };
        inner.deadline = deadline;
        inner.tick = tick;
        inner.waker = Some(waker);
        // SAFETY: by the caller.
        unsafe { self.link(entry) };
        // SAFETY: pointer valid by the caller.
        unsafe { entry.as_ref() }.set_state(REGISTERED);
        self.earliest = if self.len == 0 {
            deadline
        } else {
            self.earliest.min(deadline)
        };
        self.len += 1;
    }

    /// # Safety
    /// `entry` is valid, unlinked; wheel lock held.
    unsafe fn link(&mut self, entry: NonNull<TimerEntry>) {
        // SAFETY: by the caller.
        let inner = unsafe { entry.as_ref().inner() };
        let when = inner.tick.max(self.elapsed).min(self.elapsed + MAX_SPAN);
        let level = level_for(self.elapsed, when);
        let slot = ((when >> (SLOT_BITS * level as u32)) as usize) & (SLOTS - 1);
        inner.level = level as u8;
        inner.slot = slot as u8;
        let list = &mut self.levels[level].slots[slot];
        inner.prev = None;
        inner.next = list.head;
        if let Some(head) = list.head {
            // SAFETY: linked entries are valid under the lock.
            unsafe { head.as_ref().inner() }.prev = Some(entry);
        }
        list.head = Some(entry);
        self.levels[level].occupied |= 1 << slot;
    }

    /// Unlinks `entry` from the list `link` put it in.
    ///
    /// # Safety
    /// `entry` is linked in this wheel; wheel lock held.
    unsafe fn unlink(&mut self, entry: NonNull<TimerEntry>) {
        // SAFETY: by the caller.
        let inner = unsafe { entry.as_ref().inner() };
        let (level, slot) = (inner.level as usize, inner.slot as usize);
        match inner.prev {
            // SAFETY: neighbours are linked, hence valid.
            Some(prev) => unsafe { prev.as_ref().inner() }.next = inner.next,
            None => self.levels[level].slots[slot].head = inner.next,
        }
        if let Some(next) = inner.next {
            // SAFETY: as above.
            unsafe { next.as_ref().inner() }.prev = inner.prev;
        }
        inner.prev = None;
        inner.next = None;
        if self.levels[level].slots[slot].head.is_none() {
            self.levels[level].occupied &= !(1 << slot);
        }
    }

    /// Removes a registered entry (its `Sleep` was dropped or reset).
    ///
    /// # Safety
    /// `entry` is registered in this wheel; wheel lock held.
    pub(crate) unsafe fn remove(&mut self, entry: NonNull<TimerEntry>) {
        // SAFETY: by the caller.
        let e = unsafe { entry.as_ref() };
        debug_assert_eq!(e.state(), REGISTERED);
        // SAFETY: by the caller.
        unsafe { self.unlink(entry) };
        // SAFETY: lock held.
        drop(unsafe { e.inner() }.waker.take());
        e.set_state(UNREGISTERED);
        self.len -= 1;
    }

    /// Takes the waker of a registered entry (before `remove`).
    ///
    /// # Safety
    /// `entry` is registered in this wheel; wheel lock held.
    pub(crate) unsafe fn take_waker(&mut self, entry: NonNull<TimerEntry>) -> Option<Waker> {
        // SAFETY: by the caller.
        unsafe { entry.as_ref().inner() }.waker.take()
    }

    /// Replaces the waker of a registered entry.
    ///
    /// # Safety
    /// `entry` is registered in this wheel; wheel lock held.
    pub(crate) unsafe fn set_waker(&mut self, entry: NonNull<TimerEntry>, waker: &Waker) {
        // SAFETY: by the caller.
        let inner = unsafe { entry.as_ref().inner() };
        match &inner.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => inner.waker = Some(waker.clone()),
        }
    }

    /// The earliest slot with entries: (level, slot, first tick it covers).
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        let mut best: Option<(usize, usize, u64)> = None;
        for level in 0..LEVELS {
            let occupied = self.levels[level].occupied;
            if occupied == 0 {
                continue;
            }
            let shift = SLOT_BITS * level as u32;
            let pos = ((self.elapsed >> shift) as usize) & (SLOTS - 1);
            let rotated = occupied.rotate_right(pos as u32);
            let slot = (pos + rotated.trailing_zeros() as usize) & (SLOTS - 1);
            let range_bits = shift + SLOT_BITS;
            let level_start = if range_bits >= 64 {
                0
            } else {
                self.elapsed & !((1u64 << range_bits) - 1)
            };
            let mut start = level_start + ((slot as u64) << shift);
            if slot < pos && range_bits < 64 {
                start += 1 << range_bits;
            }
            if best.is_none_or(|(_, _, b)| start < b) {
                best = Some((level, slot, start));
            }
        }
        best
    }

    /// Fires every entry whose deadline is `<= now`: unlinks it, marks it
    /// fired and pushes its waker to `wakers` (woken by the caller after it
    /// releases the lock).
    pub(crate) fn process(&mut self, now: Instant, wakers: &mut Vec<Waker>) {
        if self.len == 0 || now < self.earliest {
            return;
        }
        let now_tick = self.tick_of(now);
        let mut not_yet: Option<NonNull<TimerEntry>> = None;
        let mut not_yet_min: Option<Instant> = None;
        while let Some((level, slot, start)) = self.next_slot() {
            if start > now_tick {
                break;
            }
            // Take the whole slot; everything in it is due, cascades down,
            // or (current millisecond only) waits for its exact instant.
            let mut cur = self.levels[level].slots[slot].head.take();
            self.levels[level].occupied &= !(1 << slot);
            self.elapsed = self.elapsed.max(start);
            while let Some(entry) = cur {
                // SAFETY: linked entries are valid; lock held by the caller.
                let e = unsafe { entry.as_ref() };
                let inner = unsafe { e.inner() };
                cur = inner.next;
                inner.prev = None;
                inner.next = None;
                if inner.deadline <= now {
                    if let Some(waker) = inner.waker.take() {
                        wakers.push(waker);
                    }
                    e.set_state(FIRED);
                    self.len -= 1;
                } else if inner.tick <= now_tick {
                    // Same millisecond, a few microseconds early: keep aside.
                    not_yet_min =
                        Some(not_yet_min.map_or(inner.deadline, |m| m.min(inner.deadline)));
                    inner.next = not_yet;
                    not_yet = Some(entry);
                } else {
                    // Cascade: refile relative to the new `elapsed`.
                    // SAFETY: unlinked and valid.
                    unsafe { self.link(entry) };
                }
            }
        }
        self.elapsed = self.elapsed.max(now_tick);
        // Recompute the bound: the entries kept aside, or the next slot.
        let next_slot = self.next_slot().map(|(_, _, start)| self.instant_of(start));
        self.earliest = match (not_yet_min, next_slot) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(self.start),
        };
        while let Some(entry) = not_yet {
            // SAFETY: valid, unlinked (kept aside above).
            let inner = unsafe { entry.as_ref().inner() };
            not_yet = inner.next;
            // SAFETY: as above.
            unsafe { self.link(entry) };
        }
    }

    /// A lower bound of the earliest deadline (exact right after a
    /// `process` that found the earliest entry in the current millisecond);
    /// `None` without entries. Waking at it and processing is always safe.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        (self.len > 0).then_some(self.earliest)
    }
}

#[cfg(test)]
mod tests;
