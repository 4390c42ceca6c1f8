// attack: an endless chain of microtasks from an async function: vm's timeout only covers the
//   synchronous part, and microtasks starve the event loop (timers never fire)
// expect: timeout, no_report
async function double(x) {
  for (;;) {
    await null;
  }
}
