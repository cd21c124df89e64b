/*
 * bench_main.c -- wavesign-bench's subcommands (see bench.h; the driver is
 * run-bench.sh, which is what `make bench` runs).
 *
 *   wavesign-bench csrs N OUT [--factory F] [--threads T]
 *   wavesign-bench issue SOCKET CSRS [--clients 1,2,4,8] [--seconds S] [--pid PID]
 *                        [--from K] [--count N]
 *   wavesign-bench cfssl HOST:PORT CSRS [--clients 8] [--seconds S] [--pid PID]
 *                        [--from K] [--count N]
 *   wavesign-bench limit CSRS --module M --uri U --pin-file F [--key L]
 *                        [--threads T] [--seconds S]
 *   wavesign-bench ci-validate FILE
 *   wavesign-bench fsync DIR [--seconds S]
 *   wavesign-bench time NAME [--in FILE] [--out FILE] [--pid PID] -- COMMAND [ARGS...]
 *   wavesign-bench rss PID
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

void
bench_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("wavesign-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void
bench_die_ws(const char *what, ws_err r)
{
	bench_die("%s: %s", what, ws_err_message(r));
}

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
bench_result(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("RESULT %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t
bench_percentile(uint64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	/* Nearest rank: the smallest sample with at least p% of them at or below it. */
	i = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (i > 0)
		i--;
	return v[i < n ? i : n - 1];
}

uint64_t
bench_proc_cpu_ns(long pid)
{
	char path[64], buf[2048], *p;
	unsigned long long ut, st;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	if (pid <= 0 || tck <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* After "pid (comm) ": state is field 3, utime 14, stime 15. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (ut + st) * (1000000000ull / (unsigned long long)tck);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wavesign-bench csrs N OUT [--factory F] [--threads T]\n"
	    "       wavesign-bench issue SOCKET CSRS [--clients 1,2,4,8] [--seconds S] [--pid PID]\n"
	    "                            [--from K] [--count N]\n"
	    "       wavesign-bench cfssl HOST:PORT CSRS [--clients 8] [--seconds S] [--pid PID]\n"
	    "                            [--from K] [--count N]\n"
	    "       wavesign-bench limit CSRS --module M --uri U --pin-file F [--key LABEL]\n"
	    "                            [--threads T] [--seconds S]\n"
	    "       wavesign-bench ci-validate FILE\n"
	    "       wavesign-bench fsync DIR [--seconds S]\n"
	    "       wavesign-bench time NAME [--in FILE] [--out FILE] [--pid PID] -- COMMAND [ARGS...]\n"
	    "       wavesign-bench rss PID\n"
	    "Measures one thing and prints RESULT NAME VALUE lines; tests/bench/run-bench.sh\n"
	    "(make bench) runs them all and prints the table.\n");
	exit(2);
}

/* The options every subcommand may take; each uses the ones it knows. */
struct opts {
	const char *factory, *clients, *module, *uri, *pin_file, *key, *in, *out;
	unsigned threads;
	double seconds;
	long pid;
	size_t from, count;	/* the CSRs a load run may use: [from, from + count); count 0: all after from */
};

static double
parse_double(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v > 0))
		bench_die("%s: not a positive number: %s", what, s);
	return v;
}

static unsigned long
parse_ulong(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] == '\0' || s[0] == '-')
		bench_die("%s: not a number: %s", what, s);
	return v;
}

/* Options from argv[i..]; positional arguments are moved to pos[]. Stops at "--". */
static int
parse_opts(int argc, char **argv, int i, struct opts *o, char **pos, int max_pos, int *n_pos)
{
	*n_pos = 0;
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] != '-') {
			if (*n_pos >= max_pos)
				usage();
			pos[(*n_pos)++] = argv[i];
			continue;
		}
		if (v == NULL)
			usage();
		if (strcmp(a, "--factory") == 0)
			o->factory = v;
		else if (strcmp(a, "--clients") == 0)
			o->clients = v;
		else if (strcmp(a, "--module") == 0)
			o->module = v;
		else if (strcmp(a, "--uri") == 0)
			o->uri = v;
		else if (strcmp(a, "--pin-file") == 0)
			o->pin_file = v;
		else if (strcmp(a, "--key") == 0)
			o->key = v;
		else if (strcmp(a, "--in") == 0)
			o->in = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--threads") == 0)
			o->threads = (unsigned)parse_ulong(v, a);
		else if (strcmp(a, "--seconds") == 0)
			o->seconds = parse_double(v, a);
		else if (strcmp(a, "--pid") == 0)
			o->pid = (long)parse_ulong(v, a);
		else if (strcmp(a, "--from") == 0)
			o->from = parse_ulong(v, a);
		else if (strcmp(a, "--count") == 0)
			o->count = parse_ulong(v, a);
		else
			usage();
		i++;
	}
	return argc;
}

static void
print_load(const char *prefix, const struct bench_load_result *r)
{
	char name[96];

#define RES(suffix, ...) do { \
	snprintf(name, sizeof(name), "%s.c%u.%s", prefix, r->clients, suffix); \
	bench_result(name, __VA_ARGS__); \
} while (0)
	RES("rate", "%.1f", r->rate);
	RES("done", "%" PRIu64, r->done);
	RES("seconds", "%.3f", r->seconds);
	RES("p50_us", "%.1f", (double)r->p50_ns / 1e3);
	RES("p99_us", "%.1f", (double)r->p99_ns / 1e3);
	RES("max_us", "%.1f", (double)r->max_ns / 1e3);
	if (r->server_cpu_ns > 0 && r->done > 0)
		RES("server_cpu_us_per_req", "%.1f", (double)r->server_cpu_ns / 1e3 / (double)r->done);
	if (r->out_of_requests)
		RES("out_of_requests", "1");
#undef RES
}

/* "1,2,4,8" -> levels; at most max. */
static size_t
parse_levels(const char *s, unsigned *out, size_t max)
{
	char buf[128], *save = NULL, *tok;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL && n < max; tok = strtok_r(NULL, ",", &save)) {
		out[n] = (unsigned)parse_ulong(tok, "--clients");
		if (out[n] == 0 || out[n] > 256)
			bench_die("--clients: 1..256 each, not %s", tok);
		n++;
	}
	if (n == 0)
		bench_die("--clients: no level given");
	return n;
}

/*
 * A load run per level over the CSRs [from, from + count), each used once,
 * after a warm-up of 1% of them (at most 200) that is not counted.
 * RESULT <prefix>.c<clients>.* per level and <prefix>.used (warm-up included).
 */
static int
cmd_issue(const char *prefix, const struct bench_transport *t, const char *target, const char *csr_path,
    const struct opts *o)
{
	struct bench_csrs csrs, slice;
	struct bench_requests reqs, warm;
	struct bench_load_result res;
	unsigned levels[16];
	size_t n_levels, i, warm_n;
	char name[64];

	n_levels = parse_levels(o->clients, levels, 16);
	bench_csrs_load(csr_path, &csrs);
	if (o->from >= csrs.n)
		bench_die("%s: --from %zu: only %zu CSRs in %s", prefix, o->from, csrs.n, csr_path);
	slice.pem = csrs.pem + o->from;
	slice.n = o->count > 0 && o->count < csrs.n - o->from ? o->count : csrs.n - o->from;
	warm_n = slice.n / 100 < 200 ? slice.n / 100 : 200;
	if (t == &bench_cfssl) {
		if (strrchr(target, ':') == NULL)
			bench_die("cfssl: HOST:PORT expected, not %s", target);
		bench_requests_cfssl(&slice, 0, target, &reqs);
	} else {
		bench_requests_wavesignd(&slice, 0, &reqs);
	}
	warm = reqs;
	warm.n = warm_n;
	bench_load_run(t, target, &warm, 1, 3600, 0, &res);
	if (res.done != warm_n)
		bench_die("%s: warm-up answered %" PRIu64 " of %zu", prefix, res.done, warm_n);
	reqs.next = warm_n;
	for (i = 0; i < n_levels; i++) {
		bench_load_run(t, target, &reqs, levels[i], o->seconds, o->pid, &res);
		print_load(prefix, &res);
		fprintf(stderr, "%s: %u clients: %" PRIu64 " in %.2f s = %.0f/s, p50 %.2f ms, p99 %.2f ms%s\n",
		    prefix, res.clients, res.done, res.seconds, res.rate, (double)res.p50_ns / 1e6,
		    (double)res.p99_ns / 1e6, res.out_of_requests ? " (ran out of CSRs)" : "");
	}
	snprintf(name, sizeof(name), "%s.used", prefix);
	bench_result(name, "%zu", reqs.next < reqs.n ? reqs.next : reqs.n);
	bench_requests_free(&reqs);
	bench_csrs_free(&csrs);
	return 0;
}

/*
 * Runs a command with stdin from in (default: as is) and stdout to out
 * (default /dev/null), timing it: RESULT NAME.wall / .cpu (seconds) and
 * .maxrss_kib; with server_pid > 0 also NAME.server_cpu, the CPU that
 * process used meanwhile. The command must exit 0.
 */
static int
cmd_time(const char *name, const char *in, const char *out, long server_pid, char **argv)
{
	struct rusage ru;
	uint64_t t0, t1, s0 = bench_proc_cpu_ns(server_pid), s1;
	char res[128];
	int status, fd;
	pid_t pid;

	t0 = bench_now_ns();
	if ((pid = fork()) < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (in != NULL && ((fd = open(in, O_RDONLY)) < 0 || dup2(fd, STDIN_FILENO) < 0))
			_exit(126);
		if (in != NULL)
			close(fd);
		if ((fd = open(out != NULL ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
		    dup2(fd, STDOUT_FILENO) < 0)
			_exit(126);
		close(fd);
		execvp(argv[0], argv);
		fprintf(stderr, "wavesign-bench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		bench_die("wait: %s", strerror(errno));
	t1 = bench_now_ns();
	s1 = bench_proc_cpu_ns(server_pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_die("%s: %s failed (status %d)", name, argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	snprintf(res, sizeof(res), "%s.wall", name);
	bench_result(res, "%.4f", (double)(t1 - t0) / 1e9);
	snprintf(res, sizeof(res), "%s.cpu", name);
	bench_result(res, "%.4f", (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	snprintf(res, sizeof(res), "%s.maxrss_kib", name);
	bench_result(res, "%ld", ru.ru_maxrss);
	if (server_pid > 0 && s0 > 0) {
		snprintf(res, sizeof(res), "%s.server_cpu", name);
		bench_result(res, "%.4f", (double)(s1 - s0) / 1e9);
	}
	return 0;
}

/*
 * The floor of a durable record: append a log-sized line (600 bytes) to a
 * new file in dir and fdatasync it, back to back, for seconds; latency of
 * each append + sync (RESULT fsync.p50_us, .p99_us, .rate).
 */
static int
cmd_fsync(const char *dir, double seconds)
{
	char path[4096], line[600];
	uint64_t *lat = NULL, t0, t1, end;
	size_t n = 0, cap = 0;
	int fd;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	snprintf(path, sizeof(path), "%s/fsync-probe", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600)) < 0)
		bench_die("%s: %s", path, strerror(errno));
	end = bench_now_ns() + (uint64_t)(seconds * 1e9);
	while ((t0 = bench_now_ns()) < end) {
		if (write(fd, line, sizeof(line)) != (ssize_t)sizeof(line) || fdatasync(fd) != 0)
			bench_die("%s: %s", path, strerror(errno));
		t1 = bench_now_ns();
		if (n == cap && (lat = realloc(lat, (cap = cap ? 2 * cap : 4096) * sizeof(*lat))) == NULL)
			bench_die("out of memory");
		lat[n++] = t1 - t0;
	}
	close(fd);
	unlink(path);
	bench_result("fsync.rate", "%.1f", (double)n / seconds);
	bench_result("fsync.p50_us", "%.1f", (double)bench_percentile(lat, n, 50) / 1e3);
	bench_result("fsync.p99_us", "%.1f", (double)bench_percentile(lat, n, 99) / 1e3);
	free(lat);
	return 0;
}

/* VmRSS and VmHWM of a process, in KiB. */
static int
cmd_rss(long pid)
{
	char path[64], line[256];
	long rss = -1, hwm = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		bench_die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "VmRSS: %ld kB", &rss);
		sscanf(line, "VmHWM: %ld kB", &hwm);
	}
	fclose(f);
	if (rss < 0 || hwm < 0)
		bench_die("%s: no VmRSS/VmHWM", path);
	bench_result("rss.vmrss_kib", "%ld", rss);
	bench_result("rss.vmhwm_kib", "%ld", hwm);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .factory = "acme", .clients = "1,2,4,8", .key = "device-ca", .threads = 2,
	    .seconds = 5 };
	char *pos[4];
	int n_pos, rest;

	if (argc < 2)
		usage();
	rest = parse_opts(argc, argv, 2, &o, pos, 4, &n_pos);
	if (strcmp(argv[1], "csrs") == 0 && n_pos == 2) {
		bench_csrs_make(pos[1], parse_ulong(pos[0], "N"), o.factory, o.threads ? o.threads : 1);
		return 0;
	}
	if (strcmp(argv[1], "issue") == 0 && n_pos == 2)
		return cmd_issue("issue", &bench_wavesignd, pos[0], pos[1], &o);
	if (strcmp(argv[1], "cfssl") == 0 && n_pos == 2) {
		if (strcmp(o.clients, "1,2,4,8") == 0)
			o.clients = "8";
		return cmd_issue("cfssl", &bench_cfssl, pos[0], pos[1], &o);
	}
	if (strcmp(argv[1], "limit") == 0 && n_pos == 1) {
		struct bench_limit_params p = { o.module, o.uri, o.pin_file, o.key, o.threads ? o.threads : 1,
		    o.seconds };
		struct bench_csrs csrs;

		if (o.module == NULL || o.uri == NULL || o.pin_file == NULL)
			usage();
		bench_csrs_load(pos[0], &csrs);
		bench_limit_run(&p, &csrs);
		bench_csrs_free(&csrs);
		return 0;
	}
	if (strcmp(argv[1], "ci-validate") == 0 && n_pos == 1) {
		bench_ci_validate(pos[0]);
		return 0;
	}
	if (strcmp(argv[1], "fsync") == 0 && n_pos == 1)
		return cmd_fsync(pos[0], o.seconds);
	if (strcmp(argv[1], "time") == 0 && n_pos == 1 && rest < argc)
		return cmd_time(pos[0], o.in, o.out, o.pid, argv + rest);
	if (strcmp(argv[1], "rss") == 0 && n_pos == 1)
		return cmd_rss((long)parse_ulong(pos[0], "PID"));
	usage();
}
