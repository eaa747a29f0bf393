//! asyncio's TCP echo server (the streams documentation's example): print
//! what each client sends and who sent it, echo it back, close.
//!
//! ```text
//! cargo run --example echo_server [ADDR] [--once]
//! ```
//!
//! `ADDR` defaults to `127.0.0.1:8888` (use port 0 for a free one; the
//! server prints where it listens). With `--once` the server stops after
//! its first connection has been handled, so it pairs with `echo_client`
//! in scripts; without it, it serves until Ctrl-C.

use std::sync::Arc;

use runtime::io::streams::{StreamReader, StreamWriter, start_server};
use runtime::sync::Event;
use runtime::{Either, select, signal};

async fn handle_echo(mut reader: StreamReader, mut writer: StreamWriter) -> std::io::Result<()> {
    let data = reader.read(100).await?;
    let message = String::from_utf8_lossy(&data);
    let addr = writer.peer_addr()?;
    println!("Received {message:?} from {addr}");

    println!("Send: {message:?}");
    writer.write(&data);
    writer.drain().await?;

    println!("Close the connection");
    writer.close();
    writer.wait_closed().await
}

fn main() -> std::io::Result<()> {
    let mut addr = String::from("127.0.0.1:8888");
    let mut once = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--once" => once = true,
            "-h" | "--help" => {
                println!("usage: echo_server [ADDR] [--once]");
                return Ok(());
            }
            other => addr = other.to_owned(),
        }
    }

    runtime::run(async move {
        let handled = Arc::new(Event::new());
        let server = start_server(
            {
                let handled = handled.clone();
                move |reader, writer| {
                    let handled = handled.clone();
                    async move {
                        if let Err(e) = handle_echo(reader, writer).await {
                            eprintln!("connection failed: {e}");
                        }
                        handled.set();
                    }
                }
            },
            addr.as_str(),
        )
        .await?;
        let addrs: Vec<String> = server
            .local_addrs()
            .iter()
            .map(ToString::to_string)
            .collect();
        println!("Serving on {}", addrs.join(", "));

        if once {
            match select(server.serve_forever(), handled.wait()).await {
                Either::Left(result) => result?,
                Either::Right(()) => server.close(),
            }
        } else {
            match select(server.serve_forever(), signal::ctrl_c()).await {
                Either::Left(result) => result?,
                Either::Right(result) => {
                    result?;
                    server.close();
                }
            }
        }
        server.wait_closed().await;
        Ok(())
    })
}
