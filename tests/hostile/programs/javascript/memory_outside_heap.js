// attack: allocate memory outside V8's heap (Buffers and ArrayBuffers are not bounded by
//   --max-old-space-size), touched so it is really committed
// expect: memory_limit, runtime_error, no_report
function double(x) {
  const hog = [];
  for (;;) {
    hog.push(Buffer.alloc(1e7, 1));
    hog.push(new Float64Array(1e6).fill(x));
  }
}
