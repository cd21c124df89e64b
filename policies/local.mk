# policies: the default policy and examples.
