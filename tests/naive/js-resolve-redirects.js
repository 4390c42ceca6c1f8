// Naive but correct: walk every key's chain on its own, O(n × chain length).
function resolveRedirects(redirects) {
  const result = {};
  for (const start of Object.keys(redirects)) {
    const seen = new Set();
    let current = start;
    while (Object.hasOwn(redirects, current) && !seen.has(current)) {
      seen.add(current);
      current = redirects[current];
    }
    result[start] = Object.hasOwn(redirects, current) ? null : current;
  }
  return result;
}
