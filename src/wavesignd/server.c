/*
 * server.c -- the event loop.
 *
 * One thread owns every socket: it accepts, identifies each peer with
 * SO_PEERCRED, reads frames without blocking, hands complete requests to
 * the workers and writes their responses back without blocking. A slow or
 * stalled client therefore holds only its own connection, and loses it
 * after limits.io-timeout: each frame in or out must complete within it,
 * and an idle connection is closed after it. Frames are checked as their header arrives: a
 * bad magic or version, or a length above limits.max-frame, is answered
 * with an error (logged) and the connection is closed, since the stream
 * cannot be resynchronised.
 *
 * Signals arrive through a signalfd: SIGTERM/SIGINT stop accepting, let
 * requests in flight finish and their responses go out (bounded by the
 * io timeout), then return; SIGHUP reloads the policy.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "ws_frame.h"
#include "wslog.h"

enum conn_state { CONN_FREE, CONN_READ_HEADER, CONN_READ_BODY, CONN_BUSY, CONN_WRITE };

struct conn {
	enum conn_state state;
	int fd;
	uint64_t gen;
	struct ws_peer peer;
	uint8_t hdr[WS_FRAME_HEADER_LEN];
	size_t hdr_got;
	uint32_t body_len;
	struct ws_buf body;
	struct ws_buf out;
	size_t out_off;
	bool close_after_write;
	int64_t deadline_ms;		/* a whole frame must arrive (or leave) by then; 0: busy */
};

struct server {
	struct ws_daemon *d;
	struct workers *workers;
	int listen_fd, wake_fd, signal_fd;
	struct conn *conns;
	unsigned max_conns;
	unsigned n_open;
	uint64_t next_gen;
	int64_t accept_paused_until;
	bool stopping;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
conn_close(struct server *srv, struct conn *c)
{
	if (c->state == CONN_FREE)
		return;
	close(c->fd);
	ws_buf_free(&c->body);
	ws_buf_free(&c->out);
	c->state = CONN_FREE;
	c->fd = -1;
	srv->n_open--;
}

static void
conn_reset_for_read(struct server *srv, struct conn *c)
{
	c->state = CONN_READ_HEADER;
	c->hdr_got = 0;
	c->body_len = 0;
	ws_buf_free(&c->body);
	ws_buf_init(&c->body, srv->d->config->max_frame);
	ws_buf_free(&c->out);
	c->out_off = 0;
	c->deadline_ms = now_ms() + srv->d->config->io_timeout_ms;	/* idle limit too */
}

static void
conn_start_write(struct server *srv, struct conn *c, bool close_after)
{
	c->state = CONN_WRITE;
	c->out_off = 0;
	c->close_after_write = close_after;
	c->deadline_ms = now_ms() + srv->d->config->io_timeout_ms;
}

/* Frames payload into c->out, ready to write. */
static ws_err
conn_set_response(struct conn *c, const struct ws_buf *payload)
{
	uint8_t hdr[WS_FRAME_HEADER_LEN];
	ws_err r;

	ws_buf_free(&c->out);
	ws_buf_init(&c->out, payload->len + sizeof(hdr));
	ws_frame_header_encode(hdr, (uint32_t)payload->len);
	if ((r = ws_buf_put(&c->out, hdr, sizeof(hdr))) != WS_OK)
		return r;
	return ws_buf_put(&c->out, payload->data, payload->len);
}

/* A frame that cannot be served: answer, log, and close after writing. */
static void
conn_frame_error(struct server *srv, struct conn *c, ws_err code)
{
	struct ws_buf payload = WS_BUF_INIT(64 * 1024);
	char message[1024];

	snprintf(message, sizeof(message), "%s", ws_err_message(code));
	if (dispatch_frame_error(srv->d, &c->peer, code, message, &payload) != WS_OK ||
	    conn_set_response(c, &payload) != WS_OK) {
		ws_buf_free(&payload);
		conn_close(srv, c);
		return;
	}
	ws_buf_free(&payload);
	conn_start_write(srv, c, true);
}

static void
server_accept(struct server *srv)
{
	for (;;) {
		struct conn *c = NULL;
		struct ws_peer peer;
		int fd;

		if (srv->n_open >= srv->max_conns)
			return;		/* the listener is not polled until one closes */
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				wslog_warn("accept: %s; pausing accept for 100 ms", strerror(errno));
				srv->accept_paused_until = now_ms() + 100;
			}
			return;	/* EAGAIN and the rest */
		}
		if (ws_sock_peer(fd, &peer) != WS_OK) {
			close(fd);
			continue;
		}
		for (unsigned i = 0; i < srv->max_conns; i++)
			if (srv->conns[i].state == CONN_FREE) {
				c = &srv->conns[i];
				break;
			}
		c->fd = fd;
		c->peer = peer;
		c->gen = ++srv->next_gen;
		ws_buf_init(&c->body, srv->d->config->max_frame);
		ws_buf_init(&c->out, 0);
		srv->n_open++;
		conn_reset_for_read(srv, c);
	}
}

static void
conn_submit(struct server *srv, struct conn *c)
{
	struct job *job = calloc(1, sizeof(*job));

	if (job == NULL) {
		conn_close(srv, c);
		return;
	}
	job->conn_slot = (unsigned)(c - srv->conns);
	job->conn_gen = c->gen;
	job->peer = c->peer;
	job->request = c->body;			/* ownership moves to the job */
	ws_buf_init(&c->body, 0);
	ws_buf_init(&job->response, WS_FRAME_CLIENT_MAX);
	c->state = CONN_BUSY;
	c->deadline_ms = 0;			/* the work itself is not timed */
	workers_submit(srv->workers, job);
}

static void
conn_read(struct server *srv, struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->state == CONN_READ_HEADER) {
			n = read(c->fd, c->hdr + c->hdr_got, sizeof(c->hdr) - c->hdr_got);
		} else {
			size_t want = c->body_len - c->body.len;

			n = read(c->fd, c->body.data + c->body.len, want);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_close(srv, c);
			return;
		}
		if (n == 0) {
			/* EOF between requests is a normal close; inside one it is not worth an answer. */
			conn_close(srv, c);
			return;
		}
		if (c->state == CONN_READ_HEADER) {
			ws_err r;

			c->hdr_got += (size_t)n;
			if (c->hdr_got < sizeof(c->hdr))
				continue;
			r = ws_frame_header_decode(c->hdr, srv->d->config->max_frame, &c->body_len);
			if (r != WS_OK) {
				conn_frame_error(srv, c, r);
				return;
			}
			if (ws_buf_reserve(&c->body, c->body_len) != WS_OK) {
				conn_frame_error(srv, c, WS_ERR_NOMEM);
				return;
			}
			c->state = CONN_READ_BODY;
		} else {
			c->body.len += (size_t)n;
			if (c->body.len == c->body_len) {
				conn_submit(srv, c);
				return;
			}
		}
	}
}

static void
conn_write(struct server *srv, struct conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + c->out_off, c->out.len - c->out_off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_close(srv, c);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (c->close_after_write) {
		shutdown(c->fd, SHUT_WR);
		conn_close(srv, c);
	} else {
		conn_reset_for_read(srv, c);
	}
}

/* Frames each finished job's response and starts writing it. */
static void
server_collect(struct server *srv)
{
	struct job *job = workers_take_done(srv->workers), *next;

	for (; job != NULL; job = next) {
		struct conn *c = &srv->conns[job->conn_slot];

		next = job->next;
		if (c->state != CONN_BUSY || c->gen != job->conn_gen) {
			job_free(job);		/* its client is gone; the record is logged anyway */
			continue;
		}
		if (job->status != WS_OK) {
			job_free(job);
			conn_close(srv, c);
			continue;
		}
		if (conn_set_response(c, &job->response) != WS_OK) {
			job_free(job);
			conn_close(srv, c);
			continue;
		}
		job_free(job);
		conn_start_write(srv, c, false);
		conn_write(srv, c);
	}
}

static void
server_signal(struct server *srv)
{
	struct signalfd_siginfo si;

	while (read(srv->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!srv->stopping)
				wslog_info("signal %u: finishing requests in flight, then stopping", si.ssi_signo);
			srv->stopping = true;
			break;
		case SIGHUP:
			wslog_info("SIGHUP: reloading the policy from %s", srv->d->config->policy_path);
			if (workers_run_on_session(srv->workers, daemon_reload_policy) != WS_OK)
				wslog_error("policy reload refused; the old policy stays in force");
			break;
		default:
			break;
		}
	}
}

static void
server_expire(struct server *srv, int64_t now)
{
	for (unsigned i = 0; i < srv->max_conns; i++) {
		struct conn *c = &srv->conns[i];

		if (c->state == CONN_FREE || c->state == CONN_BUSY || c->deadline_ms == 0)
			continue;
		if (now >= c->deadline_ms)
			conn_close(srv, c);	/* stalled: the others go on */
	}
}

static int
server_setup_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

ws_err
server_run(struct ws_daemon *d, int listen_fd)
{
	struct server srv = { .d = d, .listen_fd = listen_fd, .wake_fd = -1, .signal_fd = -1 };
	struct pollfd *pfds = NULL;
	unsigned *pfd_conn = NULL;
	ws_err r = WS_OK;

	srv.max_conns = d->config->max_connections;
	srv.conns = calloc(srv.max_conns, sizeof(*srv.conns));
	pfds = calloc(srv.max_conns + 3, sizeof(*pfds));
	pfd_conn = calloc(srv.max_conns + 3, sizeof(*pfd_conn));
	if (srv.conns == NULL || pfds == NULL || pfd_conn == NULL) {
		r = ws_err_set(WS_ERR_NOMEM, "connection table");
		goto out;
	}
	for (unsigned i = 0; i < srv.max_conns; i++)
		srv.conns[i].fd = -1;
	if ((srv.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    (srv.signal_fd = server_setup_signals()) < 0) {
		r = ws_err_errno("eventfd/signalfd");
		goto out;
	}
	if ((r = workers_start(d, d->workers, srv.wake_fd, &srv.workers)) != WS_OK)
		goto out;
	wslog_info("serving %s with %u workers", d->config->socket_path, d->workers);
	sd_notify("READY=1");

	for (;;) {
		int64_t now = now_ms(), next_deadline = INT64_MAX;
		unsigned n = 0;
		int timeout, rc;

		if (srv.stopping && workers_in_flight(srv.workers) == 0) {
			bool writing = false;

			for (unsigned i = 0; i < srv.max_conns; i++)
				if (srv.conns[i].state == CONN_WRITE)
					writing = true;
			if (!writing)
				break;
		}
		pfds[n].fd = srv.signal_fd;
		pfds[n++].events = POLLIN;
		pfds[n].fd = srv.wake_fd;
		pfds[n++].events = POLLIN;
		if (!srv.stopping && srv.n_open < srv.max_conns && now >= srv.accept_paused_until) {
			pfds[n].fd = srv.listen_fd;
			pfds[n++].events = POLLIN;
		}
		for (unsigned i = 0; i < srv.max_conns; i++) {
			struct conn *c = &srv.conns[i];

			if (c->state == CONN_FREE || c->state == CONN_BUSY)
				continue;
			if (srv.stopping && c->state != CONN_WRITE) {
				conn_close(&srv, c);	/* no new requests once stopping */
				continue;
			}
			pfds[n].fd = c->fd;
			pfds[n].events = c->state == CONN_WRITE ? POLLOUT : POLLIN;
			pfd_conn[n++] = i;
			if (c->deadline_ms != 0 && c->deadline_ms < next_deadline)
				next_deadline = c->deadline_ms;
		}
		if (srv.accept_paused_until > now && srv.accept_paused_until < next_deadline)
			next_deadline = srv.accept_paused_until;
		timeout = next_deadline == INT64_MAX ? -1 :
		    (int)(next_deadline - now > 0 ? (next_deadline - now < 60000 ? next_deadline - now : 60000) : 0);
		rc = poll(pfds, n, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			r = ws_err_errno("poll");
			break;
		}
		for (unsigned k = 0; k < n; k++) {
			if (pfds[k].revents == 0)
				continue;
			if (pfds[k].fd == srv.signal_fd) {
				server_signal(&srv);
			} else if (pfds[k].fd == srv.wake_fd) {
				uint64_t v;

				while (read(srv.wake_fd, &v, sizeof(v)) > 0)
					;
			} else if (pfds[k].fd == srv.listen_fd) {
				server_accept(&srv);
			} else {
				struct conn *c = &srv.conns[pfd_conn[k]];

				if (c->state == CONN_WRITE)
					conn_write(&srv, c);
				else if (c->state == CONN_READ_HEADER || c->state == CONN_READ_BODY)
					conn_read(&srv, c);
			}
		}
		server_collect(&srv);
		server_expire(&srv, now_ms());
	}
	if (r == WS_OK && srv.workers != NULL) {
		sd_notify("STOPPING=1");
		ws_err c = workers_run_on_session(srv.workers, dispatch_checkpoint);

		if (c != WS_OK)
			wslog_warn("no final checkpoint: %s", ws_err_message(c));
	}
out:
	if (srv.workers != NULL) {
		workers_stop(srv.workers);
		srv.workers = NULL;
	}
	for (unsigned i = 0; srv.conns != NULL && i < srv.max_conns; i++)
		conn_close(&srv, &srv.conns[i]);
	if (srv.wake_fd >= 0)
		close(srv.wake_fd);
	if (srv.signal_fd >= 0)
		close(srv.signal_fd);
	free(srv.conns);
	free(pfds);
	free(pfd_conn);
	return r;
}
