"""A small TCP proxy on 127.0.0.1 for fault injection: it forwards to a real server, or
accepts connections and swallows them (reads whatever comes and never answers), the way a
hung database or cache looks from the application.

    with FaultProxy(target=("127.0.0.1", 5432)) as proxy:   # forwarding
        ... proxy.port ...
        proxy.swallow()   # existing connections are cut, new ones hang

Bounded: at most MAX_CONNECTIONS at once (others are closed at once), daemon threads,
everything closed on exit.
"""

import contextlib
import socket
import threading

MAX_CONNECTIONS = 64


class FaultProxy:
    def __init__(self, target=None):
        self.target = target  # None: swallow from the start
        self.swallowing = target is None
        self.connections = 0  # accepted so far: who touched the server
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._sockets = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stopped.set()
        self._thread.join(2)
        self._listener.close()
        self._close_all()

    def swallow(self):
        """From now on accept and never answer; cut what was forwarded so far."""
        self.swallowing = True
        self._close_all()

    def forward(self):
        self.swallowing = False
        self._close_all()

    def _close_all(self):
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _track(self, *socks):
        with self._lock:
            if len(self._sockets) + len(socks) > MAX_CONNECTIONS:
                return False
            self._sockets.update(socks)
            return True

    def _accept(self):
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            if self.swallowing:
                if self._track(client):
                    self._spawn(self._drain, client)
                else:
                    client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            if not self._track(client, upstream):
                client.close()
                upstream.close()
                continue
            self._spawn(self._pipe, client, upstream)
            self._spawn(self._pipe, upstream, client)

    @staticmethod
    def _spawn(target, *args):
        threading.Thread(target=target, args=args, daemon=True).start()

    def _drain(self, sock):
        try:
            while not self._stopped.is_set() and sock.recv(65536):
                pass
        except OSError:
            pass

    def _pipe(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
