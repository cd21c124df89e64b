# tests/fuzz: one target per parser; each builds as a stdin-replay program run over its corpus in make check, and as a libFuzzer program with --enable-fuzzing.
