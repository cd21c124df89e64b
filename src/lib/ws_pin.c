/*
 * ws_pin.c -- reading a PIN from a file that only its owner can read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ws_p11.h"

ws_err
ws_pin_read_file(const char *path, char *pin, size_t pin_max)
{
	/* Room for the longest PIN, "\r\n" and one byte that proves the file too long. */
	char buf[WS_PIN_MAX + 3];
	size_t len = 0;
	struct stat st;
	ssize_t n;
	int fd = -1;
	ws_err err;

	if (path == NULL || pin == NULL || pin_max < 2) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "ws_pin_read_file: no path or no room");
		goto out;
	}

	/*
	 * O_NONBLOCK: a FIFO must not block the open before fstat refuses it.
	 * O_NOFOLLOW: a symbolic link could point anywhere the process can read.
	 */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			err = ws_err_set(WS_ERR_INSECURE_FILE,
			    "PIN file %s is a symbolic link; name the file itself", path);
		else
			err = ws_err_set(WS_ERR_PIN, "cannot open PIN file %s: %s", path,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		err = ws_err_set(WS_ERR_PIN, "cannot stat PIN file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = ws_err_set(WS_ERR_INSECURE_FILE, "PIN file %s is not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		err = ws_err_set(WS_ERR_INSECURE_FILE,
		    "PIN file %s is owned by uid %lu, not by this process's uid %lu (chown it)",
		    path, (unsigned long)st.st_uid, (unsigned long)geteuid());
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		err = ws_err_set(WS_ERR_INSECURE_FILE,
		    "PIN file %s has mode %04o; group and others must have no access (chmod 600 %s)",
		    path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}

	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ws_err_set(WS_ERR_PIN, "cannot read PIN file %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}

	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	if (len == 0) {
		err = ws_err_set(WS_ERR_PIN, "PIN file %s is empty", path);
		goto out;
	}
	if (len > WS_PIN_MAX || len > pin_max - 1) {
		err = ws_err_set(WS_ERR_PIN, "PIN file %s holds more than %zu bytes", path,
		    pin_max - 1 < WS_PIN_MAX ? pin_max - 1 : (size_t)WS_PIN_MAX);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		err = ws_err_set(WS_ERR_PIN, "PIN file %s contains a NUL byte", path);
		goto out;
	}

	memcpy(pin, buf, len);
	pin[len] = '\0';
	err = WS_OK;
out:
	explicit_bzero(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return err;
}
