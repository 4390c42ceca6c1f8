// Naive but correct: plain recursion that tries every sequence of moves, exponential in n.
// Passes every correctness test; never finishes the timed test (n = 60, ~4.7e15 ways).
function countClimbs(n, steps, broken) {
  if (n === 0) {
    return 1;
  }
  if (n < 0 || broken.includes(n)) {
    return 0;
  }
  let total = 0;
  for (const size of steps) {
    total += countClimbs(n - size, steps, broken);
  }
  return total;
}
