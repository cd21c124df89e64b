/*
 * bench_proto.c -- the transports bench_load.c drives, and their requests.
 *
 * wavesignd: the framed protocol of wavesign-protocol(7) on the Unix
 * socket, cert.issue with the CSR's PEM, as `wavesign cert issue` sends it.
 * The first answer on each connection is parsed in full and must be a
 * success carrying a certificate; later ones are checked for "ok":true in
 * the canonical (sorted, compact) answer, so that the client's own parsing
 * does not take CPU from the daemon it is measuring on the same cores.
 *
 * cfssl: `cfssl serve`'s POST /api/v1/cfssl/sign with
 * {"certificate_request": PEM}, HTTP/1.1 keep-alive, one connection per
 * client; the answer must be 200 with "success":true.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "bench.h"
#include "ws_buf.h"
#include "ws_frame.h"
#include "ws_proto.h"
#include "ws_sock.h"

#define IO_TIMEOUT_MS 60000
#define HTTP_MAX ((size_t)1 << 20)

struct bench_conn {
	int fd;
	int checked;			/* the first answer was parsed in full */
	struct ws_buf in;
};

static struct bench_conn *
conn_new(int fd)
{
	struct bench_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		bench_die("out of memory");
	c->fd = fd;
	ws_buf_init(&c->in, WS_FRAME_CLIENT_MAX);
	return c;
}

static void
conn_close(struct bench_conn *c)
{
	close(c->fd);
	ws_buf_free(&c->in);
	free(c);
}

/* ------------------------------------------------------------ wavesignd */

static struct bench_conn *
wsd_open(const char *path)
{
	int fd;
	ws_err r;

	if ((r = ws_sock_connect(path, &fd)) != WS_OK)
		bench_die_ws("connect", r);
	return conn_new(fd);
}

static int
wsd_call(struct bench_conn *c, const void *req, size_t len, char *err, size_t errlen)
{
	struct ws_response resp;
	ws_err r;

	if ((r = ws_frame_send(c->fd, req, len, IO_TIMEOUT_MS)) != WS_OK ||
	    (r = ws_frame_recv(c->fd, &c->in, WS_FRAME_CLIENT_MAX, IO_TIMEOUT_MS)) != WS_OK) {
		snprintf(err, errlen, "%s", ws_err_message(r));
		return -1;
	}
	if (!c->checked) {
		if ((r = ws_response_parse(c->in.data, c->in.len, &resp)) != WS_OK) {
			snprintf(err, errlen, "bad answer: %s", ws_err_message(r));
			return -1;
		}
		if (!resp.ok || json_string_value(json_object_get(resp.result, "client.pem")) == NULL) {
			snprintf(err, errlen, "%s: %s", resp.ok ? "no certificate" : resp.code_name,
			    resp.ok ? "" : resp.message);
			ws_response_free(&resp);
			return -1;
		}
		ws_response_free(&resp);
		c->checked = 1;
		return 0;
	}
	if (memmem(c->in.data, c->in.len, "\"ok\":true", 9) == NULL) {
		snprintf(err, errlen, "refused: %.*s", c->in.len > 200 ? 200 : (int)c->in.len,
		    (const char *)c->in.data);
		return -1;
	}
	return 0;
}

const struct bench_transport bench_wavesignd = { "wavesignd", wsd_open, wsd_call, conn_close };

void
bench_requests_wavesignd(const struct bench_csrs *csrs, size_t from, struct bench_requests *out)
{
	struct ws_buf b = WS_BUF_INIT(WS_FRAME_CLIENT_MAX);
	ws_err r;

	memset(out, 0, sizeof(*out));
	out->n = csrs->n - from;
	if ((out->data = calloc(out->n, sizeof(*out->data))) == NULL ||
	    (out->len = calloc(out->n, sizeof(*out->len))) == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < out->n; i++) {
		json_t *args = json_pack("{s:s}", "csr", csrs->pem[from + i]);

		ws_buf_reset(&b);
		if (args == NULL || (r = ws_request_encode("cert.issue", NULL, args, &b)) != WS_OK)
			bench_die("encoding a request");
		json_decref(args);
		if ((r = ws_buf_steal(&b, &out->data[i], &out->len[i])) != WS_OK)
			bench_die_ws("request", r);
	}
	ws_buf_free(&b);
}

/* ------------------------------------------------------------ cfssl */

static struct bench_conn *
http_open(const char *target)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char host[256];
	const char *colon = strrchr(target, ':');
	int fd, one = 1, rc;

	snprintf(host, sizeof(host), "%.*s", (int)(colon - target), target);
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0)
		bench_die("%s: %s", target, gai_strerror(rc));
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		bench_die("connect %s: %s", target, strerror(errno));
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return conn_new(fd);
}

/* Reads more bytes into c->in; -1 on EOF or error. */
static int
http_fill(struct bench_conn *c)
{
	uint8_t tmp[16384];
	ssize_t n;

	do
		n = read(c->fd, tmp, sizeof(tmp));
	while (n < 0 && errno == EINTR);
	if (n <= 0 || ws_buf_put(&c->in, tmp, (size_t)n) != WS_OK)
		return -1;
	return 0;
}

/*
 * Chunked body[0..len): its decoded length, or -1 while incomplete. With
 * apply, the chunks are also joined in place (only once complete, so that a
 * retry after more bytes arrive sees the original).
 */
static long
http_dechunk(uint8_t *body, size_t len, int apply)
{
	size_t in = 0, out = 0;

	for (;;) {
		char *end;
		unsigned long n;
		uint8_t *eol = memmem(body + in, len - in, "\r\n", 2);

		if (eol == NULL)
			return -1;
		n = strtoul((const char *)body + in, &end, 16);
		in = (size_t)(eol - body) + 2;
		if (n == 0)
			return len - in >= 2 ? (long)out : -1;
		if (len - in < n + 2)
			return -1;
		if (apply)
			memmove(body + out, body + in, n);
		out += n;
		in += n + 2;
	}
}

static int
http_call(struct bench_conn *c, const void *req, size_t len, char *err, size_t errlen)
{
	const char *hdr_end, *cl, *te;
	size_t hdr_len;
	long body_len;
	ws_err r;

	ws_buf_reset(&c->in);
	if ((r = ws_io_write_all(c->fd, req, len, IO_TIMEOUT_MS)) != WS_OK) {
		snprintf(err, errlen, "%s", ws_err_message(r));
		return -1;
	}
	for (;;) {
		if ((hdr_end = memmem(c->in.data, c->in.len, "\r\n\r\n", 4)) != NULL) {
			hdr_len = (size_t)(hdr_end - (const char *)c->in.data) + 4;
			/* Headers are ASCII; search them case-insensitively as a C string. */
			((char *)c->in.data)[hdr_len - 1] = '\0';
			cl = strcasestr((const char *)c->in.data, "\r\ncontent-length:");
			te = strcasestr((const char *)c->in.data, "\r\ntransfer-encoding: chunked");
			((char *)c->in.data)[hdr_len - 1] = '\n';
			if (cl != NULL) {
				body_len = strtol(cl + 17, NULL, 10);
				if (c->in.len >= hdr_len + (size_t)body_len)
					break;
			} else if (te != NULL) {
				if (http_dechunk(c->in.data + hdr_len, c->in.len - hdr_len, 0) >= 0) {
					body_len = http_dechunk(c->in.data + hdr_len, c->in.len - hdr_len, 1);
					break;
				}
			} else {
				snprintf(err, errlen, "an HTTP answer with neither length nor chunks");
				return -1;
			}
		}
		if (http_fill(c) != 0) {
			snprintf(err, errlen, "the HTTP server closed the connection");
			return -1;
		}
	}
	if (c->in.len < 12 || memcmp(c->in.data + 9, "200", 3) != 0 ||
	    memmem(c->in.data + hdr_len, (size_t)body_len, "\"success\":true", 14) == NULL) {
		snprintf(err, errlen, "cfssl refused: %.*s", c->in.len > 300 ? 300 : (int)c->in.len,
		    (const char *)c->in.data);
		return -1;
	}
	return 0;
}

const struct bench_transport bench_cfssl = { "cfssl", http_open, http_call, conn_close };

void
bench_requests_cfssl(const struct bench_csrs *csrs, size_t from, const char *host, struct bench_requests *out)
{
	struct ws_buf b = WS_BUF_INIT(HTTP_MAX);
	ws_err r;

	memset(out, 0, sizeof(*out));
	out->n = csrs->n - from;
	if ((out->data = calloc(out->n, sizeof(*out->data))) == NULL ||
	    (out->len = calloc(out->n, sizeof(*out->len))) == NULL)
		bench_die("out of memory");
	for (size_t i = 0; i < out->n; i++) {
		json_t *body = json_pack("{s:s}", "certificate_request", csrs->pem[from + i]);
		char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

		if (text == NULL)
			bench_die("encoding a cfssl request");
		ws_buf_reset(&b);
		if ((r = ws_buf_printf(&b, "POST /api/v1/cfssl/sign HTTP/1.1\r\nHost: %s\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", host, strlen(text),
		    text)) != WS_OK || (r = ws_buf_steal(&b, &out->data[i], &out->len[i])) != WS_OK)
			bench_die_ws("cfssl request", r);
		free(text);
		json_decref(body);
	}
	ws_buf_free(&b);
}
