//! The HTTP server loop shared by both sandboxes.
//!
//! It wraps every accepted TCP stream so that a handler can close the connection
//! without sending a response, which the `drop` fault needs and which axum's
//! response types cannot express. The handle reaches handlers as
//! `ConnectInfo<ConnectionHandle>`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let service = router.into_make_service_with_connect_info::<ConnectionHandle>();

    axum::serve(AbortableListener(listener), service)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A handle on one client connection; `abort` makes the server close it unanswered.
#[derive(Clone, Debug)]
pub struct ConnectionHandle {
    pub remote_addr: SocketAddr,
    aborted: Arc<AtomicBool>,
}

impl ConnectionHandle {
    /// Marks the connection so that its next write fails and the server closes it,
    /// before any byte of the pending response is sent.
    pub fn abort(&self) {
        self.aborted.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, AbortableListener>> for ConnectionHandle {
    fn connect_info(stream: IncomingStream<'_, AbortableListener>) -> Self {
        ConnectionHandle {
            remote_addr: *stream.remote_addr(),
            aborted: stream.io().aborted.clone(),
        }
    }
}

/// A TCP listener whose streams can be aborted through a `ConnectionHandle`.
pub struct AbortableListener(TcpListener);

impl Listener for AbortableListener {
    type Io = AbortableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let wrapped = AbortableStream {
                        inner: stream,
                        aborted: Arc::new(AtomicBool::new(false)),
                    };
                    return (wrapped, addr);
                }
                Err(error) => {
                    // Running out of file descriptors is the usual cause, so wait
                    // for connections to close instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed, retrying in 100 ms");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails every write once its connection was aborted.
pub struct AbortableStream {
    inner: TcpStream,
    aborted: Arc<AtomicBool>,
}

impl AbortableStream {
    fn check_aborted(&self) -> io::Result<()> {
        if self.aborted.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection aborted by an injected drop fault",
            ));
        }
        Ok(())
    }
}

impl AsyncRead for AbortableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for AbortableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Err(error) = self.check_aborted() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Err(error) = self.check_aborted() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Err(error) = self.check_aborted() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
