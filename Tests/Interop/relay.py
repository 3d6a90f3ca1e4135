"""A TCP relay whose outgoing connections come from another loopback address (127.0.0.2, ...).

On one machine every client reaches nginx from 127.0.0.1, so `hash $remote_addr` would send them all
to the same process; through a relay bound to 127.0.0.N a client (python-socketio or Chromium) is a
different address to nginx, as separate machines would be. Bytes pass through untouched (TLS too)."""
import socket
import threading


class Relay:
    def __init__(self, target_port: int, source_ip: str, target_ip: str = "127.0.0.1"):
        self.target = (target_ip, target_port)
        self.source_ip = source_ip
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket()
            try:
                upstream.bind((self.source_ip, 0))
                upstream.connect(self.target)
            except OSError:
                client.close()
                upstream.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.closed = True
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.close()
                except OSError:
                    pass
