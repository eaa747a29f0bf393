//! StreamWriter over in-memory writers: buffering, back-pressure, errors,
//! EOF and close.

use std::io;

use futures::executor::block_on;
use futures::io::AsyncWriteExt;

use super::StreamWriter;
use super::test_pipe::pipe;

#[test]
fn write_buffers_until_drain() {
    block_on(async {
        let (pw, pr) = pipe(1 << 20);
        let mut w = StreamWriter::new(pw);
        w.write(b"hello ");
        w.writelines([b"wor".as_slice(), b"ld"]);
        assert_eq!(w.write_buffer_size(), 11);
        assert_eq!(pr.take_all(), b"");
        w.drain().await.unwrap();
        assert_eq!(w.write_buffer_size(), 0);
        assert_eq!(pr.take_all(), b"hello world");
    });
}

#[test]
fn drain_waits_for_the_peer_then_completes() {
    block_on(async {
        let (pw, pr) = pipe(100);
        let mut w = StreamWriter::new(pw);
        w.write(&[5u8; 250]);
        {
            let drain = w.drain();
            futures::pin_mut!(drain);
            assert!(futures::poll!(drain.as_mut()).is_pending());
            assert_eq!(pr.take_all().len(), 100);
            assert!(futures::poll!(drain.as_mut()).is_pending());
            assert_eq!(pr.take_all().len(), 100);
            // The last 50 fit: done.
            assert!(futures::poll!(drain.as_mut()).is_ready());
        }
        assert_eq!(pr.take_all().len(), 50);
    });
}

#[test]
fn a_dropped_drain_keeps_the_data_in_order() {
    block_on(async {
        let (pw, pr) = pipe(4);
        let mut w = StreamWriter::new(pw);
        w.write(b"0123456789");
        {
            let drain = w.drain();
            futures::pin_mut!(drain);
            assert!(futures::poll!(drain.as_mut()).is_pending());
        }
        assert_eq!(w.write_buffer_size(), 6);
        w.write(b"ab");
        let mut got = pr.take_all();
        loop {
            let drain = w.drain();
            futures::pin_mut!(drain);
            let done = futures::poll!(drain.as_mut()).is_ready();
            got.extend(pr.take_all());
            if done {
                break;
            }
        }
        assert_eq!(got, b"0123456789ab");
    });
}

#[test]
fn above_the_high_water_mark_write_sends_without_waiting() {
    let (pw, pr) = pipe(1 << 20);
    let mut w = StreamWriter::new(pw);
    w.set_write_buffer_limits(1000, Some(100));
    assert_eq!(w.write_buffer_limits(), (100, 1000));
    w.write(&[1u8; 999]);
    assert_eq!(w.write_buffer_size(), 999);
    w.write(&[2u8; 1]);
    // The pipe took everything, with no executor involved.
    assert_eq!(w.write_buffer_size(), 0);
    assert_eq!(pr.take_all().len(), 1000);

    // A full peer: write returns anyway, the data stays buffered.
    let (pw, pr) = pipe(10);
    let mut w = StreamWriter::new(pw);
    w.set_write_buffer_limits(20, None);
    w.write(&[3u8; 30]);
    assert_eq!(w.write_buffer_size(), 20);
    assert_eq!(pr.take_all().len(), 10);
}

#[test]
#[should_panic(expected = "must not exceed")]
fn low_above_high_panics() {
    StreamWriter::new(Vec::<u8>::new()).set_write_buffer_limits(10, Some(11));
}

#[test]
fn errors_surface_from_drain_and_stick() {
    block_on(async {
        let (pw, _pr) = pipe(100);
        pw.fail_next_write(io::ErrorKind::ConnectionReset);
        let mut w = StreamWriter::new(pw);
        w.write(b"doomed");
        assert_eq!(
            w.drain().await.unwrap_err().kind(),
            io::ErrorKind::ConnectionReset
        );
        w.write(b"more");
        assert_eq!(
            w.drain().await.unwrap_err().kind(),
            io::ErrorKind::ConnectionReset
        );

        // An error hit by a write-through in write() is reported by drain.
        let (pw, _pr) = pipe(100);
        pw.fail_next_write(io::ErrorKind::BrokenPipe);
        let mut w = StreamWriter::new(pw);
        w.set_write_buffer_limits(4, None);
        w.write(b"12345");
        assert_eq!(
            w.drain().await.unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
    });
}

#[test]
fn write_eof_flushes_then_shuts_down() {
    block_on(async {
        let (pw, pr) = pipe(100);
        let mut w = StreamWriter::new(pw);
        assert!(w.can_write_eof());
        w.write(b"last words");
        w.write_eof().await.unwrap();
        assert!(w.get_ref().is_closed());
        assert_eq!(pr.take_all(), b"last words");
        w.write_eof().await.unwrap(); // idempotent
        w.write(b"too late");
        assert_eq!(
            w.drain().await.unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
    });
}

#[test]
fn close_then_wait_closed_sends_the_rest() {
    block_on(async {
        let (pw, pr) = pipe(100);
        let mut w = StreamWriter::new(pw);
        w.write(b"bye");
        assert!(!w.is_closing());
        w.close();
        assert!(w.is_closing());
        w.wait_closed().await.unwrap();
        assert!(w.get_ref().is_closed());
        assert_eq!(pr.take_all(), b"bye");
        w.wait_closed().await.unwrap();
    });
}

#[test]
fn async_write_applies_back_pressure() {
    block_on(async {
        let (pw, pr) = pipe(8);
        let mut w = StreamWriter::new(pw);
        w.set_write_buffer_limits(16, Some(4));
        let mut got = Vec::new();
        {
            let all = w.write_all(&[9u8; 64]);
            futures::pin_mut!(all);
            loop {
                let done = futures::poll!(all.as_mut()).is_ready();
                got.extend(pr.take_all());
                if done {
                    break;
                }
            }
        }
        loop {
            let close = AsyncWriteExt::close(&mut w);
            futures::pin_mut!(close);
            let done = futures::poll!(close.as_mut()).is_ready();
            got.extend(pr.take_all());
            if done {
                break;
            }
        }
        assert_eq!(got, vec![9u8; 64]);
        assert!(w.get_ref().is_closed());
    });
}

#[test]
fn a_write_after_close_does_not_lose_what_was_written_before() {
    futures::executor::block_on(async {
        let mut w = StreamWriter::new(Vec::new());
        w.write(b"important");
        w.close();
        w.write(b"late");
        // The misuse is reported, but only after the data written before
        // the close went out.
        let err = w.wait_closed().await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        assert_eq!(w.get_ref(), b"important");
    });
}
