//! asyncio's TCP echo client (the streams documentation's example): send
//! "Hello World!", print the answer, close.
//!
//! ```text
//! cargo run --example echo_client [ADDR]
//! ```
//!
//! `ADDR` defaults to `127.0.0.1:8888`, where `echo_server` listens by
//! default. To try the pair from one shell:
//!
//! ```text
//! cargo run --example echo_server -- --once & sleep 1; cargo run --example echo_client
//! ```

use runtime::io::streams::open_connection;

async fn tcp_echo_client(message: &str, addr: String) -> std::io::Result<()> {
    let (mut reader, mut writer) = open_connection(addr.as_str()).await?;

    println!("Send: {message:?}");
    writer.write(message.as_bytes());
    writer.drain().await?;

    let data = reader.read(100).await?;
    println!("Received: {:?}", String::from_utf8_lossy(&data));

    println!("Close the connection");
    writer.close();
    writer.wait_closed().await
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8888".to_owned());
    runtime::run(tcp_echo_client("Hello World!", addr))
}
