// Chat page. Talks to the chat server with the stock Socket.IO client (global `io`,
// served by the server at /socket.io/socket.io.js). No framework, no build step.
// Every piece of user-provided text is rendered with textContent, never innerHTML.
'use strict';

const MAX_TEXT = 1000;
const ACK_TIMEOUT_MS = 5000;     // give up waiting for an ack after this long
const TYPING_IDLE_MS = 2000;     // we stop "typing" after this long without a keystroke
const TYPING_EXPIRE_MS = 6000;   // forget a remote typer whose "stopped" event never came
const TOAST_MS = 4000;

const $ = (id) => document.getElementById(id);

// `?transport=polling` pins the client to HTTP long-polling (no WebSocket upgrade).
const forcePolling = new URLSearchParams(location.search).get('transport') === 'polling';
const clientOptions = forcePolling ? { transports: ['polling'] } : {};
const socket = io(clientOptions);

const state = {
  name: null,            // our name once joined; kept across reconnects to re-join
  room: null,            // the room we are in (or switching to)
  notifications: null,   // the /notifications socket, created after the first join
  typing: false,         // whether we told the server we are typing
  typingTimer: null,
  typers: new Map(),     // name -> expiry timer of others typing in our room
  hookedEngine: null,    // engine we listen to for transport upgrades
  shown: new Set(),      // keys of the messages in the conversation, so history adds only what is missing
  pinned: true,          // the conversation is scrolled to its newest line: keep it there
};

// Room names compare ignoring case, as the server does ("General" is "general").
const sameRoom = (a, b) => a != null && b != null && a.toLowerCase() === b.toLowerCase();
// Message ids restart with the server; the sender's socket id does not repeat.
const messageKey = (msg) => `${msg.id}:${msg.from}`;

// ---- small DOM helpers -------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function formatTime(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// ---- the conversation's scroll position ----------------------------------------

function scrollToNewest() {
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

// Whoever reads older lines is left there; whoever is at the bottom stays at the bottom, also when
// the window (or the phone's keyboard) changes the list's size.
$('messages').addEventListener('scroll', () => {
  const list = $('messages');
  state.pinned = list.scrollHeight - list.clientHeight - list.scrollTop < 8;
});
new ResizeObserver(() => { if (state.pinned) scrollToNewest(); }).observe($('messages'));

function appendLine(li, force) {
  $('messages').appendChild(li);
  if (force || state.pinned) {
    state.pinned = true;
    scrollToNewest();
  }
}

function addSystem(text) {
  const li = el('li', 'system', text);
  li.dataset.testid = 'system';
  appendLine(li);
}

function addMessage(msg) {
  if (state.shown.has(messageKey(msg))) return;
  state.shown.add(messageKey(msg));
  const own = msg.from === socket.id;
  const li = el('li', own ? 'message own' : 'message');
  li.dataset.testid = 'message';
  li.dataset.own = String(own);
  li.dataset.id = String(msg.id);
  const name = el('span', 'msg-name', msg.name);
  name.dataset.testid = 'message-name';
  const time = el('time', 'msg-time', formatTime(msg.ts));
  time.dateTime = new Date(msg.ts).toISOString();
  time.dataset.testid = 'message-time';
  const text = el('div', 'msg-text', msg.text);
  text.dataset.testid = 'message-text';
  li.append(name, time, text);
  appendLine(li, own);
}

// ---- connection status --------------------------------------------------------

function setStatus(kind, label) {
  const badge = $('status');
  badge.dataset.state = kind;
  badge.textContent = label || kind;
}

function showConnectionError(message) {
  const box = $('connection-error');
  box.textContent = message || '';
  box.hidden = !message;
}

// The engine (and its transport) is replaced on every reconnect, so re-hook each time.
function trackTransport() {
  const engine = socket.io.engine;
  if (!engine) return;
  $('transport').textContent = engine.transport ? engine.transport.name : '-';
  if (state.hookedEngine === engine) return;
  state.hookedEngine = engine;
  engine.on('upgrade', (transport) => { $('transport').textContent = transport.name; });
}

socket.on('connect', () => {
  setStatus('connected');
  showConnectionError('');
  trackTransport();
  // After a reconnect the server has forgotten us: join again with the same name.
  if (state.name) join(state.name, state.room);
});

socket.on('disconnect', () => {
  // `active` means the client will reconnect by itself (anything but a deliberate disconnect).
  // The client's reasons ("transport close", "ping timeout"...) are for developers, not for the page.
  setStatus(socket.active ? 'reconnecting' : 'offline');
  clearTypers();
  // The server admits /notifications only after a join on the same connection: reconnect it after
  // the re-join (see join), not on its own before it.
  if (state.notifications) state.notifications.disconnect();
  if (state.name) addSystem(socket.active ? 'Connection lost, reconnecting…' : 'Disconnected by the server');
});

socket.on('connect_error', (err) => {
  if (socket.active) {
    setStatus('reconnecting');
  } else {
    // Refused by the server (e.g. "Server is full"): the client will not retry on its own.
    setStatus('offline');
    showConnectionError(err.message);
  }
});

socket.io.on('reconnect_attempt', (attempt) => setStatus('reconnecting', `reconnecting (${attempt})`));
socket.io.on('reconnect', () => setStatus('connected'));
socket.io.on('reconnect_failed', () => setStatus('offline'));

socket.on('server shutting down', () => addSystem('Server is shutting down…'));

// ---- joining ------------------------------------------------------------------

function showChat() {
  $('join-screen').hidden = true;
  $('chat-screen').hidden = false;
  $('message-input').focus();
}

function showJoin(error) {
  $('chat-screen').hidden = true;
  $('join-screen').hidden = false;
  $('join-error').textContent = error || '';
}

// Joins as `name`; `previousRoom` is set when re-joining after a reconnect.
function join(name, previousRoom) {
  $('join-error').textContent = '';
  socket.timeout(ACK_TIMEOUT_MS).emit('join', { name }, (err, res) => {
    if (err) return showJoin('No answer from the server; try again');
    if (!res.ok) {
      state.name = null;
      return showJoin(res.error);
    }
    const rejoining = state.name !== null;
    state.name = res.name;
    // Back to the room we were in: its history replaces the lobby's, so skip showing the lobby.
    const elsewhere = previousRoom && !sameRoom(previousRoom, res.room);
    if (!elsewhere) enterRoom(res.room, res.history, res.online);
    renderRooms(res.rooms);
    showChat();
    connectNotifications();
    if (rejoining) addSystem('Reconnected');
    if (elsewhere) joinRoom(previousRoom);
  });
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  join($('name-input').value.trim());
});

// ---- rooms --------------------------------------------------------------------

// Shows `room` with its recent messages. The same room again (a re-join after a reconnect) keeps what
// is on screen and adds the messages missed meanwhile.
function enterRoom(room, history, online) {
  if (!sameRoom(room, state.room)) {
    $('messages').replaceChildren();
    state.shown.clear();
    clearTypers();
  }
  state.room = room;
  $('current-room').textContent = `#${room}`;
  $('current-room').title = `#${room}`;
  if (online !== undefined) $('online-count').textContent = `${online} online`;
  for (const msg of history || []) addMessage(msg);
  state.pinned = true;
  scrollToNewest();
}

function renderRooms(rooms) {
  const list = $('room-list');
  list.replaceChildren();
  for (const room of rooms) {
    const li = el('li');
    const current = sameRoom(room.name, state.room);
    const button = el('button', current ? 'room current' : 'room');
    button.type = 'button';
    button.dataset.testid = 'room-item';
    button.dataset.room = room.name;
    button.dataset.count = String(room.count);
    if (current) button.setAttribute('aria-current', 'true');
    button.append(el('span', 'room-name', room.name), el('span', 'room-count', room.count));
    button.addEventListener('click', () => { if (!sameRoom(room.name, state.room)) joinRoom(room.name); });
    li.appendChild(button);
    list.appendChild(li);
    if (current) $('online-count').textContent = `${room.count} online`;
  }
}

// The view switches with the answer, which carries the room's history: the server sends it after
// anything said in the old room and before anything said in the new one.
function joinRoom(room) {
  $('room-error').textContent = '';
  setTyping(false);
  socket.timeout(ACK_TIMEOUT_MS).emit('join room', { room }, (err, res) => {
    if (err || !res.ok) {
      $('room-error').textContent = err ? 'No answer from the server' : res.error;
      return;
    }
    enterRoom(res.room, res.history, res.online);
    renderRooms(res.rooms);
  });
}

$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const room = $('room-input').value.trim();
  if (!room) return;
  $('room-input').value = '';
  joinRoom(room);
});

socket.on('rooms', renderRooms);

// Someone joined or left the chat (a room switch is not announced). The server sends these only to
// that room's members, so everything shown here is what the server decided we should see (the
// browser tests rely on that to check rooms).
socket.on('user joined', ({ name, room, online }) => {
  if (!sameRoom(room, state.room)) return;
  addSystem(`${name} joined (${online} online)`);
  $('online-count').textContent = `${online} online`;
});

socket.on('user left', ({ name, room, online }) => {
  if (!sameRoom(room, state.room)) return;
  removeTyper(name);
  addSystem(`${name} left (${online} online)`);
  $('online-count').textContent = `${online} online`;
});

// ---- messages -----------------------------------------------------------------

socket.on('chat message', (msg) => {
  // One of the old room's, arriving while a switch is under way.
  if (!sameRoom(msg.room, state.room)) return;
  removeTyper(msg.name);
  addMessage(msg);
});

function sendMessage() {
  const input = $('message-input');
  if (!input.value.trim()) return;
  setTyping(false);
  // The server is the authority on length and rate; show whatever it answers.
  socket.timeout(ACK_TIMEOUT_MS).emit('chat message', { text: input.value }, (err, res) => {
    if (err) {
      $('message-error').textContent = 'No answer from the server; message may not have been sent';
    } else if (!res.ok) {
      $('message-error').textContent = res.error;
    } else {
      $('message-error').textContent = '';
      input.value = '';
      updateCharCount();
    }
  });
}

function updateCharCount() {
  const length = $('message-input').value.length;
  const counter = $('char-count');
  counter.textContent = `${length}/${MAX_TEXT}`;
  counter.classList.toggle('over', length > MAX_TEXT);
}

$('message-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage();
});

// ---- typing indicator ---------------------------------------------------------

// Tells the server only about changes, and stops after a pause in typing.
function setTyping(typing) {
  clearTimeout(state.typingTimer);
  if (typing) state.typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
  if (typing === state.typing) return;
  state.typing = typing;
  if (socket.connected && state.name) socket.emit('typing', typing);
}

$('message-input').addEventListener('input', () => {
  updateCharCount();
  setTyping($('message-input').value.length > 0);
});

function renderTyping() {
  const names = [...state.typers.keys()];
  let text = '';
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = 'Several people are typing…';
  $('typing').textContent = text;
}

function removeTyper(name) {
  clearTimeout(state.typers.get(name));
  state.typers.delete(name);
  renderTyping();
}

function clearTypers() {
  for (const timer of state.typers.values()) clearTimeout(timer);
  state.typers.clear();
  renderTyping();
}

socket.on('typing', ({ name, typing }) => {
  removeTyper(name);
  if (typing) state.typers.set(name, setTimeout(() => removeTyper(name), TYPING_EXPIRE_MS));
  renderTyping();
});

// ---- notifications ------------------------------------------------------------

// A second namespace on the same connection; its auth names the user to notify, which the server
// accepts only from the connection that joined under that name. Called after every (re-)join.
function connectNotifications() {
  if (state.notifications) {
    state.notifications.connect();  // no-op while connected; after a reconnect, connects again
    return;
  }
  state.notifications = io('/notifications', { ...clientOptions, auth: (send) => send({ user: state.name }) });
  state.notifications.on('notification', ({ message, ts }) => {
    const li = el('li', 'notification');
    li.dataset.testid = 'notification';
    li.append(el('time', 'msg-time', formatTime(ts)), el('span', 'notification-text', message));
    $('notifications').prepend(li);
    showToast(message);
  });
}

let toastTimer = null;
function showToast(text) {
  const toast = $('toast');
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, TOAST_MS);
}
