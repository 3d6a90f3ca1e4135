#ifndef CEPOLL_H
#define CEPOLL_H
// Linux readiness and timer primitives that Glibc's Swift overlay does not fully export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <sys/syscall.h>

// accept4 is declared only under _GNU_SOURCE, which the Swift Glibc module is not built with.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
extern int pthread_setname_np(unsigned long thread, const char *name);
static inline void cepoll_set_thread_name(unsigned long thread, const char *name) {
    (void)pthread_setname_np(thread, name);
}

// Flag and event values as plain integers: the importer turns the glibc enums into types that are
// awkward to combine from Swift.
static const uint32_t CEPOLL_IN = EPOLLIN;
static const uint32_t CEPOLL_OUT = EPOLLOUT;
static const uint32_t CEPOLL_ERR = EPOLLERR;
static const uint32_t CEPOLL_HUP = EPOLLHUP;
static const uint32_t CEPOLL_RDHUP = EPOLLRDHUP;
static const int CEPOLL_IOV_MAX = 1024;

static inline int cepoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static inline int cepoll_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

// struct epoll_event is packed on x86_64, which Swift imports poorly; these wrappers keep it in C.
static inline int cepoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &ev);
}
static inline int cepoll_add(int epfd, int fd, uint32_t events, uint64_t token) {
    return cepoll_ctl(epfd, EPOLL_CTL_ADD, fd, events, token);
}
static inline int cepoll_mod(int epfd, int fd, uint32_t events, uint64_t token) {
    return cepoll_ctl(epfd, EPOLL_CTL_MOD, fd, events, token);
}
static inline int cepoll_del(int epfd, int fd) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}

// Waits with nanosecond precision (epoll_pwait2) so timers are not rounded to whole milliseconds;
// falls back to epoll_wait with the timeout rounded UP (never early) on kernels without it.
// timeout_ns < 0 waits forever. Results land in two parallel arrays.
static inline int cepoll_wait(int epfd, uint32_t *events, uint64_t *tokens, int max, int64_t timeout_ns) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n;
    static int no_pwait2 = 0;
    if (!no_pwait2) {
        struct timespec ts;
        struct timespec *tsp = NULL;
        if (timeout_ns >= 0) {
            ts.tv_sec = (time_t)(timeout_ns / 1000000000LL);
            ts.tv_nsec = (long)(timeout_ns % 1000000000LL);
            tsp = &ts;
        }
        n = epoll_pwait2(epfd, evs, max, tsp, NULL);
        if (n < 0 && errno == ENOSYS) {
            no_pwait2 = 1;
        } else {
            goto done;
        }
    }
    {
        int ms;
        if (timeout_ns < 0) ms = -1;
        else if (timeout_ns > (int64_t)INT_MAX * 1000000LL) ms = INT_MAX;
        else ms = (int)((timeout_ns + 999999LL) / 1000000LL);
        n = epoll_wait(epfd, evs, max, ms);
    }
done:
    for (int i = 0; i < n; i++) {
        events[i] = evs[i].events;
        tokens[i] = evs[i].data.u64;
    }
    return n;
}

static inline int cepoll_socket(int domain) {
    return socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static inline int cepoll_accept(int fd, struct sockaddr_storage *addr) {
    socklen_t len = sizeof *addr;
    return accept4(fd, (struct sockaddr *)addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static inline int cepoll_set_int_option(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof value);
}

// sendmsg with MSG_NOSIGNAL: a gather write that never raises SIGPIPE, so no process-wide
// signal disposition has to change.
static inline ssize_t cepoll_writev_nosignal(int fd, const struct iovec *iov, int iovcnt) {
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)iovcnt;
    return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

static inline int cepoll_errno(void) { return errno; }

// Non-blocking connect for client sockets: 0, or -1 with errno (EINPROGRESS while the handshake runs).
static inline int cepoll_connect(int fd, const struct sockaddr_storage *addr, socklen_t len) {
    return connect(fd, (const struct sockaddr *)addr, len);
}

// sched_setaffinity for the calling thread (threads it creates later inherit the mask). Through
// syscall() because the glibc wrapper and CPU_SET are declared only under _GNU_SOURCE. Bit i of
// `words` is CPU i.
static inline int cepoll_set_affinity(const uint64_t *words, int count) {
    return (int)syscall(SYS_sched_setaffinity, 0, (size_t)count * sizeof(uint64_t), words);
}

#endif
