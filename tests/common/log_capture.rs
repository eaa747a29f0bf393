//! A `log` logger that keeps every record, so tests can assert on what the
//! runtime reported. One per test binary (installed on first use); tests
//! running in parallel tell their records apart by unique task names.

use std::sync::{Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

/// One captured record.
#[derive(Clone, Debug)]
pub struct Captured {
    pub level: log::Level,
    pub target: String,
    pub message: String,
}

struct Capture;

static RECORDS: Mutex<Vec<Captured>> = Mutex::new(Vec::new());

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        RECORDS.lock().unwrap().push(Captured {
            level: record.level(),
            target: record.target().to_owned(),
            message: record.args().to_string(),
        });
    }

    fn flush(&self) {}
}

/// Installs the capturing logger (once per process).
pub fn install() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        log::set_logger(&Capture).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// Every record so far whose message contains `needle`.
pub fn mentioning(needle: &str) -> Vec<Captured> {
    RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.message.contains(needle))
        .cloned()
        .collect()
}

/// Waits (up to `timeout`) for a record containing `needle`.
pub fn wait_for(needle: &str, timeout: Duration) -> Option<Captured> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(r) = mentioning(needle).into_iter().next() {
            return Some(r);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}
