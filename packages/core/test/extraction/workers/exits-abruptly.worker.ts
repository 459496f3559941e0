/** Test double for a dependency that calls process.exit(): in a worker it ends only the thread. */
process.exit(3);
