// Intentionally empty: CEpoll is a header shim.
