/*
 * ws_token_setup.c -- `wavesign token init`: a new token from PIN files.
 */
#include "config.h"

#include <string.h>

#include "ws_p11.h"
#include "ws_token_setup.h"

ws_err
ws_token_setup(const char *module, const char *label, const char *so_pin_file,
    const char *pin_file)
{
	char so_pin[WS_PIN_MAX + 1], user_pin[WS_PIN_MAX + 1];
	ws_err err;

	so_pin[0] = user_pin[0] = '\0';
	if (module == NULL || module[0] == '\0')
		module = WS_SOFTHSM2_MODULE;
	if (module[0] == '\0') {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "no PKCS#11 module given and no SoftHSM2 "
		    "module was found at build time (install softhsm2 or pass --module)");
		goto out;
	}
	if (so_pin_file == NULL || pin_file == NULL) {
		err = ws_err_set(WS_ERR_INVALID_ARGUMENT, "both an SO PIN file and a PIN file are needed");
		goto out;
	}
	err = ws_pin_read_file(so_pin_file, so_pin, sizeof(so_pin));
	if (err != WS_OK) {
		ws_err_prefix("SO PIN");
		goto out;
	}
	err = ws_pin_read_file(pin_file, user_pin, sizeof(user_pin));
	if (err != WS_OK) {
		ws_err_prefix("user PIN");
		goto out;
	}
	err = ws_token_init_new(module, label, so_pin, user_pin);
out:
	explicit_bzero(so_pin, sizeof(so_pin));
	explicit_bzero(user_pin, sizeof(user_pin));
	return err;
}
