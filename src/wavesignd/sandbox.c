/*
 * sandbox.c -- the optional system call filter (sandbox.seccomp in
 * wavesignd.conf(5)).
 *
 * Installed once, when start-up is done (configuration, policy, token and
 * keys, signing log, indexes, listening socket) and before the workers
 * start, so that it binds every thread. From then on the daemon may make
 * only the system calls that serving requests needs, SoftHSM2's included;
 * any other kills the process (SIGSYS): an attacker who takes over a
 * parser cannot open a network socket, execute a program, ptrace, change
 * its identity or load a module. The kernel's audit log names the call.
 *
 * The list was taken from the daemon under strace across the whole
 * integration suite (every op family, reloads, token outages and
 * reconnects, disk full, shutdown) and is checked by running that suite
 * with the filter on. A PKCS#11 module other than SoftHSM2 may need other
 * calls (a network HSM needs sockets), which is why the filter is optional.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <seccomp.h>

#include "daemon.h"

/* Allowed without conditions; names unknown on this architecture are skipped. */
static const char *const allowed[] = {
	/* memory */
	"brk", "mmap", "munmap", "mprotect", "mremap", "madvise",
	/* files: the state directory, the token's object files, the PIN file */
	"openat", "open", "close", "read", "write", "pread64", "pwrite64", "readv", "writev",
	"lseek", "fstat", "newfstatat", "stat", "lstat", "statx", "fstatfs", "statfs", "fadvise64",
	"fsync", "fdatasync", "ftruncate", "fallocate", "rename", "renameat", "renameat2",
	"unlink", "unlinkat", "mkdir", "mkdirat", "getdents64", "fcntl", "flock", "fchmod",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd", "umask",
	"dup", "dup2", "dup3", "pipe2",
	/* time */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	/* threads and their locks */
	"futex", "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "gettid",
	"getpid", "tgkill", "sched_yield", "sched_getaffinity", "exit", "exit_group",
	"membarrier",
	/* signals (signalfd, the blocked mask, aborts) */
	"rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "sigaltstack", "restart_syscall",
	"signalfd4", "eventfd2",
	/*
	 * The event loop and its Unix socket; connect for the user and group
	 * look-ups of the policy's clients, which glibc's NSS may send to nscd
	 * or systemd-userdb over a Unix socket (socket() allows no other family).
	 */
	"poll", "ppoll", "accept4", "accept", "recvfrom", "sendto", "recvmsg", "sendmsg",
	"getsockopt", "getsockname", "getpeername", "shutdown", "connect",
	/* identity checks of files, randomness, limits */
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getrandom",
	"prlimit64", "getrlimit", "uname", "sysinfo",
};

/* Adds rule(s) for one system call by name; a name unknown here is skipped. */
static ws_err
rule_add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_args,
    const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return WS_OK;
	rc = seccomp_rule_add_array(ctx, action, nr, n_args, args);
	if (rc < 0) {
		errno = -rc;
		return ws_err_errno("seccomp: rule for %s", name);
	}
	return WS_OK;
}

ws_err
sandbox_seccomp_apply(void)
{
#ifndef WS_SANITIZERS
	/* Threads only: a clone without CLONE_THREAD would be a new process. */
	const struct scmp_arg_cmp thread_only = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
	const struct scmp_arg_cmp capbset_read = SCMP_A0(SCMP_CMP_EQ, PR_CAPBSET_READ);
#endif
	/* Unix sockets only: sd_notify's datagram to systemd, NSS look-ups. */
	const struct scmp_arg_cmp unix_only = SCMP_A0(SCMP_CMP_EQ, AF_UNIX);
	scmp_filter_ctx ctx;
	ws_err r = WS_OK;
	int rc;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return ws_err_set(WS_ERR_SYSTEM, "seccomp_init failed");
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && r == WS_OK; i++)
		r = rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
#ifndef WS_SANITIZERS
	if (r == WS_OK)
		r = rule_add(ctx, SCMP_ACT_ALLOW, "clone", 1, &thread_only);
	/* libcap in glibc's NSS modules (nss-systemd) reads the bounding set; nothing else of prctl. */
	if (r == WS_OK)
		r = rule_add(ctx, SCMP_ACT_ALLOW, "prctl", 1, &capbset_read);
#else
	/*
	 * LeakSanitizer stops the world at exit from a tracer process it
	 * clones, which ptraces the threads: a sanitizer build (for tests,
	 * never for the appliance) allows that too.
	 */
	for (const char *const *n = (const char *const[]){ "clone", "prctl", "ptrace", "wait4",
	    "waitid", "kill", "tkill", "getppid", "getdents", "process_vm_readv", "sched_getparam",
	    "sched_getscheduler", NULL }; *n != NULL && r == WS_OK; n++)
		r = rule_add(ctx, SCMP_ACT_ALLOW, *n, 0, NULL);
#endif
	/* clone3's flags are in memory, out of a filter's reach: glibc falls back to clone. */
	if (r == WS_OK)
		r = rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	if (r == WS_OK)
		r = rule_add(ctx, SCMP_ACT_ALLOW, "socket", 1, &unix_only);
	if (r == WS_OK && (rc = seccomp_load(ctx)) < 0) {
		errno = -rc;
		r = ws_err_errno("seccomp: loading the filter");
	}
	seccomp_release(ctx);
	return r;
}
