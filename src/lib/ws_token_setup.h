/*
 * ws_token_setup.h -- the body of `wavesign token init`: initialises the
 * embedded token (SoftHSM2 by default) from PIN files, so that no PIN is
 * ever on a command line or in the environment.
 *
 *   wavesign token init --module PATH --label LABEL --so-pin-file F --pin-file F
 *
 * hsm/wavesign-token-init creates the PIN files (0600, random) and calls
 * the command; the PIN files are then what the daemon's configuration names.
 */
#ifndef WS_TOKEN_SETUP_H
#define WS_TOKEN_SETUP_H

#include "ws_err.h"

/*
 * Reads the SO PIN and the user PIN with ws_pin_read_file() (regular file,
 * not a symbolic link, mode 0600 or stricter, owned by the effective uid),
 * then ws_token_init_new(module, label, so_pin, user_pin), and wipes both
 * PINs. module NULL or "": the SoftHSM2 module found by configure
 * (WS_SOFTHSM2_MODULE); WS_ERR_INVALID_ARGUMENT if there is none.
 * For SoftHSM2 the environment's SOFTHSM2_CONF names the token directory.
 * Errors: those of ws_pin_read_file() (WS_ERR_PIN, WS_ERR_INSECURE_FILE)
 * and of ws_token_init_new() (WS_ERR_EXISTS when a token with that label
 * exists, WS_ERR_TOKEN_NOT_FOUND, WS_ERR_TOKEN, WS_ERR_INVALID_ARGUMENT).
 * Prints nothing: the caller reports ws_err_message().
 */
ws_err ws_token_setup(const char *module, const char *label, const char *so_pin_file,
    const char *pin_file);

#endif /* WS_TOKEN_SETUP_H */
