// attack: compute the answer in microtasks queued behind the call: they run after the call
//   returned and before the harness's await resumes, outside a clock taken at the return, outside
//   vm's timeout and, starving the event loop, before any timer can fire; the returned promise
//   settles only after 40 rounds of 10^8 steps (seconds of CPU, past the 1 s
//   limit, whatever the machine's load: work, not wall time)
// expect: timeout, no_report
function double(x) {
  return new Promise((resolve) => {
    let rounds = 0;
    const spin = () => {
      let sum = 0;
      for (let i = 0; i < 1e8; i++) sum += i & 1;
      rounds += sum > 0 ? 1 : 2;
      if (rounds < 40) Promise.resolve().then(spin);
      else resolve(2 * x);
    };
    Promise.resolve().then(spin);
  });
}
