//! The three orders a queue can serve its items in, and the container each
//! one keeps them in.
//!
//! The order is a type parameter of [`GenericQueue`](super::GenericQueue)
//! (a zero-sized marker), so the choice costs nothing at run time and
//! `PriorityQueue<T>` asks for `T: Ord` only where it needs it. The trait is
//! sealed: a queue relies on how its container behaves (see `Store`), so
//! only these three orders exist.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// First in, first out: asyncio's `Queue`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Fifo;

/// Last in, first out: asyncio's `LifoQueue`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Lifo;

/// Smallest first, by `Ord`: asyncio's `PriorityQueue` (which pops the
/// lowest entry, as `heapq` does; Rust's `BinaryHeap` alone would pop the
/// largest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Priority;

/// The order a [`GenericQueue`](super::GenericQueue) serves its items in:
/// [`Fifo`], [`Lifo`] or [`Priority`]. Sealed.
pub trait Order<T>: sealed::Ordered<T> {}

impl<T> Order<T> for Fifo {}
impl<T> Order<T> for Lifo {}
impl<T: Ord> Order<T> for Priority {}

pub(crate) use sealed::{Ordered, Store};

mod sealed {
    use super::*;

    /// The container behind an order. Used only under the queue's lock.
    pub trait Store<T>: Default {
        /// How many items it holds.
        fn len(&self) -> usize;
        /// Adds a newly put item.
        fn push(&mut self, item: T);
        /// Takes the item to serve next.
        fn pop(&mut self) -> Option<T>;
        /// Puts back an item that `pop` returned and nobody collected, so
        /// that it is the next one served again (where the order allows).
        fn restore(&mut self, item: T);
    }

    /// Maps an order to its container (the sealing supertrait of `Order`).
    pub trait Ordered<T> {
        /// The container that serves items in this order.
        type Store: Store<T>;
    }

    impl<T> Ordered<T> for Fifo {
        type Store = VecDeque<T>;
    }

    impl<T> Ordered<T> for Lifo {
        type Store = Vec<T>;
    }

    impl<T: Ord> Ordered<T> for Priority {
        type Store = BinaryHeap<Reverse<T>>;
    }

    impl<T> Store<T> for VecDeque<T> {
        fn len(&self) -> usize {
            VecDeque::len(self)
        }

        fn push(&mut self, item: T) {
            self.push_back(item);
        }

        fn pop(&mut self) -> Option<T> {
            self.pop_front()
        }

        fn restore(&mut self, item: T) {
            self.push_front(item);
        }
    }

    impl<T> Store<T> for Vec<T> {
        fn len(&self) -> usize {
            Vec::len(self)
        }

        fn push(&mut self, item: T) {
            Vec::push(self, item);
        }

        fn pop(&mut self) -> Option<T> {
            Vec::pop(self)
        }

        fn restore(&mut self, item: T) {
            // It was the newest when it was taken: it is on top again.
            Vec::push(self, item);
        }
    }

    impl<T: Ord> Store<T> for BinaryHeap<Reverse<T>> {
        fn len(&self) -> usize {
            BinaryHeap::len(self)
        }

        fn push(&mut self, item: T) {
            BinaryHeap::push(self, Reverse(item));
        }

        fn pop(&mut self) -> Option<T> {
            BinaryHeap::pop(self).map(|Reverse(item)| item)
        }

        fn restore(&mut self, item: T) {
            // The heap puts it where its priority says.
            BinaryHeap::push(self, Reverse(item));
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn served<O: Order<u32>>(items: &[u32]) -> Vec<u32> {
        let mut store = <O as Ordered<u32>>::Store::default();
        for &item in items {
            store.push(item);
        }
        assert_eq!(store.len(), items.len());
        let first = store.pop().unwrap();
        store.restore(first);
        std::iter::from_fn(|| store.pop()).collect()
    }

    #[test]
    fn each_order_serves_as_named_and_restore_undoes_a_pop() {
        assert_eq!(served::<Fifo>(&[3, 1, 2]), [3, 1, 2]);
        assert_eq!(served::<Lifo>(&[3, 1, 2]), [2, 1, 3]);
        assert_eq!(served::<Priority>(&[3, 1, 2]), [1, 2, 3]);
    }
}
