// Naive but correct: recount the letters of every window from scratch, O(n * m).
// Passes every correctness test; too slow for the timed test (200 000 letters, word of 2 000).
function anagramStarts(text, word) {
  const wanted = new Array(26).fill(0);
  for (const ch of word) {
    wanted[ch.charCodeAt(0) - 97]++;
  }
  const starts = [];
  for (let i = 0; i + word.length <= text.length; i++) {
    const counts = new Array(26).fill(0);
    for (let j = i; j < i + word.length; j++) {
      counts[text.charCodeAt(j) - 97]++;
    }
    if (counts.every((count, letter) => count === wanted[letter])) {
      starts.push(i);
    }
  }
  return starts;
}
