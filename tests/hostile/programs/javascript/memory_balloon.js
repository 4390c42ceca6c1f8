// attack: allocate memory without end: JS arrays (heap) and Buffers (outside V8's heap)
// expect: memory_limit, runtime_error, no_report
function double(x) {
  const hog = [];
  for (;;) {
    hog.push(new Array(1e6).fill(x));
    hog.push(Buffer.alloc(1e7, 1));
  }
}
