//! StreamReader over in-memory readers: asyncio's documented cases.

use std::io;

use futures::executor::block_on;
use futures::io::{AsyncBufReadExt, AsyncReadExt, Cursor};

use super::test_pipe::{Endless, Script, Step, pipe};
use super::{READ_CHUNK, StreamError, StreamReader};

fn script(steps: Vec<Step>) -> StreamReader<Script> {
    StreamReader::new(Script::new(steps))
}

#[test]
fn readline_lines_eof_rest_and_empty() {
    block_on(async {
        let mut r = script(vec![
            Step::Data(b"one\ntwo\nthr"),
            Step::Pending,
            Step::Data(b"ee\nlast"),
        ]);
        assert_eq!(r.readline().await.unwrap(), b"one\n");
        assert_eq!(r.readline().await.unwrap(), b"two\n");
        // A line spanning two reads, with a Pending in between.
        assert_eq!(r.readline().await.unwrap(), b"three\n");
        assert!(!r.at_eof());
        // EOF without a newline: the rest.
        assert_eq!(r.readline().await.unwrap(), b"last");
        assert!(r.at_eof());
        // Then empty, for ever.
        assert_eq!(r.readline().await.unwrap(), b"");
        assert_eq!(r.readline().await.unwrap(), b"");
    });
}

#[test]
fn readuntil_separator_spanning_two_reads() {
    block_on(async {
        let mut r = script(vec![
            Step::Data(b"HEAD\r"),
            Step::Pending,
            Step::Data(b"\nbody"),
        ]);
        assert_eq!(r.readuntil(b"\r\n").await.unwrap(), b"HEAD\r\n");
        assert_eq!(r.buffer(), b"body");
        // A three-byte separator split one byte at a time.
        let mut r = script(vec![
            Step::Data(b"xx-"),
            Step::Data(b"-"),
            Step::Pending,
            Step::Data(b"-yy"),
        ]);
        assert_eq!(r.readuntil(b"---").await.unwrap(), b"xx---");
        assert_eq!(r.read_to_end().await.unwrap(), b"yy");
    });
}

#[test]
fn readuntil_eof_is_incomplete_read_with_the_partial_data() {
    block_on(async {
        let mut r = script(vec![Step::Data(b"no sep"), Step::Data(b"arator")]);
        let e = r.readuntil(b"\n").await.unwrap_err();
        let e = e.as_incomplete_read().expect("IncompleteRead");
        assert_eq!(e.partial, b"no separator");
        assert_eq!(e.expected, None);
        assert!(r.at_eof());
    });
}

#[test]
fn readuntil_limit_overrun_leaves_the_data_buffered() {
    // asyncio's test_readuntil_limit_found_sep, with limit 3.
    block_on(async {
        let mut r = StreamReader::with_limit(Script::new(vec![Step::Data(b"some dataAA")]), 3);
        let e = *r
            .readuntil(b"AAA")
            .await
            .unwrap_err()
            .as_limit_overrun()
            .unwrap();
        assert!(!e.separator_found);
        assert_eq!(e.consumed, 9); // 11 buffered - 3 + 1
        assert_eq!(e.limit, 3);
        assert_eq!(r.buffer(), b"some dataAA");

        let mut r = StreamReader::with_limit(Script::new(vec![Step::Data(b"some dataAAA")]), 3);
        let e = *r
            .readuntil(b"AAA")
            .await
            .unwrap_err()
            .as_limit_overrun()
            .unwrap();
        assert!(e.separator_found);
        assert_eq!(e.consumed, 9);
        assert_eq!(r.buffer(), b"some dataAAA");
        // The stream stays usable: take the chunk, then carry on.
        assert_eq!(r.readexactly(e.consumed).await.unwrap(), b"some data");
        assert_eq!(r.readuntil(b"AAA").await.unwrap(), b"AAA");
        assert!(
            r.readuntil(b"AAA")
                .await
                .unwrap_err()
                .as_incomplete_read()
                .is_some()
        );
    });
}

#[test]
fn readuntil_chunk_of_exactly_the_limit_is_fine() {
    block_on(async {
        let mut r = StreamReader::with_limit(Script::new(vec![Step::Data(b"1234\n5\n")]), 4);
        assert_eq!(r.readuntil(b"\n").await.unwrap(), b"1234\n");
        assert_eq!(r.readuntil(b"\n").await.unwrap(), b"5\n");
    });
}

#[test]
fn readline_overrun_discards_through_the_newline() {
    block_on(async {
        let mut r =
            StreamReader::with_limit(Script::new(vec![Step::Data(b"0123456789\nabc\n")]), 4);
        let e = r.readline().await.unwrap_err();
        assert_eq!(e.as_limit_overrun().unwrap().consumed, 10);
        assert_eq!(r.readline().await.unwrap(), b"abc\n");
    });
}

#[test]
fn readline_overrun_without_newline_discards_the_buffer() {
    // asyncio clears the buffer; the tail of the long line comes next.
    block_on(async {
        let mut r = StreamReader::with_limit(
            Script::new(vec![
                Step::Data(b"0123456789"),
                Step::Pending,
                Step::Data(b"xy\nok\n"),
            ]),
            4,
        );
        let e = r.readline().await.unwrap_err();
        assert!(!e.as_limit_overrun().unwrap().separator_found);
        assert_eq!(r.buffer(), b"");
        assert_eq!(r.readline().await.unwrap(), b"xy\n");
        assert_eq!(r.readline().await.unwrap(), b"ok\n");
        // As an io::Error it is InvalidData.
        let io: io::Error = e.into();
        assert_eq!(io.kind(), io::ErrorKind::InvalidData);
    });
}

#[test]
fn readuntil_never_buffers_more_than_limit_plus_one_chunk() {
    block_on(async {
        for limit in [1, 100, READ_CHUNK, 3 * READ_CHUNK + 7] {
            let mut r = StreamReader::with_limit(Endless, limit);
            let e = r.readuntil(b"\n").await.unwrap_err();
            assert!(e.as_limit_overrun().is_some());
            assert!(
                r.buffer().len() <= limit + READ_CHUNK,
                "limit {limit}: {}",
                r.buffer().len()
            );
            // Again: the buffered data is searched, nothing more is read.
            let before = r.buffer().len();
            assert!(r.readline().await.is_err());
            assert!(before <= limit + READ_CHUNK);
        }
    });
}

#[test]
fn readexactly_spanning_reads_and_incomplete_read() {
    block_on(async {
        let mut r = script(vec![
            Step::Data(b"ab"),
            Step::Pending,
            Step::Data(b"cdef"),
            Step::Data(b"g"),
        ]);
        assert_eq!(r.readexactly(0).await.unwrap(), b"");
        assert_eq!(r.readexactly(3).await.unwrap(), b"abc");
        assert_eq!(r.readexactly(2).await.unwrap(), b"de");
        let e = r.readexactly(5).await.unwrap_err();
        let inc = e.as_incomplete_read().unwrap().clone();
        assert_eq!(inc.partial, b"fg");
        assert_eq!(inc.expected, Some(5));
        assert_eq!(
            inc.to_string(),
            "2 bytes read on a total of 5 expected bytes"
        );
        let io: io::Error = e.into();
        assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(
            io.get_ref()
                .unwrap()
                .downcast_ref::<super::IncompleteRead>()
                .unwrap()
                .partial,
            b"fg"
        );
        assert!(r.at_eof());
    });
}

#[test]
fn read_returns_what_is_there_and_empty_at_eof() {
    block_on(async {
        let mut r = script(vec![
            Step::Data(b"hello"),
            Step::Pending,
            Step::Data(b" world"),
        ]);
        assert_eq!(r.read(0).await.unwrap(), b"");
        assert_eq!(r.read(3).await.unwrap(), b"hel");
        // Buffered data is returned without reading more.
        assert_eq!(r.read(100).await.unwrap(), b"lo");
        assert_eq!(r.read(100).await.unwrap(), b" world");
        assert_eq!(r.read(100).await.unwrap(), b"");
        assert!(r.at_eof());
    });
}

#[test]
fn read_to_end_is_everything_until_eof() {
    block_on(async {
        let big: &'static [u8] = Box::leak(vec![7u8; 5 * READ_CHUNK + 3].into_boxed_slice());
        let mut r = script(vec![
            Step::Data(b"x\n"),
            Step::Data(big),
            Step::Pending,
            Step::Data(b"end"),
        ]);
        assert_eq!(r.readline().await.unwrap(), b"x\n");
        let all = r.read_to_end().await.unwrap();
        assert_eq!(all.len(), big.len() + 3);
        assert!(all.ends_with(b"end"));
        assert!(r.at_eof());
        assert_eq!(r.read_to_end().await.unwrap(), b"");
    });
}

#[test]
fn dropped_calls_lose_no_data() {
    block_on(async {
        let (mut w, pr) = pipe(1024);
        let mut r = StreamReader::new(pr);
        futures::AsyncWriteExt::write_all(&mut w, b"abc")
            .await
            .unwrap();
        {
            let fut = r.readexactly(6);
            futures::pin_mut!(fut);
            assert!(futures::poll!(fut.as_mut()).is_pending());
        }
        {
            let fut = r.readline();
            futures::pin_mut!(fut);
            assert!(futures::poll!(fut.as_mut()).is_pending());
        }
        assert_eq!(r.buffer(), b"abc");
        futures::AsyncWriteExt::write_all(&mut w, b"def\n")
            .await
            .unwrap();
        assert_eq!(r.readexactly(6).await.unwrap(), b"abcdef");
        assert_eq!(r.readline().await.unwrap(), b"\n");
    });
}

#[test]
fn io_errors_pass_through_and_keep_the_buffer() {
    block_on(async {
        let mut r = script(vec![
            Step::Data(b"abc"),
            Step::Error(io::ErrorKind::ConnectionReset),
            Step::Data(b"def\n"),
        ]);
        match r.readline().await {
            Err(StreamError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset),
            other => panic!("{other:?}"),
        }
        assert_eq!(r.readline().await.unwrap(), b"abcdef\n");
        // Interrupted is retried, not reported.
        let mut r = script(vec![
            Step::Error(io::ErrorKind::Interrupted),
            Step::Data(b"ok"),
        ]);
        assert_eq!(r.read(10).await.unwrap(), b"ok");
    });
}

#[test]
fn empty_separator_is_invalid_input() {
    block_on(async {
        let mut r = StreamReader::new(Cursor::new(b"x".to_vec()));
        match r.readuntil(b"").await {
            Err(StreamError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
#[should_panic(expected = "limit cannot be 0")]
fn zero_limit_panics() {
    let _ = StreamReader::with_limit(Cursor::new(Vec::<u8>::new()), 0);
}

#[test]
fn async_read_and_buf_read_serve_the_buffer_first() {
    block_on(async {
        let mut r = script(vec![
            Step::Data(b"first\nsecond\nthird\n"),
            Step::Data(b"tail"),
        ]);
        assert_eq!(r.readline().await.unwrap(), b"first\n");
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        assert_eq!(line, "second\n");
        let mut rest = Vec::new();
        AsyncReadExt::read_to_end(&mut r, &mut rest).await.unwrap();
        assert_eq!(rest, b"third\ntail");
        assert!(r.at_eof());

        // A large read with nothing buffered goes straight to the reader.
        let big: &'static [u8] = Box::leak(vec![1u8; 2 * READ_CHUNK].into_boxed_slice());
        let mut r = script(vec![Step::Data(big)]);
        let mut out = vec![0u8; 2 * READ_CHUNK];
        AsyncReadExt::read_exact(&mut r, &mut out).await.unwrap();
        assert_eq!(out, big);
        assert_eq!(r.get_ref().reads, 1);
    });
}

#[test]
fn a_large_readexactly_does_not_keep_its_storage() {
    block_on(async {
        let big: &'static [u8] = Box::leak(vec![3u8; 1 << 20].into_boxed_slice());
        let mut r = StreamReader::with_limit(Script::new(vec![Step::Data(big)]), 1024);
        assert_eq!(r.readexactly(1 << 20).await.unwrap().len(), 1 << 20);
        assert!(r.storage_len() <= 1024 + 2 * READ_CHUNK);
    });
}

#[test]
fn readexactly_of_a_huge_length_does_not_allocate_it_up_front() {
    block_on(async {
        // A peer announces a huge length and sends 10 bytes: the buffer must
        // grow with the data, not by the announced length (which would abort
        // the process).
        let mut r = script(vec![Step::Data(b"0123456789")]);
        match r.readexactly(usize::MAX / 2).await {
            Err(StreamError::IncompleteRead(e)) => assert_eq!(e.partial, b"0123456789"),
            other => panic!("expected IncompleteRead, got {other:?}"),
        }
        assert!(r.buffer().is_empty());
    });
}
