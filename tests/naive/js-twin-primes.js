// Naive but correct: trial division for every candidate, O(limit * sqrt(limit)).
// Passes every correctness test; far too slow for the timed test (limit 5 000 000).
function isPrime(n) {
  if (n < 2) {
    return false;
  }
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) {
      return false;
    }
  }
  return true;
}

function countTwinPrimes(limit) {
  let pairs = 0;
  for (let p = 2; p + 2 <= limit; p++) {
    if (isPrime(p) && isPrime(p + 2)) {
      pairs++;
    }
  }
  return pairs;
}
