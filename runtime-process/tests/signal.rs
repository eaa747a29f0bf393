//! Signals as events. Their own test binary: the handlers they install
//! are process-wide.

use std::io;
use std::time::Duration;

use nix::sys::signal::{Signal as Sig, raise};
use runtime_core::Runtime;
use runtime_core::time::timeout;
use runtime_process::signal::{SignalKind, ctrl_c, signal};

fn rt() -> Runtime {
    Runtime::builder().worker_threads(2).build().unwrap()
}

#[test]
fn every_listener_sees_a_delivery() {
    rt().block_on(async {
        let mut a = signal(SignalKind::user_defined1()).unwrap();
        let mut b = signal(SignalKind::user_defined1()).unwrap();
        raise(Sig::SIGUSR1).unwrap();
        timeout(Duration::from_secs(10), a.recv())
            .await
            .unwrap()
            .unwrap();
        timeout(Duration::from_secs(10), b.recv())
            .await
            .unwrap()
            .unwrap();
    });
}

#[test]
fn deliveries_between_two_receives_coalesce_but_are_not_lost() {
    rt().block_on(async {
        let mut sig = signal(SignalKind::user_defined2()).unwrap();
        for _ in 0..3 {
            raise(Sig::SIGUSR2).unwrap();
        }
        timeout(Duration::from_secs(10), sig.recv())
            .await
            .unwrap()
            .unwrap();
        // The three coalesced into that one.
        assert!(
            timeout(Duration::from_millis(100), sig.recv())
                .await
                .is_err()
        );
        // A delivery while a recv is pending wakes it.
        let waiter = runtime_core::spawn(async move {
            sig.recv().await.unwrap();
        });
        runtime_core::time::sleep(Duration::from_millis(50)).await;
        raise(Sig::SIGUSR2).unwrap();
        timeout(Duration::from_secs(10), waiter)
            .await
            .unwrap()
            .unwrap();
    });
}

#[test]
fn a_delivery_before_listening_is_not_seen() {
    rt().block_on(async {
        // Installs the handler so the raise below does not terminate us.
        drop(signal(SignalKind::hangup()).unwrap());
        raise(Sig::SIGHUP).unwrap();
        let mut sig = signal(SignalKind::hangup()).unwrap();
        assert!(
            timeout(Duration::from_millis(100), sig.recv())
                .await
                .is_err()
        );
    });
}

#[test]
fn ctrl_c_completes_on_sigint() {
    rt().block_on(async {
        // The handler must be in place before we raise SIGINT at ourselves,
        // or the default action would end the test process.
        let _installed = signal(SignalKind::interrupt()).unwrap();
        let waiter = runtime_core::spawn(ctrl_c());
        // Keep raising until the listener (created on the waiter's first
        // poll) has seen one.
        let mut waiter = std::pin::pin!(waiter);
        loop {
            raise(Sig::SIGINT).unwrap();
            if let Ok(result) = timeout(Duration::from_millis(50), waiter.as_mut()).await {
                result.unwrap().unwrap();
                break;
            }
        }
    });
}

#[test]
fn listeners_in_two_runtimes_both_hear_it() {
    let (rt1, rt2) = (rt(), Runtime::builder().current_thread().build().unwrap());
    let mut a = rt1.block_on(async { signal(SignalKind::window_change()).unwrap() });
    let mut b = rt2.block_on(async { signal(SignalKind::window_change()).unwrap() });
    raise(Sig::SIGWINCH).unwrap();
    rt1.block_on(async {
        timeout(Duration::from_secs(10), a.recv())
            .await
            .unwrap()
            .unwrap()
    });
    rt2.block_on(async {
        timeout(Duration::from_secs(10), b.recv())
            .await
            .unwrap()
            .unwrap()
    });
}

#[test]
fn uncatchable_and_fault_signals_are_refused() {
    rt().block_on(async {
        for kind in [
            SignalKind::from_raw(nix::libc::SIGKILL),
            SignalKind::from_raw(nix::libc::SIGSTOP),
            SignalKind::from_raw(nix::libc::SIGSEGV),
            SignalKind::from_raw(0),
            SignalKind::from_raw(1000),
        ] {
            let err = signal(kind).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{kind:?}");
        }
    });
}

/// One listener draining its wake-up must not hide the delivery from
/// another that is waiting in a runtime nobody is driving at that moment
/// (with one pipe shared by every listener it did: found in review).
#[test]
fn one_listener_draining_does_not_starve_another() {
    let (rt1, rt2) = (
        Runtime::builder().current_thread().build().unwrap(),
        Runtime::builder().current_thread().build().unwrap(),
    );
    let mut a = rt1.block_on(async { signal(SignalKind::alarm()).unwrap() });
    for round in 0..10 {
        let mut b = rt2.block_on(async { signal(SignalKind::alarm()).unwrap() });
        // B waits in a task of rt2; driving rt2 briefly lets it register.
        let mut waiter = rt2.spawn(async move { b.recv().await });
        rt2.block_on(runtime_core::time::sleep(Duration::from_millis(5)));
        raise(Sig::SIGALRM).unwrap();
        rt1.block_on(async {
            timeout(Duration::from_secs(10), a.recv())
                .await
                .unwrap()
                .unwrap();
            // Nothing new for A: this recv drains A's wake-up and times out.
            assert!(timeout(Duration::from_millis(10), a.recv()).await.is_err());
        });
        rt2.block_on(async {
            timeout(Duration::from_secs(5), &mut waiter)
                .await
                .unwrap_or_else(|_| panic!("round {round}: B never heard the delivery"))
                .unwrap()
                .unwrap();
        });
    }
}
