// attack: a worker thread that spins forever (outside vm's timeout), and a function that blocks
//   its own thread waiting for the worker to finish
// expect: timeout, no_report, runtime_error
const { Worker } = require('worker_threads');

const worker = new Worker('for (;;) {}', { eval: true });

function double(x) {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0); // forever: nobody notifies
  return 2 * x;
}
