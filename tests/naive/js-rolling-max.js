// Naive but correct: recompute the maximum of every stretch from scratch, O(n × k).
function rollingMax(readings, k) {
  const result = [];
  for (let start = 0; start + k <= readings.length; start++) {
    let max = readings[start];
    for (let i = start + 1; i < start + k; i++) {
      if (readings[i] > max) {
        max = readings[i];
      }
    }
    result.push(max);
  }
  return result;
}
