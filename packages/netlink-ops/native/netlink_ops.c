// The syscall layer of @sriov-ts/netlink-ops: the only native code in the repository.
//
// Everything that must run with the calling thread inside another network namespace is done here, in one C call,
// so no JavaScript ever runs while the main thread is switched: setns(target) -> syscall(s) -> setns(back). If the
// switch back fails the process aborts, because continuing would run the rest of the program in the wrong netns.
//
// Errors are thrown as Error objects carrying `errno` (positive) and `syscall`; the TypeScript side maps them to
// typed errors with a `code`.
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

#define MAX_PATH_ARG 4096

// ---------------------------------------------------------------------------------------------------------------
// N-API helpers

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", syscall, strerror(err));
  napi_value message, error, errno_value, syscall_value;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  napi_create_int32(env, err, &errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

#define ARGS(n)                                                                                                      \
  size_t argc = (n);                                                                                                 \
  napi_value argv[(n) > 0 ? (n) : 1];                                                                                \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;

static int arg_int(napi_env env, napi_value v, int32_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_number) return 0;
  return napi_get_value_int32(env, v, out) == napi_ok;
}

// Copies a string argument; null/undefined gives an empty string and *present = 0.
static int arg_path(napi_env env, napi_value v, char *buf, size_t size, int *present) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    buf[0] = 0;
    if (present) *present = 0;
    return 1;
  }
  if (t != napi_string) return 0;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) return 0;
  if (len == 0 || len >= size - 1) return 0;
  if (strlen(buf) != len) return 0; // embedded NUL
  if (present) *present = 1;
  return 1;
}

static int arg_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  napi_is_buffer(env, v, &is_buffer);
  if (!is_buffer) return 0;
  return napi_get_buffer_info(env, v, data, len) == napi_ok;
}

static napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static napi_value make_undefined(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

static napi_value make_bool(napi_env env, bool v) {
  napi_value out;
  napi_get_boolean(env, v, &out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Network namespace switching (calling thread only)

// Enters the netns at `path` and stores an fd of the previous one in *saved. On failure nothing changed, *syscall
// names the failing call and the errno is returned.
static int netns_enter(const char *path, int *saved, const char **syscall) {
  *saved = -1;
  int target = open(path, O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    *syscall = "open netns";
    return errno;
  }
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) {
    int err = errno;
    close(target);
    *syscall = "open /proc/thread-self/ns/net";
    return err;
  }
  if (setns(target, CLONE_NEWNET) < 0) {
    int err = errno;
    close(target);
    close(self);
    *syscall = "setns";
    return err;
  }
  close(target);
  *saved = self;
  return 0;
}

static void netns_restore(int saved) {
  if (saved < 0) return;
  // Continuing in the wrong netns would silently misconfigure the host: there is no safe way on.
  if (setns(saved, CLONE_NEWNET) < 0) abort();
  close(saved);
}

// ---------------------------------------------------------------------------------------------------------------
// Netlink sockets

// openNetlink(protocol: number, groups: number, netnsPath: string | null): number
static napi_value open_netlink(napi_env env, napi_callback_info info) {
  ARGS(3);
  int32_t protocol, groups;
  char ns[MAX_PATH_ARG];
  int has_ns = 0;
  if (argc < 3 || !arg_int(env, argv[0], &protocol) || !arg_int(env, argv[1], &groups) ||
      !arg_path(env, argv[2], ns, sizeof ns, &has_ns))
    return throw_type(env, "openNetlink(protocol, groups, netnsPath|null)");

  int saved = -1;
  const char *failed = NULL;
  if (has_ns) {
    int err = netns_enter(ns, &saved, &failed);
    if (err) return throw_errno(env, failed, err);
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  int err = fd < 0 ? errno : 0;
  if (fd >= 0) {
    struct sockaddr_nl addr;
    memset(&addr, 0, sizeof addr);
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = (uint32_t)groups;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
      err = errno;
      close(fd);
      fd = -1;
      failed = "bind";
    }
  } else {
    failed = "socket";
  }
  netns_restore(saved);
  if (fd < 0) return throw_errno(env, failed, err);

  int one = 1;
  // Extended ACK gives the kernel's error text; old kernels lack it, which is not an error.
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  return make_int(env, fd);
}

// setsockoptInt(fd, level, name, value): void
static napi_value setsockopt_int(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t fd, level, name, value;
  if (argc < 4 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &level) || !arg_int(env, argv[2], &name) ||
      !arg_int(env, argv[3], &value))
    return throw_type(env, "setsockoptInt(fd, level, name, value)");
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) return throw_errno(env, "setsockopt", errno);
  return make_undefined(env);
}

// send(fd, buffer): number of bytes
static napi_value send_buffer(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t fd;
  void *data;
  size_t len;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &data, &len))
    return throw_type(env, "send(fd, buffer)");
  ssize_t n;
  do {
    n = send(fd, data, len, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, "send", errno);
  return make_int(env, n);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// recv(fd, timeoutMs): Buffer | undefined (undefined = timed out). One datagram, sized with MSG_PEEK|MSG_TRUNC so a
// large dump part is never truncated. EINTR is retried with the remaining time; timeoutMs 0 polls once.
static napi_value recv_datagram(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t fd, timeout;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &timeout) || timeout < 0)
    return throw_type(env, "recv(fd, timeoutMs >= 0)");
  int64_t deadline = now_ms() + timeout;
  for (;;) {
    int64_t remaining = deadline - now_ms();
    if (remaining < 0) remaining = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN, .revents = 0};
    int r = poll(&pfd, 1, (int)remaining);
    if (r < 0) {
      if (errno == EINTR) continue;
      return throw_errno(env, "poll", errno);
    }
    if (r == 0) return make_undefined(env);
    ssize_t size = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (size < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
        if (now_ms() >= deadline) return make_undefined(env);
        continue;
      }
      return throw_errno(env, "recv", errno);
    }
    // A zero-length datagram still has to be consumed: read it into a scratch byte.
    char scratch;
    void *data = NULL;
    napi_value buffer;
    if (napi_create_buffer(env, (size_t)size, &data, &buffer) != napi_ok) return NULL;
    ssize_t n;
    do {
      n = recv(fd, size > 0 ? data : &scratch, size > 0 ? (size_t)size : 1, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return throw_errno(env, "recv", errno);
    }
    if ((size_t)n != (size_t)size) {
      // Only possible if the peeked datagram was taken by someone else; return what was read.
      napi_value sliced;
      if (napi_create_buffer_copy(env, (size_t)n, data, NULL, &sliced) != napi_ok) return NULL;
      return sliced;
    }
    return buffer;
  }
}

// close(fd): void
static napi_value close_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t fd;
  if (argc < 1 || !arg_int(env, argv[0], &fd)) return throw_type(env, "close(fd)");
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, "close", errno);
  return make_undefined(env);
}

// portId(fd): number (the kernel-assigned netlink port id)
static napi_value port_id(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t fd;
  if (argc < 1 || !arg_int(env, argv[0], &fd)) return throw_type(env, "portId(fd)");
  struct sockaddr_nl addr;
  socklen_t len = sizeof addr;
  memset(&addr, 0, sizeof addr);
  if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0) return throw_errno(env, "getsockname", errno);
  return make_int(env, addr.nl_pid);
}

// ---------------------------------------------------------------------------------------------------------------
// Files and raw frames inside a netns

// writeFileInNetns(netnsPath: string | null, path: string, data: Buffer): void. Opened and written while switched,
// because /proc/sys/net resolves to the opener's netns.
static napi_value write_file_in_netns(napi_env env, napi_callback_info info) {
  ARGS(3);
  char ns[MAX_PATH_ARG], path[MAX_PATH_ARG];
  int has_ns = 0;
  void *data;
  size_t len;
  if (argc < 3 || !arg_path(env, argv[0], ns, sizeof ns, &has_ns) || !arg_path(env, argv[1], path, sizeof path, NULL) ||
      !path[0] || !arg_buffer(env, argv[2], &data, &len))
    return throw_type(env, "writeFileInNetns(netnsPath|null, path, buffer)");
  int saved = -1;
  const char *failed = NULL;
  if (has_ns) {
    int err = netns_enter(ns, &saved, &failed);
    if (err) return throw_errno(env, failed, err);
  }
  int err = 0;
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    err = errno;
    failed = "open";
  } else {
    size_t done = 0;
    while (done < len) {
      ssize_t n = write(fd, (char *)data + done, len - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        err = errno;
        failed = "write";
        break;
      }
      done += (size_t)n;
    }
    close(fd);
  }
  netns_restore(saved);
  if (err) return throw_errno(env, failed, err);
  return make_undefined(env);
}

// readFileInNetns(netnsPath: string | null, path: string, maxBytes: number): Buffer. Opened and read while switched,
// for the same reason as writeFileInNetns; at most maxBytes are returned (sysctls are short, so one bounded read
// loop until EOF or the limit is enough).
static napi_value read_file_in_netns(napi_env env, napi_callback_info info) {
  ARGS(3);
  char ns[MAX_PATH_ARG], path[MAX_PATH_ARG];
  int has_ns = 0;
  int32_t max_bytes;
  if (argc < 3 || !arg_path(env, argv[0], ns, sizeof ns, &has_ns) || !arg_path(env, argv[1], path, sizeof path, NULL) ||
      !path[0] || !arg_int(env, argv[2], &max_bytes) || max_bytes < 1 || max_bytes > 65536)
    return throw_type(env, "readFileInNetns(netnsPath|null, path, maxBytes in 1..65536)");
  char *data = malloc((size_t)max_bytes);
  if (!data) return throw_errno(env, "malloc", ENOMEM);
  int saved = -1;
  const char *failed = NULL;
  if (has_ns) {
    int err = netns_enter(ns, &saved, &failed);
    if (err) {
      free(data);
      return throw_errno(env, failed, err);
    }
  }
  int err = 0;
  size_t done = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    err = errno;
    failed = "open";
  } else {
    while (done < (size_t)max_bytes) {
      ssize_t n = read(fd, data + done, (size_t)max_bytes - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        err = errno;
        failed = "read";
        break;
      }
      if (n == 0) break;
      done += (size_t)n;
    }
    close(fd);
  }
  netns_restore(saved);
  if (err) {
    free(data);
    return throw_errno(env, failed, err);
  }
  napi_value buffer;
  napi_status status = napi_create_buffer_copy(env, done, data, NULL, &buffer);
  free(data);
  if (status != napi_ok) return NULL;
  return buffer;
}

// Closing an AF_PACKET socket waits for an RCU grace period (packet_release -> synchronize_net): about 12 ms on this
// machine, more than everything else a pod's announcement costs. The last reference is handed to a grandchild that
// closes it off the caller's path: it first closes every other descriptor (so the runtime's pipes see EOF as soon as
// the caller exits), waits until the caller and the intermediate child have dropped their references (EOF on a
// private pipe), then closes the socket and exits. The intermediate (vfork) child exits at once, so the caller reaps
// it and the grandchild is reparented (to init or the runtime's subreaper) — no zombie stays behind in a long-lived
// process. If anything fails, this is a plain close().
//
// On x86-64 and arm64 the grandchild shares the caller's memory (CLONE_VM) and runs on a small stack of its own,
// making raw system calls only (no libc: nothing that touches the caller's thread-local state), and unmaps that stack
// as it exits. Forking a copy of a Node process instead costs ≈ 1.5 ms of page-table copying, and the caller then
// pays a copy-on-write fault for every page it touches until it exits (≈ 1.5 ms more for a CNI plugin). Elsewhere the
// grandchild is such a copy (raw clone without CLONE_VM). Every signal is blocked in both children.
static void close_range_from(unsigned first, unsigned last) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, first, last, 0U) == 0) return;
#endif
  // Kernels before 5.9: one close() per possible descriptor, lowest first (stdio goes first; this is off the path).
  struct rlimit lim;
  unsigned max = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < (1U << 20) ? (unsigned)lim.rlim_cur : 1U << 20;
  for (unsigned fd = first; fd <= last && fd < max; fd++) close((int)fd);
}

static void close_all_but(int a, int b) {
  if (a > b) {
    int t = a;
    a = b;
    b = t;
  }
  if (a > 0) close_range_from(0U, (unsigned)a - 1);
  if (b > a + 1) close_range_from((unsigned)a + 1, (unsigned)b - 1);
  close_range_from((unsigned)b + 1, ~0U);
}

#if defined(__x86_64__) || defined(__aarch64__)
#define SHARED_MEMORY_HOLDER 1
#define HOLDER_STACK_SIZE 65536

static long raw_syscall3(long n, long a, long b, long c) {
#if defined(__x86_64__)
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
#else
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
#endif
}

// munmap(stack) then exit(0), with nothing in between that touches the stack being unmapped.
__attribute__((noreturn)) static void unmap_stack_and_exit(void *stack, unsigned long size) {
#if defined(__x86_64__)
  __asm__ volatile("syscall\n\t"
                   "movl %[exit_nr], %%eax\n\t"
                   "xorl %%edi, %%edi\n\t"
                   "syscall"
                   :
                   : "a"((long)SYS_munmap), "D"(stack), "S"(size), [exit_nr] "i"(SYS_exit)
                   : "rcx", "r11", "memory");
#else
  register long x8 __asm__("x8") = SYS_munmap;
  register long x0 __asm__("x0") = (long)stack;
  register long x1 __asm__("x1") = (long)size;
  __asm__ volatile("svc 0\n\t"
                   "mov x8, %[exit_nr]\n\t"
                   "mov x0, #0\n\t"
                   "svc 0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), [exit_nr] "i"(SYS_exit)
                   : "memory");
#endif
  __builtin_unreachable();
}

typedef struct {
  int fd, gate;
  unsigned max_fd; // the descriptor limit, for kernels without close_range
  void *stack;
} holder_t;

static void raw_close_range(unsigned first, unsigned last, unsigned max_fd) {
#ifdef SYS_close_range
  if (raw_syscall3(SYS_close_range, first, last, 0) == 0) return;
#endif
  for (unsigned fd = first; fd <= last && fd < max_fd; fd++) raw_syscall3(SYS_close, fd, 0, 0);
}

// The grandchild: runs on its own stack in the caller's memory. Raw system calls only.
static int holder_main(void *arg) {
  holder_t *h = arg; // at the top of its own stack
  int lo = h->fd < h->gate ? h->fd : h->gate, hi = h->fd < h->gate ? h->gate : h->fd;
  if (lo > 0) raw_close_range(0U, (unsigned)lo - 1, h->max_fd);
  if (hi > lo + 1) raw_close_range((unsigned)lo + 1, (unsigned)hi - 1, h->max_fd);
  raw_close_range((unsigned)hi + 1, ~0U, h->max_fd);
  char byte;
  while (raw_syscall3(SYS_read, h->gate, (long)&byte, 1) == -EINTR) {
  }
  raw_syscall3(SYS_close, h->fd, 0, 0);
  unmap_stack_and_exit(h->stack, HOLDER_STACK_SIZE);
}

// A grandchild sharing our memory that keeps `fd` (and the gate) until EOF on gate_read, closes it and exits.
// Returns whether it started. Its stack is its own to unmap.
static bool start_shared_holder(int fd, int gate_read) {
  void *stack = mmap(NULL, HOLDER_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return false;
  struct rlimit lim;
  holder_t *holder = (holder_t *)((char *)stack + HOLDER_STACK_SIZE - 256);
  holder->fd = fd;
  holder->gate = gate_read;
  holder->max_fd = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < (1U << 20) ? (unsigned)lim.rlim_cur : 1U << 20;
  holder->stack = stack;
  volatile int started = 0; // written by the vfork child, which shares our memory
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  // vfork: the intermediate child borrows our memory, only creates the grandchild (its frames grow down from the
  // holder struct, 256 bytes below its stack's top) and exits, so the grandchild is reparented, never our zombie.
  pid_t child = vfork();
  if (child == 0) {
    started = clone(holder_main, holder, CLONE_VM | SIGCHLD, holder) > 0;
    _exit(0);
  }
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  if (child > 0) {
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  if (!started) munmap(stack, HOLDER_STACK_SIZE);
  return started;
}
#endif

static void close_off_path(int fd) {
  int gate[2];
  if (pipe2(gate, O_CLOEXEC) < 0) {
    close(fd);
    return;
  }
#ifdef SHARED_MEMORY_HOLDER
  if (!start_shared_holder(fd, gate[0]))
#endif
  {
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    // vfork: the intermediate child borrows our memory and only creates the grandchild (a raw clone, so no atfork
    // handler touches the shared memory), which gets the one copy of the address space; we resume when it exited.
    pid_t child = vfork();
    if (child == 0) {
      if (syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL) == 0) {
        close_all_but(fd, gate[0]);
        char byte;
        while (read(gate[0], &byte, 1) < 0 && errno == EINTR) {
        }
        close(fd);
      }
      _exit(0);
    }
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (child > 0) {
      while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
      }
    }
  }
  close(fd); // with a grandchild holding it, this only drops a reference
  close(gate[1]);
  close(gate[0]);
}

// spawnProgram(path: string, env: string[], input: Buffer, timeoutMs: number, maxOutput: number): handle
// waitProgram(handle): { status, signal, stdout: Buffer, stderr: Buffer, timedOut: boolean, overflow: boolean }
// Runs `path` (argv = [path], environment exactly `env`) with `input` on stdin and both outputs captured, like
// child_process.spawnSync, for a one-shot plugin delegating to another (IPAM): Node's child_process module alone costs
// ≈5 ms of every start to load. Split in two so the caller can do other work while the program runs (a CNI plugin
// moves its netdev while host-local allocates): spawnProgram starts it and writes as much of `input` as the pipe takes
// at once (all of a CNI config), waitProgram finishes the input, collects the outputs and reaps it. posix_spawn with
// every signal reset to its default and an empty mask (what libuv does), the pipes the only inherited descriptors
// (everything else is close-on-exec). The deadline counts from the spawn. At the deadline, or when an output passes
// maxOutput bytes, the child is SIGKILLed and its pipes are closed, so a grandchild holding them cannot stall us.
// spawnProgram returns at once: posix_spawn runs on a thread of its own (below). A program that cannot be started
// makes waitProgram throw errno (syscall "posix_spawn": ENOENT, EACCES, ETXTBSY, ENOEXEC...). A handle that is
// garbage-collected (or outlives the environment) without waitProgram has its child killed and reaped.
typedef struct {
  char *data;
  size_t len, cap;
} growbuf;

typedef struct {
  pid_t pid; // 0 once reaped
  int in, out, err;
  char *input;
  size_t input_len, written;
  growbuf bout, berr;
  int64_t deadline;
  size_t max_output;
  bool waited;
  // The spawn runs on a thread of its own (see spawn_program); these belong to it until it is joined.
  pthread_t thread;
  bool thread_running;
  int spawn_error; // posix_spawn's result, read after the join
  char path[MAX_PATH_ARG];
  char **envp;
  uint32_t env_count;
  int child_in, child_out, child_err; // the child's ends of the pipes
} program_t;

static int grow_read(int fd, growbuf *b, size_t max) {
  for (;;) {
    if (b->cap - b->len < 65536) {
      size_t cap = b->cap ? b->cap * 2 : 65536;
      char *data = realloc(b->data, cap);
      if (!data) return -ENOMEM;
      b->data = data;
      b->cap = cap;
    }
    ssize_t n = read(fd, b->data + b->len, b->cap - b->len);
    if (n > 0) {
      b->len += (size_t)n;
      if (b->len > max) return -EFBIG;
      continue;
    }
    if (n == 0) return 0; // EOF
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return 1;
    return -errno;
  }
}

static int64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_if_open(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// Writes what the (non-blocking) stdin pipe takes now; closes it when all is written or the reader is gone.
static void feed_input(program_t *p) {
  while (p->in >= 0 && p->written < p->input_len) {
    ssize_t w = write(p->in, p->input + p->written, p->input_len - p->written);
    if (w > 0) {
      p->written += (size_t)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else {
      // EAGAIN: the pipe is full, the rest goes in waitProgram's loop. EPIPE: the program exited without reading all
      // of stdin, its business (SIGPIPE is ignored by Node).
      if (w < 0 && errno == EAGAIN) return;
      break;
    }
  }
  close_if_open(&p->in);
}

static void free_envp(program_t *p) {
  if (!p->envp) return;
  for (uint32_t i = 0; i < p->env_count; i++) free(p->envp[i]);
  free(p->envp);
  p->envp = NULL;
}

// Waits for the spawn thread (it never blocks for long: posix_spawn returns once the child has exec'd).
static void join_spawn(program_t *p) {
  if (!p->thread_running) return;
  pthread_join(p->thread, NULL);
  p->thread_running = false;
  free_envp(p);
}

static void program_free(program_t *p) {
  join_spawn(p);
  free_envp(p);
  close_if_open(&p->child_in);
  close_if_open(&p->child_out);
  close_if_open(&p->child_err);
  if (p->pid > 0) {
    kill(p->pid, SIGKILL);
    while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    p->pid = 0;
  }
  close_if_open(&p->in);
  close_if_open(&p->out);
  close_if_open(&p->err);
  free(p->input);
  free(p->bout.data);
  free(p->berr.data);
  free(p);
}

static void program_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  program_free((program_t *)data);
}

// The spawn thread: posix_spawn blocks its caller until the child has exec'd (≈ 1 ms for a Go IPAM plugin), which
// the JavaScript thread need not wait for; the child inherits this thread's namespaces, which are the process's own
// (created by the JavaScript thread while it was in none of another netns). Then it feeds stdin as far as it goes.
static void *spawn_thread(void *arg) {
  program_t *p = arg;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, p->child_in, 0);
  posix_spawn_file_actions_adddup2(&actions, p->child_out, 1);
  posix_spawn_file_actions_adddup2(&actions, p->child_err, 2);
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  // Every bit, not sigfillset(): glibc's leaves out its two internal signals (32, 33), and its spawn child would then
  // pass them on ignored (SIG_IGN survives exec); libuv's children get them at their defaults too.
  memset(&all, 0xff, sizeof all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char *child_argv[] = {p->path, NULL};
  pid_t pid = 0;
  p->spawn_error = posix_spawn(&pid, p->path, &actions, &attr, child_argv, p->envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close_if_open(&p->child_in);
  close_if_open(&p->child_out);
  close_if_open(&p->child_err);
  if (p->spawn_error == 0) {
    p->pid = pid;
    feed_input(p);
  }
  return NULL;
}

static napi_value spawn_program(napi_env env, napi_callback_info info) {
  ARGS(5);
  uint32_t env_count = 0;
  bool is_array = false;
  void *input;
  size_t input_len;
  int32_t timeout_ms, max_output;
  program_t *p = calloc(1, sizeof *p);
  if (!p) return throw_errno(env, "calloc", ENOMEM);
  p->in = p->out = p->err = p->child_in = p->child_out = p->child_err = -1;
  if (argc < 5 || !arg_path(env, argv[0], p->path, sizeof p->path, NULL) || p->path[0] != '/' ||
      napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[1], &env_count) != napi_ok || env_count > 4096 ||
      !arg_buffer(env, argv[2], &input, &input_len) || !arg_int(env, argv[3], &timeout_ms) || timeout_ms < 1 ||
      !arg_int(env, argv[4], &max_output) || max_output < 1) {
    program_free(p);
    return throw_type(env, "spawnProgram(absolute path, env string[], input Buffer, timeoutMs >= 1, maxOutput >= 1)");
  }
  p->max_output = (size_t)max_output;
  p->envp = calloc(env_count + 1, sizeof *p->envp);
  if (!p->envp) {
    program_free(p);
    return throw_errno(env, "calloc", ENOMEM);
  }
  p->env_count = env_count;
  for (uint32_t i = 0; i < env_count; i++) {
    napi_value item;
    size_t len = 0;
    if (napi_get_element(env, argv[1], i, &item) != napi_ok ||
        napi_get_value_string_utf8(env, item, NULL, 0, &len) != napi_ok) {
      program_free(p);
      return throw_type(env, "spawnProgram: env entries must be strings");
    }
    p->envp[i] = malloc(len + 1);
    if (!p->envp[i]) {
      program_free(p);
      return throw_errno(env, "malloc", ENOMEM);
    }
    napi_get_value_string_utf8(env, item, p->envp[i], len + 1, &len);
    if (strlen(p->envp[i]) != len) {
      program_free(p);
      return throw_type(env, "spawnProgram: env entries must not contain NUL");
    }
  }
  // The input is copied: the program may still be reading it after this call returns.
  p->input = malloc(input_len ? input_len : 1);
  if (!p->input) {
    program_free(p);
    return throw_errno(env, "malloc", ENOMEM);
  }
  if (input_len) memcpy(p->input, input, input_len);
  p->input_len = input_len;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
    int e = errno;
    for (int k = 0; k < 2; k++) {
      close_if_open(&in[k]);
      close_if_open(&out[k]);
      close_if_open(&err[k]);
    }
    program_free(p);
    return throw_errno(env, "pipe2", e);
  }
  p->child_in = in[0];
  p->child_out = out[1];
  p->child_err = err[1];
  p->in = in[1];
  p->out = out[0];
  p->err = err[0];
  fcntl(p->in, F_SETFL, O_NONBLOCK);
  fcntl(p->out, F_SETFL, O_NONBLOCK);
  fcntl(p->err, F_SETFL, O_NONBLOCK);
  p->deadline = monotonic_ms() + timeout_ms;
  napi_value result;
  if (napi_create_external(env, p, program_finalize, NULL, &result) != napi_ok) {
    program_free(p);
    return throw_type(env, "spawnProgram: napi_create_external failed");
  }
  int rc = pthread_create(&p->thread, NULL, spawn_thread, p);
  if (rc == 0) {
    p->thread_running = true;
  } else {
    spawn_thread(p); // no thread to be had: spawn here, blocking as posix_spawn does
  }
  return result;
}

static napi_value wait_program(napi_env env, napi_callback_info info) {
  ARGS(1);
  void *data = NULL;
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || !data)
    return throw_type(env, "waitProgram(handle from spawnProgram)");
  program_t *p = data;
  if (p->waited) return throw_type(env, "waitProgram: this program was already waited for");
  p->waited = true;
  join_spawn(p);
  if (p->spawn_error != 0) {
    close_if_open(&p->in);
    close_if_open(&p->out);
    close_if_open(&p->err);
    return throw_errno(env, "posix_spawn", p->spawn_error);
  }
  bool timed_out = false, overflow = false;
  while (p->out >= 0 || p->err >= 0) {
    struct pollfd fds[3];
    int n = 0, iw = -1, io = -1, ie = -1;
    if (p->in >= 0) fds[iw = n++] = (struct pollfd){.fd = p->in, .events = POLLOUT};
    if (p->out >= 0) fds[io = n++] = (struct pollfd){.fd = p->out, .events = POLLIN};
    if (p->err >= 0) fds[ie = n++] = (struct pollfd){.fd = p->err, .events = POLLIN};
    int64_t left = p->deadline - monotonic_ms();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    int ready = poll(fds, (nfds_t)n, left > 1000000 ? 1000000 : (int)left);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (iw >= 0 && fds[iw].revents) feed_input(p);
    int *fdp[2] = {&p->out, &p->err};
    int idx[2] = {io, ie};
    growbuf *bufs[2] = {&p->bout, &p->berr};
    for (int k = 0; k < 2; k++) {
      if (idx[k] < 0 || !fds[idx[k]].revents) continue;
      int r = grow_read(*fdp[k], bufs[k], p->max_output);
      if (r == 1) continue;
      if (r == -EFBIG) overflow = true;
      close_if_open(fdp[k]); // EOF or a read error: this stream is done
    }
    if (overflow) break;
  }
  if (timed_out || overflow) kill(p->pid, SIGKILL);
  // Outputs closed does not mean exited (a program may close them and go on): the deadline still holds.
  int status = 0;
  for (;;) {
    pid_t w = waitpid(p->pid, &status, timed_out || overflow ? 0 : WNOHANG);
    if (w == p->pid || (w < 0 && errno != EINTR)) break;
    if (w == 0) {
      if (monotonic_ms() >= p->deadline) {
        timed_out = true;
        kill(p->pid, SIGKILL);
        continue;
      }
      struct timespec pause = {0, 1000000}; // 1 ms
      nanosleep(&pause, NULL);
    }
  }
  p->pid = 0;
  close_if_open(&p->in);
  close_if_open(&p->out);
  close_if_open(&p->err);

  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "status", make_int(env, WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  napi_set_named_property(env, obj, "signal", make_int(env, WIFSIGNALED(status) ? WTERMSIG(status) : 0));
  napi_create_buffer_copy(env, p->bout.len, p->bout.data ? p->bout.data : "", NULL, &v);
  napi_set_named_property(env, obj, "stdout", v);
  napi_create_buffer_copy(env, p->berr.len, p->berr.data ? p->berr.data : "", NULL, &v);
  napi_set_named_property(env, obj, "stderr", v);
  napi_set_named_property(env, obj, "timedOut", make_bool(env, timed_out));
  napi_set_named_property(env, obj, "overflow", make_bool(env, overflow));
  free(p->bout.data);
  free(p->berr.data);
  p->bout = (growbuf){0};
  p->berr = (growbuf){0};
  return obj;
}

// sendPacket(netnsPath: string | null, ifindex: number, frame: Buffer): void. One Ethernet frame (destination MAC and
// EtherType taken from the frame itself) over an AF_PACKET socket created in the netns.
static napi_value send_packet(napi_env env, napi_callback_info info) {
  ARGS(3);
  char ns[MAX_PATH_ARG];
  int has_ns = 0;
  int32_t ifindex;
  void *data;
  size_t len;
  if (argc < 3 || !arg_path(env, argv[0], ns, sizeof ns, &has_ns) || !arg_int(env, argv[1], &ifindex) ||
      ifindex <= 0 || !arg_buffer(env, argv[2], &data, &len) || len < 14)
    return throw_type(env, "sendPacket(netnsPath|null, ifindex > 0, frame of >= 14 bytes)");
  int saved = -1;
  const char *failed = NULL;
  if (has_ns) {
    int err = netns_enter(ns, &saved, &failed);
    if (err) return throw_errno(env, failed, err);
  }
  // Protocol 0: a send-only socket that never queues received frames.
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  int err = fd < 0 ? errno : 0;
  netns_restore(saved);
  if (fd < 0) return throw_errno(env, "socket AF_PACKET", err);
  const unsigned char *frame = data;
  struct sockaddr_ll addr;
  memset(&addr, 0, sizeof addr);
  addr.sll_family = AF_PACKET;
  addr.sll_ifindex = ifindex;
  addr.sll_halen = ETH_ALEN;
  memcpy(addr.sll_addr, frame, ETH_ALEN);
  memcpy(&addr.sll_protocol, frame + 12, 2);
  ssize_t n;
  do {
    n = sendto(fd, data, len, 0, (struct sockaddr *)&addr, sizeof addr);
  } while (n < 0 && errno == EINTR);
  err = n < 0 ? errno : 0;
  close_off_path(fd);
  if (err) return throw_errno(env, "sendto", err);
  return make_undefined(env);
}

// openPacket(netnsPath: string | null, ifindex: number, ethertype: number): number. A receiving AF_PACKET socket
// bound to one interface (0 = all) and EtherType (0x0003 = all); read it with recv().
static napi_value open_packet(napi_env env, napi_callback_info info) {
  ARGS(3);
  char ns[MAX_PATH_ARG];
  int has_ns = 0;
  int32_t ifindex, ethertype;
  if (argc < 3 || !arg_path(env, argv[0], ns, sizeof ns, &has_ns) || !arg_int(env, argv[1], &ifindex) ||
      ifindex < 0 || !arg_int(env, argv[2], &ethertype) || ethertype < 0 || ethertype > 0xffff)
    return throw_type(env, "openPacket(netnsPath|null, ifindex >= 0, ethertype)");
  int saved = -1;
  const char *failed = "socket AF_PACKET";
  if (has_ns) {
    int err = netns_enter(ns, &saved, &failed);
    if (err) return throw_errno(env, failed, err);
  }
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons((uint16_t)ethertype));
  int err = fd < 0 ? errno : 0;
  failed = "socket AF_PACKET";
  if (fd >= 0) {
    struct sockaddr_ll addr;
    memset(&addr, 0, sizeof addr);
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons((uint16_t)ethertype);
    addr.sll_ifindex = ifindex;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
      err = errno;
      failed = "bind AF_PACKET";
      close(fd);
      fd = -1;
    }
  }
  netns_restore(saved);
  if (fd < 0) return throw_errno(env, failed, err);
  return make_int(env, fd);
}

// ---------------------------------------------------------------------------------------------------------------
// Named network namespaces (iproute2's `ip netns add/delete` model)

// Makes `dir` a shared mount point so netns bind mounts propagate between mount namespaces, the way iproute2 does:
// if it is not a mount point yet (EINVAL), bind-mount it onto itself first.
static int make_shared_dir(const char *dir, const char **failed) {
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
    *failed = "mkdir";
    return errno;
  }
  int bound = 0;
  while (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
    if (errno != EINVAL || bound) {
      *failed = "mount --make-rshared";
      return errno;
    }
    if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0) {
      *failed = "mount --rbind";
      return errno;
    }
    bound = 1;
  }
  return 0;
}

// createNetns(dir: string, path: string): void. `path` is a file inside `dir`. A new netns is created by unshare on
// this thread, pinned by a bind mount of /proc/thread-self/ns/net onto `path`, then the thread returns to its netns.
static napi_value create_netns(napi_env env, napi_callback_info info) {
  ARGS(2);
  char dir[MAX_PATH_ARG], path[MAX_PATH_ARG];
  if (argc < 2 || !arg_path(env, argv[0], dir, sizeof dir, NULL) || !dir[0] ||
      !arg_path(env, argv[1], path, sizeof path, NULL) || !path[0])
    return throw_type(env, "createNetns(dir, path)");
  const char *failed = NULL;
  int err = make_shared_dir(dir, &failed);
  if (err) return throw_errno(env, failed, err);

  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "create netns file", errno);
  close(fd);

  int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (saved < 0) {
    err = errno;
    unlink(path);
    return throw_errno(env, "open /proc/thread-self/ns/net", err);
  }
  if (unshare(CLONE_NEWNET) < 0) {
    err = errno;
    close(saved);
    unlink(path);
    return throw_errno(env, "unshare", err);
  }
  err = 0;
  if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) err = errno;
  netns_restore(saved);
  if (err) {
    unlink(path);
    return throw_errno(env, "mount --bind", err);
  }
  return make_undefined(env);
}

// deleteNetns(path: string): void. Lazy unmount plus unlink; a namespace already gone is success.
static napi_value delete_netns(napi_env env, napi_callback_info info) {
  ARGS(1);
  char path[MAX_PATH_ARG];
  if (argc < 1 || !arg_path(env, argv[0], path, sizeof path, NULL) || !path[0])
    return throw_type(env, "deleteNetns(path)");
  if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return throw_errno(env, "umount2", errno);
  if (unlink(path) < 0 && errno != ENOENT) return throw_errno(env, "unlink", errno);
  return make_undefined(env);
}

// ---------------------------------------------------------------------------------------------------------------
// flock

// flock(fd, op): boolean. op 1 = exclusive, 2 = shared, 0 = unlock; never blocks. false = held elsewhere.
static napi_value flock_fd(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t fd, op;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &op) || op < 0 || op > 2)
    return throw_type(env, "flock(fd, 0|1|2)");
  int how = op == 1 ? LOCK_EX : op == 2 ? LOCK_SH : LOCK_UN;
  for (;;) {
    if (flock(fd, how | LOCK_NB) == 0) return make_bool(env, true);
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return make_bool(env, false);
    return throw_errno(env, "flock", errno);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Readiness watches on the event loop (uv_poll): the callback runs on the JS thread when the fd is readable; the
// JS side then drains with recv(fd, 0). Nothing blocks and no thread is used.

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int stopped;
  int in_callback;
  // Owners of this struct: the JS handle (until finalized) and the uv handle (until closed).
  int owners;
} watch_t;

static void watch_unown(watch_t *w) {
  if (--w->owners == 0) free(w);
}

static void watch_closed(uv_handle_t *handle) { watch_unown(handle->data); }

// Drops the callback and the async context and closes the uv handle. Never runs inside the callback itself:
// napi_make_callback is still using the async context then (see watch_ready).
static void watch_release(watch_t *w) {
  if (w->callback) napi_delete_reference(w->env, w->callback);
  if (w->context) napi_async_destroy(w->env, w->context);
  w->callback = NULL;
  w->context = NULL;
  uv_close((uv_handle_t *)&w->poll, watch_closed);
}

static void watch_stop(watch_t *w) {
  if (w->stopped) return;
  w->stopped = 1;
  uv_poll_stop(&w->poll);
  if (!w->in_callback) watch_release(w);
}

static void watch_cleanup_hook(void *arg) { watch_stop((watch_t *)arg); }

static void watch_ready(uv_poll_t *handle, int status, int events) {
  (void)events;
  watch_t *w = handle->data;
  if (w->stopped || !w->callback) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, recv, arg, result;
  napi_get_reference_value(env, w->callback, &callback);
  napi_get_global(env, &recv); // napi_make_callback needs an object receiver
  napi_create_int32(env, status < 0 ? -status : 0, &arg);
  w->in_callback = 1;
  // Also runs the microtasks queued by the callback, e.g. a `for await` body that closes the stream.
  napi_status st = napi_make_callback(env, w->context, recv, callback, 1, &arg, &result);
  w->in_callback = 0;
  if (st == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
  if (w->stopped) {
    napi_remove_env_cleanup_hook(env, watch_cleanup_hook, w);
    watch_release(w);
  }
}

static void watch_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  // The JS handle is gone; an active watch keeps running (its callback holds what it needs) until env teardown.
  watch_unown((watch_t *)data);
}

// watch(fd, callback(errno)): handle
static napi_value watch_fd(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t fd;
  napi_valuetype t;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function)
    return throw_type(env, "watch(fd, callback)");
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return throw_type(env, "no event loop");
  watch_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "calloc", ENOMEM);
  w->env = env;
  w->owners = 2;
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r < 0) {
    free(w);
    return throw_errno(env, "uv_poll_init", -r);
  }
  w->poll.data = w;
  napi_value name;
  napi_create_string_utf8(env, "netlink-ops:watch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->context);
  napi_create_reference(env, argv[1], 1, &w->callback);
  r = uv_poll_start(&w->poll, UV_READABLE, watch_ready);
  if (r < 0) {
    w->owners = 1; // no JS handle will be created
    watch_stop(w);
    return throw_errno(env, "uv_poll_start", -r);
  }
  napi_add_env_cleanup_hook(env, watch_cleanup_hook, w);
  napi_value handle;
  napi_create_external(env, w, watch_finalize, NULL, &handle);
  return handle;
}

static watch_t *arg_watch(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_external) return NULL;
  void *data = NULL;
  napi_get_value_external(env, v, &data);
  return data;
}

// unwatch(handle): void. Idempotent.
static napi_value unwatch_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  watch_t *w = argc >= 1 ? arg_watch(env, argv[0]) : NULL;
  if (!w) return throw_type(env, "unwatch(handle)");
  if (!w->stopped) {
    // Inside the callback the hook is removed by watch_ready, after the callback returns.
    if (!w->in_callback) napi_remove_env_cleanup_hook(env, watch_cleanup_hook, w);
    watch_stop(w);
  }
  return make_undefined(env);
}

// watchRef(handle, keepAlive: boolean): void. An unref'd watch does not keep the process alive.
static napi_value watch_ref(napi_env env, napi_callback_info info) {
  ARGS(2);
  watch_t *w = argc >= 2 ? arg_watch(env, argv[0]) : NULL;
  bool keep = false;
  if (!w || napi_get_value_bool(env, argv[1], &keep) != napi_ok) return throw_type(env, "watchRef(handle, boolean)");
  if (!w->stopped) {
    if (keep)
      uv_ref((uv_handle_t *)&w->poll);
    else
      uv_unref((uv_handle_t *)&w->poll);
  }
  return make_undefined(env);
}

// ---------------------------------------------------------------------------------------------------------------

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"openNetlink", NULL, open_netlink, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setsockoptInt", NULL, setsockopt_int, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, send_buffer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, recv_datagram, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"portId", NULL, port_id, NULL, NULL, NULL, napi_enumerable, NULL},
      {"writeFileInNetns", NULL, write_file_in_netns, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readFileInNetns", NULL, read_file_in_netns, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendPacket", NULL, send_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openPacket", NULL, open_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"createNetns", NULL, create_netns, NULL, NULL, NULL, napi_enumerable, NULL},
      {"deleteNetns", NULL, delete_netns, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flock", NULL, flock_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watch", NULL, watch_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unwatch", NULL, unwatch_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watchRef", NULL, watch_ref, NULL, NULL, NULL, napi_enumerable, NULL},
      {"spawnProgram", NULL, spawn_program, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waitProgram", NULL, wait_program, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
