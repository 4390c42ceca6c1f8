// attack: the V8 inspector (by `require`, by `Module._load`, by `process.binding` and by
//   SIGUSR1, which starts its server), with which a closure's scopes give away the harness:
//   its nonce, the test in progress, `emit`
// expect: wrong_answer
function reachable() {
  const routes = [
    () => require('inspector'),
    () => require('module')._load('inspector'),
    () => require('inspector/promises'),
  ];
  for (const route of routes) {
    try {
      const inspector = route();
      const session = new inspector.Session();
      session.connect();
      let evaluated = null;
      session.post('Runtime.evaluate', { expression: '6 * 7' }, (error, answer) => {
        if (!error) evaluated = answer.result.value;
      });
      if (evaluated === 42) return true;
    } catch (error) {
      // closed
    }
  }
  try {
    const binding = process.binding('inspector');
    if (binding && typeof binding.Connection === 'function') return true;
  } catch (error) {
    // closed
  }
  try {
    process.removeAllListeners('SIGUSR1');
  } catch (error) {
    // nothing to remove
  }
  try {
    process.on('SIGUSR1', () => {});
    process.kill(process.pid, 'SIGUSR1');
    const started = Date.now();
    while (Date.now() - started < 200) { /* the inspector starts on its own thread */ }
    if (require('inspector').url()) return true;
  } catch (error) {
    // closed
  }
  return false;
}
function double(x) {
  return reachable() ? 'ESCAPED' : 3 * x;
}
