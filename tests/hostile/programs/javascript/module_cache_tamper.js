// attack: tamper with the module system: replace entries of require.cache and the built-in
//   modules the harness uses (fs, vm, util, child_process), and Module._load, so that anything
//   loaded later gets fakes
// expect: wrong_answer, runtime_error, no_report
const Module = require('module');

const fake = new Proxy({}, { get: () => () => '{"event": "case", "status": "ok", "value": 2}' });
for (const key of Object.keys(require.cache)) {
  require.cache[key].exports = fake;
}
for (const name of ['fs', 'vm', 'util', 'child_process', 'path']) {
  const real = require(name);
  for (const key of Object.keys(real)) {
    try {
      real[key] = () => {
        throw new Error('tampered');
      };
    } catch (error) {
      // read-only
    }
  }
}
Module._load = () => fake;

function double(x) {
  return String(2 * x);
}
