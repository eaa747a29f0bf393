//! The reactor on real file descriptors (Unix socket pairs): registration,
//! wake-ups, deregistration, re-registration after close, many sources.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Duration;

use runtime_core::Runtime;

use crate::reactor::{Direction, IoSource, Reactor};

fn pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

async fn read_some(source: &IoSource<UnixStream>, buf: &mut [u8]) -> io::Result<usize> {
    source.io(Direction::Read, |s| (&*s).read(buf)).await
}

fn runtimes() -> Vec<Runtime> {
    vec![
        Runtime::builder().worker_threads(2).build().unwrap(),
        Runtime::builder().current_thread().build().unwrap(),
    ]
}

#[test]
fn a_read_waits_for_data_written_by_another_thread() {
    for rt in runtimes() {
        let (a, mut b) = pair();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            b.write_all(b"ping").unwrap();
            b
        });
        let got = rt.block_on(async move {
            let source = IoSource::new(a).unwrap();
            let mut buf = [0u8; 16];
            let n = read_some(&source, &mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        assert_eq!(got, b"ping");
        drop(writer.join().unwrap());
    }
}

#[test]
fn ping_pong_between_tasks_many_times() {
    for rt in runtimes() {
        let total = rt.block_on(async {
            let (a, b) = pair();
            let a = IoSource::new(a).unwrap();
            let b = IoSource::new(b).unwrap();
            let echo = runtime_core::spawn(async move {
                let mut buf = [0u8; 1];
                for _ in 0..1000 {
                    read_some(&b, &mut buf).await.unwrap();
                    b.io(Direction::Write, |s| (&*s).write(&buf)).await.unwrap();
                }
            });
            let mut buf = [0u8; 1];
            let mut total = 0usize;
            for i in 0..1000u32 {
                let byte = [(i % 251) as u8];
                a.io(Direction::Write, |s| (&*s).write(&byte))
                    .await
                    .unwrap();
                read_some(&a, &mut buf).await.unwrap();
                assert_eq!(buf, byte);
                total += 1;
            }
            echo.await.unwrap();
            total
        });
        assert_eq!(total, 1000);
    }
}

#[test]
fn dropping_a_source_deregisters_it_and_its_fd_can_be_reused() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let reactor = Reactor::current().unwrap();
        let before = reactor.source_count();
        for _ in 0..100 {
            // The kernel hands out the lowest free fd, so each round
            // registers a number the previous round just closed.
            let (a, mut b) = pair();
            let a = IoSource::new(a).unwrap();
            assert_eq!(reactor.source_count(), before + 1);
            b.write_all(b"x").unwrap();
            let mut buf = [0u8; 4];
            assert_eq!(read_some(&a, &mut buf).await.unwrap(), 1);
            drop(a);
            assert_eq!(reactor.source_count(), before);
        }
    });
}

#[test]
fn eof_wakes_a_waiting_reader() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let (a, b) = pair();
        let a = IoSource::new(a).unwrap();
        let closer = runtime_core::spawn(async move {
            runtime_core::time::sleep(Duration::from_millis(20)).await;
            drop(b);
        });
        let mut buf = [0u8; 4];
        assert_eq!(read_some(&a, &mut buf).await.unwrap(), 0);
        closer.await.unwrap();
    });
}

#[test]
fn a_thousand_sources_are_served_concurrently() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    let served = rt.block_on(async {
        let mut writers = Vec::new();
        let mut tasks = Vec::new();
        for _ in 0..1000 {
            let (a, b) = pair();
            writers.push(b);
            tasks.push(runtime_core::spawn(async move {
                let a = IoSource::new(a).unwrap();
                let mut buf = [0u8; 4];
                read_some(&a, &mut buf).await.unwrap()
            }));
        }
        // Let every reader register before anything is written.
        runtime_core::time::sleep(Duration::from_millis(50)).await;
        for w in &mut writers {
            w.write_all(b"1").unwrap();
        }
        runtime_core::gather(tasks)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .sum::<usize>()
    });
    assert_eq!(served, 1000);
}

#[test]
fn waiting_fails_once_the_runtime_is_gone() {
    let rt = Runtime::builder().worker_threads(1).build().unwrap();
    let (a, _b) = pair();
    let source = Arc::new(rt.block_on(async { IoSource::new(a).unwrap() }));
    drop(rt);
    let err = futures::executor::block_on(read_some(&source, &mut [0u8; 4]));
    // The cached optimistic readiness lets the first try reach the syscall,
    // which says WouldBlock; the wait after that fails instead of hanging.
    assert_eq!(err.unwrap_err().kind(), io::ErrorKind::Other);
}

#[test]
fn outside_a_runtime_registration_is_an_error() {
    let (a, _b) = pair();
    let err = IoSource::new(a).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::Other);
    assert!(err.to_string().contains("no runtime"), "{err}");
}

#[test]
fn io_is_served_while_every_worker_is_busy() {
    // Two tasks keep both workers busy forever (yielding, so they are
    // runnable all the time and no worker ever parks in the reactor); the
    // read still completes because busy workers poll the reactor at their
    // fairness tick.
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let spinners: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            rt.spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    runtime_core::task::yield_now().await;
                }
            })
        })
        .collect();
    let (a, mut b) = pair();
    let mut reader = rt.spawn(async move {
        let a = IoSource::new(a).unwrap();
        let mut buf = [0u8; 8];
        let n = read_some(&a, &mut buf).await.unwrap();
        buf[..n].to_vec()
    });
    std::thread::sleep(Duration::from_millis(50));
    b.write_all(b"busy").unwrap();
    let got = reader.join_timeout(Duration::from_secs(10));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for mut s in spinners {
        s.join_timeout(Duration::from_secs(10)).unwrap();
    }
    assert_eq!(got.expect("the read finished"), b"busy");
}

#[test]
fn io_is_served_while_the_current_thread_runtime_stays_busy() {
    // A task that yields forever keeps the one thread from ever idling; the
    // read still completes because the busy loop polls the reactor.
    let rt = Runtime::builder().current_thread().build().unwrap();
    let (a, mut b) = pair();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        b.write_all(b"busy").unwrap();
        b
    });
    let got = rt.block_on(async move {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let spinner = {
            let stop = stop.clone();
            runtime_core::spawn(async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    runtime_core::task::yield_now().await;
                }
            })
        };
        let a = IoSource::new(a).unwrap();
        let mut buf = [0u8; 8];
        let n = read_some(&a, &mut buf).await.unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        spinner.await.unwrap();
        buf[..n].to_vec()
    });
    assert_eq!(got, b"busy");
    drop(writer.join().unwrap());
}
