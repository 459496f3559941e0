/** Test double for a parser caught in an infinite loop: it never yields to its event loop. */
for (;;) {
  // spin
}
