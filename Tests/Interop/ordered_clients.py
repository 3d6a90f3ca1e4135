"""python-engineio / python-socketio clients that decode Engine.IO messages in the order they arrived.

The stock python-engineio client hands every Engine.IO message to its handler on a thread of its own
(`_trigger_event('message', ..., run_async=True)`), and python-socketio's client rebuilds a binary
packet (a text header, then one message per attachment) in `_binary_packet`, shared by those threads
without a lock. On a loaded machine the threads run out of order, although the messages arrived in
order: an attachment handled before its header is decoded as a packet (`ValueError: invalid literal
for int() with base 10: b'\\x00'`; an empty one becomes an event without data, `TypeError: 'NoneType'
object is not subscriptable` in `_handle_event`), attachments land in each other's places, or the next
text packet is taken as an attachment, and the test waits in vain for the event or the ack.

Here messages are decoded on the read loop, one after the other; complete EVENT and ACK packets are
still handled on threads of their own, as the stock client does, so a handler may block.
test_ordered_clients.py shows both behaviours with a header held back on purpose.
(Private hooks of the pinned python-engineio 4.15.1 / python-socketio 5.18.1.)"""
import engineio
import socketio


class OrderedEngineIOClient(engineio.Client):
    """`message` handlers run on the read loop, in arrival order (other events as the stock client)."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class OrderedClient(socketio.Client):
    """python-socketio's client over `OrderedEngineIOClient`: packets are rebuilt in arrival order."""

    def _engineio_client_class(self):
        return OrderedEngineIOClient

    def _handle_event(self, namespace, id, data):
        self.start_background_task(super()._handle_event, namespace, id, data)

    def _handle_ack(self, namespace, id, data):
        self.start_background_task(super()._handle_ack, namespace, id, data)
