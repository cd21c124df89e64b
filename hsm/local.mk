# hsm: the embedded SoftHSM2 token set-up.
