//! After a `101 Switching Protocols` (a WebSocket, say), the two upgraded connections are
//! spliced: bytes are copied both ways until both sides have closed, or nothing has moved in
//! either direction for the idle limit.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Bytes read at a time in each direction.
const TUNNEL_BUFFER_BYTES: usize = 16 * 1024;

/// Splices the client's and the upstream's upgraded connections on a task of its own.
pub fn spawn(client: OnUpgrade, upstream: OnUpgrade, idle: Duration, peer: SocketAddr) {
    tokio::spawn(async move {
        let (client, upstream) = match tokio::try_join!(client, upstream) {
            Ok(both) => both,
            Err(error) => {
                return tracing::debug!(client.addr = %peer, %error, "upgrade did not complete")
            }
        };
        match splice(TokioIo::new(client), TokioIo::new(upstream), idle).await {
            Ok(()) => tracing::debug!(client.addr = %peer, "tunnel closed"),
            Err(error) => tracing::debug!(client.addr = %peer, %error, "tunnel ended"),
        }
    });
}

/// Copies `a` to `b` and `b` to `a`. A side that reaches its end has the other side's writing
/// half shut down; the splice ends when both have, or after `idle` without a byte either way.
///
/// # Errors
///
/// The first I/O error of either side, or [`io::ErrorKind::TimedOut`] after `idle`.
pub async fn splice<A, B>(mut a: A, mut b: B, idle: Duration) -> io::Result<()>
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    let mut from_a = vec![0u8; TUNNEL_BUFFER_BYTES];
    let mut from_b = vec![0u8; TUNNEL_BUFFER_BYTES];
    let (mut a_open, mut b_open) = (true, true);
    while a_open || b_open {
        tokio::select! {
            read = a.read(&mut from_a), if a_open => {
                a_open = forward(read?, &from_a, &mut b).await?;
            }
            read = b.read(&mut from_b), if b_open => {
                b_open = forward(read?, &from_b, &mut a).await?;
            }
            () = tokio::time::sleep(idle) => {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "tunnel idle"));
            }
        }
    }
    Ok(())
}

/// Writes what was read to the other side; at the end of input, shuts its writing half.
/// Returns whether the reading side is still open.
async fn forward<W: AsyncWrite + Unpin>(
    read: usize,
    buffer: &[u8],
    to: &mut W,
) -> io::Result<bool> {
    let Some(data) = buffer.get(..read).filter(|data| !data.is_empty()) else {
        to.shutdown().await?;
        return Ok(false);
    };
    to.write_all(data).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use tokio::io::duplex;

    use super::*;

    #[tokio::test]
    async fn bytes_cross_both_ways_and_both_ends_close() {
        let (mut client, client_side) = duplex(64);
        let (upstream_side, mut upstream) = duplex(64);
        let splicing = tokio::spawn(splice(client_side, upstream_side, Duration::from_secs(5)));

        client.write_all(b"ping").await.unwrap();
        let mut got = [0u8; 4];
        upstream.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");
        upstream.write_all(b"pong").await.unwrap();
        client.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"pong");

        drop(client);
        drop(upstream);
        splicing.await.unwrap().expect("clean end");
    }

    #[tokio::test]
    async fn an_idle_tunnel_is_closed() {
        let (_client, client_side) = duplex(64);
        let (upstream_side, _upstream) = duplex(64);
        let result = splice(client_side, upstream_side, Duration::from_millis(100)).await;
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::TimedOut);
    }
}
