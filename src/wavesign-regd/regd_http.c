/*
 * regd_http.c -- libmicrohttpd glue: credentials, bounded bodies, replies.
 *
 * libmicrohttpd calls on_request() several times per request: once when
 * the headers are in (c == NULL), once per piece of body, and once more
 * with no data when the body is complete; the reply is queued on that
 * last call, except for a Content-Length too large to be worth reading.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "regd_http.h"
#include "regd_log.h"
#include "ws_buf.h"

#define REGD_PEM_MAX ((size_t)1 << 20)	/* a TLS certificate chain, key or CA file */

enum conn_kind {
	CONN_OTHER = 0,
	CONN_HEAD,
	CONN_POST,
};

/* One request's state, from the headers to the reply. */
struct regd_conn {
	enum conn_kind kind;
	bool decided;			/* reply already chosen from the headers */
	bool too_large;
	bool not_worth_reading;		/* Content-Length over REGD_DISCARD_FACTOR * max-body */
	bool answered;			/* the reply is queued */
	struct ws_buf body;
	size_t discarded;
	struct regd_reply reply;
	char peer[NI_MAXHOST];
	char hwid[REGD_HWID_MAX + 1];	/* cleaned, for the diagnostic line */
	char uuid[64];
};

static void
conn_peer(struct MHD_Connection *conn, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	socklen_t len;

	snprintf(buf, size, "%s", "?");
	if (sa == NULL)
		return;
	len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(sa, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, size, "%s", "?");
}

/* The TLS client presented a certificate that chains to tls.client-ca and allows clientAuth. */
static bool
client_cert_ok(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID, .data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	gnutls_session_t session;
	unsigned int status = 0, n = 0;

	if (ci == NULL || ci->tls_session == NULL)
		return false;
	session = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_get_peers(session, &n) == NULL || n == 0)
		return false;
	return gnutls_certificate_verify_peers(session, &purpose, 1, &status) == 0 && status == 0;
}

static void
decide(struct regd_conn *c, ws_err code, const char *message)
{
	c->decided = true;
	regd_reply_err(&c->reply, code, message);
}

/* What can be decided from the request line and the headers alone. */
static void
check_headers(const struct regd_server *srv, struct regd_conn *c, struct MHD_Connection *conn,
    const char *url, const char *method)
{
	const struct regd_config *cfg = srv->cfg;
	const char *tok, *authz, *cl;
	char *end = NULL;
	unsigned long long n;

	if (strcmp(url, cfg->http_path) != 0) {
		decide(c, WS_ERR_NOT_FOUND, "no registration endpoint at this path");
		return;
	}
	if (strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) {
		c->kind = CONN_HEAD;
		return;
	}
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
		c->decided = true;
		regd_reply_fail(&c->reply, 405, ws_err_code(WS_ERR_REQUEST),
		    "only HEAD (health check) and POST (registration) are served here", -1);
		return;
	}
	c->kind = CONN_POST;
	if (cfg->tls_client_ca != NULL && !client_cert_ok(conn)) {
		decide(c, WS_ERR_UNAUTHORIZED, "a client certificate issued by the registration front's "
		    "client CA (tls.client-ca) is required");
		return;
	}
	tok = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, cfg->token_header);
	authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (tok == NULL && authz == NULL) {
		decide(c, WS_ERR_UNAUTHORIZED, "no registration token: send it in the OSF-TOKEN header "
		    "(lmp-device-register -T) or as Authorization: Bearer");
		return;
	}
	if (!regd_token_check(srv->token, tok, authz)) {
		decide(c, WS_ERR_UNAUTHORIZED, "the registration token is wrong");
		return;
	}
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && *end == '\0' && n > cfg->max_body) {
			c->too_large = true;
			c->not_worth_reading = n > (unsigned long long)cfg->max_body * REGD_DISCARD_FACTOR;
		}
	}
}

/* Keeps body bytes up to max-body; past that, or after a refusal, reads and drops them. */
static enum MHD_Result
take_body(const struct regd_server *srv, struct regd_conn *c, const char *data, size_t *size)
{
	size_t cap = srv->cfg->max_body * REGD_DISCARD_FACTOR;
	ws_err r;

	if (!c->decided && !c->too_large) {
		r = ws_buf_put(&c->body, data, *size);
		if (r == WS_ERR_LIMIT) {
			c->too_large = true;
			c->discarded = c->body.len;
			ws_buf_free(&c->body);
		} else if (r != WS_OK) {
			return MHD_NO;
		}
	}
	if (c->decided || c->too_large) {
		c->discarded += *size;
		if (c->discarded > cap)
			return MHD_NO;	/* not worth reading further: close */
	}
	*size = 0;
	return MHD_YES;
}

static void
register_body(const struct regd_server *srv, struct regd_conn *c)
{
	struct regd_request req = { 0 };
	ws_err r;

	if ((r = regd_request_parse(c->body.data, c->body.len, srv->cfg->max_body, &req)) != WS_OK) {
		regd_reply_err(&c->reply, r, NULL);
		return;
	}
	regd_log_clean(req.hardware_id, c->hwid, sizeof(c->hwid));
	if (req.uuid != NULL)
		regd_log_clean(req.uuid, c->uuid, sizeof(c->uuid));
	regd_register(srv->cfg, &req, &c->reply);
	regd_request_free(&req);
}

static void
finish(struct regd_server *srv, struct regd_conn *c)
{
	char msg[128];

	if (c->decided)
		return;
	if (c->too_large) {
		snprintf(msg, sizeof(msg), "the body is larger than %zu bytes (limits.max-body)", srv->cfg->max_body);
		regd_reply_err(&c->reply, WS_ERR_LIMIT, msg);
	} else if (c->kind == CONN_HEAD) {
		regd_health_check(srv->cfg, &srv->health, &c->reply);
	} else {
		register_body(srv, c);
	}
}

static enum MHD_Result
send_reply(struct regd_conn *c, struct MHD_Connection *conn, const char *method, const char *url)
{
	struct MHD_Response *resp = NULL;
	enum MHD_Result ret = MHD_NO;
	char path[64], verb[16], rec[32] = "";

	resp = MHD_create_response_from_buffer(c->reply.len, c->reply.body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		goto out;
	if (c->reply.body != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (c->reply.status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "HEAD, POST");
	if (c->reply.status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ret = MHD_queue_response(conn, c->reply.status, resp);
	c->answered = true;
out:
	if (c->reply.record >= 0)
		snprintf(rec, sizeof(rec), " record=%" PRId64, c->reply.record);
	regd_log_info("%s %s %s: %u %s%s%s%s%s%s", c->peer, regd_log_clean(method, verb, sizeof(verb)),
	    regd_log_clean(url, path, sizeof(path)), c->reply.status, c->reply.code,
	    c->hwid[0] ? " hardware-id=" : "", c->hwid, c->uuid[0] ? " uuid=" : "", c->uuid, rec);
	if (resp != NULL)
		MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct regd_server *srv = cls;
	struct regd_conn *c = *con_cls;

	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return MHD_NO;
		ws_buf_init(&c->body, srv->cfg->max_body);
		c->reply.record = -1;
		conn_peer(conn, c->peer, sizeof(c->peer));
		*con_cls = c;
		check_headers(srv, c, conn, url, method);
		if (c->not_worth_reading && !c->decided) {
			/* Content-Length says so: answer now rather than read it all. */
			finish(srv, c);
			c->decided = true;
			return send_reply(c, conn, method, url);
		}
		return MHD_YES;
	}
	if (c->answered)
		return MHD_NO;		/* answered from the headers; nothing more to read */
	if (*upload_data_size > 0)
		return take_body(srv, c, upload_data, upload_data_size);
	finish(srv, c);
	return send_reply(c, conn, method, url);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct regd_conn *c = *con_cls;

	if (c == NULL)
		return;
	ws_buf_free(&c->body);
	regd_reply_free(&c->reply);
	free(c);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* libmicrohttpd's own messages (bind failures, TLS errors), one line each. */
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t len;

	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	regd_log_warn("libmicrohttpd: %s", line);
}

static ws_err
read_pem(const char *path, char **out)
{
	struct ws_buf b = WS_BUF_INIT(REGD_PEM_MAX);
	uint8_t *data = NULL;
	size_t len = 0;
	ws_err r;

	if ((r = ws_buf_read_file(&b, path, REGD_PEM_MAX)) != WS_OK) {
		ws_err_prefix("%s", path);
		goto out;
	}
	if ((r = ws_buf_steal(&b, &data, &len)) != WS_OK)
		goto out;
	*out = (char *)data;
out:
	ws_buf_free(&b);
	return r;
}

static ws_err
listen_addr(const struct regd_config *cfg, struct sockaddr_storage *ss, bool *v6)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int rc;

	if ((rc = getaddrinfo(cfg->address, NULL, &hints, &ai)) != 0 || ai == NULL)
		return ws_err_set(WS_ERR_CONFIG, "listen.address %s: %s", cfg->address, gai_strerror(rc));
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*v6 = ai->ai_family == AF_INET6;
	if (*v6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(cfg->port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(cfg->port);
	freeaddrinfo(ai);
	return WS_OK;
}

ws_err
regd_http_start(struct regd_server *srv)
{
	const struct regd_config *cfg = srv->cfg;
	struct sockaddr_storage ss;
	struct MHD_OptionItem opts[16];
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	size_t n = 0;
	bool v6 = false;
	ws_err r;

	if ((r = listen_addr(cfg, &ss, &v6)) != WS_OK)
		return r;
	/* The logger must come first, or earlier options log to libmicrohttpd's own. */
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, srv };
	if (v6)
		flags |= MHD_USE_IPv6;
	if (cfg->tls_cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return ws_err_set(WS_ERR_CONFIG, "tls: this libmicrohttpd was built without TLS");
		flags |= MHD_USE_TLS;
		if ((r = read_pem(cfg->tls_cert, &srv->tls_cert_pem)) != WS_OK ||
		    (r = read_pem(cfg->tls_key, &srv->tls_key_pem)) != WS_OK ||
		    (cfg->tls_client_ca != NULL && (r = read_pem(cfg->tls_client_ca, &srv->tls_ca_pem)) != WS_OK))
			goto out;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem };
		if (srv->tls_ca_pem != NULL)
			opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, srv->tls_ca_pem };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->timeout_s, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	errno = 0;
	srv->mhd = MHD_start_daemon(flags, cfg->port, NULL, NULL, on_request, srv,
	    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (srv->mhd == NULL) {
		r = errno != 0 ? ws_err_errno("cannot listen on %s port %u", cfg->address, (unsigned)cfg->port)
		    : ws_err_set(WS_ERR_SYSTEM, "cannot listen on %s port %u (see the libmicrohttpd message above)",
		    cfg->address, (unsigned)cfg->port);
		goto out;
	}
	r = WS_OK;
out:
	if (r != WS_OK)
		regd_http_stop(srv);
	return r;
}

void
regd_http_stop(struct regd_server *srv)
{
	if (srv->mhd != NULL)
		MHD_stop_daemon(srv->mhd);
	srv->mhd = NULL;
	if (srv->tls_key_pem != NULL)
		explicit_bzero(srv->tls_key_pem, strlen(srv->tls_key_pem));
	free(srv->tls_cert_pem);
	free(srv->tls_key_pem);
	free(srv->tls_ca_pem);
	srv->tls_cert_pem = srv->tls_key_pem = srv->tls_ca_pem = NULL;
}
